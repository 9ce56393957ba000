// Multiple choice: radio buttons (one answer) or checkboxes (several), bars on the screen.
import { whileSending } from "../core.js";
import { bars } from "./_charts.js";

export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  const cfg = activity.config;
  const chosen = new Set(mine.length ? mine[mine.length - 1].data.choices : []);
  const multiple = cfg.multiple;
  const form = el("form", { class: "answer-form", novalidate: true });
  const fieldset = el("fieldset", {}, el("legend", { class: "sr-only", text: activity.title }));
  cfg.options.forEach((option, i) => {
    fieldset.append(
      el("label", { class: "choice" },
        el("input", { type: multiple ? "checkbox" : "radio", name: "choice", value: String(i), checked: chosen.has(i), disabled: closed }),
        el("span", { text: option }))
    );
  });
  if (multiple) fieldset.append(el("p", { class: "help", text: t("multiple_choice.choose_up_to", { n: cfg.max_choices }) }));
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert" });
  const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: mine.length ? t("change_answer") : t("send") });
  form.append(fieldset, error, button, status);
  if (mine.length) status.textContent = t("saved");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const choices = [...form.querySelectorAll("input:checked")].map((x) => Number(x.value));
    error.textContent = "";
    if (!choices.length) {
      error.textContent = t("multiple_choice.pick_one");
      return;
    }
    const ack = await whileSending(button, () => {
      status.textContent = t("sending");
      return submit({ choices });
    });
    if (!ack) return;
    if (ack.ok) {
      status.textContent = t("saved");
      button.textContent = t("change_answer");
    }
    else if (ack.pending) status.textContent = t("offline");
    else {
      status.textContent = "";
      error.textContent = ack.error.message;
    }
  });
  const resultBox = el("div", { class: "phone-results" });
  root.append(form, resultBox);
  const update = (res) => {
    if (!res || !res.aggregate) return;
    bars(resultBox, res.aggregate.options, res.aggregate.counts, { el, t, compact: true });
  };
  update(results);
  return { update };
}

export function presenter({ root, results, t, el }) {
  bars(root, results.aggregate.options, results.aggregate.counts, { el, t });
}

export function console({ root, results, t, el }) {
  bars(root, results.aggregate.options, results.aggregate.counts, { el, t, compact: true });
}
