// Facilitator console: move between activities, lock/reveal/reset/timer, see every answer
// live and moderate texts. All commands go over /console and are acknowledged.
import { clear, connectionBadge, el, fmt, isOlder, keepFocus, loadKind, newerResults, openSocket, runTimer, showCount, syncClock, t, timeUp, watchClosing } from "./core.js";
import { bindKeys, keysState, releaseAfterClick } from "./keys.js";
import { drawSplit } from "./split.js";

const root = document.getElementById("console");
const state = { workshop: null, results: {}, presence: { participants: 0, list: [] } };
const socket = openSocket("/console", { workshop_id: Number(root.dataset.workshopId) });
connectionBadge(socket);

const $ = (id) => document.getElementById(id);
// A viewer's console (data-readonly): the room live, no command is sent, every control off.
const readOnly = root.dataset.readonly === "1";
if (readOnly) {
  const disable = (node) => {
    for (const c of node.querySelectorAll("button, input, select, textarea")) {
      if (c.id !== "keys-help") c.disabled = true;
    }
  };
  for (const id of ["current-view", "activity-nav"]) {
    new MutationObserver(() => disable($(id))).observe($(id), { childList: true, subtree: true });
  }
}

function current() {
  const ws = state.workshop;
  return ws ? ws.activities.find((a) => a.id === ws.current_activity_id) || null : null;
}

/** Send a command; show its error, if any, where the facilitator is looking. */
function command(name, payload) {
  if (readOnly) return Promise.resolve({ ok: false });
  return new Promise((resolve) => {
    socket.timeout(10000).emit(name, payload, (err, ack) => {
      const meta = $("current-meta");
      if (err) meta.textContent = t("offline");
      else if (!ack.ok) meta.textContent = ack.error.message;
      resolve(ack);
    });
  });
}

/** The activity list, rebuilt on every move and every answer: focus stays on the same activity. */
function renderNav() {
  const nav = $("activity-nav");
  keepFocus(nav, () => drawNav(clear(nav)));
}

function drawNav(nav) {
  for (const act of state.workshop.activities) {
    const res = state.results[act.id];
    const isCurrent = act.id === state.workshop.current_activity_id;
    nav.append(
      el("li", {},
        el("button", {
          type: "button",
          class: "nav-item" + (isCurrent ? " current" : ""),
          "aria-current": isCurrent ? "true" : null,
          "data-fkey": `act-${act.id}:go`,
          onclick: () => command("goto", { activity_id: act.id }),
        },
        el("span", { class: "nav-kind", text: t(`kind.${act.kind}`) }),
        el("span", { class: "nav-title", text: act.title }),
        el("span", { class: "nav-count", text: t("n_responses", { n: fmt(res?.responders || 0) }) }),
        res?.pending ? el("span", { class: "badge pending", text: t("count.pending", { n: fmt(res.pending) }) }) : null,
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
  $("current-meta").textContent = `${t(`kind.${act.kind}`)}` +
    (act.results_visible ? "" : ` · ${t("console.results_off")}`);
  showCount($("current-count"), res);
  $("approve-all").hidden = !res.pending;
  $("lock").setAttribute("aria-pressed", String(act.locked));
  $("lock").textContent = act.locked ? t("console.unlock") : t("console.lock");
  // One switch for every kind: what the presenter and the phones are sent.
  $("reveal").setAttribute("aria-pressed", String(act.results_visible));
  $("reveal").textContent = act.results_visible ? t("console.unreveal") : t("console.reveal");
  // One switch for every kind with votes: the votes split by the voter's perspective.
  $("split").hidden = !act.splits;
  $("split").setAttribute("aria-pressed", String(Boolean(act.split_voters)));
  renderTimer();
  $("csv").href = root.dataset.csvUrl.replace("/a/0.csv", `/a/${act.id}.csv`);
  $("split-csv").hidden = !act.split_voters;
  $("split-csv").href = root.dataset.csvUrl.replace("/a/0.csv", `/a/${act.id}.csv?view=split`);
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
    // Below the kind's own view, which stays (decisions, moderation): the split table.
    if (res.split) view.append(drawSplit(el("div"), res.split, { t, el, heading: "h3" }));
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

// --- what must be ready before the room arrives -------------------------------------
// The server checks each item against the workshop's real state (workshop/checklist.py);
// the list says where each is filled in and folds away once everything is done.
let checklistOpen = null; // the facilitator's own choice, once they open or close the list

function checklistHref(item) {
  if (item.page === "draft") return root.dataset.draftUrl + (item.anchor ? `#${item.anchor}` : "");
  if (item.page === "workshop") return root.dataset.workshopUrl + (item.anchor ? `#${item.anchor}` : "");
  if (item.page === "activity" && item.activity_id) return root.dataset.activityUrl.replace(/\/a\/0$/, `/a/${item.activity_id}`);
  return root.dataset.workshopUrl;
}

function renderChecklist(items) {
  const box = $("checklist");
  if (!box) return;
  if (!items || !items.length) {
    box.hidden = true;
    clear(box);
    return;
  }
  const done = items.filter((i) => i.done).length;
  const complete = done === items.length;
  const sig = JSON.stringify(items);
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  const wasFocused = box.contains(document.activeElement) ? document.activeElement.dataset.fkey : null;
  const list = el("ul", { class: "checklist-items" }, items.map((item) => el("li", { class: item.done ? "done" : "todo" },
    el("span", { class: "checklist-mark", "aria-hidden": "true", text: item.done ? "✓" : "○" }),
    el("span", { class: "sr-only", text: `${item.done ? t("console.checklist_done") : t("console.checklist_todo")}: ` }),
    el("a", { href: checklistHref(item), "data-fkey": `check-${item.key}`, target: item.page === "draft" ? "_blank" : null,
      rel: item.page === "draft" ? "noopener" : null, text: t(`console.checklist.${item.key}`) }),
    el("span", { class: "checklist-where muted", text: ` · ${t(`console.checklist_where_${item.page}`)}` }),
    item.missing ? el("span", { class: "checklist-missing", text: ` · ${t("console.checklist_missing", { what: item.missing })}` }) : null)));
  const progress = t("console.checklist_progress", { done: fmt(done), n: fmt(items.length) });
  const open = checklistOpen ?? !complete;
  const summaryText = complete ? t("console.checklist_all_done") : progress;
  const details = el("details", { class: "checklist-box" + (complete ? " complete" : ""), open },
    el("summary", { class: "checklist-progress", text: summaryText }), list);
  details.addEventListener("toggle", () => { checklistOpen = details.open; });
  // Once everything is done the list folds away (unless the facilitator opens it again).
  if (complete && box.dataset.complete !== "true") checklistOpen = null, details.open = false;
  box.dataset.complete = String(complete);
  clear(box).append(el("h2", { id: "checklist-heading", class: "checklist-title", text: t("console.checklist_heading") }),
    el("p", { class: "sr-only", role: "status", text: summaryText }), details);
  box.hidden = false;
  if (wasFocused) box.querySelector(`[data-fkey="${wasFocused}"]`)?.focus();
}

function renderAll() {
  if (!state.workshop) return;
  renderChecklist(state.workshop.checklist);
  renderNav();
  renderCurrent();
  renderPeople();
}

socket.on("snapshot", (snap) => {
  state.draft = snap.draft || null;
  // A change can reach the console while its snapshot is being built: keep the newer.
  if (!isOlder(snap.workshop, state.workshop)) state.workshop = snap.workshop;
  state.results = newerResults(state.results, snap.results);
  state.presence = snap.presence || state.presence;
  syncClock(snap.workshop.server_now);
  renderAll();
  showClosed();
});
socket.on("state", (ws) => {
  if (isOlder(ws, state.workshop)) return;
  state.workshop = ws;
  syncClock(ws.server_now);
  renderChecklist(ws.checklist);
  renderNav();
  renderCurrent();
  showClosed();
  keys.stateArrived();
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
socket.on("checklist", (d) => {
  if (state.workshop) state.workshop.checklist = d.items;
  renderChecklist(d.items);
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
$("lock").addEventListener("click", toggleLock);
function toggleLock() {
  const act = current();
  return act ? command("set", { activity_id: act.id, flag: "locked", value: !act.locked }) : null;
}
function toggleResults() {
  const act = current();
  return act ? command("set", { activity_id: act.id, flag: "results_visible", value: !act.results_visible }) : null;
}

/** The length chosen in the console: 30 s, 1, 2, 5 min or a custom number of seconds. */
function timerLength() {
  const pick = $("timer-length").value;
  if (pick !== "custom") return Number(pick);
  const n = Number($("timer-custom").value);
  return Number.isInteger(n) ? n : NaN;
}
function toggleTimer() {
  const act = current();
  if (!act) return null;
  if (act.timer_ends_at) return command("timer_stop", { activity_id: act.id });
  return command("timer_start", { activity_id: act.id, seconds: timerLength(), closes: !$("timer-signal").checked });
}

/** The timer controls follow the current activity: ended → "+30 s" and "Reopen". */
function renderTimer() {
  const act = current();
  const running = Boolean(act && act.timer_ends_at);
  const ended = running && timeUp(act);
  $("timer").textContent = running ? t("console.stop_timer") : t("console.start_timer");
  $("timer-add").hidden = !running;
  $("timer-reopen").hidden = !ended;
  $("timer-signal").checked = Boolean(act && act.timer_closes === false);
  const status = $("timer-status");
  status.hidden = !(running && ended);
  status.textContent = ended ? t("console.timer_ended") : "";
  $("timer-display").dataset.closed = String(ended);
}
$("timer-length").addEventListener("change", () => {
  $("timer-custom-wrap").hidden = $("timer-length").value !== "custom";
});
$("timer-signal").addEventListener("change", () => {
  const act = current();
  if (act) command("set", { activity_id: act.id, flag: "timer_closes", value: !$("timer-signal").checked });
});
$("reveal").addEventListener("click", toggleResults);
$("split").addEventListener("click", () => {
  const act = current();
  if (act) command("set", { activity_id: act.id, flag: "split_voters", value: !act.split_voters });
});
$("timer").addEventListener("click", toggleTimer);
$("timer-add").addEventListener("click", () => {
  const act = current();
  if (act) command("timer_extend", { activity_id: act.id, seconds: 30 });
});
$("timer-reopen").addEventListener("click", () => {
  const act = current();
  if (act) command("timer_stop", { activity_id: act.id });
});
$("approve-all").addEventListener("click", () => {
  const act = current();
  if (act) command("approve_all", { activity_id: act.id });
});
$("reset").addEventListener("click", () => {
  const act = current();
  if (act && window.confirm(t("confirm_reset"))) command("reset", { activity_id: act.id });
});
runTimer($("timer-display"), current, renderTimer);

// The facilitator's keys (static/js/keys.js, shared with the presenter window); never while
// typing or on a control. A mouse click leaves focus on the page so a clicker keeps working.
const keys = bindKeys({
  next: () => command("step", { delta: 1 }),
  prev: () => command("step", { delta: -1 }),
  results: toggleResults,
  lock: toggleLock,
  timer: toggleTimer,
}, { stateVersion: () => state.workshop?.version });
$("keys-help").addEventListener("click", () => keys.open());
releaseAfterClick(root);
// With the keys' help: whether the keys act now (not while a control has focus; Escape
// on a button gives them back, focus going to the current activity's heading).
$("current-title").setAttribute("tabindex", "-1");
$("current-title").classList.add("focus-target");
// Below the button, on a line of its own: the hint's length changes with focus, and the
// button must not move under a pointer that is pressing it.
const keysHint = el("span", { id: "keys-state", class: "keys-state" });
$("keys-help").after(keysHint);
keysState({ hint: keysHint, home: $("current-title") });
