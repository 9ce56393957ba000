// Värdering in points: phones give each nytta and kostnad not valued in money its estimated
// size (Ingen 0, Liten 1, Måttlig 2, Stor 3); the screen shows how the votes spread per item;
// the console records the facilitator's choice in the draft: in points (the agreed point), in
// money (figures from the calculation) or not valued.
import { clear, fmt } from "../core.js";
import { catLabel, draftNode, latestPerNode, memory, put, rebuild, typeTag } from "./sorting.js";

export const POINTS = [0, 1, 2, 3];
const MONEY_CATEGORIES = ["finansiell", "omfordelning"];

const pct = (n, total) => (total ? Math.round((100 * n) / total) : 0);
const pointName = (t, p) => t(`valuation.point_${p}`);

/** A stacked bar of the point votes; every segment says its point in words, not only colour. */
export function pointsBar(item, { t, el, labels = true }) {
  const total = item.n || 0;
  const spoken = POINTS.map((p) => `${pointName(t, p)}: ${item.counts?.[p] || 0}`).join(", ");
  const bar = el("div", { class: "mk-stack val-stack", role: "img", "aria-label": total ? spoken : t("valuation.no_votes") });
  if (!total) {
    bar.classList.add("empty");
    bar.append(el("span", { class: "mk-stack-empty", text: t("valuation.no_votes") }));
    return bar;
  }
  for (const p of POINTS) {
    const n = item.counts?.[p] || 0;
    if (!n) continue;
    const seg = el("span", { class: `mk-seg pts-${p}`, title: `${pointName(t, p)}: ${n}` });
    seg.style.flexGrow = String(n);
    if (labels) {
      const share = n / total;
      const text = share >= 0.3 ? `${pointName(t, p)}: ${n}` : share >= 0.12 ? String(n) : "";
      if (text) seg.append(el("span", { class: "mk-seg-text", "aria-hidden": "true", text }));
    }
    bar.append(seg);
  }
  return bar;
}

function legend({ t, el }) {
  return el("ul", { class: "mk-legend", "aria-label": t("valuation.legend") },
    POINTS.map((p) => el("li", {}, el("span", { class: `mk-swatch pts-${p}`, "aria-hidden": "true" }), pointName(t, p))));
}

function agreementText(item, t) {
  if (!item.n) return t("valuation.no_votes");
  return `${t(`valuation.agreement_${item.agreement}`)} · ${t("valuation.voters", { n: fmt(item.n) })}`;
}

function spreadText(item, t) {
  if (!item.n) return "";
  const parts = [];
  if (item.top !== null && item.top !== undefined) parts.push(t("valuation.most", { point: pointName(t, item.top) }));
  else parts.push(t("valuation.most", { point: t("valuation.tie") }));
  if (item.low !== item.high) parts.push(t("valuation.spread", { low: pointName(t, item.low), high: pointName(t, item.high) }));
  return parts.join(" · ");
}

export function decisionText(decision, t) {
  if (!decision) return "";
  if (decision.valuation === "money") return t("valuation.val_money");
  if (decision.valuation === "size" && decision.size_score !== null && decision.size_score !== undefined)
    return pointName(t, decision.size_score);
  return t("valuation.val_none");
}

// --- phone --------------------------------------------------------------------------------

const phoneState = memory();

export function phone(ctx) {
  const { root, activity, closed, submit, t, el } = ctx;
  const key = `${activity.id}:${activity.generation}`;
  let results = ctx.results;
  const mine = latestPerNode(ctx.mine);
  const sent = phoneState.get(`${key}:sent`, new Map());
  phoneState.set(`${key}:sent`, sent);
  const items = () => results?.content?.items || [];
  const voteOf = (id) => (sent.has(id) ? sent.get(id) : mine.get(id)?.points ?? null);

  const box = el("div", { class: "mk-phone val-phone" });
  const live = el("p", { class: "sr-only", "aria-live": "polite" });
  root.append(box, live);
  let sig = "";

  function draw() {
    sig = JSON.stringify(items());
    rebuild(box, () => {
      const list = items();
      if (!list.length) {
        box.append(el("p", { class: "empty", text: t("valuation.no_items") }));
        return;
      }
      const done = list.filter((it) => voteOf(it.id) !== null).length;
      box.append(
        el("p", { class: "help", text: t("valuation.points_help") }),
        el("p", { class: done === list.length ? "status val-progress" : "muted val-progress",
          text: done === list.length ? t("valuation.all_done") : t("valuation.n_voted", { n: done, total: list.length }) }));
      const ol = el("ol", { class: "val-items" });
      for (const it of list) ol.append(itemForm(it));
      box.append(ol);
    });
  }

  function itemForm(it) {
    const name = `val-${activity.id}-${it.id}`;
    const chosen = voteOf(it.id);
    const status = el("p", { class: "status", role: "status", text: chosen !== null ? t("valuation.your_vote", { point: pointName(t, chosen) }) : "" });
    const error = el("p", { class: "error", role: "alert" });
    const set = el("fieldset", { class: "val-points" },
      el("legend", {}, el("span", { class: "val-title", text: it.title }), " ", typeTag(it.type, { t, el })),
      it.description ? el("p", { class: "muted val-desc", text: it.description }) : null,
      el("div", { class: "val-choices" }, POINTS.map((p) => el("label", { class: "choice val-choice", for: `${name}-${p}` },
        el("input", { type: "radio", id: `${name}-${p}`, name, value: String(p), checked: chosen === p, disabled: closed,
          dataset: { focusKey: `${name}-${p}` } }),
        el("span", { text: pointName(t, p) })))));
    set.addEventListener("change", async (ev) => {
      const points = Number(ev.target.value);
      error.textContent = "";
      status.textContent = t("sending");
      const ack = await submit({ node: it.id, points });
      if (ack && (ack.ok || ack.pending)) {
        sent.set(it.id, points);
        status.textContent = ack.pending ? t("offline") : t("valuation.your_vote", { point: pointName(t, points) });
        live.textContent = status.textContent;
        const list = items();
        const done = list.filter((x) => voteOf(x.id) !== null).length;
        const progress = box.querySelector(".val-progress");
        if (progress) {
          progress.textContent = done === list.length ? t("valuation.all_done") : t("valuation.n_voted", { n: done, total: list.length });
          progress.className = (done === list.length ? "status" : "muted") + " val-progress";
        }
      } else {
        status.textContent = "";
        error.textContent = ack?.error?.message || t("error");
      }
    });
    const group = el("div", { class: "val-group", dataset: { node: String(it.id) } });
    drawGroup(group, it.id);
    return el("li", { class: "val-item" }, put(el("div"), set, error, status, group));
  }

  function drawGroup(group, id) {
    clear(group);
    const agg = results?.visible ? results.aggregate : null;
    const it = agg?.items?.find((x) => x.id === id);
    if (!it) return;
    put(group, pointsBar(it, { t, el }), el("p", { class: "muted", text: agreementText(it, t) }));
  }

  draw();
  return {
    update(res) {
      results = res || results;
      if (JSON.stringify(items()) !== sig) {
        draw();
        return;
      }
      for (const g of box.querySelectorAll(".val-group")) drawGroup(g, Number(g.dataset.node));
    },
  };
}

// --- presenter ----------------------------------------------------------------------------

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate || {};
  clear(root);
  const items = agg.items || [];
  if (!agg.ready || !items.length) {
    root.append(el("p", { class: "pres-hidden", text: agg.ready ? t("valuation.no_items") : t("valuation.no_analysis") }));
    return;
  }
  const cols = items.length > 8 ? " three-col" : items.length > 4 ? " two-col" : "";
  const list = el("ol", { class: "sort-pres-list val-pres-list" + cols });
  const agreeOnTop = !cols.includes("three");
  for (const it of items) {
    const agree = it.n ? el("span", { class: `sort-pres-agree mk-agree mk-agree-${it.agreement || "none"}`, text: agreementText(it, t) }) : null;
    const decision = it.decided ? el("span", { class: "sort-pres-decision", text: `✓ ${decisionText(it.decision, t)}` }) : null;
    const spread = spreadText(it, t);
    const meta = [agreeOnTop ? null : agree, spread ? el("span", { text: spread }) : null, decision].filter(Boolean);
    list.append(el("li", { class: "sort-pres-item val-pres-item", dataset: { agreement: it.agreement || "none" } },
      el("div", { class: "sort-pres-top" }, el("span", { class: "sort-pres-name", text: it.title }), agreeOnTop ? agree : null),
      pointsBar(it, { t, el }),
      meta.length ? el("p", { class: "sort-pres-meta" }, meta.flatMap((m, i) => (i ? [" · ", m] : [m]))) : null));
  }
  root.append(el("div", { class: "sort-pres-head" }, legend({ t, el })), list);
}

// --- console ------------------------------------------------------------------------------

const consoleState = memory();

export function console(ctx) {
  const { root, activity, results, t, el } = ctx;
  const agg = results.aggregate || {};
  const key = `${activity.id}:${activity.generation}`;
  rebuild(root, () => {
    if (!agg.ready) {
      root.append(el("p", { class: "empty", text: t("valuation.no_analysis") }));
      return;
    }
    const s = agg.summary;
    root.append(el("div", { class: "mk-console-head" },
      el("p", { class: "mk-summary", text: [t("valuation.summary_items", { n: fmt(s.items) }), t("valuation.summary_voted", { n: fmt(s.voted) }),
        t("valuation.summary_decided", { n: fmt(s.decided) })].join(" · ") }),
      agg.money_items ? el("p", { class: "help", text: t("valuation.money_items", { n: fmt(agg.money_items) }) }) : null,
      legend({ t, el })));
    if (!agg.items.length) {
      root.append(el("p", { class: "empty", text: t("valuation.no_items") }));
      return;
    }
    const list = el("div", { class: "mk-items" });
    for (const it of agg.items) list.append(consoleItem(ctx, it, key));
    root.append(list);
  });
}

function consoleItem(ctx, it, key) {
  const { t, el } = ctx;
  const ik = `${key}:${it.id}`;
  const fromDraft = draftNode(ctx, it.id);
  const decision = fromDraft ? { valuation: fromDraft.valuation, size_score: fromDraft.size_score } : it.decision;
  const category = fromDraft ? fromDraft.category : it.category;
  const decided = decision?.valuation === "size" && decision.size_score !== null && decision.size_score !== undefined;
  const details = el("details", { class: "mk-item val-item-console", open: consoleState.get(`${ik}:open`, false) });
  details.addEventListener("toggle", () => consoleState.set(`${ik}:open`, details.open));
  details.append(el("summary", { class: "mk-item-summary" },
    el("span", { class: "mk-item-title" }, el("strong", { text: it.title }), " ", typeTag(it.type, ctx),
      category ? el("span", { class: `kind-tag cat-tag cat-${category}`, text: catLabel(t, category) }) : null),
    el("span", { class: "sort-summary-bar" }, pointsBar(it, { ...ctx, labels: false })),
    el("span", { class: `mk-agree mk-agree-${it.agreement || "none"}`, text: agreementText(it, t) }),
    el("span", { class: decided ? "badge done" : "badge", text: decided ? `✓ ${decisionText(decision, t)}` : t("valuation.not_decided") })));

  const dist = el("ul", { class: "sort-dist-list" }, POINTS.map((p) => {
    const n = it.counts?.[p] || 0;
    const fill = el("span", { class: `mk-mini-fill pts-${p}` });
    fill.style.width = `${pct(n, it.n)}%`;
    return el("li", { class: it.top === p ? "top" : "" },
      el("span", { class: "sort-dist-label", text: pointName(t, p) }),
      el("span", { class: "mk-mini-track", "aria-hidden": "true" }, fill),
      el("span", { class: "sort-dist-n", text: `${fmt(n)} (${pct(n, it.n)} %)` }));
  }));
  const spread = spreadText(it, t);
  const left = el("div", { class: "sort-dist" }, it.description ? el("p", { class: "muted", text: it.description }) : null,
    el("h3", { text: t("valuation.legend") }), dist, spread ? el("p", { text: spread }) : null,
    category ? null : el("p", { class: "help mk-warn", text: t("valuation.no_category") }));
  details.append(el("div", { class: "mk-item-body" }, left, decisionForm(ctx, it, decision, decided, category, ik)));
  return details;
}

function decisionForm(ctx, it, decision, decided, category, ik) {
  const { t, el } = ctx;
  const base = decided || decision?.valuation === "money"
    ? { valuation: decision.valuation, size_score: decision.size_score ?? "" }
    : { valuation: "size", size_score: it.top ?? "" };
  const val = (f) => consoleState.get(`${ik}:f:${f}`, base[f]);
  const id = (f) => `val-${ik.replace(/:/g, "-")}-${f}`;
  const form = el("form", { class: "mk-form val-decision", novalidate: true });
  const valuation = el("fieldset", { class: "mk-inline-radios" }, el("legend", { text: t("valuation.valuation") }),
    [["size", t("valuation.val_size")], ["money", t("valuation.val_money")], ["none", t("valuation.val_none")]].map(([v, label]) =>
      el("label", { class: "check" },
        el("input", { type: "radio", name: id("valuation"), value: v, checked: val("valuation") === v, dataset: { focusKey: `${ik}:valuation:${v}` } }),
        label)));
  const size = el("select", { id: id("points"), dataset: { focusKey: `${ik}:points` } },
    el("option", { value: "", text: t("valuation.choose") }),
    POINTS.map((p) => el("option", { value: String(p), selected: String(val("size_score")) === String(p), text: pointName(t, p) })));
  const sizeWrap = el("div", { class: "sort-size" }, el("label", { for: id("points"), text: t("valuation.points") }), size);
  const warn = el("p", { class: "help mk-warn", text: t("valuation.money_only") });
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status", text: consoleState.get(`${ik}:status`, "") });
  const dirty = ["valuation", "size_score"].some((f) => consoleState.has(`${ik}:f:${f}`));
  const note = el("p", { class: "help" }, dirty ? t("valuation.unsaved") : !decided && it.n ? t("valuation.prefilled") : "");
  const read = () => ({
    valuation: form.querySelector(`input[name="${id("valuation")}"]:checked`)?.value || "none",
    size_score: size.value,
  });
  const refresh = () => {
    const v = read();
    sizeWrap.hidden = v.valuation !== "size";
    warn.hidden = !(v.valuation === "money" && !MONEY_CATEGORIES.includes(category));
  };
  form.addEventListener("input", () => {
    for (const [f, value] of Object.entries(read())) consoleState.set(`${ik}:f:${f}`, value);
    consoleState.set(`${ik}:status`, "");
    status.textContent = "";
    error.textContent = "";
    note.textContent = t("valuation.unsaved");
    refresh();
  });
  form.addEventListener("change", () => form.dispatchEvent(new Event("input")));
  const save = el("button", { type: "submit", class: "primary", dataset: { focusKey: `${ik}:save` }, text: t("valuation.save_decision") });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = read();
    if (v.valuation === "size" && v.size_score === "") {
      error.textContent = t("valuation.size_required");
      size.setAttribute("aria-invalid", "true");
      size.focus();
      return;
    }
    size.removeAttribute("aria-invalid");
    save.disabled = true;
    const ack = await ctx.draft("node.update", {
      id: it.id,
      data: { valuation: v.valuation, size_score: v.valuation === "size" ? Number(v.size_score) : null },
    });
    save.disabled = false;
    if (ack && ack.ok) {
      consoleState.drop(`${ik}:f:`);
      consoleState.set(`${ik}:status`, t("valuation.saved_decision"));
      status.textContent = t("valuation.saved_decision");
      note.textContent = "";
    } else {
      error.textContent = ack?.error?.message || t("error");
    }
  });
  form.append(el("h3", { text: t("valuation.decision") }), note, valuation, warn, sizeWrap, error,
    el("div", { class: "button-row" }, save), status);
  refresh(); // once the radios are in the form, which read() looks in
  return form;
}
