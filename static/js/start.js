// Start page: accept the code with or without spaces and go straight to the workshop.
// Anything but 8 digits is answered here, at once, instead of reloading the same page.
const form = document.getElementById("join-form");
form?.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = document.getElementById("code");
  const error = document.getElementById("code-error");
  const digits = input.value.replace(/\D/g, "");
  if (digits.length === 8) {
    window.location.href = `/j/${digits}`;
    return;
  }
  error.textContent = error.dataset.invalid;
  input.setAttribute("aria-invalid", "true");
  input.focus();
});
document.getElementById("code")?.addEventListener("input", (ev) => {
  ev.target.removeAttribute("aria-invalid");
});
