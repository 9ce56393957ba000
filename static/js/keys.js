// The facilitator's keys, one map for the console and the presenter window: a presentation
// clicker sends PageDown/PageUp (or arrows) to whichever window has focus, so both windows
// steer with the same keys. "?" opens a help dialog listing them.
import { el, t } from "./core.js";

/** action -> the keys that trigger it (KeyboardEvent.key values) and how the help names them. */
export const KEY_MAP = [
  { action: "next", keys: ["ArrowRight", "PageDown", " "], names: ["→", "Page Down", "keys.space"] },
  { action: "prev", keys: ["ArrowLeft", "PageUp"], names: ["←", "Page Up"] },
  // Clickers' "blank screen" button sends b or "."; R for results.
  { action: "results", keys: ["r", "R", "b", "B", "."], names: ["R", "B"] },
  { action: "lock", keys: ["l", "L"], names: ["L"] },
  { action: "timer", keys: ["t", "T"], names: ["T"] },
  { action: "help", keys: ["?"], names: ["?"] },
];

// Everything that takes keys itself, and anything put in the tab order on purpose (a scrolling
// list such as the participants'); tabindex="-1" (a heading focused by script) does not.
const INTERACTIVE = "input, textarea, select, button, a[href], summary, [contenteditable], [role=button], " +
  "[role=link], [role=checkbox], [role=radio], [role=menuitem], [role=tab], [role=slider], [role=spinbutton], " +
  "[role=textbox], [role=combobox], [role=listbox], [role=option], [role=switch], [tabindex]:not([tabindex^='-'])";
const TYPING = "input:not([type=button]):not([type=submit]):not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]";

/** True when the key belongs to what has focus: a text field or another interactive control. */
export function focusOwnsKeys(target) {
  if (!target || target === document.body || target === document.documentElement) return false;
  if (target.isContentEditable) return true;
  return Boolean(target.closest && target.closest(INTERACTIVE));
}

/** The action of a key event, or null (modifiers, a focused control, an open dialog). */
export function actionOf(ev) {
  if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented || ev.isComposing) return null;
  if (focusOwnsKeys(ev.target)) return null;
  if (document.querySelector("dialog[open]")) return null; // the help is open: Escape closes it
  const entry = KEY_MAP.find((k) => k.keys.includes(ev.key));
  return entry ? entry.action : null;
}

/**
 * Listen for the facilitator's keys. ``handlers``: {next, prev, results, lock, timer} functions;
 * an action without a handler is not taken (and not listed in the help).
 */
export function bindKeys(handlers, { note = null, stateVersion = null } = {}) {
  const help = helpDialog(handlers, note);
  const run = inOrder(stateVersion);
  document.addEventListener("keydown", (ev) => {
    const action = actionOf(ev);
    if (!action) return;
    if (action === "help") {
      ev.preventDefault();
      help.open();
      return;
    }
    const fn = handlers[action];
    if (!fn) return;
    ev.preventDefault();
    run(fn);
  });
  help.stateArrived = run.stateArrived;
  return help;
}

/**
 * Key actions run one after another, each decided on the state the one before produced: a
 * clicker pressed twice quickly ("back", then "hide results") hides the results of the activity
 * it went back to, not of the one it left. A handler returns its command's acknowledgement
 * (a Promise); when the acknowledgement carries the state ``version`` the command made, the next
 * action waits until ``stateVersion()`` has reached it (call ``stateArrived()`` on each new
 * state), or at most WAIT_MS if that state never comes.
 */
const WAIT_MS = 3000;
export function inOrder(stateVersion) {
  const queue = [];
  let busy = false;
  let awaited = null;
  let since = 0;
  let timer = null;
  const caughtUp = () => !awaited || !stateVersion || (stateVersion() || "") >= awaited || Date.now() - since > WAIT_MS;
  const pump = () => {
    clearTimeout(timer);
    if (busy || !queue.length) return;
    if (!caughtUp()) {
      timer = setTimeout(pump, WAIT_MS);
      return;
    }
    awaited = null;
    const fn = queue.shift();
    busy = true;
    Promise.resolve()
      .then(fn)
      .then((ack) => {
        if (ack && ack.ok && typeof ack.version === "string") {
          awaited = ack.version;
          since = Date.now();
        }
      }, () => {})
      .finally(() => {
        busy = false;
        pump();
      });
  };
  const run = (fn) => {
    queue.push(fn);
    pump();
  };
  run.stateArrived = pump;
  return run;
}

/**
 * Say on screen when the room's keys act: ``hint`` shows "on" while nothing interactive has
 * focus and "paused" while a control has it. Escape on a control that is not a text field
 * (one whose own Escape did not act, i.e. did not preventDefault) moves focus to ``home`` (an
 * element with tabindex="-1", such as the current activity's heading), so a keyboard alone can
 * give the keys back to the room.
 */
export function keysState({ hint, home }) {
  const show = () => {
    const paused = focusOwnsKeys(document.activeElement);
    hint.dataset.state = paused ? "paused" : "on";
    hint.textContent = paused ? t("keys.paused") : t("keys.on");
  };
  document.addEventListener("focusin", show);
  document.addEventListener("focusout", () => setTimeout(show, 0));
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape" || ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (document.querySelector("dialog[open]")) return;
    const target = ev.target;
    if (!focusOwnsKeys(target) || (target.closest && target.closest(TYPING))) return;
    ev.preventDefault();
    home.focus();
  });
  show();
}

/** After a mouse click on a control, give focus back to the page so the clicker keeps working
 *  (a keyboard user's focus stays where it is). */
export function releaseAfterClick(root) {
  root.addEventListener("click", (ev) => {
    const button = ev.target.closest && ev.target.closest("button");
    if (button && ev.detail > 0 && document.activeElement === button) button.blur();
  });
}

/** The help dialog: a modal <dialog> (focus moves in, Escape closes, focus returns).
 *  ``note()``: an extra line to show when it opens (e.g. why this window does not steer). */
export function helpDialog(handlers, note = null) {
  let dialog = null;
  let returnTo = null;
  const build = () => {
    const rows = KEY_MAP.filter((k) => k.action === "help" || handlers[k.action]).map((k) =>
      el("tr", {},
        el("th", { scope: "row" }, k.names.flatMap((n, i) => [i ? " " : "", el("kbd", { text: n.startsWith("keys.") ? t(n) : n })])),
        el("td", { text: t(`keys.${k.action}`) })));
    const close = el("button", { type: "button", class: "keys-close", text: t("keys.close") });
    dialog = el("dialog", { class: "keys-help", "aria-labelledby": "keys-title" },
      el("h2", { id: "keys-title", text: t("keys.title") }),
      el("p", { class: "help", text: t("keys.note") }),
      el("p", { class: "keys-extra", hidden: true }),
      el("table", {}, el("tbody", {}, rows)),
      el("p", {}, close));
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      if (returnTo && document.contains(returnTo)) returnTo.focus();
      returnTo = null;
    });
    document.body.append(dialog);
  };
  return {
    open() {
      if (!dialog) build();
      if (dialog.open) return;
      returnTo = document.activeElement;
      const extra = dialog.querySelector(".keys-extra");
      extra.textContent = note ? note() : "";
      extra.hidden = !extra.textContent;
      dialog.showModal();
      dialog.querySelector(".keys-close").focus();
    },
    close() {
      if (dialog && dialog.open) dialog.close();
    },
    get element() {
      return dialog;
    },
  };
}
