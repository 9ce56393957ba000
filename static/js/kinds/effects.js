// Step 2 · Hitta effekterna. Phones add effects quickly (the form clears and keeps focus) and,
// when the facilitator turns dot voting on, place their dots. The screen is a live wall of
// effect cards in columns (positive/negative or by perspektiv); the console is the same wall
// with curation: edit, merge duplicates, hide and show — all edits of the draft analysis.
// The method's workshop advice, when the facilitator chooses it (see effects.py): rounds
// (positive, pause, negative), dot voting as a later phase (on command or at a time; no dots
// shown before), one effect per note (a hint), costs of carrying out the change parked.
import { clear, fmt, formatDateTime, secondsLeft, whileSending } from "../core.js";
import { limitText } from "./_limit.js";
import { busy, keepView, redraw, whenIdle } from "./_live.js";

// --- small helpers ------------------------------------------------------------------------

const MARK = { positive: "+", negative: "−" };

/** Does a note look like more than one effect? The same rule as ``several_effects`` in
 *  effects.py: a joining word, a second sentence, a list. Only ever a hint. */
export function severalEffects(text) {
  const s = String(text || "").split(/\s+/).filter(Boolean).join(" ");
  return /\s(och|samt|plus|and|&)\s/i.test(s) || /[.!?]\s+[A-ZÅÄÖ]|;\s*\S/.test(s)
    || /(^|\s)([-•*–]|\d+[.)])\s+\S.*\s([-•*–]|\d+[.)])\s+\S/.test(s);
}

/** Is dot voting open now? The server's rule (``dots_open``) on this phone's synced clock. */
export function dotsOpenNow(cfg) {
  if ((cfg.dot_votes || 0) <= 0) return false;
  if (!cfg.dots_phase || cfg.dots_open) return true;
  return Boolean(cfg.dots_open_at) && secondsLeft(cfg.dots_open_at) === 0;
}

function when(iso, timeZone) {
  return formatDateTime(iso, document.documentElement.lang || "sv", timeZone || undefined);
}

/** A stored UTC time as a datetime-local field's value, in this browser's zone. */
function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

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

/** One effect card; `extra` adds the console's author line and buttons, `variantAuthor` who
 *  wrote a merged wording (console only: the screens name no one). */
function card(e, agg, { t, el, extra, variantAuthor }) {
  const pol = ["positive", "negative", "parked"].includes(e.polarity) ? e.polarity : "none";
  const li = el("li", { class: `effect-card pol-${pol}`, "data-id": e.id });
  const head = el("div", { class: "effect-head" });
  if (pol === "positive" || pol === "negative") {
    head.append(el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[pol] }),
      el("span", { class: "sr-only", text: `${t(`effects.${pol}`)}: ` }));
  }
  head.append(el("span", { class: "effect-title", text: e.title }));
  li.append(head);
  if (e.cause) li.append(el("p", { class: "effect-cause" }, el("span", { class: "effect-label", text: `${t("effects.cause_prefix")} ` }), e.cause));
  if (e.perspective && agg.group_by !== "perspective") {
    li.append(el("p", { class: "effect-for" }, el("span", { class: "effect-label", text: `${t("effects.for_prefix")} ` }), e.perspective));
  }
  // A merge keeps every wording: the notes folded into this one, as their authors wrote them.
  if (e.variants && e.variants.length) {
    const list = el("ul", { class: "effect-variants" });
    for (const v of e.variants) {
      const vp = v.polarity === "positive" || v.polarity === "negative" ? v.polarity : null;
      list.append(el("li", { class: vp ? `pol-${vp}` : "" },
        vp && vp !== e.polarity ? el("span", { class: "effect-mark small", "aria-hidden": "true", text: MARK[vp] }) : null,
        vp && vp !== e.polarity ? el("span", { class: "sr-only", text: `${t(`effects.${vp}`)}: ` }) : null,
        v.title, v.cause ? el("span", { class: "muted", text: ` (${v.cause})` }) : null,
        variantAuthor ? variantAuthor(v) : null));
    }
    li.append(el("div", { class: "effect-variant-box" }, el("p", { class: "effect-label", text: t("effects.variants") }), list));
  }
  const foot = el("div", { class: "effect-foot" });
  if (e.several && extra) foot.append(el("span", { class: "badge eff-several-tag", text: t("effects.several_tag") }));
  if (agg.dot_votes > 0) {
    foot.append(el("p", { class: "effect-dots" + (e.dots ? "" : " zero") },
      el("span", { "aria-hidden": "true", text: `● ${fmt(e.dots)}` }),
      el("span", { class: "sr-only", text: t("effects.n_dots", { n: fmt(e.dots) }) })));
  }
  if (extra) extra(foot, e);
  if (foot.firstChild) li.append(foot);
  return li;
}

/** The wall: one column per group, cards inside; with `parking`, the parking list of costs of
 *  carrying out the change as a last column (`parkedExtra` adds the console's buttons). */
export function drawWall(root, agg, { t, el, extra, variantAuthor, parkedExtra, compact = false, parking = false }) {
  const wall = el("div", { class: "effects-wall" + (compact ? " compact" : ""), "data-size": density(agg.effects.length) });
  const gs = groups(agg, t);
  const parked = parking ? agg.parked || [] : [];
  if (parked.length) gs.push({ key: "parked", label: t("effects.parking"), effects: parked, parked: true });
  wall.style.setProperty("--groups", String(gs.length));
  if (!compact && (agg.effects.length || parked.length)) {
    // A column's width follows how many cards it holds, so a long column is not squeezed; the
    // parking list beside them keeps a narrower share of its own.
    const walls = gs.filter((g) => !g.parked).length || 1;
    const floor = Math.max(1, agg.effects.length / walls);
    wall.style.gridTemplateColumns = gs.map((g) => `minmax(0, ${g.parked ? floor * 0.75 : Math.max(floor, g.effects.length)}fr)`).join(" ");
  }
  for (const g of gs) {
    const id = `eff-${Math.random().toString(36).slice(2, 9)}`;
    const col = el("section", { class: `effects-col ${g.polarity ? `col-${g.polarity}` : ""}${g.parked ? "col-parked" : ""}`, "aria-labelledby": id },
      el("h2", { class: "effects-col-head", id },
        g.polarity ? el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[g.polarity] }) : null,
        el("span", { text: g.label }),
        g.parked ? null : el("span", { class: "effects-count",
          text: g.effects.length === 1 ? t("effects.one_effect") : t("effects.n_effects", { n: fmt(g.effects.length) }) })));
    if (g.parked) col.append(el("p", { class: "effects-col-help", text: t("effects.parking_help") }));
    const list = el("ul", { class: "effects-cards" });
    for (const e of g.effects) {
      list.append(g.parked
        ? card({ ...e, polarity: "parked" }, { ...agg, dot_votes: 0 }, { t, el, extra: parkedExtra, variantAuthor })
        : card(e, agg, { t, el, extra, variantAuthor }));
    }
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
  // The round on (rounds chosen): phones add only that polarity; "pause": nothing.
  const round = cfg.rounds ? cfg.round || "positive" : null;
  let content = results?.content || { perspectives: [], effects: [] };
  let own = mine.slice();

  const textIn = el("input", { id: `eff-text-${id}`, name: "text", autocomplete: "off", disabled: closed,
    enterkeyhint: "done", "aria-describedby": `eff-text-help-${id} eff-several-${id}` });
  const causeIn = cfg.ask_cause
    ? el("textarea", { id: `eff-cause-${id}`, name: "cause", rows: "2", disabled: closed })
    : null;
  const textCount = limitText(textIn, activity.limits?.text, { el });
  const causeCount = causeIn ? limitText(causeIn, activity.limits?.cause, { el }) : null;
  // One effect per note: a gentle hint while typing, never a refusal.
  const several = el("p", { class: "eff-several", id: `eff-several-${id}`, "aria-live": "polite" });
  const hintSeveral = () => {
    const on = severalEffects(textIn.value);
    several.hidden = !on;
    const text = on ? `${t("effects.several_hint")} ${t("effects.several_help")}` : "";
    if (several.textContent !== text) several.textContent = text;
  };
  textIn.addEventListener("input", hintSeveral);
  const perspSel = el("select", { id: `eff-persp-${id}`, name: "perspective", disabled: closed });
  const perspBox = el("div", { class: "eff-persp" }, el("label", { for: perspSel.id, text: t("effects.perspective") }), perspSel);
  const radio = (value) => el("label", { class: `choice eff-pol pol-${value}` },
    el("input", { type: "radio", name: `polarity-${id}`, value, disabled: closed, checked: round === value }),
    el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[value] }),
    el("span", {}, el("strong", { text: t(`effects.${value}`) }), " ", el("span", { class: "muted", text: t(`effects.${value}_hint`) })));
  // In a round only the round's polarity is offered (chosen already).
  const offered = round === "positive" || round === "negative" ? [round] : ["positive", "negative"];
  const polarity = el("fieldset", { class: "eff-polarity" },
    el("legend", { text: t("effects.polarity") }), el("div", { class: "eff-pol-row" }, ...offered.map(radio)));
  // A cost of carrying out the change goes on the parking list (step 6 takes it up).
  const parkIn = el("input", { type: "checkbox", id: `eff-park-${id}`, name: "park", disabled: closed, "aria-describedby": `eff-park-help-${id}` });
  const parkBox = el("div", { class: "eff-park" },
    el("label", { class: "check", for: parkIn.id }, parkIn, " ", t("effects.park_toggle")),
    el("p", { class: "help", id: `eff-park-help-${id}`, text: t("effects.park_help") }));
  parkIn.addEventListener("change", () => {
    polarity.hidden = parkIn.checked;
    perspBox.classList.toggle("eff-off", parkIn.checked);
    button.textContent = parkIn.checked ? t("effects.park") : t("effects.add");
  });
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status" });
  const counter = el("p", { class: "eff-counter", "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: t("effects.add") });
  const form = el("form", { class: "answer-form eff-form", novalidate: true },
    el("label", { for: textIn.id, text: t("effects.what") }),
    el("p", { class: "help", id: `eff-text-help-${id}`, text: hasAlternatives ? t("effects.what_help") : t("effect_help_no_ab") }),
    textIn, textCount, several,
    causeIn ? el("label", { for: causeIn.id, text: t("effects.cause") }) : null,
    causeIn, causeCount,
    perspBox, polarity, parkBox, error, button, status);
  hintSeveral();
  const limitNote = el("p", { class: "notice", role: "status" });
  const phaseNote = el("p", { class: "notice eff-phase", role: "status" });
  const roundBox = round
    ? el("div", { class: `eff-round round-${round}` },
      el("p", { class: "eff-round-name" },
        round !== "pause" ? el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[round] }) : null,
        el("strong", { text: t(`effects.round_${round}`) })),
      el("p", { class: "eff-round-help", text: t(`effects.round_${round}_help`) }))
    : null;
  const yoursList = el("ol", { class: "entries eff-yours", reversed: true });
  const yours = el("section", { "aria-labelledby": `eff-yours-${id}` },
    el("h2", { id: `eff-yours-${id}`, text: t("effects.yours") }), yoursList);

  const dotsLeft = el("p", { class: "eff-dots-left", "aria-live": "polite" });
  const dotsList = el("ul", { class: "eff-dot-list" });
  const dotsBox = el("section", { class: "eff-dots", "aria-labelledby": `eff-dots-${id}` },
    el("h2", { id: `eff-dots-${id}`, text: t("effects.dots_heading") }), dotsLeft, dotsList);
  const wallBox = el("div", { class: "phone-results" });
  // With dot voting on, prioritising comes first.
  root.append(...[roundBox, phaseNote, dotsBox, counter, limitNote, form, yours, wallBox].filter(Boolean));

  const ownEffects = () => own.filter((m) => m.data && m.data.text && m.status !== "deleted");
  // Dot voting as a phase of its own: the brainstorm ends when it opens (on command or at its time).
  const dotsNow = () => dotsOpenNow(cfg);
  const brainstorming = () => !(cfg.dots_phase && dotsNow());

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

  function drawPhase() {
    let text = "";
    if (cfg.dots_phase && dotsMax > 0) {
      if (dotsNow()) text = t("effects.brainstorm_over");
      else if (cfg.dots_open_at) text = t("effects.dots_opens_at", { date: when(cfg.dots_open_at, content.timezone) });
      else text = t("effects.dots_later");
    }
    phaseNote.hidden = !text;
    if (phaseNote.textContent !== text) phaseNote.textContent = text;
    if (roundBox) roundBox.hidden = !brainstorming();
  }

  function drawCount() {
    const n = ownEffects().length;
    const text = n ? t("effects.count", { used: fmt(n), n: fmt(max) }) : t("effects.count_none", { n: fmt(max) });
    if (counter.textContent !== text) counter.textContent = text;
    const full = n >= max;
    const open = brainstorming() && round !== "pause";
    form.hidden = full || !open;
    counter.hidden = !brainstorming();
    limitNote.hidden = !full || !open;
    limitNote.textContent = full && open ? t("effects.limit_reached") : "";
    clear(yoursList);
    for (const m of ownEffects().reverse()) {
      const d = m.data;
      if (d.parked) {
        yoursList.append(el("li", { class: "pol-parked" }, el("span", { class: "effect-mark", "aria-hidden": "true", text: "P" }),
          " ", t("effects.parked", { text: d.text })));
        continue;
      }
      yoursList.append(el("li", { class: `pol-${d.polarity || "none"}` }, el("span", { class: "effect-mark", "aria-hidden": "true", text: MARK[d.polarity] || "" }),
        el("span", { class: "sr-only", text: d.polarity ? `${t(`effects.${d.polarity}`)}: ` : "" }), " ", d.text));
    }
    yours.hidden = n === 0;
  }

  function drawDots() {
    const show = dotsMax > 0 && dotsNow();
    dotsBox.hidden = !show;
    if (!show) return;
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
    const parking = parkIn.checked;
    const pol = form.querySelector(`input[name="polarity-${id}"]:checked`)?.value;
    if (!text) {
      error.textContent = t("effects.need_text");
      textIn.focus();
      return;
    }
    if (!pol && !parking) {
      error.textContent = t("effects.need_polarity");
      form.querySelector(`input[name="polarity-${id}"]`)?.focus();
      return;
    }
    const payload = parking ? { action: "park", text } : { text, polarity: pol };
    if (causeIn && causeIn.value.trim()) payload.cause = causeIn.value.trim();
    if (!parking && !perspBox.hidden && perspSel.value) payload.perspective = perspSel.value;
    const ack = await whileSending(button, () => submit(payload));
    if (!ack) return;
    if (ack.ok || ack.pending) {
      if (ack.ok) own = [...own, { id: ack.response_id, data: ack.data, status: ack.status }];
      // Ready for the next one: the texts and the choice clear, "for whom" stays (and a round's polarity).
      textIn.value = "";
      if (causeIn) causeIn.value = "";
      // The character counters and the one-effect hint follow the cleared fields.
      for (const field of [textIn, causeIn]) field?.dispatchEvent(new Event("input"));
      for (const r of form.querySelectorAll(`input[name="polarity-${id}"]`)) r.checked = r.value === round;
      if (parking) {
        parkIn.checked = false;
        parkIn.dispatchEvent(new Event("change"));
      }
      status.textContent = ack.ok ? (parking ? t("effects.parked", { text }) : t("effects.added", { text })) : t("offline");
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

  // Dot voting opening at its time: the phone turns over on its own clock (synced to the server's).
  if (cfg.dots_phase && dotsMax > 0 && !dotsNow() && cfg.dots_open_at) {
    const ms = (secondsLeft(cfg.dots_open_at) || 0) * 1000 + 500;
    if (ms < 2 ** 31 - 1) {
      setTimeout(() => {
        if (!root.isConnected) return;
        drawPhase();
        drawCount();
        drawDots();
      }, ms);
    }
  }

  fillPerspectives();
  drawPhase();
  drawCount();
  drawDots();
  drawWallIfShown(results);
  return {
    update(res, m) {
      if (res && res.content) content = res.content;
      if (m) own = m.slice();
      fillPerspectives();
      drawPhase();
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

/** The round and the phase, for the screen and the console: [{key, text, mark}]. */
function protocolState(agg, t) {
  const out = [];
  const open = agg.phase === "dots" || Boolean(agg.dots_phase && agg.dots_open_at && secondsLeft(agg.dots_open_at) === 0);
  // The rounds belong to the brainstorm: once dot voting has taken over, only the phase is shown.
  if (agg.rounds && agg.round && !open) out.push({ key: `round-${agg.round}`, text: t(`effects.round_${agg.round}`), mark: MARK[agg.round] });
  if (agg.dots_phase && (agg.dots_per_participant || 0) > 0) {
    let text = open ? t("effects.phase_dots") : t("effects.phase_brainstorm");
    if (!open && agg.dots_open_at) text = `${text} · ${t("effects.dots_opens_at", { date: when(agg.dots_open_at, agg.timezone) })}`;
    out.push({ key: open ? "phase-dots" : "phase-brainstorm", text });
  }
  return out;
}

function stateBar(agg, { t, el }) {
  const parts = protocolState(agg, t);
  if (!parts.length) return null;
  return el("p", { class: "eff-state" }, ...parts.map((p) => el("span", { class: `eff-chip ${p.key}` },
    p.mark ? el("span", { class: "effect-mark", "aria-hidden": "true", text: p.mark }) : null, el("span", { text: p.text }))));
}

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate;
  const box = el("div", { class: "effects-present" });
  const bar = stateBar(agg, { t, el });
  clear(root).append(...[bar, box].filter(Boolean));
  drawWall(box, agg, { t, el, parking: true });
  fit(box, window.innerHeight * 0.028, window.innerHeight * 0.012);
  // Dot voting opening at its time: the screen says so then, before the first dot arrives.
  const left = agg.phase === "brainstorm" && agg.dots_phase && agg.dots_open_at ? secondsLeft(agg.dots_open_at) : null;
  if (left && left * 1000 < 2 ** 31 - 1) {
    setTimeout(() => {
      if (box.isConnected) presenter({ root, results, t, el });
    }, left * 1000 + 500);
  }
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

  // The method's rounds: positive, a pause, negative (shown when the setting is on).
  const roundBtns = ["positive", "pause", "negative"].map((r) => el("button", { type: "button", "data-round": r,
    text: t(`effects.to_${r}`), onclick: () => configure({ round: r }) }));
  const roundRow = el("div", { class: "button-row small eff-rounds", role: "group", "aria-label": t("effects.rounds_heading") },
    el("span", { class: "muted", text: t("effects.rounds_heading") }), ...roundBtns);
  // Dot voting as a phase of its own: open it now, or at a time.
  const atIn = el("input", { id: `eff-dots-at-${actId}`, type: "datetime-local", class: "eff-dots-at" });
  const atBtn = el("button", { type: "button", text: t("effects.set_time"),
    // The field is in this browser's zone: sent as UTC, so the server reads the same moment.
    onclick: () => atIn.value && !Number.isNaN(Date.parse(atIn.value))
      ? configure({ dots_open_at: new Date(atIn.value).toISOString() }) : atIn.focus() });
  const atClear = el("button", { type: "button", text: t("effects.clear_time"), onclick: () => configure({ dots_open_at: "" }) });
  const atRow = el("div", { class: "button-row small eff-dots-time" },
    el("label", { for: atIn.id, class: "eff-inline-label", text: t("effects.dots_at") }), atIn, atBtn, atClear);
  const stateBox = el("div", { class: "eff-console-state" });

  // Toolbar: grouping and dot voting.
  const byPol = el("button", { type: "button", text: t("effects.by_polarity"), onclick: () => configure({ group_by: "polarity" }) });
  const byPersp = el("button", { type: "button", text: t("effects.by_perspective"), onclick: () => configure({ group_by: "perspective" }) });
  const dotsIn = el("input", { id: `eff-dots-n-${actId}`, type: "number", min: "1", max: "10", inputmode: "numeric", class: "eff-dots-n" });
  const dotsBtn = el("button", { type: "button" });
  const dotsCount = () => Math.min(10, Math.max(1, Number(dotsIn.value) || 3));
  dotsBtn.addEventListener("click", () => {
    const cfg = ctx.activity.config;
    if (cfg.dots_phase) {
      // Open now, or back to the brainstorm (a time already passed is cleared, or it would reopen).
      if (dotsOpenNow(cfg)) {
        const passed = cfg.dots_open_at && secondsLeft(cfg.dots_open_at) === 0;
        configure({ dots_open: false, ...(passed ? { dots_open_at: "" } : {}) });
      } else configure({ dots_open: true, dot_votes: cfg.dot_votes > 0 ? cfg.dot_votes : dotsCount() });
      return;
    }
    const on = (cfg.dot_votes || 0) > 0;
    if (on) configure({ dot_votes: 0 });
    else configure({ dot_votes: dotsCount() });
  });
  const toolbar = el("div", { class: "eff-toolbar" },
    stateBox,
    roundRow,
    el("div", { class: "button-row small", role: "group", "aria-label": t("effects.group_by") },
      el("span", { class: "muted", text: t("effects.group_by") }), byPol, byPersp),
    el("div", { class: "button-row small" },
      el("label", { for: dotsIn.id, class: "eff-inline-label", text: t("effects.dot_setting") }), dotsIn, dotsBtn),
    atRow,
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
    roundRow.hidden = !cfg.rounds;
    for (const b of roundBtns) b.setAttribute("aria-pressed", String(cfg.rounds && (cfg.round || "positive") === b.dataset.round));
    const phase = Boolean(cfg.dots_phase);
    const on = phase ? dotsOpenNow(cfg) : (cfg.dot_votes || 0) > 0;
    if (document.activeElement !== dotsIn) dotsIn.value = String((cfg.dot_votes || 0) > 0 ? cfg.dot_votes : dotsIn.value || 3);
    dotsIn.disabled = on;
    dotsBtn.textContent = phase ? (on ? t("effects.close_dots") : t("effects.open_dots")) : on ? t("effects.stop_dots") : t("effects.start_dots");
    dotsBtn.setAttribute("aria-pressed", String(on));
    atRow.hidden = !phase;
    if (document.activeElement !== atIn) atIn.value = localInput(cfg.dots_open_at);
    atClear.disabled = !cfg.dots_open_at;
    const bar = stateBar(agg, { t, el });
    redraw(stateBox, () => clear(stateBox).append(...(bar ? [bar] : [])));
  }

  function drawCards() {
    const who = names();
    const author = (rid) => (rid ? t("effects.from_phone", { name: who.get(rid) || t("effects.anonymous") }) : t("effects.facilitator_added"));
    redraw(wallBox, () => drawWall(wallBox, agg, {
      t, el, compact: true, parking: true,
      variantAuthor: (v) => el("span", { class: "effect-variant-author", text: ` · ${author(v.response_id)}` }),
      parkedExtra: (foot, e) => {
        foot.append(el("p", { class: "effect-author", text: author(e.response_id) }));
        foot.append(el("div", { class: "button-row small effect-actions" },
          el("button", { type: "button", "data-fkey": `unpark-${e.id}`, "aria-label": `${t("effects.unpark")}: ${e.title}`,
            onclick: () => run("node.update", { id: e.id, data: { node_type: "effekt", status: "visible" } }), text: t("effects.unpark") })));
      },
      extra: (foot, e) => {
        const name = e.response_id ? who.get(e.response_id) : null;
        foot.append(el("p", { class: "effect-author",
          text: e.response_id ? t("effects.from_phone", { name: name || t("effects.anonymous") }) : t("effects.facilitator_added") }));
        foot.append(el("div", { class: "button-row small effect-actions" },
          el("button", { type: "button", "data-fkey": `edit-${e.id}`, "aria-label": `${t("effects.edit")}: ${e.title}`,
            onclick: () => openEditor(e.id), text: t("effects.edit") }),
          el("button", { type: "button", "data-fkey": `park-${e.id}`, "aria-label": t("effects.park_label", { text: e.title }),
            onclick: () => run("node.update", { id: e.id, data: { node_type: "genomforandekostnad", status: "parked", polarity: null } }),
            text: t("effects.park") }),
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
