// The votes split by the voter's perspective, drawn the same way for every kind on the
// presenter and in the console: a table, one column per voter's perspective and one for all.
// The server applies the small-group rule (workshop/activities/_split.py): a hidden cell comes
// without a figure, and this module only says why ("för få svar", or kept back to protect a
// small group). Phones never get a split.
import { clear, fmt } from "./core.js";

const SHARE_MEASURES = new Set(["votes", "mean_points", "majority", "dots", "upvotes", "yes"]);

/** The text of one figure: "3 (60 %)", "Kvalitet 67 %", "1,75". */
export function cellText(cell, split) {
  if (!cell || cell.value === null || cell.value === undefined) return "–";
  const value = typeof cell.value === "number" ? fmt(cell.value, split.digits || 0) : String(cell.value);
  if (cell.share === undefined || !SHARE_MEASURES.has(split.measure)) return value;
  const pct = `${fmt(Math.round(cell.share * 100))} %`;
  return split.measure === "majority" ? `${value} ${pct}` : `${value} (${pct})`;
}

function groupLabel(group, t) {
  return group.none ? t("console.split_none") : group.key;
}

function figure(cell, split, t, el) {
  if (cell.hidden) {
    const text = cell.hidden === "too_few" ? t("console.split_too_few") : t("console.split_hidden");
    return el("td", { class: `split-cell split-hidden split-${cell.hidden}`, text });
  }
  const td = el("td", { class: "split-cell", text: cellText(cell, split) });
  if (typeof cell.share === "number") td.style.setProperty("--share", `${Math.round(cell.share * 100)}%`);
  return td;
}

/** Draw `split` (the results payload's `split`) into `root`. `compact` (the presenter): the
 * heading joins the caption on one line, so the table keeps the room. */
export function drawSplit(root, split, { t, el, heading = "h2", compact = false }) {
  const box = el("section", { class: "split" + (compact ? " compact" : ""), "aria-labelledby": "split-heading" });
  box.append(el(heading, { id: "split-heading", class: "split-heading" + (compact ? " sr-only" : ""), text: t("console.split_heading") }));
  if (!split.groups.length || !split.rows.length) {
    box.append(el("p", { class: "empty", text: t("console.split_empty") }));
    clear(root).append(box);
    return box;
  }
  const head = el("tr", {}, el("th", { scope: "col", class: "split-row-head", text: t("console.split_answer") }));
  for (const g of split.groups) {
    const sub = g.hidden === "too_few"
      ? t("console.split_too_few")
      : g.voters !== null && g.voters !== undefined ? t("console.split_voters", { n: fmt(g.voters) }) : "";
    head.append(el("th", { scope: "col", class: "split-group" + (g.hidden ? " split-hidden" : "") },
      el("span", { class: "split-group-name", text: groupLabel(g, t) }),
      sub ? el("span", { class: "split-group-n", text: sub }) : null));
  }
  head.append(el("th", { scope: "col", class: "split-group split-all" },
    el("span", { class: "split-group-name", text: t("console.split_all") }),
    el("span", { class: "split-group-n", text: t("console.split_voters", { n: fmt(split.voters) }) })));
  const body = el("tbody");
  for (const row of split.rows) {
    const tr = el("tr", {}, el("th", { scope: "row", class: "split-label" },
      el("span", { text: row.label }),
      row.note ? el("span", { class: "split-note", text: row.note }) : null));
    row.cells.forEach((cell) => tr.append(figure(cell, split, t, el)));
    tr.append(figure(row.total, split, t, el));
    body.append(tr);
  }
  const cols = split.groups.length + 1;
  const measure = t(`console.split_measure.${split.measure}`);
  const table = el("table", { class: "split-table", style: { "--cols": String(cols) }, dataset: { wide: String(cols > 5), measure: split.measure } },
    el("caption", { text: compact ? `${t("console.split_heading")} · ${measure}` : measure }),
    el("thead", {}, head), body);
  const protects = split.rows.some((r) => r.cells.some((c) => c.hidden === "protects"));
  box.append(table,
    el("p", { class: "split-rule" }, t("console.split_rule", { n: fmt(split.min) }),
      protects ? ` ${t("console.split_protects_note")}` : ""));
  clear(root).append(box);
  return box;
}
