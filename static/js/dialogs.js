// Dialogs of the facilitator pages (share, results link): a button with data-opens="<id>"
// opens the <dialog> modally; Escape or a button with data-closes closes it, and focus goes
// back to the button that opened it. The buttons say so in HTML (commandfor/command), so they
// work from the first paint, before any script has run; this script does the same for a
// browser without invoker commands, and brings focus back where a browser does not.
const declarative = "command" in HTMLButtonElement.prototype;
for (const opener of document.querySelectorAll("[data-opens]")) {
  const dialog = document.getElementById(opener.dataset.opens);
  if (!dialog || dialog.dataset.bound) continue;
  dialog.dataset.bound = "1";
  if (!declarative) {
    opener.addEventListener("click", () => dialog.showModal());
    for (const closer of dialog.querySelectorAll("[data-closes]")) {
      closer.addEventListener("click", () => dialog.close());
    }
  }
  dialog.addEventListener("close", () => opener.focus());
}
