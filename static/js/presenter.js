// Presenter screen (projector): join code, counts, the current activity live. Everything
// arrives over the /screen namespace; a snapshot on every (re)connect means the screen never
// needs a reload. Opened by the signed-in facilitator (snapshot.may_steer), it also takes the
// facilitator's keys (static/js/keys.js): a clicker steers whichever window has focus.
import { clear, connectionBadge, countText, el, fmt, isOlder, loadKind, newerResults, openSocket, runTimer, syncClock, t } from "./core.js";
import { createFitter } from "./kinds/_fit.js";
import { drawSplit } from "./split.js";
import { bindKeys } from "./keys.js";

const root = document.getElementById("presenter");
const title = document.getElementById("pres-title");
// Kinds draw into the fit box; the fitter scales and pages it inside #pres-view.
const view = document.getElementById("pres-fit");
const fitter = createFitter({
  main: root,
  body: document.querySelector(".pres-body"),
  view: document.getElementById("pres-view"),
  box: view,
  indicator: document.getElementById("pres-pages"),
  label: (n, of) => t("page_of", { n: fmt(n), of: fmt(of) }),
});
const fitKey = () => String(current()?.id ?? "");
let refit = 0;
/** Fit again after the kind finished drawing (charts and the word cloud draw a frame later). */
function fitSoon() {
  cancelAnimationFrame(refit);
  refit = requestAnimationFrame(() => fitter.fit(fitKey()));
}
new MutationObserver(() => {
  if (!fitter.busy) fitSoon();
}).observe(view, { childList: true, subtree: true, characterData: true });
new ResizeObserver(fitSoon).observe(document.getElementById("pres-view"));
window.addEventListener("resize", fitSoon);
const state = { workshop: null, results: {}, presence: { participants: 0 }, maySteer: false };

function current() {
  const ws = state.workshop;
  return ws ? ws.activities.find((a) => a.id === ws.current_activity_id) || null : null;
}

/** The count in the footer, in the words the console and the phones use. */
function showCounts(res) {
  const line = document.getElementById("pres-count");
  const text = countText(res);
  const num = fmt(res?.responders || 0);
  const at = Math.max(0, text.indexOf(num));
  clear(line).append(text.slice(0, at), el("strong", { id: "pres-responses", text: num }), text.slice(at + num.length));
  line.dataset.responders = String(res?.responders || 0);
  line.dataset.pending = String(res?.pending || 0);
}

let drawSeq = 0;
async function draw() {
  const act = current();
  const seq = ++drawSeq;
  document.getElementById("pres-participants").textContent = fmt(state.presence.participants || 0);
  if (!act) {
    title.textContent = state.workshop ? state.workshop.title : "";
    clear(view);
    fitter.fit("");
    showCounts(null);
    return;
  }
  const res = state.results[act.id] || { visible: act.results_visible, aggregate: null, responders: 0 };
  showCounts(res);
  title.textContent = act.title;
  let mod;
  try {
    mod = await loadKind(act.kind);
  } catch {
    if (seq === drawSeq) clear(view);
    return;
  }
  if (seq !== drawSeq) return; // a newer update already drew
  if (!res.visible || !res.aggregate) {
    // A kind may show what is not the room's answers while they are hidden (the question the
    // facilitator put on the screen); it returns false when it has nothing to show.
    let shown = false;
    try {
      shown = Boolean(mod.presenterHidden && mod.presenterHidden({ root: view, activity: act, results: res, t, el }));
    } catch (err) {
      console.error(err);
    }
    if (!shown) clear(view).append(el("p", { class: "pres-hidden", text: t("results_hidden") }));
    fitter.fit(fitKey());
    return;
  }
  try {
    // The votes split by the voter's perspective: one table for every kind (split.js).
    if (res.split) drawSplit(view, res.split, { t, el, compact: true });
    else mod.presenter({ root: view, activity: act, results: res, t, el });
  } catch (err) {
    console.error(err); // keep the title and counts on the screen; the room sees no stack trace
    clear(view);
  }
  fitter.fit(fitKey());
}

const socket = openSocket("/screen", { workshop_id: Number(root.dataset.workshopId), key: root.dataset.key });
connectionBadge(socket);
socket.on("snapshot", (snap) => {
  state.maySteer = Boolean(snap.may_steer);
  // A change can reach the screen while its snapshot is being built: keep the newer.
  if (!isOlder(snap.workshop, state.workshop)) state.workshop = snap.workshop;
  state.results = newerResults(state.results, snap.results);
  state.presence = snap.presence || state.presence;
  syncClock(snap.workshop.server_now);
  draw();
});
socket.on("state", (ws) => {
  if (isOlder(ws, state.workshop)) return;
  const prev = current();
  state.workshop = ws;
  syncClock(ws.server_now);
  const now = current();
  if (prev && now && prev.id === now.id && prev.generation !== now.generation) delete state.results[now.id];
  draw();
  keys.stateArrived();
});
socket.on("results", (res) => {
  if (isOlder(res, state.results[res.activity_id])) return;
  state.results[res.activity_id] = res;
  if (current()?.id === res.activity_id) draw();
});
socket.on("presence", (p) => {
  state.presence = p;
  document.getElementById("pres-participants").textContent = fmt(p.participants || 0);
});
runTimer(document.getElementById("pres-timer"), current);

// --- the facilitator's keys (only when the server lets this window steer) -------------
function steer(name, payload) {
  if (!state.maySteer) return null;
  return new Promise((resolve) => {
    socket.timeout(10000).emit(name, payload, (err, ack) => {
      const status = document.getElementById("pres-status");
      status.textContent = err ? t("offline") : ack.ok ? "" : ack.error.message;
      resolve(err ? null : ack);
    });
  });
}
const onCurrent = (fn) => () => {
  const act = current();
  return act ? fn(act) : null;
};
const keys = bindKeys({
  next: () => steer("step", { delta: 1 }),
  prev: () => steer("step", { delta: -1 }),
  results: onCurrent((act) => steer("set", { activity_id: act.id, flag: "results_visible", value: !act.results_visible })),
  lock: onCurrent((act) => steer("set", { activity_id: act.id, flag: "locked", value: !act.locked })),
  timer: onCurrent((act) =>
    act.timer_ends_at
      ? steer("timer_stop", { activity_id: act.id })
      : steer("timer_start", { activity_id: act.id, seconds: act.timer_seconds || 60 })),
}, { note: () => (state.maySteer ? "" : t("keys.readonly")), stateVersion: () => state.workshop?.version });
