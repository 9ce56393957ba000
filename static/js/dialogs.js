// Dialogs of the facilitator pages (share, results link): a button with data-opens="<id>"
// opens the <dialog> modally; Escape or a button with data-closes closes it, and focus goes
// back to the button that opened it.
for (const opener of document.querySelectorAll("[data-opens]")) {
  const dialog = document.getElementById(opener.dataset.opens);
  if (!dialog || dialog.dataset.bound) continue;
  dialog.dataset.bound = "1";
  opener.addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => opener.focus());
  for (const closer of dialog.querySelectorAll("[data-closes]")) {
    closer.addEventListener("click", () => dialog.close());
  }
}
