// The participant's phone: join, follow the facilitator (live) or pick activities
// (self-paced), answer. Inputs wait in an outbox kept in localStorage until the server
// acknowledges them, so a reload or a dropped network never loses an answer.
import { clear, clientId, connectionBadge, el, formatDateTime, isOlder, keepFocus, loadKind, newerResults, openSocket, runTimer, showCount, syncClock, t, timeUp, watchClosing } from "./core.js";

const root = document.getElementById("phone");
const stage = document.getElementById("stage");
const code = root.dataset.code;
const tokenKey = `nv:token:${code}`;
const outboxKey = `nv:outbox:${code}`;

const state = {
  workshop: null,
  participant: null,
  mine: {}, // activity id -> [{id, client_id, data, status}]
  results: {}, // activity id -> results payload
  openActivity: null, // self-paced: the activity the phone has opened
  rendered: "", // signature of what the stage shows, to avoid needless redraws
};
let socket = null;
let stopTimer = null;

// Screen readers hear the question the facilitator moves to (and the first one after joining)
// from this polite live region, which is there before any question is drawn.
const announcer = el("p", { id: "announce", class: "sr-only", "aria-live": "polite" });
root.append(announcer);
let announced = null; // the activity last announced: a redraw of the same one says nothing

function announce(act) {
  if (announced === act.id) return;
  announced = act.id;
  announcer.textContent = "";
  // A beat after clearing, so the same words as before are still read out.
  setTimeout(() => { if (announced === act.id) announcer.textContent = t("phone.now", { title: act.title }); }, 50);
}

const FOCUSABLE = "button, input, select, textarea, a[href], summary, [tabindex]:not([tabindex='-1'])";

/** Where focus is in the card, as something the redrawn card can be asked for: its id, its
 *  data-fkey, or its place among the card's controls. */
function focusSpot() {
  const a = document.activeElement;
  if (!a || a === document.body || !stage.contains(a)) return null;
  if (a.id && a.id !== "act-title") return { id: a.id };
  if (a.dataset.fkey) return { fkey: a.dataset.fkey };
  return { index: [...stage.querySelectorAll(FOCUSABLE)].indexOf(a) };
}

/** Put focus back where it was in the redrawn card, or on the heading when that is gone. */
function refocus(spot, heading) {
  let node = null;
  if (spot.id) node = document.getElementById(spot.id);
  else if (spot.fkey) node = stage.querySelector(`[data-fkey="${CSS.escape(spot.fkey)}"]`);
  else if (spot.index >= 0) node = stage.querySelectorAll(FOCUSABLE)[spot.index] || null;
  if (node && stage.contains(node) && !node.disabled && !node.closest("fieldset:disabled")) node.focus({ preventScroll: true });
  else heading.focus({ preventScroll: true });
}

// --- outbox ------------------------------------------------------------------------------
function outbox() {
  try {
    return JSON.parse(localStorage.getItem(outboxKey) || "[]");
  } catch {
    return [];
  }
}
function saveOutbox(items) {
  localStorage.setItem(outboxKey, JSON.stringify(items));
}

// Refusals that say "try again later": the input stays in the outbox and is sent again.
const RETRY_CODES = new Set(["unavailable", "rate_limited"]);
let retryTimer = null;

function retrySoon() {
  if (retryTimer) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (socket && socket.connected && outbox().length) flushOutbox(false);
  }, 2000 + Math.random() * 3000);
}

function sendOne(item) {
  return new Promise((resolve) => {
    if (!socket || !socket.connected) return resolve({ ok: false, pending: true, client_id: item.client_id });
    socket.timeout(10000).emit("submit", item, (err, ack) => {
      if (err || (ack && !ack.ok && RETRY_CODES.has(ack.error?.code))) {
        retrySoon(); // stays in the outbox; the same client id makes a resend count once
        return resolve({ ok: false, pending: true, client_id: item.client_id, error: ack?.error });
      }
      saveOutbox(outbox().filter((i) => i.client_id !== item.client_id));
      if (ack && ack.ok) applyAck(item, ack);
      resolve(ack || { ok: false, error: { message: t("error") } });
    });
  });
}

function applyAck(item, ack) {
  const list = (state.mine[item.activity_id] || []).filter((e) => e.client_id !== item.client_id);
  const act = findActivity(item.activity_id);
  const entry = { id: ack.response_id, client_id: item.client_id, data: ack.data, status: ack.status };
  // "replace" kinds keep one current answer; the others collect entries.
  state.mine[item.activity_id] = act && act.answer_mode === "replace" ? [entry] : [...list, entry];
}

/** Submit an input: into the outbox first, then over the socket. Resolves with the ack. */
function submit(activityId, payload) {
  const item = { activity_id: activityId, client_id: clientId(), payload };
  saveOutbox([...outbox(), item]);
  return sendOne(item);
}

async function flushOutbox(redraw = true) {
  for (const item of outbox()) {
    const ack = await sendOne(item);
    if (ack.pending) break;
  }
  if (redraw) render(true);
  else renderResultsOnly();
}

// --- joining -----------------------------------------------------------------------------
async function join(profile) {
  const body = { code, ...(profile || {}) };
  const token = localStorage.getItem(tokenKey);
  if (token) body.token = token;
  const res = await fetch("/api/join", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({ ok: false, error: { message: t("error") } }));
  if (!data.ok) throw new Error(data.error?.message || t("error"));
  localStorage.setItem(tokenKey, data.token);
  return data;
}

function askProfile() {
  const needs = root.dataset.askNickname === "true" || root.dataset.askPerspective === "true";
  return needs && !localStorage.getItem(tokenKey);
}

function showProfile() {
  const section = document.getElementById("profile");
  const form = document.getElementById("profile-form");
  const errorBox = document.getElementById("profile-error");
  section.hidden = false;
  clear(stage);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const profile = {};
    if (fd.has("nickname")) profile.nickname = String(fd.get("nickname") || "");
    if (fd.get("perspective")) profile.perspective = String(fd.get("perspective"));
    try {
      await join(profile);
      section.hidden = true;
      connect();
    } catch (e) {
      errorBox.hidden = false;
      errorBox.textContent = e.message;
    }
  });
  form.querySelector("input")?.focus();
}

// --- socket ------------------------------------------------------------------------------
// The participant's reference (D-<id>): what they quote when asking about their data.
function showReference(participant) {
  const line = document.getElementById("my-reference");
  if (!line || !participant) return;
  line.querySelector("strong").textContent = `D-${participant.id}`;
  line.hidden = false;
}

// socket.io.min.js loads beside this module (async, templates/participant/phone.html).
const socketLibrary = new Promise((resolve) => {
  if (window.io) resolve();
  else document.getElementById("socketio")?.addEventListener("load", resolve, { once: true });
});

/** Open the socket; with `joined` (a first join under way) its handshake runs meanwhile and
 *  the token is sent once the join has answered. Every (re)connection reads the stored token. */
// "Delete my answers" (the footer's privacy note): every input of this phone stops counting
// and loses its content on the server; the outbox and the page's copy go too.
document.getElementById("forget")?.addEventListener("click", (ev) => {
  const button = ev.currentTarget;
  const status = document.getElementById("forget-status");
  if (!socket || !window.confirm(button.dataset.confirm)) return;
  socket.timeout(10000).emit("forget", { confirm: true }, (err, ack) => {
    if (err || !ack.ok) {
      status.textContent = err ? t("offline") : ack.error.message;
      return;
    }
    saveOutbox([]);
    state.mine = {};
    status.textContent = t("phone.forgotten");
    render(true);
  });
});

function connect(joined = null) {
  if (!window.io) return void socketLibrary.then(() => connect(joined));
  const auth = (send) => Promise.resolve(joined).then(() => send({ token: localStorage.getItem(tokenKey) }), () => {});
  socket = openSocket("/phone", auth);
  connectionBadge(socket);
  socket.on("snapshot", applySnapshot);
  socket.on("state", (ws) => {
    if (isOlder(ws, state.workshop)) return;
    const before = state.workshop;
    state.workshop = ws;
    syncClock(ws.server_now);
    watchClosing(ws, () => render(true));
    // A reset starts a new generation: earlier answers no longer count.
    for (const act of ws.activities) {
      const old = before?.activities.find((a) => a.id === act.id);
      if (old && old.generation !== act.generation) {
        delete state.mine[act.id];
        delete state.results[act.id];
      }
    }
    render();
  });
  socket.on("results", (res) => {
    const old = state.results[res.activity_id];
    if (isOlder(res, old)) return;
    // A round of before a reset that reached this phone after the reset's state (a big room
    // gets its rounds slice by slice): its answers no longer count.
    const shown = state.workshop?.activities.find((a) => a.id === res.activity_id);
    if (shown && res.generation != null && res.generation < shown.generation) return;
    // Content this phone does not have (it missed the message that carried it): the counts
    // are shown with the content it has, and a snapshot brings the content.
    if (!withContent(res)) askSnapshot();
    state.results[res.activity_id] = res;
    // Shown or hidden by the facilitator: the card is drawn again, so that hidden results
    // leave the phone whatever the kind drew them from (the payload holds none).
    if (Boolean(old?.visible) !== Boolean(res.visible) && currentActivity()?.id === res.activity_id) render(true);
    else renderResultsOnly();
  });
  socket.on("connect_error", async (err) => {
    if (err?.data?.code === "unknown_participant") {
      // The token is unknown here (a new server, or another workshop): join afresh.
      localStorage.removeItem(tokenKey);
      socket.disconnect();
      if (askProfile()) showProfile();
      else {
        await join();
        connect();
      }
    } else if (err?.data?.message) {
      showMessage(err.data.message);
      // Refused because the database is away: the client does not retry a refusal by itself.
      if (err.data.code === "unavailable") setTimeout(() => socket.connect(), 3000);
      // Too many sockets for this phone (old tabs, links not yet timed out): try again later.
      if (err.data.code === "rate_limited") setTimeout(() => socket.connect(), 15000);
    }
  });
}

function applySnapshot(snap, redraw = true) {
  // A change can reach the phone while its snapshot is being built: keep the newer.
  if (!isOlder(snap.workshop, state.workshop)) state.workshop = snap.workshop;
  state.participant = snap.participant;
  showReference(snap.participant);
  state.mine = snap.mine || {};
  for (const res of Object.values(snap.results || {})) withContent(res);
  state.results = newerResults(state.results, snap.results);
  syncClock(snap.workshop.server_now);
  watchClosing(state.workshop, () => render(true));
  flushOutbox(redraw);
}

// A kind's content (the questions of an estimates round…) per activity, with its key: the
// server sends it once and then only the key while it is unchanged (docs/protocol.md §5.3).
const contents = {};

/** Keep `res`'s content, or put the kept one back into it; false when the phone does not
 *  hold the content `res` goes with (it then carries the content the phone has, if any). */
function withContent(res) {
  if ("content" in res) {
    if (res.content_key) contents[res.activity_id] = { key: res.content_key, content: res.content };
    return true;
  }
  if (!res.content_key) return true;
  const kept = contents[res.activity_id];
  if (kept) res.content = kept.content;
  return Boolean(kept && kept.key === res.content_key);
}

let asking = false;
function askSnapshot() {
  if (asking || !socket) return;
  asking = true;
  socket.timeout(10000).emit("snapshot", {}, (err, ack) => {
    asking = false;
    // What the phone is typing stays: only the results are drawn again.
    if (!err && ack?.ok) applySnapshot(ack.snapshot, false);
  });
}

function findActivity(id) {
  return state.workshop?.activities.find((a) => a.id === Number(id)) || null;
}

function showMessage(text) {
  renderSeq++; // a render still waiting for a kind's module must not draw over this
  kindApi = null;
  clear(stage).append(el("div", { class: "card center" }, el("p", { class: "waiting", text })));
}

// --- rendering ---------------------------------------------------------------------------
let kindApi = null; // the rendered kind's live handle: {update(results, mine)}
// Each drawing takes a number; one that finishes after a newer one started is dropped (the
// facilitator may move on while a kind's module is still on its way to the phone).
let renderSeq = 0;

function currentActivity() {
  const ws = state.workshop;
  if (!ws) return null;
  if (ws.mode === "self_paced") return state.openActivity ? findActivity(state.openActivity) : null;
  return ws.activities.find((a) => a.id === ws.current_activity_id) || null;
}

async function render(force = false) {
  const ws = state.workshop;
  if (!ws) return;
  if (!ws.accepts_input && ws.status !== "open") return showMessage(t("closed"));
  const act = currentActivity();
  if (ws.mode === "self_paced" && !act) return renderList();
  if (!act) {
    state.rendered = "";
    return showMessage(t("waiting"));
  }
  // Kinds that collect entries keep their list live through update(), and revealed results
  // arrive the same way: redrawing the card for those would throw away what is being typed.
  const mineSig = act.answer_mode === "replace" ? (state.mine[act.id] || []).map((m) => m.id) : null;
  const ended = timeUp(act);
  const sig = JSON.stringify([act.id, act.generation, act.locked, act.title, act.config, ws.accepts_input, mineSig, ended, ws.has_alternatives]);
  if (!force && sig === state.rendered) return;
  state.rendered = sig;
  // The previous kind must not draw this activity's results while the new module loads.
  kindApi = null;
  const seq = ++renderSeq;
  let mod;
  try {
    mod = await loadKind(act.kind);
  } catch {
    if (seq !== renderSeq) return;
    // Never leave the previous question on screen as if it were the current one.
    state.rendered = "";
    kindApi = null;
    setTimeout(() => currentActivity()?.id === act.id && render(), 5000);
    return showMessage(t("error"));
  }
  if (seq !== renderSeq) return;
  // A new question: focus goes to its heading (unless the person is somewhere else on the
  // page) and the live region says it. The same question drawn again keeps focus in place.
  const isNew = announced !== act.id;
  const lost = !document.activeElement || document.activeElement === document.body || stage.contains(document.activeElement);
  const spot = isNew ? null : focusSpot();
  const card = el("section", { class: "card activity", "aria-labelledby": "act-title" });
  if (ws.mode === "self_paced") {
    card.append(el("button", { class: "link back", type: "button", "data-fkey": `pick-${act.id}:open`, onclick: () => { state.openActivity = null; render(true); } }, "← " + t("back_to_list")));
  }
  const heading = el("h1", { id: "act-title", class: "focus-target", tabindex: "-1", text: act.title });
  card.append(heading);
  const count = el("p", { class: "count-line" });
  showCount(count, state.results[act.id]);
  card.append(count);
  if (stopTimer) stopTimer();
  stopTimer = null;
  if (!ended) {
    // The countdown ends on this phone's clock (set to the server's): draw the card closed
    // (the notice below says "Time is up"); more time or a reopen arrives as a new state and
    // draws it open again.
    const timer = el("p", { class: "timer", role: "timer" });
    card.append(timer);
    stopTimer = runTimer(timer, () => currentActivity(), () => render());
  }
  const closed = act.locked || !ws.accepts_input || ended;
  if (closed) {
    const why = act.locked ? t("locked") : !ws.accepts_input ? t("closed") : t("time_up");
    card.append(el("p", { class: "notice", role: "status", text: why }));
  }
  else if (ws.mode === "self_paced" && closesAt(ws, act)) card.append(closingNote(ws, closesAt(ws, act)));
  // One switch for every kind: a closed activity's controls are disabled through the
  // fieldset, whatever the kind draws (and adds later).
  const inputs = el("fieldset", { class: "activity-inputs", disabled: closed });
  const body = el("div", { class: "activity-body" });
  inputs.append(body);
  card.append(inputs);
  clear(stage).append(card);
  try {
    kindApi = mod.phone({
      root: body,
      activity: act,
      mine: state.mine[act.id] || [],
      results: state.results[act.id] || null,
      closed,
      // Whether Alternativ A and B are written: texts about "A and B" depend on it.
      hasAlternatives: ws.has_alternatives !== false,
      submit: (payload) => submit(act.id, payload),
      t,
      el,
    });
    // For bench/slow_phone.py: the question is drawn and can be answered from here on.
    if (!closed && !performance.getEntriesByName("nv:question-ready").length) performance.mark("nv:question-ready");
  } catch (err) {
    // A broken kind must not take the page down: say so where the question would be.
    kindApi = null;
    console.error(err);
    clear(body).append(el("p", { class: "error", role: "alert", text: t("error") }));
  }
  if (isNew) {
    announce(act);
    if (lost) heading.focus(); // and scrolled to: the new question starts at the top
  } else if (spot) refocus(spot, heading);
}

function renderResultsOnly() {
  const act = currentActivity();
  if (!act) return;
  showCount(stage.querySelector(".activity .count-line"), state.results[act.id]);
  if (!kindApi || !kindApi.update) return;
  try {
    kindApi.update(state.results[act.id] || null, state.mine[act.id] || []);
  } catch (err) {
    console.error(err);
  }
}

/** "Open for answers until 10 June 2026 at 16:00", in the workshop's language; nothing without a closing time. */
function closingNote(ws, when = ws.open_until) {
  return el("p", { class: "closing-time", text: t("open_until", { date: formatDateTime(when, ws.language, ws.timezone) }) });
}

/** When an activity stops taking answers: the workshop's closing time, or the activity's own
 *  countdown when that closes input earlier (a step open for part of the week). */
function closesAt(ws, act) {
  const own = act && act.timer_ends_at && act.timer_closes !== false ? act.timer_ends_at : null;
  if (!own) return ws.open_until || null;
  if (!ws.open_until) return own;
  return Date.parse(own) < Date.parse(ws.open_until) ? own : ws.open_until;
}

function renderList() {
  renderSeq++;
  announced = null; // an activity opened from the list again is announced again
  state.rendered = "";
  kindApi = null;
  const ws = state.workshop;
  const list = el("ul", { class: "activity-pick" });
  for (const act of ws.activities) {
    const done = (state.mine[act.id] || []).length > 0;
    list.append(
      el("li", {},
        el("button", { type: "button", class: "pick", "data-fkey": `pick-${act.id}:open`, onclick: () => { state.openActivity = act.id; render(true); } },
          el("span", { class: "pick-title", text: act.title }),
          // A step that closes before the workshop does says when.
          act.timer_ends_at && act.timer_closes !== false && closesAt(ws, act) === act.timer_ends_at
            ? el("span", { class: "pick-closes", text: t("open_until", { date: formatDateTime(act.timer_ends_at, ws.language, ws.timezone) }) })
            : null,
          el("span", { class: done ? "badge done" : "badge", text: done ? t("answered") : t("not_answered") })))
    );
  }
  const heading = el("h1", { class: "focus-target", tabindex: "-1", text: t("open_list") });
  const card = el("section", { class: "card" }, heading);
  if (!ws.accepts_input) card.append(el("p", { class: "notice", role: "status", text: t("closed") }));
  else if (ws.open_until) card.append(closingNote(ws));
  card.append(ws.activities.length ? list : el("p", { text: t("no_activities") }));
  // Drawn again on every change: focus stays on the same activity; back from an activity
  // ("← Back to the list", keyed like its activity) it lands on that activity's button.
  keepFocus(stage, () => clear(stage).append(card), () => heading);
}

// --- start -------------------------------------------------------------------------------
window.addEventListener("online", () => socket && !socket.connected && socket.connect());
if (askProfile()) showProfile();
else if (localStorage.getItem(tokenKey)) connect();
else {
  const joined = join();
  joined.catch((e) => {
    socket?.disconnect();
    showMessage(e.message);
  });
  connect(joined);
}
