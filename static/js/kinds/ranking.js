// Ranking: an ordered list the participant rearranges with up/down buttons (or Alt+↑/↓);
// the screen shows the common order as bars of Borda score with the average rank.
import { clear, fmt, whileSending } from "../core.js";
import { competitionRanks, valueBars } from "./_charts.js";

function isPermutation(order, n) {
  return Array.isArray(order) && order.length === n && [...order].sort((a, b) => a - b).every((v, i) => v === i);
}

export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  const options = activity.config.options;
  const n = options.length;
  const savedOrder = mine.length ? mine[mine.length - 1].data.order : null;
  let sent = isPermutation(savedOrder, n) ? [...savedOrder] : null;
  let order = sent ? [...sent] : options.map((_, i) => i);

  const form = el("form", { class: "answer-form ranking-form", novalidate: true });
  const helpId = `rank-help-${activity.id}`;
  const help = el("p", { class: "help", id: helpId, text: t("ranking.help") });
  const list = el("ol", { class: "rank-list", role: "list", "aria-describedby": helpId });
  const announce = el("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert" });
  const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: mine.length ? t("change_answer") : t("ranking.send") });

  const items = options.map((text, idx) => {
    const pos = el("span", { class: "rank-pos", "aria-hidden": "true" });
    const up = el("button", { type: "button", class: "rank-move up", "aria-label": t("ranking.move_up", { item: text }), disabled: closed },
      el("span", { "aria-hidden": "true", text: "▲" }));
    const down = el("button", { type: "button", class: "rank-move down", "aria-label": t("ranking.move_down", { item: text }), disabled: closed },
      el("span", { "aria-hidden": "true", text: "▼" }));
    up.addEventListener("click", () => move(idx, -1));
    down.addEventListener("click", () => move(idx, 1));
    const li = el("li", { class: "rank-item", dataset: { index: String(idx) } },
      pos, el("span", { class: "rank-text", text }), el("span", { class: "rank-moves" }, up, down));
    li.addEventListener("keydown", (ev) => {
      if (!ev.altKey || closed || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
      ev.preventDefault();
      move(idx, ev.key === "ArrowUp" ? -1 : 1);
    });
    return { li, pos, up, down };
  });

  const layout = () => {
    order.forEach((idx, p) => {
      const it = items[idx];
      if (list.children[p] !== it.li) list.insertBefore(it.li, list.children[p] || null);
      it.pos.textContent = String(p + 1);
      it.up.disabled = closed || p === 0;
      it.down.disabled = closed || p === n - 1;
    });
  };

  const dirty = () => !sent || sent.some((v, i) => v !== order[i]);

  function move(idx, delta) {
    const from = order.indexOf(idx);
    const to = from + delta;
    if (to < 0 || to >= n) return;
    order.splice(from, 1);
    order.splice(to, 0, idx);
    layout();
    const it = items[idx];
    // Keep focus on the moved item: on the same button, or the other one at either end.
    const same = delta < 0 ? it.up : it.down;
    (same.disabled ? (delta < 0 ? it.down : it.up) : same).focus();
    announce.textContent = t("ranking.moved", { item: options[idx], pos: to + 1, n });
    it.li.classList.remove("moved");
    void it.li.offsetWidth; // restart the highlight
    it.li.classList.add("moved");
    error.textContent = "";
    if (sent) {
      const next = dirty() ? t("ranking.unsaved") : t("saved");
      if (status.textContent !== next) status.textContent = next;
    }
  }

  layout();
  form.append(help, list, announce, error, button, status);
  if (sent) status.textContent = t("saved");

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const payload = { order: [...order] };
    const ack = await whileSending(button, () => {
      status.textContent = t("sending");
      return submit(payload);
    });
    if (!ack) return;
    if (ack.ok) {
      sent = payload.order;
      status.textContent = t("saved");
      button.textContent = t("change_answer");
    } else if (ack.pending) status.textContent = t("offline");
    else {
      status.textContent = "";
      error.textContent = ack.error.message;
    }
  });

  const resultBox = el("div", { class: "phone-results" });
  root.append(form, resultBox);
  const update = (res) => {
    // Only this kind's shape: an update meant for another activity must not break the page.
    if (!res || !res.aggregate) {
      clear(resultBox); // hidden again, or a reset: show no stale results
      return;
    }
    if (!Array.isArray(res.aggregate.items)) return;
    drawRanking(resultBox, res.aggregate, { el, t, compact: true, heading: true });
  };
  update(results);
  return { update };
}

/** The common order: one bar per option, longest for the highest Borda score. */
export function drawRanking(root, agg, { el, t, compact = false, heading = false, showPoints = true }) {
  const items = agg.items || [];
  const ranks = competitionRanks(items.map((it) => it.score));
  const rows = items.map((it, i) => {
    let text = it.average_rank == null ? "–" : t("ranking.avg_rank", { n: fmt(it.average_rank, 2) });
    if (showPoints && it.average_rank != null) text += ` · ${t("ranking.points", { n: fmt(it.score) })}`;
    return { label: it.option, value: it.score, rank: ranks[i], text };
  });
  const note = el("p", { class: "chart-note", text: t("ranking.rankings", { n: fmt(agg.rankings || 0) }) });
  const box = el("div", { class: "ranking-bars" });
  // A full bar: every ranking put the option first.
  valueBars(box, rows, { el, compact, max: agg.max_score, ranked: true });
  if (heading) clear(root).append(el("h2", { class: "results-heading", text: t("ranking.results") }), note, box);
  else clear(root).append(note, box);
}

export function presenter({ root, results, t, el }) {
  // The room reads the average place; the Borda points stay on the console.
  drawRanking(root, results.aggregate, { el, t, showPoints: false });
}

export function console({ root, results, t, el }) {
  drawRanking(root, results.aggregate, { el, t, compact: true });
}
