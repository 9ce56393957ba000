// Facilitator console: move between activities, lock/reveal/reset/timer, see every answer
// live and moderate texts. All commands go over /console and are acknowledged.
import { clear, connectionBadge, el, fmt, isOlder, loadKind, openSocket, runTimer, syncClock, t, watchClosing } from "./core.js";

const root = document.getElementById("console");
const state = { workshop: null, results: {}, presence: { participants: 0, list: [] } };
const socket = openSocket("/console", { workshop_id: Number(root.dataset.workshopId) });
connectionBadge(socket);

const $ = (id) => document.getElementById(id);

function current() {
  const ws = state.workshop;
  return ws ? ws.activities.find((a) => a.id === ws.current_activity_id) || null : null;
}

/** Send a command; show its error, if any, where the facilitator is looking. */
function command(name, payload) {
  return new Promise((resolve) => {
    socket.timeout(10000).emit(name, payload, (err, ack) => {
      const meta = $("current-meta");
      if (err) meta.textContent = t("offline");
      else if (!ack.ok) meta.textContent = ack.error.message;
      resolve(ack);
    });
  });
}

function renderNav() {
  const nav = clear($("activity-nav"));
  for (const act of state.workshop.activities) {
    const res = state.results[act.id];
    const isCurrent = act.id === state.workshop.current_activity_id;
    nav.append(
      el("li", {},
        el("button", {
          type: "button",
          class: "nav-item" + (isCurrent ? " current" : ""),
          "aria-current": isCurrent ? "true" : null,
          onclick: () => command("goto", { activity_id: act.id }),
        },
        el("span", { class: "nav-kind", text: t(`kind.${act.kind}`) }),
        el("span", { class: "nav-title", text: act.title }),
        el("span", { class: "nav-count", text: t("n_responses", { n: fmt(res?.responders || 0) }) }),
        act.locked ? el("span", { class: "badge", role: "img", text: "🔒", "aria-label": t("locked") }) : null))
    );
  }
}

let drawSeq = 0;
async function renderCurrent() {
  const act = current();
  const view = $("current-view");
  const seq = ++drawSeq;
  if (!act) {
    $("current-title").textContent = t("no_activities");
    clear(view);
    return;
  }
  $("current-title").textContent = act.title;
  const res = state.results[act.id] || { aggregate: null, items: null, responders: 0 };
  $("current-meta").textContent = `${t(`kind.${act.kind}`)} · ${t("n_responses", { n: fmt(res.responders || 0) })}` +
    (act.results_hidden && !act.revealed ? ` · ${t("results_hidden")}` : "");
  $("lock").setAttribute("aria-pressed", String(act.locked));
  $("lock").textContent = act.locked ? t("console.unlock") : t("console.lock");
  $("reveal").setAttribute("aria-pressed", String(act.revealed));
  $("reveal").textContent = act.revealed ? t("console.unreveal") : t("console.reveal");
  $("timer").textContent = act.timer_ends_at ? t("console.stop_timer") : t("console.start_timer");
  $("csv").href = root.dataset.csvUrl.replace("/a/0.csv", `/a/${act.id}.csv`);
  let mod;
  try {
    mod = await loadKind(act.kind);
  } catch {
    if (seq === drawSeq) clear(view).append(el("p", { class: "error", text: t("error") }));
    return;
  }
  if (seq !== drawSeq) return;
  if (!res.aggregate) {
    clear(view).append(el("p", { class: "empty", text: t("no_responses") }));
    return;
  }
  try {
    mod.console({
      root: view,
      activity: act,
      results: res,
      moderate: (responseId, action, targetId) =>
        command("moderate", { activity_id: act.id, response_id: responseId, action, target_id: targetId ?? null }),
      // Edit the draft analysis (method activities): resolves with the ack.
      draft: (op, args) => command("draft", { op, args }),
      draft_data: () => state.draft,
      configure: (config) => command("configure", { activity_id: act.id, config }),
    set: (flag, value) => command("set", { activity_id: act.id, flag, value }),
      t,
      el,
    });
  } catch (err) {
    // A broken kind view must not stop the controls: they keep working around it.
    console.error(err);
    clear(view).append(el("p", { class: "error", text: t("error") }));
  }
}

function renderPeople() {
  const p = state.presence;
  $("people-count").textContent = fmt(p.participants || 0);
  const per = clear($("people-perspectives"));
  const entries = Object.entries(p.per_perspective || {}).filter(([k]) => k);
  if (entries.length) {
    per.append(el("ul", { class: "perspectives" }, entries.map(([k, n]) => el("li", {}, el("span", { text: k }), " ", el("strong", { text: fmt(n) })))));
  }
  const list = clear($("people-list"));
  for (const person of (p.list || []).slice(-200)) {
    list.append(el("li", {}, el("span", { text: person.nickname || `#${person.id}` }),
      person.perspective ? el("span", { class: "muted", text: ` · ${person.perspective}` }) : null));
  }
}

function renderAll() {
  if (!state.workshop) return;
  renderNav();
  renderCurrent();
  renderPeople();
}

socket.on("snapshot", (snap) => {
  state.draft = snap.draft || null;
  state.workshop = snap.workshop;
  state.results = snap.results || {};
  state.presence = snap.presence || state.presence;
  syncClock(snap.workshop.server_now);
  renderAll();
  showClosed();
});
socket.on("state", (ws) => {
  if (isOlder(ws, state.workshop)) return;
  state.workshop = ws;
  syncClock(ws.server_now);
  renderNav();
  renderCurrent();
  showClosed();
});

/** The notice that the closing time has passed: shown from that second, without a reload. */
function showClosed() {
  const ws = state.workshop;
  const notice = $("ws-closed");
  if (!ws || !notice) return;
  notice.hidden = ws.accepts_input || ws.status !== "open";
  watchClosing(ws, showClosed);
}
socket.on("results", (res) => {
  const old = state.results[res.activity_id];
  if (isOlder(res, old)) return;
  state.results[res.activity_id] = res;
  if (!old || old.responders !== res.responders) renderNav();
  if (current()?.id === res.activity_id) renderCurrent();
});
socket.on("draft", (d) => {
  state.draft = d;
  renderCurrent();
});
// After the snapshot's whole list, only changes: who joined or changed name or perspective.
socket.on("participants_changed", (d) => {
  const p = state.presence;
  p.list = p.list || [];
  const at = new Map(p.list.map((person, i) => [person.id, i]));
  for (const person of d.changed || []) {
    if (at.has(person.id)) p.list[at.get(person.id)] = person;
    else { at.set(person.id, p.list.length); p.list.push(person); }
  }
  p.participants = d.participants;
  p.per_perspective = d.per_perspective;
  renderPeople();
});

// --- controls ------------------------------------------------------------------------
$("prev").addEventListener("click", () => command("step", { delta: -1 }));
$("next").addEventListener("click", () => command("step", { delta: 1 }));
$("lock").addEventListener("click", () => {
  const act = current();
  if (act) command("set", { activity_id: act.id, flag: "locked", value: !act.locked });
});
$("reveal").addEventListener("click", () => {
  const act = current();
  if (act) command("set", { activity_id: act.id, flag: "revealed", value: !act.revealed });
});
$("timer").addEventListener("click", () => {
  const act = current();
  if (!act) return;
  if (act.timer_ends_at) command("timer_stop", { activity_id: act.id });
  else command("timer_start", { activity_id: act.id, seconds: act.timer_seconds || 60 });
});
$("reset").addEventListener("click", () => {
  const act = current();
  if (act && window.confirm(t("confirm_reset"))) command("reset", { activity_id: act.id });
});
runTimer($("timer-display"), current);

// Arrow keys, Page Up/Down (what presentation clickers send) and space move between
// activities, unless the facilitator is typing. On a focused button or link space keeps
// its usual meaning, but the arrows still move on: after clicking "Reveal" with the
// mouse, the clicker must go on working.
document.addEventListener("keydown", (ev) => {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || ev.target.isContentEditable) return;
  if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented) return;
  if (ev.key === " " && ["button", "a", "summary"].includes(tag)) return;
  if (ev.key === "ArrowRight" || ev.key === " " || ev.key === "PageDown") {
    ev.preventDefault();
    command("step", { delta: 1 });
  } else if (ev.key === "ArrowLeft" || ev.key === "PageUp") {
    ev.preventDefault();
    command("step", { delta: -1 });
  }
});
