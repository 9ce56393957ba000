// Start page: accept the code with or without spaces and go straight to the workshop.
const form = document.getElementById("join-form");
form?.addEventListener("submit", (ev) => {
  const input = document.getElementById("code");
  const digits = input.value.replace(/\D/g, "");
  if (digits.length === 8) {
    ev.preventDefault();
    window.location.href = `/j/${digits}`;
  }
});
