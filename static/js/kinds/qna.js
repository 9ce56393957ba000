// Q&A: phones ask questions and upvote others' (one vote each, toggled); the presenter
// shows the most wanted questions large; the console marks them answered, hides, merges.
//
// A phone's own rows (ctx.mine: [{id, client_id, data, status}]) tell it which questions
// are its own (data.text) and how it voted (data.question + data.upvote; the row with the
// highest id per question is the current one). Results carry no identities.
import { clear, fmt, keepFocus, whileSending } from "../core.js";
import { limitText, overLimit } from "./_limit.js";
import { consoleView, moderationList, nextId, whoMeta } from "./open_text.js";

function ownState(mine) {
  const questions = new Map(); // id -> {text, status}
  const votes = new Map(); // question id -> {id, on}
  for (const m of mine || []) {
    const d = m.data || {};
    if (typeof d.text === "string") questions.set(m.id, { text: d.text, status: m.status });
    else if (typeof d.question === "number") {
      const prev = votes.get(d.question);
      if (!prev || m.id > prev.id) votes.set(d.question, { id: m.id, on: d.upvote === true });
    }
  }
  return { questions, votes };
}

function staticVotes(n, { el, t }) {
  return el("span", { class: "qna-votes-static" },
    el("span", { class: "n", text: fmt(n) }), el("span", { class: "lbl", text: t("vote_word", { n }) }));
}

// --- phone ---------------------------------------------------------------------------------

export function phone(ctx) {
  const { root, activity, closed, submit, t, el } = ctx;
  const cfg = activity.config;
  const maxLength = activity.limits?.text;
  const maxQuestions = cfg.max_questions || 5;
  let mine = [...(ctx.mine || [])];
  let results = ctx.results;
  const adjust = new Map(); // question id -> {on, prevOn, acked}: a vote not yet in the results
  let fresh = []; // own questions acknowledged but not yet in the results: [{id, text}]

  // Ask form (never rebuilt, so typing survives every live update).
  const fieldId = nextId("qna");
  const field = el("textarea", { id: fieldId, name: "text", rows: 3, placeholder: t("qna.placeholder") });
  const counter = limitText(field, maxLength, { el, single: true });
  const error = el("p", { class: "error", role: "alert", id: nextId("err") });
  const status = el("p", { class: "status", role: "status" });
  const remaining = el("p", { class: "remaining", id: nextId("left"), tabindex: "-1" });
  const button = el("button", { type: "submit", class: "primary big", text: t("qna.ask") });
  field.setAttribute("aria-describedby", `${counter.id} ${remaining.id} ${error.id}`);
  const form = el("form", { class: "text-form", novalidate: true },
    el("label", { for: fieldId, text: t("qna.label") }), field, counter, error, button, status, remaining);
  const note = cfg.premoderate ? el("p", { class: "help", text: t("qna.premoderated") }) : null;
  const pendingBox = el("section", { class: "qna-section own-block" });
  const listBox = el("section", { class: "qna-section", "aria-live": "off" });
  const voteError = el("p", { class: "error", role: "alert" });
  root.append(...[form, note, pendingBox, voteError, listBox].filter(Boolean));

  const asked = () => [...ownState(mine).questions.values()].length;

  function refreshForm() {
    const full = asked() >= maxQuestions;
    field.disabled = closed || full;
    button.disabled = closed || full || overLimit(field);
    remaining.className = full ? "limit-reached" : "remaining";
    remaining.textContent = full ? t("qna.limit_reached") : t("qna.left", { n: fmt(maxQuestions - asked()) });
  }

  let listSig = "";
  function renderLists() {
    const own = ownState(mine);
    const agg = results?.aggregate || { questions: [], answered: [] };
    const listed = new Set([...agg.questions, ...agg.answered].map((q) => q.id));
    const open = [...agg.questions];
    for (const q of fresh) if (!listed.has(q.id)) open.push({ id: q.id, text: q.text, votes: 0, answered: false });
    const view = (q) => {
      const isOwn = own.questions.has(q.id) || fresh.some((f) => f.id === q.id);
      const voted = own.votes.get(q.id)?.on || false;
      const a = adjust.get(q.id);
      const pressed = a ? a.on : voted;
      const votes = Math.max(0, q.votes + (a ? (a.on ? 1 : 0) - (a.prevOn ? 1 : 0) : 0));
      return { ...q, isOwn, pressed, votes, voted };
    };
    const openV = open.map(view);
    const answeredV = agg.answered.map(view);
    const waiting = [...own.questions].filter(([id, q]) => q.status === "pending" && !listed.has(id));
    const sig = JSON.stringify([openV, answeredV, waiting, closed]);
    if (sig === listSig && root.contains(listBox)) return;
    listSig = sig;
    // Rebuilt on every live update: focus stays on the same vote button (data-fkey).
    keepFocus(root, () => drawLists(openV, answeredV, waiting, agg), () => listBox.querySelector("h2"));
  }

  let answeredOpen = false;
  function drawLists(openV, answeredV, waiting, agg) {
    clear(pendingBox);
    pendingBox.hidden = !waiting.length;
    if (waiting.length) {
      pendingBox.append(el("h2", { text: t("qna.your_pending") }),
        el("ul", { class: "entries own-entries" }, waiting.map(([, q]) => el("li", { "data-status": "pending" },
          el("span", { class: "own-text", text: q.text }), el("span", { class: "badge pending", text: t("pending") })))));
    }

    const item = (q, canVote) => {
      const textId = nextId("q");
      let votePart;
      if (canVote && !q.isOwn) {
        votePart = el("button", {
          type: "button",
          class: "qna-vote",
          "aria-pressed": String(q.pressed),
          "aria-label": t("qna.upvote_label", { n: fmt(q.votes) }),
          "aria-describedby": textId,
          "data-fkey": `q${q.id}:vote`,
          disabled: closed,
          onclick: () => toggle(q.id, !q.pressed, q.voted),
        }, el("span", { class: "arrow", "aria-hidden": "true", text: "▲" }), el("span", { class: "n", "aria-hidden": "true", text: fmt(q.votes) }));
      } else {
        votePart = staticVotes(q.votes, { el, t });
      }
      return el("li", { class: "qna-item", "data-own": q.isOwn ? "true" : null }, votePart,
        el("div", {}, el("p", { class: "qna-text", id: textId, text: q.text }),
          q.isOwn ? el("span", { class: "badge own", text: t("qna.own") }) : null));
    };
    clear(listBox);
    listBox.append(el("h2", { tabindex: "-1" }, t("qna.questions"), el("span", { class: "count", text: fmt(openV.length) })));
    if (openV.length) listBox.append(el("ol", { class: "qna-list" }, openV.map((q) => item(q, true))));
    else listBox.append(el("p", { class: "empty", text: agg.answered.length ? t("qna.no_questions") : t("qna.be_first") }));
    if (answeredV.length) {
      listBox.append(el("details", { class: "qna-answered", open: answeredOpen, ontoggle: (ev) => { answeredOpen = ev.currentTarget.open; } },
        el("summary", { "data-fkey": "answered:open", text: `${t("qna.answered_heading")} (${fmt(answeredV.length)})` }),
        el("ol", { class: "qna-list" }, answeredV.map((q) => item(q, false)))));
    }
  }

  async function toggle(questionId, on, prevOn) {
    const current = adjust.get(questionId);
    if (current && !current.acked) return; // the previous toggle is still on its way
    voteError.textContent = "";
    adjust.set(questionId, { on, prevOn, acked: false });
    renderLists();
    const ack = await submit({ action: "upvote", question: questionId, on });
    const a = adjust.get(questionId);
    if (ack.ok) {
      mine.push({ id: ack.response_id, data: ack.data, status: ack.status });
      if (a) a.acked = true; // shown as is until the next results include it
    } else if (!ack.pending) {
      adjust.delete(questionId);
      voteError.textContent = ack.error?.message || t("error");
    }
    renderLists();
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (closed) return;
    const text = field.value.split(/\s+/).filter(Boolean).join(" ");
    error.textContent = "";
    field.removeAttribute("aria-invalid");
    if (!text) {
      error.textContent = t("qna.empty");
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    // The button stays focusable while sending (whileSending); after it, focus is on the field
    // for the next question, or on the line saying that the limit is reached.
    const ack = await whileSending(button, () => {
      status.textContent = t("sending");
      return submit({ action: "ask", text });
    });
    if (!ack) return;
    if (ack.ok) {
      if (!mine.some((m) => m.id === ack.response_id)) mine.push({ id: ack.response_id, data: ack.data, status: ack.status });
      if (ack.status === "visible") fresh.push({ id: ack.response_id, text: ack.data.text, updates: 0 });
      field.value = "";
      field.dispatchEvent(new Event("input"));
      status.textContent = ack.status === "pending" ? `${t("qna.asked")} ${t("pending")}.` : t("qna.asked");
    } else if (ack.pending) {
      field.value = "";
      field.dispatchEvent(new Event("input"));
      status.textContent = t("offline");
    } else {
      status.textContent = "";
      error.textContent = ack.error?.message || t("error");
      field.setAttribute("aria-invalid", "true");
    }
    refreshForm();
    renderLists();
    if (document.activeElement === button || !root.contains(document.activeElement)) (field.disabled ? remaining : field).focus();
  });

  const update = (res, newMine) => {
    if (res !== undefined) results = res;
    if (newMine) mine = [...newMine];
    // Results that arrive after an acknowledgement already count it.
    for (const [id, a] of adjust) if (a.acked) adjust.delete(id);
    // An own new question shows at once; it leaves this list when the results carry it
    // (or after a few updates, should the facilitator have hidden it meanwhile).
    const agg = results?.aggregate;
    const listed = new Set(agg ? [...agg.questions, ...agg.answered].map((q) => q.id) : []);
    fresh = fresh.filter((q) => !listed.has(q.id) && ++q.updates < 3);
    refreshForm();
    renderLists();
  };
  refreshForm();
  renderLists();
  return { update };
}

// --- presenter -----------------------------------------------------------------------------

const presenterSigs = new WeakMap();

export function presenter({ root, activity, results, t, el }) {
  const agg = results.aggregate;
  const sig = JSON.stringify([activity.id, agg.questions, agg.answered.length, root.clientWidth, root.clientHeight]);
  const prev = presenterSigs.get(root);
  if (prev && prev.sig === sig && root.contains(prev.node)) return;
  let node;
  if (!agg.questions.length) {
    node = el("div", { class: "qna-pres" }, el("p", { class: "wc-empty", text: t("qna.no_questions") }),
      agg.answered.length ? el("p", { class: "pres-more", text: t("qna.n_answered", { n: fmt(agg.answered.length) }) }) : null);
    clear(root).append(node);
  } else {
    const list = el("ol", { class: "qna-pres-list" });
    for (const q of agg.questions) {
      list.append(el("li", {},
        el("span", { class: "qna-pres-votes" }, el("strong", { text: fmt(q.votes) }), el("span", { text: t("vote_word", { n: q.votes }) })),
        el("p", { class: "q-text", text: q.text })));
    }
    const more = el("p", { class: "pres-more", text: "\u00a0" }); // holds its line while fitting
    node = el("div", { class: "qna-pres" }, list, more);
    clear(root).append(node);
    // A long list is paged by the presenter (kinds/_fit.js), never cut.
    const bits = [];
    if (agg.answered.length) bits.push(t("qna.n_answered", { n: fmt(agg.answered.length) }));
    if (bits.length) more.textContent = bits.join(" · ");
    else more.remove();
  }
  presenterSigs.set(root, { sig, node });
}

// --- console -------------------------------------------------------------------------------

export function console({ root, activity, results, moderate, t, el }) {
  const parts = consoleView(root, activity, () => {
    const summary = el("p", { class: "mod-summary", "aria-live": "polite" });
    const listHost = el("div", { "aria-live": "off" });
    return { node: el("div", { class: "text-console" }, summary, listHost), summary, listHost };
  });
  const items = results.items || [];
  const agg = results.aggregate || { questions: [], answered: [] };
  // Answers awaiting review are counted in the console's own line (the same on every screen).
  const bits = [t("qna.n_questions", { n: fmt(agg.questions.length) })];
  if (agg.answered.length) bits.push(t("qna.n_answered", { n: fmt(agg.answered.length) }));
  parts.summary.textContent = bits.join(" · ");
  const texts = new Map(items.map((i) => [i.id, i.text]));
  const short = (s) => (s.length > 70 ? `${s.slice(0, 69)}…` : s);
  const standing = items.filter((i) => i.status === "visible" && !i.merged_into);
  const rows = items.map((i) => {
    const meta = [el("span", { class: "mod-votes", text: `▲ ${fmt(i.votes || 0)}` }), ...whoMeta(i, { el, t })];
    if (i.answered) meta.splice(1, 0, el("span", { class: "badge answered", text: t("answered") }));
    if (i.merged_into) meta.splice(1, 0, el("span", { class: "badge merged", text: t("open_text.merged_into", { text: short(texts.get(i.merged_into) || "?") }) }));
    const act = (id, label, extra = {}) => ({ id, label, run: () => moderate(i.id, id), ...extra });
    const actions = [];
    if (i.status === "pending") actions.push(act("approve", t("approve")));
    if (i.status === "visible" && !i.merged_into) {
      actions.push(i.answered ? act("unanswered", t("qna.mark_unanswered")) : act("answered", t("qna.mark_answered")));
      actions.push(act("hide", t("hide")));
    }
    if (i.status === "hidden") actions.push(act("show", t("show")));
    actions.push(act("delete", t("delete"), { danger: true }));
    const merge = i.status === "visible" && !i.merged_into
      ? { targets: standing.filter((x) => x.id !== i.id).map((x) => ({ value: x.id, label: short(x.text) })),
          run: (target) => moderate(i.id, "merge", Number(target)) }
      : null;
    return { key: String(i.id), text: i.text, status: i.status, merged: !!i.merged_into, meta, actions, merge };
  });
  moderationList(parts.listHost, rows, { el, t });
}
