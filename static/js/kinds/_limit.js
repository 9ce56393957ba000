// Text limits on the phone, the same for every kind: a visible counter against the limit the
// kind's input schema enforces (activity.limits, sent by the server), never the maxlength
// attribute, which cuts a pasted text short without a word. Over the limit the counter says
// so ("212/200 characters — too long", read out politely), the field is marked invalid and
// its form's Send button is disabled; a guard refuses the submit should a redraw enable it.
import { fmt, t } from "../core.js";

let uid = 0;

/** What the server will count: one line collapses its spaces, a text loses its outer ones. */
const measure = (field, single) => (single ? field.value.split(/\s+/).filter(Boolean).join(" ") : field.value.trim()).length;

/** True while `field`'s text is over its limit: a kind that redraws its Send button keeps it disabled. */
export const overLimit = (field) => field?.dataset.over === "true";

function overIn(form) {
  return Boolean(form?.querySelector("[data-over='true']"));
}

function syncButtons(form) {
  if (!form) return;
  const over = overIn(form);
  for (const b of form.querySelectorAll("button[type=submit], button:not([type])")) {
    if (over && !b.disabled) {
      b.disabled = true;
      b.dataset.limitDisabled = "true";
    } else if (!over && b.dataset.limitDisabled) {
      delete b.dataset.limitDisabled;
      b.disabled = false;
    }
  }
}

// One guard for every form: a text over its limit is never sent.
document.addEventListener("submit", (ev) => {
  const over = ev.target.querySelector?.("[data-over='true']");
  if (!over) return;
  ev.preventDefault();
  ev.stopImmediatePropagation();
  over.focus();
}, true);

/**
 * Count `field` against `max` (a number from activity.limits). Returns the counter element to
 * place under the field; it is tied to the field by aria-describedby. `single`: the kind sends
 * the text as one line (runs of spaces collapse, as the server counts them); otherwise it is
 * counted trimmed, as it is sent. Without a limit: no counter (null).
 */
export function limitText(field, max, { el, single = false } = {}) {
  if (!max) return null;
  field.removeAttribute("maxlength");
  const counter = el("p", { class: "char-count", id: `limit-${++uid}`, "aria-live": "polite", "aria-atomic": "true" });
  const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  field.setAttribute("aria-describedby", [...described, counter.id].join(" "));
  const tick = () => {
    const n = measure(field, single);
    const over = n > max;
    counter.textContent = t(over ? "chars_over" : "chars", { used: fmt(n), n: fmt(max) });
    counter.dataset.near = !over && n >= max * 0.9 ? "true" : "false";
    counter.dataset.over = over ? "true" : "false";
    const was = field.dataset.over === "true";
    field.dataset.over = over ? "true" : "false";
    if (over) field.setAttribute("aria-invalid", "true");
    else if (was) field.removeAttribute("aria-invalid");
    syncButtons(field.form || field.closest("form"));
  };
  field.addEventListener("input", tick);
  // Built before it is placed in its form: count once it is there too.
  queueMicrotask(tick);
  tick();
  return counter;
}
