// Editor: ask before destructive actions (forms marked with data-confirm).
for (const form of document.querySelectorAll("form.confirm[data-confirm]")) {
  form.addEventListener("submit", (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}
