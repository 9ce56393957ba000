// Presenter screen (projector, read-only): join code, counts, the current activity live.
// Everything arrives over the /screen namespace; a snapshot on every (re)connect means the
// screen never needs a reload.
import { clear, connectionBadge, el, fmt, isOlder, loadKind, openSocket, runTimer, syncClock, t } from "./core.js";
import { createFitter } from "./kinds/_fit.js";

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
const state = { workshop: null, results: {}, presence: { participants: 0 } };

function current() {
  const ws = state.workshop;
  return ws ? ws.activities.find((a) => a.id === ws.current_activity_id) || null : null;
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
    document.getElementById("pres-responses").textContent = "0";
    return;
  }
  const res = state.results[act.id] || { visible: act.results_visible, aggregate: null, responders: 0 };
  document.getElementById("pres-responses").textContent = fmt(res.responders || 0);
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
    clear(view).append(el("p", { class: "pres-hidden", text: t("results_hidden") }));
    fitter.fit(fitKey());
    return;
  }
  try {
    mod.presenter({ root: view, activity: act, results: res, t, el });
  } catch (err) {
    console.error(err); // keep the title and counts on the screen; the room sees no stack trace
    clear(view);
  }
  fitter.fit(fitKey());
}

const socket = openSocket("/screen", { workshop_id: Number(root.dataset.workshopId), key: root.dataset.key });
connectionBadge(socket);
socket.on("snapshot", (snap) => {
  state.workshop = snap.workshop;
  state.results = snap.results || {};
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
