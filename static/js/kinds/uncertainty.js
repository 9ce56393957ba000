// Osäkerhet per area: phones judge how uncertain each area is (low, medium, high) and may say
// why; the screen shows how the judgements spread per area; the console shows the reasons and
// records a level and a motivation per area in the draft analysis. Words, never figures.
import { clear, fmt, whileSending } from "../core.js";
import { limitText } from "./_limit.js";
import { memory, put, rebuild } from "./sorting.js";

export const LEVELS = ["low", "medium", "high"];
const levelName = (t, lv) => (lv ? t(`uncertainty.level_${lv}`) : "");
const pct = (n, total) => (total ? Math.round((100 * n) / total) : 0);

/** A stacked bar of the judgements of one area; each segment names its level in words. */
export function levelsBar(area, { t, el, labels = true }) {
  const total = area.n || 0;
  const spoken = LEVELS.map((lv) => `${levelName(t, lv)}: ${area.counts?.[lv] || 0}`).join(", ");
  const bar = el("div", { class: "mk-stack unc-stack", role: "img", "aria-label": total ? spoken : t("uncertainty.no_votes") });
  if (!total) {
    bar.classList.add("empty");
    bar.append(el("span", { class: "mk-stack-empty", text: t("uncertainty.no_votes") }));
    return bar;
  }
  for (const lv of LEVELS) {
    const n = area.counts?.[lv] || 0;
    if (!n) continue;
    const seg = el("span", { class: `mk-seg unc-${lv}`, title: `${levelName(t, lv)}: ${n}` });
    seg.style.flexGrow = String(n);
    if (labels) {
      const share = n / total;
      const text = share >= 0.25 ? `${levelName(t, lv)}: ${n}` : share >= 0.1 ? String(n) : "";
      if (text) seg.append(el("span", { class: "mk-seg-text", "aria-hidden": "true", text }));
    }
    bar.append(seg);
  }
  return bar;
}

function legend({ t, el }) {
  return el("ul", { class: "mk-legend", "aria-label": t("uncertainty.level") },
    LEVELS.map((lv) => el("li", {}, el("span", { class: `mk-swatch unc-${lv}`, "aria-hidden": "true" }), levelName(t, lv))));
}

function agreementText(area, t) {
  if (!area.n) return t("uncertainty.no_votes");
  return `${t(`uncertainty.agreement_${area.agreement}`)} · ${t("uncertainty.voters", { n: fmt(area.n) })}`;
}

// --- phone --------------------------------------------------------------------------------

const phoneState = memory();

export function phone(ctx) {
  const { root, activity, closed, submit, t, el } = ctx;
  const cfg = activity.config || {};
  const key = `${activity.id}:${activity.generation}`;
  let results = ctx.results;
  const mine = new Map();
  for (const entry of ctx.mine || []) if (entry?.data && entry.status !== "deleted") mine.set(entry.data.area, entry.data);
  const sent = phoneState.get(`${key}:sent`, new Map());
  phoneState.set(`${key}:sent`, sent);
  const areas = () => results?.content?.areas || cfg.areas || [];
  const judged = (area) => sent.get(area) || mine.get(area) || null;

  const box = el("div", { class: "mk-phone unc-phone" });
  root.append(box);
  let sig = "";

  function progressText() {
    const list = areas();
    return t("uncertainty.n_done", { n: list.filter((a) => judged(a)).length, total: list.length });
  }

  function draw() {
    sig = JSON.stringify(areas());
    rebuild(box, () => {
      box.append(el("p", { class: "muted unc-progress", text: progressText() }));
      const ol = el("ol", { class: "unc-areas" });
      areas().forEach((area, index) => ol.append(areaForm(area, index)));
      box.append(ol);
    });
  }

  function areaForm(area, index) {
    const name = `unc-${activity.id}-${index}`;
    const before = judged(area);
    const picked = phoneState.get(`${key}:pick:${area}`, before?.level || "");
    const form = el("form", { class: "answer-form unc-form", novalidate: true });
    const set = el("fieldset", { class: "unc-levels" }, el("legend", {}, el("span", { class: "unc-area", text: area }),
      el("span", { class: "sr-only", text: ` — ${t("uncertainty.level_q")}` })),
    el("div", { class: "unc-choices" }, LEVELS.map((lv) => el("label", { class: "choice unc-choice", for: `${name}-${lv}` },
      el("input", { type: "radio", id: `${name}-${lv}`, name, value: lv, checked: picked === lv, disabled: closed, dataset: { focusKey: `${name}-${lv}` } }),
      el("span", { text: levelName(t, lv) })))));
    let comment = null;
    if (cfg.ask_comment !== false) {
      comment = el("textarea", { id: `${name}-why`, rows: "2", disabled: closed,
        dataset: { focusKey: `${name}-why` } });
      comment.value = phoneState.get(`${key}:why:${area}`, before?.comment || "");
      comment.addEventListener("input", () => phoneState.set(`${key}:why:${area}`, comment.value));
    }
    const error = el("p", { class: "error", role: "alert" });
    const status = el("p", { class: "status", role: "status", text: before ? t("uncertainty.saved", { level: levelName(t, before.level) }) : "" });
    const button = el("button", { type: "submit", class: "primary", disabled: closed, dataset: { focusKey: `${name}-send` },
      text: before ? t("change_answer") : t("uncertainty.send") });
    set.addEventListener("change", (ev) => {
      phoneState.set(`${key}:pick:${area}`, ev.target.value);
      error.textContent = "";
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const level = form.querySelector(`input[name="${name}"]:checked`)?.value || "";
      if (!level) {
        error.textContent = t("uncertainty.pick_level");
        set.querySelector("input")?.focus();
        return;
      }
      const text = comment ? comment.value.trim() : "";
      const ack = await whileSending(button, () => {
        status.textContent = t("sending");
        return submit({ index, level, comment: text });
      });
      if (!ack) return;
      if (ack.ok || ack.pending) {
        sent.set(area, { area, level, comment: text });
        status.textContent = ack.pending ? t("offline") : t("uncertainty.saved", { level: levelName(t, level) });
        button.textContent = t("change_answer");
        box.querySelector(".unc-progress").textContent = progressText();
      } else {
        status.textContent = "";
        error.textContent = ack.error?.message || t("error");
      }
    });
    const group = el("div", { class: "unc-group", dataset: { index: String(index) } });
    drawGroup(group, index);
    put(form, set, comment ? el("label", { for: `${name}-why`, text: t("uncertainty.comment") }) : null, comment,
      comment ? limitText(comment, activity.limits?.comment, { el, single: true }) : null, error, button, status, group);
    return el("li", { class: "unc-item" }, form);
  }

  function drawGroup(group, index) {
    clear(group);
    const agg = results?.visible ? results.aggregate : null;
    const it = agg?.areas?.[index];
    if (!it || it.area !== areas()[index]) return;
    put(group, levelsBar(it, { t, el }), el("p", { class: "muted", text: agreementText(it, t) }));
  }

  draw();
  return {
    update(res) {
      results = res || results;
      if (JSON.stringify(areas()) !== sig) {
        draw();
        return;
      }
      for (const g of box.querySelectorAll(".unc-group")) drawGroup(g, Number(g.dataset.index));
    },
  };
}

// --- presenter ----------------------------------------------------------------------------

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate || {};
  clear(root);
  const areas = agg.areas || [];
  if (!areas.length) {
    root.append(el("p", { class: "pres-hidden", text: t("uncertainty.no_votes") }));
    return;
  }
  const cols = areas.length > 8 ? " three-col" : areas.length > 4 ? " two-col" : "";
  const list = el("ol", { class: "sort-pres-list unc-pres-list" + cols });
  const agreeOnTop = !cols.includes("three");
  for (const a of areas) {
    const agree = a.n ? el("span", { class: `sort-pres-agree mk-agree mk-agree-${a.agreement || "none"}`, text: agreementText(a, t) }) : null;
    const decision = a.decided ? el("span", { class: "sort-pres-decision", text: `✓ ${levelName(t, a.decision.level)}` }) : null;
    const meta = [agreeOnTop ? null : agree, decision].filter(Boolean);
    list.append(el("li", { class: "sort-pres-item unc-pres-item" },
      el("div", { class: "sort-pres-top" }, el("span", { class: "sort-pres-name", text: a.area }), agreeOnTop ? agree : null),
      levelsBar(a, { t, el }),
      meta.length ? el("p", { class: "sort-pres-meta" }, meta.flatMap((m, i) => (i ? [" · ", m] : [m]))) : null));
  }
  root.append(el("div", { class: "sort-pres-head" }, legend({ t, el })), list);
}

// --- console ------------------------------------------------------------------------------

const consoleState = memory();

/** The recorded judgement of `area` in the draft, when the console has the draft. */
function recordedIn(ctx, area) {
  const d = typeof ctx.draft_data === "function" ? ctx.draft_data() : null;
  const squash = (s) => String(s || "").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
  const found = (d?.uncertainty || []).find((r) => squash(r.area) === squash(area));
  return found ? { level: found.level || "", motivation: found.motivation || "" } : null;
}

export function console(ctx) {
  const { root, activity, results, t, el } = ctx;
  const agg = results.aggregate || {};
  const key = `${activity.id}:${activity.generation}`;
  rebuild(root, () => {
    const s = agg.summary || { areas: 0, decided: 0 };
    root.append(el("div", { class: "mk-console-head" },
      el("p", { class: "mk-summary", text: [t("uncertainty.summary_areas", { n: fmt(s.areas) }), t("uncertainty.summary_decided", { n: fmt(s.decided) })].join(" · ") }),
      el("p", { class: "help", text: t("uncertainty.qualitative") }),
      legend({ t, el })));
    const list = el("div", { class: "mk-items" });
    for (const a of agg.areas || []) list.append(consoleArea(ctx, a, key));
    root.append(list);
  });
}

function consoleArea(ctx, a, key) {
  const { t, el } = ctx;
  const ik = `${key}:${a.area}`;
  const decision = recordedIn(ctx, a.area) || a.decision || { level: "", motivation: "" };
  const decided = !!decision.level;
  const details = el("details", { class: "mk-item unc-item-console", open: consoleState.get(`${ik}:open`, false) });
  details.addEventListener("toggle", () => consoleState.set(`${ik}:open`, details.open));
  details.append(el("summary", { class: "mk-item-summary" },
    el("span", { class: "mk-item-title" }, el("strong", { text: a.area })),
    el("span", { class: "sort-summary-bar" }, levelsBar(a, { ...ctx, labels: false })),
    el("span", { class: `mk-agree mk-agree-${a.agreement || "none"}`, text: agreementText(a, t) }),
    el("span", { class: decided ? "badge done" : "badge", text: decided ? `✓ ${levelName(t, decision.level)}` : t("uncertainty.not_decided") })));
  const dist = el("ul", { class: "sort-dist-list" }, LEVELS.map((lv) => {
    const n = a.counts?.[lv] || 0;
    const fill = el("span", { class: `mk-mini-fill unc-${lv}` });
    fill.style.width = `${pct(n, a.n)}%`;
    return el("li", { class: a.top === lv ? "top" : "" }, el("span", { class: "sort-dist-label", text: levelName(t, lv) }),
      el("span", { class: "mk-mini-track", "aria-hidden": "true" }, fill),
      el("span", { class: "sort-dist-n", text: `${fmt(n)} (${pct(n, a.n)} %)` }));
  }));
  const reasons = (a.comments || []).length
    ? el("ul", { class: "unc-reasons" }, a.comments.map((c) => el("li", {}, el("strong", { text: `${levelName(t, c.level)}: ` }), c.text)))
    : el("p", { class: "muted", text: t("uncertainty.no_reasons") });
  const left = el("div", { class: "sort-dist" }, el("h3", { text: t("uncertainty.level") }), dist, el("h3", { text: t("uncertainty.reasons") }), reasons);
  details.append(el("div", { class: "mk-item-body" }, left, decisionForm(ctx, a, decision, decided, ik)));
  return details;
}

function decisionForm(ctx, a, decision, decided, ik) {
  const { t, el } = ctx;
  const base = decided ? decision : { level: a.top || "", motivation: decision.motivation || "" };
  const val = (f) => consoleState.get(`${ik}:f:${f}`, base[f]);
  const id = (f) => `unc-${ik.replace(/[^a-zA-Z0-9_-]/g, "-")}-${f}-${Math.abs(hash(ik))}`;
  const form = el("form", { class: "mk-form unc-decision", novalidate: true });
  const level = el("select", { id: id("level"), dataset: { focusKey: `${ik}:level` } },
    el("option", { value: "", text: t("uncertainty.choose") }),
    LEVELS.map((lv) => el("option", { value: lv, selected: val("level") === lv, text: levelName(t, lv) })));
  const motivation = el("textarea", { id: id("motivation"), rows: "3", maxlength: "5000", dataset: { focusKey: `${ik}:motivation` },
    "aria-describedby": id("help") });
  motivation.value = val("motivation");
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status", text: consoleState.get(`${ik}:status`, "") });
  const dirty = ["level", "motivation"].some((f) => consoleState.has(`${ik}:f:${f}`));
  const note = el("p", { class: "help" }, dirty ? t("uncertainty.unsaved") : !decided && a.n ? t("uncertainty.prefilled") : "");
  form.addEventListener("input", () => {
    consoleState.set(`${ik}:f:level`, level.value);
    consoleState.set(`${ik}:f:motivation`, motivation.value);
    consoleState.set(`${ik}:status`, "");
    status.textContent = "";
    error.textContent = "";
    note.textContent = t("uncertainty.unsaved");
  });
  form.addEventListener("change", () => form.dispatchEvent(new Event("input")));
  const save = el("button", { type: "submit", class: "primary", dataset: { focusKey: `${ik}:save` }, text: t("uncertainty.save_decision") });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!level.value) {
      error.textContent = t("uncertainty.pick_level");
      level.setAttribute("aria-invalid", "true");
      level.focus();
      return;
    }
    level.removeAttribute("aria-invalid");
    save.disabled = true;
    const ack = await ctx.draft("uncertainty.set", { data: { area: a.area, level: level.value, motivation: motivation.value } });
    save.disabled = false;
    if (ack && ack.ok) {
      consoleState.drop(`${ik}:f:`);
      consoleState.set(`${ik}:status`, t("uncertainty.saved_decision"));
      status.textContent = t("uncertainty.saved_decision");
      note.textContent = "";
    } else {
      error.textContent = ack?.error?.message || t("error");
    }
  });
  form.append(el("h3", { text: t("uncertainty.decision") }), note,
    el("label", { for: id("level"), text: t("uncertainty.level") }), level,
    el("label", { for: id("motivation"), text: t("uncertainty.motivation") }),
    el("p", { class: "help", id: id("help"), text: t("uncertainty.motivation_help") }), motivation,
    error, el("div", { class: "button-row" }, save), status);
  return form;
}

function hash(s) {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
