// Open text: free answers. The phone writes (with a character counter) and sees its own
// answers and their status; the presenter shows sticky-note cards; the console approves,
// hides, merges and deletes.
//
// This module also holds what the three text kinds share (word cloud and Q&A import it):
// the phone's write-and-list form, the console's moderation list, and fitting a list to
// the projector.
import { clear, fmt, keepFocus, whileSending } from "../core.js";
import { limitText, overLimit } from "./_limit.js";

// --- shared: small pieces ----------------------------------------------------------------

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function statusBadge(status, { el, t }) {
  if (status === "pending") return el("span", { class: "badge pending", text: t("pending") });
  if (status === "hidden") return el("span", { class: "badge hidden", text: t("hidden") });
  if (status === "queued") return el("span", { class: "badge queued", text: t("sending") });
  return null;
}

// --- shared: the phone's "write, send, see your entries" block ------------------------------

/**
 * A form for short texts with a per-participant limit, the phone's own entries under it and
 * a slot for results. Used by open text (textarea) and word cloud (one-line input).
 * Returns {update(results, mine)}; the field keeps what the user is typing across updates.
 */
export function textEntryPhone(ctx, opts) {
  const { root, activity, closed, submit, t, el } = ctx;
  const { key, multiline, maxLength, maxEntries, ownHeading, renderResults, premoderated, shownIds } = opts;
  let own = [...(ctx.mine || [])];
  let shown = new Set(); // ids the results show: an approved answer no longer awaits approval
  const queued = [];

  const fieldId = nextId(key);
  const field = multiline
    ? el("textarea", { id: fieldId, name: "text", rows: 4, placeholder: t(`${key}.placeholder`) })
    : el("input", { id: fieldId, name: "text", type: "text", placeholder: t(`${key}.placeholder`),
      autocomplete: "off", autocapitalize: "sentences", enterkeyhint: "send" });
  const counter = limitText(field, maxLength, { el, single: !multiline });
  const error = el("p", { class: "error", role: "alert", id: nextId("err") });
  const status = el("p", { class: "status", role: "status" });
  const remaining = el("p", { class: "remaining", id: nextId("left"), tabindex: "-1" });
  const button = el("button", { type: "submit", class: "primary big", text: t("send") });
  field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), remaining.id, error.id].filter(Boolean).join(" "));
  const form = el("form", { class: "text-form", novalidate: true },
    el("label", { for: fieldId, text: t(`${key}.label`) }), field, counter, error, button, status, remaining);
  const note = premoderated ? el("p", { class: "help", text: t(`${key}.premoderated`) }) : null;
  const ownList = el("ul", { class: "entries own-entries" });
  const ownBlock = el("section", { class: "own-block", "aria-labelledby": nextId("own") });
  const ownTitle = el("h2", { id: ownBlock.getAttribute("aria-labelledby"), text: ownHeading });
  ownBlock.append(ownTitle, ownList);
  const resultBox = el("div", { class: "phone-results" });
  root.append(...[form, note, ownBlock, resultBox].filter(Boolean));

  const used = () => own.length + queued.length;
  const full = () => used() >= maxEntries;

  function refresh() {
    const isFull = full();
    field.disabled = closed || isFull;
    button.disabled = closed || isFull || overLimit(field);
    remaining.className = isFull ? "limit-reached" : "remaining";
    remaining.textContent = isFull
      ? t(`${key}.limit_reached`)
      : t(`${key}.left`, { left: fmt(maxEntries - used()), n: fmt(maxEntries) });
    const all = [...own, ...queued];
    ownBlock.hidden = all.length === 0;
    clear(ownList);
    for (const entry of all) {
      const status = entry.status === "pending" && shown.has(entry.id) ? "visible" : entry.status;
      ownList.append(el("li", { "data-status": status },
        el("span", { class: "own-text", text: entry.data?.text ?? "" }), statusBadge(status, { el, t })));
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (closed || full()) return;
    const text = multiline ? field.value.trim() : field.value.split(/\s+/).filter(Boolean).join(" ");
    error.textContent = "";
    field.removeAttribute("aria-invalid");
    if (!text) {
      error.textContent = t(`${key}.empty`);
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    // The button stays focusable while sending (whileSending); after it, focus is on the
    // field for the next answer, or on the line saying that the limit is reached.
    const ack = await whileSending(button, () => {
      status.textContent = t("sending");
      return submit({ text });
    });
    if (!ack) return;
    if (ack.ok) {
      if (!own.some((e) => e.id === ack.response_id)) own.push({ id: ack.response_id, data: ack.data, status: ack.status });
      field.value = "";
      field.dispatchEvent(new Event("input"));
      status.textContent = ack.status === "pending" ? `${t("sent")} · ${t("pending")}` : t("sent");
    } else if (ack.pending) {
      // Kept in the outbox and sent when the connection is back.
      queued.push({ id: null, client_id: ack.client_id, data: { text }, status: "queued" });
      field.value = "";
      field.dispatchEvent(new Event("input"));
      status.textContent = t("offline");
    } else {
      status.textContent = "";
      error.textContent = ack.error?.message || t("error");
      field.setAttribute("aria-invalid", "true");
    }
    refresh();
    (field.disabled ? remaining : field).focus();
  });

  const update = (results, mine) => {
    if (mine) {
      own = [...mine];
      // An answer kept in the outbox and stored since is now one of `mine`: show it once.
      const stored = new Set(own.map((e) => e.client_id));
      for (let i = queued.length - 1; i >= 0; i--) if (stored.has(queued[i].client_id)) queued.splice(i, 1);
    }
    shown = new Set(results?.aggregate && shownIds ? shownIds(results.aggregate) : []);
    refresh();
    if (results && results.aggregate) renderResults(resultBox, results.aggregate);
    else clear(resultBox);
  };
  update(ctx.results, null);
  return { update };
}

// --- shared: the console's moderation list --------------------------------------------------

const modStates = new WeakMap();

/**
 * A moderation list in `host` that survives live updates: it is rebuilt only when what it
 * shows changed, keeps keyboard focus on the same control, and keeps an open merge picker.
 *
 * rows: [{key, text, status, merged?, meta: [string|Node], actions: [{id, label, run, danger?, confirm?}],
 *         merge?: {targets: [{value, label}], run(targetValue)}}]
 */
export function moderationList(host, rows, { el, t }) {
  let st = modStates.get(host);
  if (!st) {
    st = { sig: "", list: null, open: null, value: "", rows: [] };
    modStates.set(host, st);
  }
  st.rows = rows;
  const rerender = () => moderationList(host, st.rows, { el, t });
  if (st.open && !rows.some((r) => r.key === st.open && r.merge)) st.open = null;
  const sig = JSON.stringify([
    st.open,
    rows.map((r) => [r.key, r.text, r.status, r.merged, r.meta.map((m) => (typeof m === "string" ? m : m.textContent)),
      r.actions.map((a) => a.id), r.merge ? r.merge.targets.map((x) => [x.value, x.label]) : null]),
  ]);
  if (st.list && host.contains(st.list) && sig === st.sig) return;
  st.sig = sig;
  // Focus stays on the same control (data-fkey "row:action"), or on the same row when that
  // action is gone ("Hide" became "Show"), or on the row now in that place (a deleted row).
  const rowsBefore = st.list ? [...st.list.querySelectorAll(":scope > .mod-item")] : [];
  const at = rowsBefore.findIndex((li) => li.contains(document.activeElement));
  keepFocus(host, () => drawModeration(host, rows, st, rerender, { el, t }), () => {
    const items = host.querySelectorAll(".mod-list > .mod-item");
    const li = at >= 0 && items.length ? items[Math.min(at, items.length - 1)] : null;
    return li ? li.querySelector(".mod-actions button") : null;
  });
}

function drawModeration(host, rows, st, rerender, { el, t }) {
  const list = el("ul", { class: "mod-list" });
  for (const r of rows) {
    const buttons = r.actions.map((a) => el("button", {
      type: "button",
      class: a.danger ? "danger" : null,
      // Hide and Show are one switch: the one replaces the other under the same key.
      "data-fkey": `${r.key}:${a.id === "hide" || a.id === "show" ? "visibility" : a.id}`,
      onclick: async (ev) => {
        if (a.confirm && !window.confirm(a.confirm)) return;
        await whileSending(ev.currentTarget, a.run);
      },
    }, a.label));
    if (r.merge && r.merge.targets.length) {
      buttons.splice(buttons.length - (r.actions.some((a) => a.id === "delete") ? 1 : 0), 0,
        el("button", {
          type: "button",
          "aria-expanded": String(st.open === r.key),
          "data-fkey": `${r.key}:merge`,
          onclick: () => {
            st.open = st.open === r.key ? null : r.key;
            st.value = "";
            rerender();
            if (st.open) host.querySelector(`[data-fkey="${CSS.escape(`${r.key}:merge-select`)}"]`)?.focus();
          },
        }, t("merge")));
    }
    const item = el("li", { class: "mod-item", "data-status": r.status, "data-merged": r.merged ? "true" : null },
      el("div", { class: "mod-main" },
        el("p", { class: "mod-text", text: r.text }),
        r.meta.length ? el("p", { class: "mod-meta" }, r.meta) : null),
      el("div", { class: "mod-actions" }, buttons));
    if (st.open === r.key && r.merge) {
      const selectId = nextId("merge");
      const select = el("select", { id: selectId, "data-fkey": `${r.key}:merge-select`, onchange: (ev) => { st.value = ev.target.value; } },
        el("option", { value: "", text: "—" }),
        r.merge.targets.map((x) => el("option", { value: String(x.value), text: x.label, selected: String(x.value) === st.value })));
      item.append(el("div", { class: "mod-merge" },
        el("label", { for: selectId }, t("merge_pick"), select),
        el("button", {
          type: "button",
          class: "primary",
          "data-fkey": `${r.key}:merge-go`,
          onclick: async (ev) => {
            if (!st.value) {
              select.focus();
              return;
            }
            const target = st.value;
            await whileSending(ev.currentTarget, () => {
              st.open = null;
              st.value = "";
              return r.merge.run(target);
            });
            rerender();
          },
        }, t("merge").replace(/…$/, "")),
        el("button", {
          type: "button",
          "data-fkey": `${r.key}:merge-cancel`,
          onclick: () => {
            st.open = null;
            rerender();
            host.querySelector(`[data-fkey="${CSS.escape(`${r.key}:merge`)}"]`)?.focus();
          },
        }, t("cancel"))));
    }
    list.append(item);
  }
  if (!rows.length) list.append(el("li", { class: "empty", text: t("no_responses") }));
  clear(host).append(list);
  st.list = list;
}

/** Per-root state of a kind's console view; fresh when another activity drew there. */
const consoleViews = new WeakMap();
export function consoleView(root, activity, build) {
  const prev = consoleViews.get(root);
  if (prev && prev.id === activity.id && prev.gen === activity.generation && prev.node.parentNode === root) return prev.parts;
  const parts = build();
  clear(root).append(parts.node);
  consoleViews.set(root, { id: activity.id, gen: activity.generation, node: parts.node, parts });
  return parts;
}

/** Meta line pieces shared by the text kinds' moderation rows. */
export function whoMeta(item, { el, t }) {
  const meta = [];
  const badge = statusBadge(item.status, { el, t });
  if (badge) meta.push(badge);
  const who = [item.nickname, item.perspective].filter(Boolean).join(" · ");
  if (who) meta.push(who);
  return meta;
}

// --- open text ---------------------------------------------------------------------------

export function phone(ctx) {
  const { activity, t, el } = ctx;
  const cfg = activity.config;
  return textEntryPhone(ctx, {
    key: "open_text",
    multiline: true,
    maxLength: activity.limits?.text,
    maxEntries: cfg.max_entries || 3,
    premoderated: !!cfg.premoderate,
    ownHeading: t("your_answers"),
    shownIds: (agg) => agg.entries.map((e) => e.id),
    renderResults: (box, agg) => {
      const list = el("ul", { class: "answer-wall" });
      for (const e of agg.entries.slice(0, 100)) {
        list.append(el("li", {}, e.text, e.count > 1 ? el("span", { class: "ot-count", text: `×${fmt(e.count)}` }) : null));
      }
      clear(box).append(el("h2", { text: t("open_text.all_answers") }),
        agg.entries.length ? list : el("p", { class: "empty", text: t("open_text.no_answers") }));
    },
  });
}

const presenterSigs = new WeakMap();

export function presenter({ root, activity, results, t, el }) {
  const agg = results.aggregate;
  const sig = JSON.stringify([activity.id, agg.entries.map((e) => [e.id, e.text, e.count]), agg.total, root.clientWidth, root.clientHeight]);
  const prev = presenterSigs.get(root);
  if (prev && prev.sig === sig && root.contains(prev.node)) return;
  if (!agg.entries.length) {
    const node = el("p", { class: "wc-empty", text: t("open_text.no_answers") });
    clear(root).append(node);
    presenterSigs.set(root, { sig, node });
    return;
  }
  const n = agg.entries.length;
  const sizes = ["size-xl", "size-l", "size-m"];
  let size = n <= 4 ? 0 : n <= 9 ? 1 : 2;
  const cards = el("ul", { class: `cards ${sizes[size]}` });
  for (const e of agg.entries) {
    cards.append(el("li", {}, e.text,
      e.count > 1 ? el("span", { class: "ot-count", "aria-label": t("open_text.same_as", { n: fmt(e.count) }), text: `×${fmt(e.count)}` }) : null));
  }
  const more = el("p", { class: "pres-more", text: "\u00a0" }); // holds its line while sizing
  const node = el("div", { class: "ot-pres" }, cards, more);
  clear(root).append(node);
  // Smaller type before leaving cards out.
  while (size < sizes.length - 1 && cards.scrollHeight > cards.clientHeight + 1) {
    cards.classList.replace(sizes[size], sizes[size + 1]);
    size += 1;
  }
  // What still does not fit is paged by the presenter (kinds/_fit.js), never left out.
  const shown = cards.children.length;
  if (shown < agg.total) more.textContent = t("open_text.showing", { n: fmt(shown), total: fmt(agg.total) });
  else more.remove();
  presenterSigs.set(root, { sig, node });
}

export function console({ root, activity, results, moderate, t, el }) {
  // The count ("3 answers · 2 awaiting review") is the console's own line, the same words
  // as on the presenter and the phones.
  const parts = consoleView(root, activity, () => {
    const listHost = el("div", { "aria-live": "off" });
    return { node: el("div", { class: "text-console" }, listHost), listHost };
  });
  const items = results.items || [];
  const texts = new Map(items.map((i) => [i.id, i.text]));
  const short = (s) => (s.length > 70 ? `${s.slice(0, 69)}…` : s);
  const standing = items.filter((i) => !i.merged_into && i.status !== "pending");
  const rows = items.map((i) => {
    const meta = whoMeta(i, { el, t });
    if (i.count > 1) meta.unshift(el("span", { class: "ot-count", text: `×${fmt(i.count)}` }));
    if (i.merged_into) meta.unshift(el("span", { class: "badge merged", text: t("open_text.merged_into", { text: short(texts.get(i.merged_into) || "?") }) }));
    const act = (id, label, extra = {}) => ({ id, label, run: () => moderate(i.id, id), ...extra });
    const actions = [];
    if (i.status === "pending") actions.push(act("approve", t("approve")));
    if (i.status === "visible" && !i.merged_into) actions.push(act("hide", t("hide")));
    if (i.status === "hidden") actions.push(act("show", t("show")));
    actions.push(act("delete", t("delete"), { danger: true }));
    const merge = !i.merged_into && i.status !== "pending"
      ? { targets: standing.filter((x) => x.id !== i.id).map((x) => ({ value: x.id, label: short(x.text) })),
          run: (target) => moderate(i.id, "merge", Number(target)) }
      : null;
    return { key: String(i.id), text: i.text, status: i.status, merged: !!i.merged_into, meta, actions, merge };
  });
  moderationList(parts.listHost, rows, { el, t });
}
