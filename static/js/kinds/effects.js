// Step 2 · Hitta effekterna. Phones add effects quickly (the form clears and keeps focus) and,
// when the facilitator turns dot voting on, place their dots. The screen is a live wall of
// effect cards in columns (positive/negative or by perspektiv); the console is the same wall
// with curation: edit, merge duplicates, hide and show — all edits of the draft analysis.
import { clear, fmt, whileSending } from "../core.js";
import { limitText } from "./_limit.js";
import { busy, keepView, redraw, whenIdle } from "./_live.js";

// --- small helpers ------------------------------------------------------------------------

const MARK = { positive: "+", negative: "−" };

/** The wall's columns: [{key, label, effects}] in a stable order. */
export function groups(agg, t) {
  const out = [];
  if (agg.group_by === "perspective") {
    const labels = [...(agg.perspectives || [])];
    for (const e of agg.effects) if (e.perspective && !labels.includes(e.perspective)) labels.push(e.perspective);
    for (const label of labels) out.push({ key: `p:${label}`, label, effects: agg.effects.filter((e) => e.perspective === label) });
    const none = agg.effects.filter((e) => !e.perspective);
    if (none.length || !labels.length) out.push({ key: "p:", label: t("effects.group_no_perspective"), effects: none });
  } else {
    out.push({ key: "positive", label: t("effects.group_positive"), effects: agg.effects.filter((e) => e.polarity === "positive"), polarity: "positive" });
    out.push({ key: "negative", label: t("effects.group_negative"), effects: agg.effects.filter((e) => e.polarity === "negative"), polarity: "negative" });
    const none = agg.effects.filter((e) => e.polarity !== "positive" && e.polarity !== "negative");
    if (none.length) out.push({ key: "none", label: t("effects.group_none"), effects: none });
  }
  if (agg.dot_votes > 0) for (const g of out) g.effects = [...g.effects].sort((a, b) => b.dots - a.dots || a.id - b.id);
  return out;
}

function density(n) {
  return n > 36 ? "s" : n > 14 ? "m" : "l";
}

/** One effect card; `extra` adds the console's author line and buttons. */
function card(e, agg, { t, el, extra }) {
  const pol = e.polarity === "positive" || e.polarity === "negative" ? e.polarity : "none";
  const li = el("li", { class: `effect-card pol-${pol}`, "data-id": e.id });
  const head = el("div", { class: "effect-head" });
  if (pol !== "none") {
    head.append(el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[pol] }),
      el("span", { class: "sr-only", text: `${t(`effects.${pol}`)}: ` }));
  }
  head.append(el("span", { class: "effect-title", text: e.title }));
  li.append(head);
  if (e.cause) li.append(el("p", { class: "effect-cause" }, el("span", { class: "effect-label", text: `${t("effects.cause_prefix")} ` }), e.cause));
  if (e.perspective && agg.group_by !== "perspective") {
    li.append(el("p", { class: "effect-for" }, el("span", { class: "effect-label", text: `${t("effects.for_prefix")} ` }), e.perspective));
  }
  const foot = el("div", { class: "effect-foot" });
  if (agg.dot_votes > 0) {
    foot.append(el("p", { class: "effect-dots" + (e.dots ? "" : " zero") },
      el("span", { "aria-hidden": "true", text: `● ${fmt(e.dots)}` }),
      el("span", { class: "sr-only", text: t("effects.n_dots", { n: fmt(e.dots) }) })));
  }
  if (extra) extra(foot, e);
  if (foot.firstChild) li.append(foot);
  return li;
}

/** The wall: one column per group, cards inside. */
export function drawWall(root, agg, { t, el, extra, compact = false }) {
  const wall = el("div", { class: "effects-wall" + (compact ? " compact" : ""), "data-size": density(agg.effects.length) });
  const gs = groups(agg, t);
  wall.style.setProperty("--groups", String(gs.length));
  if (!compact && agg.effects.length) {
    // A column's width follows how many cards it holds, so a long column is not squeezed.
    const floor = Math.max(1, agg.effects.length / gs.length);
    wall.style.gridTemplateColumns = gs.map((g) => `minmax(0, ${Math.max(floor, g.effects.length)}fr)`).join(" ");
  }
  for (const g of gs) {
    const id = `eff-${Math.random().toString(36).slice(2, 9)}`;
    const col = el("section", { class: `effects-col ${g.polarity ? `col-${g.polarity}` : ""}`, "aria-labelledby": id },
      el("h2", { class: "effects-col-head", id },
        g.polarity ? el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[g.polarity] }) : null,
        el("span", { text: g.label }),
        el("span", { class: "effects-count",
          text: g.effects.length === 1 ? t("effects.one_effect") : t("effects.n_effects", { n: fmt(g.effects.length) }) })));
    const list = el("ul", { class: "effects-cards" });
    for (const e of g.effects) list.append(card(e, agg, { t, el, extra }));
    col.append(list);
    wall.append(col);
  }
  clear(root).append(wall);
  if (!agg.effects.length) root.append(el("p", { class: "empty effects-empty", text: t("effects.empty_wall") }));
}

// --- phone ---------------------------------------------------------------------------------

export function phone({ root, activity, mine, results, closed, submit, t, el, hasAlternatives = true }) {
  const cfg = activity.config;
  const id = activity.id;
  const max = cfg.max_entries || 10;
  const dotsMax = cfg.dot_votes || 0;
  let content = results?.content || { perspectives: [], effects: [] };
  let own = mine.slice();

  const textIn = el("input", { id: `eff-text-${id}`, name: "text", autocomplete: "off", disabled: closed,
    enterkeyhint: "done", "aria-describedby": `eff-text-help-${id}` });
  const causeIn = cfg.ask_cause
    ? el("textarea", { id: `eff-cause-${id}`, name: "cause", rows: "2", disabled: closed })
    : null;
  const textCount = limitText(textIn, activity.limits?.text, { el });
  const causeCount = causeIn ? limitText(causeIn, activity.limits?.cause, { el }) : null;
  const perspSel = el("select", { id: `eff-persp-${id}`, name: "perspective", disabled: closed });
  const perspBox = el("div", { class: "eff-persp" }, el("label", { for: perspSel.id, text: t("effects.perspective") }), perspSel);
  const radio = (value) => el("label", { class: `choice eff-pol pol-${value}` },
    el("input", { type: "radio", name: `polarity-${id}`, value, disabled: closed }),
    el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[value] }),
    el("span", {}, el("strong", { text: t(`effects.${value}`) }), " ", el("span", { class: "muted", text: t(`effects.${value}_hint`) })));
  const polarity = el("fieldset", { class: "eff-polarity" },
    el("legend", { text: t("effects.polarity") }), el("div", { class: "eff-pol-row" }, radio("positive"), radio("negative")));
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status" });
  const counter = el("p", { class: "eff-counter", "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: t("effects.add") });
  const form = el("form", { class: "answer-form eff-form", novalidate: true },
    el("label", { for: textIn.id, text: t("effects.what") }),
    el("p", { class: "help", id: `eff-text-help-${id}`, text: hasAlternatives ? t("effects.what_help") : t("effect_help_no_ab") }),
    textIn, textCount,
    causeIn ? el("label", { for: causeIn.id, text: t("effects.cause") }) : null,
    causeIn, causeCount,
    perspBox, polarity, error, button, status);
  const limitNote = el("p", { class: "notice", role: "status" });
  const yoursList = el("ol", { class: "entries eff-yours", reversed: true });
  const yours = el("section", { "aria-labelledby": `eff-yours-${id}` },
    el("h2", { id: `eff-yours-${id}`, text: t("effects.yours") }), yoursList);

  const dotsLeft = el("p", { class: "eff-dots-left", "aria-live": "polite" });
  const dotsList = el("ul", { class: "eff-dot-list" });
  const dotsBox = el("section", { class: "eff-dots", "aria-labelledby": `eff-dots-${id}` },
    el("h2", { id: `eff-dots-${id}`, text: t("effects.dots_heading") }), dotsLeft, dotsList);
  const wallBox = el("div", { class: "phone-results" });
  // With dot voting on, prioritising comes first.
  if (dotsMax > 0) root.append(dotsBox, counter, limitNote, form, yours, wallBox);
  else root.append(counter, limitNote, form, yours, wallBox);

  const ownEffects = () => own.filter((m) => m.data && m.data.text && m.status !== "deleted");

  function myDots() {
    const final = new Map();
    for (const e of content.effects || []) {
      final.set(e.id, e.id);
      for (const m of e.merged || []) final.set(m, e.id);
    }
    const on = new Map();
    for (const m of own) {
      const d = m.data || {};
      if (d.node === undefined) continue;
      const f = final.get(d.node);
      if (f !== undefined) on.set(f, d.on === true);
    }
    return new Set([...on].filter(([, v]) => v).map(([k]) => k));
  }

  function fillPerspectives() {
    const labels = content.perspectives || [];
    perspBox.hidden = !labels.length;
    whenIdle(perspSel, () => {
      const keep = perspSel.value;
      clear(perspSel).append(el("option", { value: "", text: t("effects.no_perspective") }),
        ...labels.map((l) => el("option", { value: l, text: l })));
      perspSel.value = labels.includes(keep) ? keep : "";
    });
  }

  function drawCount() {
    const n = ownEffects().length;
    const text = n ? t("effects.count", { used: fmt(n), n: fmt(max) }) : t("effects.count_none", { n: fmt(max) });
    if (counter.textContent !== text) counter.textContent = text;
    const full = n >= max;
    form.hidden = full;
    limitNote.hidden = !full;
    limitNote.textContent = full ? t("effects.limit_reached") : "";
    clear(yoursList);
    for (const m of ownEffects().reverse()) {
      const d = m.data;
      yoursList.append(el("li", { class: `pol-${d.polarity || "none"}` }, el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[d.polarity] || "" }),
        el("span", { class: "sr-only", text: d.polarity ? `${t(`effects.${d.polarity}`)}: ` : "" }), " ", d.text));
    }
    yours.hidden = n === 0;
  }

  function drawDots() {
    dotsBox.hidden = dotsMax <= 0;
    if (dotsMax <= 0) return;
    redraw(dotsList, () => {
      const mineNow = myDots();
      const left = Math.max(0, dotsMax - mineNow.size);
      dotsLeft.textContent = left ? t("effects.dots_left", { left: fmt(left), n: fmt(dotsMax) }) : t("effects.dots_none_left");
      clear(dotsList);
      const effects = content.effects || [];
      if (!effects.length) dotsList.append(el("li", { class: "empty", text: t("effects.no_effects") }));
      for (const e of effects) {
        const on = mineNow.has(e.id);
        const pol = e.polarity === "positive" || e.polarity === "negative" ? e.polarity : "none";
        const b = el("button", {
          type: "button", class: "eff-dot-btn" + (on ? " on" : ""), "aria-pressed": String(on), "data-fkey": `dot-${e.id}`,
          disabled: closed || (!on && left === 0),
          "aria-label": on ? t("effects.dot_remove", { text: e.title }) : t("effects.dot_add", { text: e.title }),
        }, el("span", { class: "eff-dot", "aria-hidden": "true" }));
        b.addEventListener("click", () => toggleDot(e.id, !on));
        dotsList.append(el("li", { class: `eff-dot-item pol-${pol}` },
          el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[pol] || "" }),
          el("span", { class: "eff-dot-title", text: e.title }), b));
      }
    });
  }

  async function toggleDot(node, on) {
    error.textContent = "";
    const ack = await submit({ action: "dot", node, on });
    if (ack.ok) {
      own = [...own, { id: ack.response_id, data: ack.data, status: ack.status }];
      drawDots();
    } else if (ack.pending) {
      dotsLeft.textContent = t("offline");
    } else {
      dotsLeft.textContent = ack.error.message;
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    status.textContent = "";
    const text = textIn.value.trim();
    const pol = form.querySelector(`input[name="polarity-${id}"]:checked`)?.value;
    if (!text) {
      error.textContent = t("effects.need_text");
      textIn.focus();
      return;
    }
    if (!pol) {
      error.textContent = t("effects.need_polarity");
      form.querySelector(`input[name="polarity-${id}"]`)?.focus();
      return;
    }
    const payload = { text, polarity: pol };
    if (causeIn && causeIn.value.trim()) payload.cause = causeIn.value.trim();
    if (!perspBox.hidden && perspSel.value) payload.perspective = perspSel.value;
    const ack = await whileSending(button, () => submit(payload));
    if (!ack) return;
    if (ack.ok || ack.pending) {
      if (ack.ok) own = [...own, { id: ack.response_id, data: ack.data, status: ack.status }];
      // Ready for the next one: the texts and the choice clear, "for whom" stays.
      textIn.value = "";
      if (causeIn) causeIn.value = "";
      for (const r of form.querySelectorAll(`input[name="polarity-${id}"]`)) r.checked = false;
      status.textContent = ack.ok ? t("effects.added", { text }) : t("offline");
      drawCount();
      if (!form.hidden) textIn.focus();
    } else {
      error.textContent = ack.error.message;
    }
  });

  function drawWallIfShown(res) {
    if (res && res.visible && res.aggregate) drawWall(wallBox, res.aggregate, { t, el, compact: true });
    else clear(wallBox);
  }

  fillPerspectives();
  drawCount();
  drawDots();
  drawWallIfShown(results);
  return {
    update(res, m) {
      if (res && res.content) content = res.content;
      if (m) own = m.slice();
      fillPerspectives();
      drawCount();
      drawDots();
      drawWallIfShown(res);
    },
  };
}

// --- presenter -----------------------------------------------------------------------------

/** Shrink `box`'s type until its content fits its height (the projector never scrolls). */
function fit(box, maxPx, minPx) {
  let size = maxPx;
  box.style.fontSize = `${size}px`;
  for (let i = 0; i < 24 && size > minPx && (box.scrollHeight > box.clientHeight + 2 || box.scrollWidth > box.clientWidth + 2); i++) {
    size = Math.max(minPx, size * 0.93);
    box.style.fontSize = `${size}px`;
  }
}

export function presenter({ root, results, t, el }) {
  const box = el("div", { class: "effects-present" });
  clear(root).append(box);
  drawWall(box, results.aggregate, { t, el });
  fit(box, window.innerHeight * 0.028, window.innerHeight * 0.012);
}

// --- console -------------------------------------------------------------------------------

const editingOf = new Map(); // activity id → node id being edited

export function console(ctx) {
  keepView(ctx, "effectsConsole", buildConsole);
}

function buildConsole(first) {
  const { activity, t, el } = first;
  const actId = activity.id;
  let ctx = first;
  let agg = null;

  const say = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const report = (ack, done) => {
    if (ack && ack.ok) {
      say.classList.remove("error");
      say.textContent = done || t("effects.saved");
    } else if (ack) {
      say.classList.add("error");
      say.textContent = ack.error?.message || t("error");
    }
    return ack;
  };
  const run = async (op, args, done) => report(await ctx.draft(op, args), done);
  const configure = async (patch) => report(await ctx.configure(patch));

  // Toolbar: grouping and dot voting.
  const byPol = el("button", { type: "button", text: t("effects.by_polarity"), onclick: () => configure({ group_by: "polarity" }) });
  const byPersp = el("button", { type: "button", text: t("effects.by_perspective"), onclick: () => configure({ group_by: "perspective" }) });
  const dotsIn = el("input", { id: `eff-dots-n-${actId}`, type: "number", min: "1", max: "10", inputmode: "numeric", class: "eff-dots-n" });
  const dotsBtn = el("button", { type: "button" });
  dotsBtn.addEventListener("click", () => {
    const on = (ctx.activity.config.dot_votes || 0) > 0;
    if (on) configure({ dot_votes: 0 });
    else configure({ dot_votes: Math.min(10, Math.max(1, Number(dotsIn.value) || 3)) });
  });
  const toolbar = el("div", { class: "eff-toolbar" },
    el("div", { class: "button-row small", role: "group", "aria-label": t("effects.group_by") },
      el("span", { class: "muted", text: t("effects.group_by") }), byPol, byPersp),
    el("div", { class: "button-row small" },
      el("label", { for: dotsIn.id, class: "eff-inline-label", text: t("effects.dot_setting") }), dotsIn, dotsBtn),
    say);

  // Editing one effect (kept out of the wall, so the wall can redraw while one types).
  const panel = el("section", { class: "eff-edit", hidden: true, "aria-labelledby": `eff-edit-h-${actId}` });

  // Adding an effect by hand.
  const addTitle = el("input", { id: `eff-add-${actId}`, maxlength: "300", autocomplete: "off" });
  const addPol = el("select", { id: `eff-add-pol-${actId}`, "aria-label": t("effects.polarity") },
    el("option", { value: "positive", text: `+ ${t("effects.positive")}` }),
    el("option", { value: "negative", text: `− ${t("effects.negative")}` }));
  const addForm = el("form", { class: "eff-add", novalidate: true },
    el("label", { for: addTitle.id, text: t("effects.add_heading") }),
    el("div", { class: "chain-form-row" }, el("div", { class: "chain-grow" }, addTitle), addPol,
      el("button", { type: "submit", class: "primary", text: t("effects.add") })));
  addForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const title = addTitle.value.trim();
    if (!title) return addTitle.focus();
    const ack = await run("node.add", { data: { node_type: "effekt", title, polarity: addPol.value } });
    if (ack?.ok) {
      addTitle.value = "";
      addTitle.focus();
    }
  });

  const wallBox = el("div", { class: "eff-console-wall" });
  const hiddenBox = el("div", { class: "eff-hidden" });
  const wrap = el("div", { class: "effects-console" }, toolbar, addForm, panel, wallBox, hiddenBox);
  wrap.dataset.effectsConsole = String(actId);

  const names = () => new Map((ctx.results.items || []).map((i) => [i.id, i.nickname]));

  function openEditor(id) {
    editingOf.set(actId, id);
    drawPanel(true);
  }

  function drawPanel(focus) {
    const id = editingOf.get(actId);
    const e = agg.effects.find((x) => x.id === id);
    if (!e) {
      editingOf.delete(actId);
      panel.hidden = true;
      clear(panel);
      return;
    }
    if (!panel.hidden && panel.dataset.id === String(id) && !focus) return; // keep what is being typed
    panel.hidden = false;
    panel.dataset.id = String(id);
    const title = el("input", { id: `eff-e-title-${actId}`, value: e.title, maxlength: "300" });
    const cause = el("textarea", { id: `eff-e-cause-${actId}`, rows: "2", maxlength: "5000" });
    cause.value = e.cause || "";
    const persp = el("select", { id: `eff-e-persp-${actId}` }, el("option", { value: "", text: t("effects.no_perspective") }));
    const labels = [...(agg.perspectives || [])];
    if (e.perspective && !labels.includes(e.perspective)) labels.push(e.perspective);
    for (const l of labels) persp.append(el("option", { value: l, text: l, selected: l === e.perspective }));
    const pol = el("select", { id: `eff-e-pol-${actId}` },
      el("option", { value: "positive", text: `+ ${t("effects.positive")}`, selected: e.polarity === "positive" }),
      el("option", { value: "negative", text: `− ${t("effects.negative")}`, selected: e.polarity === "negative" }),
      el("option", { value: "", text: t("effects.group_none"), selected: !e.polarity }));
    const target = el("select", { id: `eff-e-merge-${actId}` }, el("option", { value: "", text: t("effects.pick") }),
      agg.effects.filter((x) => x.id !== e.id).map((x) => el("option", { value: String(x.id), text: x.title })));
    const form = el("form", { novalidate: true },
      el("h3", { id: `eff-edit-h-${actId}`, text: t("effects.edit_effect") }),
      el("label", { for: title.id, text: t("effects.title") }), title,
      el("label", { for: cause.id, text: t("effects.cause") }), cause,
      el("div", { class: "grid2" },
        el("div", {}, el("label", { for: persp.id, text: t("effects.perspective") }), persp),
        el("div", {}, el("label", { for: pol.id, text: t("effects.polarity") }), pol)),
      el("div", { class: "button-row" },
        el("button", { type: "submit", class: "primary", text: t("effects.save") }),
        el("button", { type: "button", text: t("effects.cancel"), onclick: close })));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const ack = await run("node.update", { id: e.id, data: { title: title.value.trim(), cause: cause.value.trim(), perspective: persp.value, polarity: pol.value || null } });
      if (ack?.ok) close();
    });
    const merge = el("form", { class: "eff-merge", novalidate: true },
      el("label", { for: target.id, text: t("effects.merge_into") }),
      el("p", { class: "help", text: t("effects.merge_help") }),
      el("div", { class: "chain-form-row" }, el("div", { class: "chain-grow" }, target),
        el("button", { type: "submit", text: t("effects.merge") })));
    merge.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const to = Number(target.value);
      if (!to) return target.focus();
      const ack = await run("node.merge", { id: e.id, target: to });
      if (ack?.ok) close();
    });
    clear(panel).append(form, merge);
    panel.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        ev.preventDefault(); // this Escape closes the panel (focus goes back to its card)
        close();
      }
    }, { once: true });
    if (focus) title.focus();
  }

  function close() {
    const id = editingOf.get(actId);
    editingOf.delete(actId);
    panel.hidden = true;
    clear(panel);
    wallBox.querySelector(`[data-fkey="edit-${id}"]`)?.focus();
  }

  function drawToolbar() {
    const cfg = ctx.activity.config;
    byPol.setAttribute("aria-pressed", String(agg.group_by !== "perspective"));
    byPersp.setAttribute("aria-pressed", String(agg.group_by === "perspective"));
    const on = (cfg.dot_votes || 0) > 0;
    if (document.activeElement !== dotsIn) dotsIn.value = String(on ? cfg.dot_votes : dotsIn.value || 3);
    dotsIn.disabled = on;
    dotsBtn.textContent = on ? t("effects.stop_dots") : t("effects.start_dots");
    dotsBtn.setAttribute("aria-pressed", String(on));
  }

  function drawCards() {
    const who = names();
    redraw(wallBox, () => drawWall(wallBox, agg, {
      t, el, compact: true,
      extra: (foot, e) => {
        const name = e.response_id ? who.get(e.response_id) : null;
        foot.append(el("p", { class: "effect-author",
          text: e.response_id ? t("effects.from_phone", { name: name || t("effects.anonymous") }) : t("effects.facilitator_added") }));
        foot.append(el("div", { class: "button-row small effect-actions" },
          el("button", { type: "button", "data-fkey": `edit-${e.id}`, "aria-label": `${t("effects.edit")}: ${e.title}`,
            onclick: () => openEditor(e.id), text: t("effects.edit") }),
          el("button", { type: "button", "data-fkey": `hide-${e.id}`, "aria-label": `${t("effects.hide")}: ${e.title}`,
            onclick: () => run("node.update", { id: e.id, data: { status: "hidden" } }), text: t("effects.hide") })));
      },
    }));
  }

  function drawHidden() {
    const draft = ctx.draft_data ? ctx.draft_data() : null;
    const nodes = (draft?.nodes || []).filter((n) => n.node_type === "effekt" && n.status === "hidden");
    redraw(hiddenBox, () => {
      clear(hiddenBox);
      if (!nodes.length) return;
      const titles = new Map((draft.nodes || []).map((n) => [n.id, n.title]));
      const list = el("ul", { class: "mod-list" });
      for (const n of nodes) {
        list.append(el("li", { class: "mod-item", "data-status": "hidden" },
          el("span", { class: "mod-text" }, n.title,
            n.merged_into ? el("span", { class: "muted", text: ` · ${t("effects.merged_into", { title: titles.get(n.merged_into) ?? "?" })}` }) : null),
          n.merged_into ? null : el("span", { class: "mod-actions" },
            el("button", { type: "button", "data-fkey": `show-${n.id}`, text: t("effects.show"),
              onclick: () => run("node.update", { id: n.id, data: { status: "visible" } }) }))));
      }
      hiddenBox.append(el("details", {}, el("summary", { text: `${t("effects.hidden_heading")} (${fmt(nodes.length)})` }), list));
    });
  }

  wrap._update = (next) => {
    ctx = next;
    agg = next.results.aggregate;
    if (!agg) return;
    drawToolbar();
    drawPanel(false);
    drawCards();
    drawHidden();
  };
  return wrap;
}
