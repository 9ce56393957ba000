// Step 4 Sortera: phones sort each nytta and kostnad (category, money or not, perspektiv) one
// by one; the screen shows the distribution per item with its agreement level and the gråzon;
// the console records the facilitator's decision in the draft analysis.
// The small helpers exported at the top are shared with describe.js and questions.js.
import { clear, fmt, whileSending } from "../core.js";

export const CATEGORIES = ["finansiell", "omfordelning", "kvalitet", "miljo"];
export const MONEY_CATEGORIES = ["finansiell", "omfordelning"];

// --- shared helpers ---------------------------------------------------------------------

/**
 * Memory that outlives a re-render: the console redraws the current activity on every
 * results and draft event, and a phone redraws on every state change. Keys are strings.
 */
export function memory() {
  const store = new Map();
  return {
    get: (key, fallback) => (store.has(key) ? store.get(key) : fallback),
    set: (key, value) => store.set(key, value),
    has: (key) => store.has(key),
    drop: (prefix) => {
      for (const key of [...store.keys()]) if (key.startsWith(prefix)) store.delete(key);
    },
  };
}

/** Append the children that are there (DOM append would print "null" for a missing one). */
export function put(parent, ...kids) {
  parent.append(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
  return parent;
}

/** Rebuild `root` with `build()`, keeping keyboard focus and the caret on the same field. */
export function rebuild(root, build) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? active.dataset.focusKey : null;
  let caret = null;
  if (key && typeof active.selectionStart === "number") caret = [active.selectionStart, active.selectionEnd];
  clear(root);
  build();
  if (!key) return;
  const again = [...root.querySelectorAll("[data-focus-key]")].find((n) => n.dataset.focusKey === key);
  if (!again) return;
  again.focus({ preventScroll: true });
  if (caret && typeof again.setSelectionRange === "function") {
    try {
      again.setSelectionRange(caret[0], caret[1]);
    } catch {
      /* not a text field */
    }
  }
}

/** The latest of a phone's own entries per item (`data.node`): the current vote or draft. */
export function latestPerNode(mine) {
  const out = new Map();
  for (const entry of mine || []) if (entry && entry.data && entry.status !== "deleted") out.set(entry.data.node, entry.data);
  return out;
}

/** A node of the draft analysis by id, when the console has the draft. */
export function draftNode(ctx, id) {
  const d = typeof ctx.draft_data === "function" ? ctx.draft_data() : null;
  return d && Array.isArray(d.nodes) ? d.nodes.find((n) => n.id === id) || null : null;
}

export function typeTag(type, { t, el }) {
  return el("span", { class: `kind-tag mk-type mk-type-${type}`, text: t(`sorting.type_${type}`) });
}

export const catLabel = (t, key) => (key ? t(`sorting.cat_${key}`) : "");

// --- drawing the distribution -------------------------------------------------------------

function pct(n, total) {
  return total ? Math.round((100 * n) / total) : 0;
}

/** A stacked bar of the category votes; segment texts, not only colours, name the categories. */
export function stackedBar(item, { t, el, labels = true }) {
  const total = item.n || 0;
  const parts = CATEGORIES.filter((c) => (item.categories?.[c] || 0) > 0);
  const spoken = CATEGORIES.map((c) => `${catLabel(t, c)} ${item.categories?.[c] || 0}`).join(", ");
  const bar = el("div", { class: "mk-stack", role: "img", "aria-label": total ? spoken : t("sorting.no_votes") });
  if (!total) {
    bar.classList.add("empty");
    bar.append(el("span", { class: "mk-stack-empty", text: t("sorting.no_votes") }));
    return bar;
  }
  for (const c of parts) {
    const n = item.categories[c];
    const seg = el("span", { class: `mk-seg cat-${c}`, title: `${catLabel(t, c)}: ${n}` });
    seg.style.flexGrow = String(n);
    if (labels) {
      const share = n / total;
      const text = share >= 0.3 ? `${catLabel(t, c)} ${n}` : share >= 0.12 ? String(n) : "";
      if (text) seg.append(el("span", { class: "mk-seg-text", "aria-hidden": "true", text }));
    }
    bar.append(seg);
  }
  return bar;
}

export function legend({ t, el }) {
  return el("ul", { class: "mk-legend", "aria-label": t("sorting.category") },
    CATEGORIES.map((c) => el("li", {}, el("span", { class: `mk-swatch cat-${c}`, "aria-hidden": "true" }), catLabel(t, c))));
}

function agreementText(item, t) {
  if (!item.n) return t("sorting.no_votes");
  const level = t(`sorting.agreement_${item.agreement}`);
  return `${level} · ${t("sorting.voters", { n: fmt(item.n) })}`;
}

function topText(item, t) {
  if (!item.n || !item.majority?.category) return "";
  return t("sorting.share_top", { pct: `${pct(item.categories[item.majority.category], item.n)} %`, cat: catLabel(t, item.majority.category) });
}

/** The gråzon badge: an icon and a word, so it does not depend on colour. */
export function greyBadge({ t, el }, short = false) {
  return el("span", { class: "mk-grey-badge" },
    el("span", { class: "mk-grey-icon", "aria-hidden": "true", text: "◐" }),
    " ", short ? t("sorting.grey_short") : t("sorting.grey_zone"));
}

function decisionText(decision, t) {
  if (!decision || !decision.category) return "";
  const parts = [catLabel(t, decision.category)];
  if (decision.valuation === "money") parts.push(t("sorting.in_money"));
  else if (decision.valuation === "size" && decision.size_score !== null && decision.size_score !== undefined)
    parts.push(`${t("sorting.val_size")}: ${t(`sorting.size_${decision.size_score}`)}`);
  else if (decision.valuation === "size") parts.push(t("sorting.val_size"));
  else parts.push(t("sorting.not_money"));
  if (decision.perspective) parts.push(decision.perspective);
  return parts.join(" · ");
}

function voteSummary(vote, t) {
  if (!vote) return "";
  const parts = [catLabel(t, vote.category)];
  parts.push(vote.money ? t("sorting.in_money") : t("sorting.not_money"));
  if (vote.perspective) parts.push(vote.perspective);
  return parts.join(" · ");
}

function greyFirst(items) {
  return items.map((it, i) => [it, i]).sort((a, b) => (b[0].grey_zone - a[0].grey_zone) || a[1] - b[1]).map((x) => x[0]);
}

// --- phone --------------------------------------------------------------------------------

const phoneState = memory();

export function phone(ctx) {
  const { root, activity, closed, submit, t, el } = ctx;
  const cfg = activity.config || {};
  const key = `${activity.id}:${activity.generation}`;
  let results = ctx.results;
  let mine = latestPerNode(ctx.mine);
  // Votes sent while offline wait in the outbox; show them as chosen meanwhile.
  const sent = phoneState.get(`${key}:sent`, new Map());
  phoneState.set(`${key}:sent`, sent);
  let contentSig = "";

  const content = () => results?.content || { items: [], perspectives: [] };
  const items = () => content().items || [];
  const voteOf = (id) => mine.get(id) || sent.get(id) || null;
  const picks = (id) => phoneState.get(`${key}:pick:${id}`, null);
  const setPick = (id, pick) => phoneState.set(`${key}:pick:${id}`, pick);

  // The place is kept by item id, so an item the facilitator adds or removes does not move it.
  function index() {
    const list = items();
    const byId = list.findIndex((x) => x.id === phoneState.get(`${key}:node`, null));
    if (byId >= 0) return byId;
    return Math.max(0, Math.min(phoneState.get(`${key}:index`, 0), Math.max(0, list.length - 1)));
  }
  function go(i, view = "item") {
    phoneState.set(`${key}:index`, i);
    phoneState.set(`${key}:node`, items()[i]?.id ?? null);
    phoneState.set(`${key}:view`, view);
    draw(true);
  }

  const box = el("div", { class: "mk-phone sort-phone" });
  const live = el("p", { class: "sr-only", "aria-live": "polite" });
  root.append(box, live);

  function draw(moveFocus = false) {
    contentSig = JSON.stringify(content());
    clear(box);
    const list = items();
    if (!list.length) {
      box.append(el("p", { class: "empty", text: t("sorting.no_items") }));
      return;
    }
    if (phoneState.get(`${key}:view`, "item") === "overview") drawOverview(list, moveFocus);
    else drawItem(list, index(), moveFocus);
  }

  function progress(i, total) {
    const done = items().filter((it) => voteOf(it.id)).length;
    return el("div", { class: "sort-progress" },
      el("p", { class: "sort-count" },
        el("strong", { text: t("sorting.progress", { n: i + 1, total }) }),
        el("span", { class: "muted", text: ` · ${t("sorting.n_voted", { n: done, total })}` })),
      el("progress", { max: String(total), value: String(done), "aria-label": t("sorting.n_voted", { n: done, total }) }));
  }

  function drawItem(all, i, moveFocus) {
    const it = all[i];
    const saved = voteOf(it.id);
    const pick = picks(it.id) || (saved ? { category: saved.category, money: !!saved.money, perspective: saved.perspective || "" }
      : { category: "", money: false, perspective: "" });
    const name = `sort-${activity.id}-${it.id}`;
    const heading = el("h2", { class: "sort-title", tabindex: "-1", text: it.title });
    const form = el("form", { class: "answer-form sort-form", novalidate: true });

    // Category
    const catSet = el("fieldset", { class: "sort-cats" }, el("legend", { text: t("sorting.category") }));
    for (const c of content().categories || CATEGORIES) {
      const id = `${name}-cat-${c}`;
      const input = el("input", { type: "radio", name: `${name}-cat`, id, value: c, checked: pick.category === c, disabled: closed,
        "aria-describedby": `${id}-help` });
      catSet.append(el("label", { class: "choice sort-cat", for: id }, input,
        el("span", { class: "sort-cat-text" },
          el("span", { class: `mk-swatch cat-${c}`, "aria-hidden": "true" }),
          el("strong", { text: catLabel(t, c) }),
          el("span", { class: "help sort-cat-help", id: `${id}-help`, text: t(`sorting.cat_help_${c}`) }))));
    }

    // Money
    let moneySet = null;
    const moneyHelpId = `${name}-money-help`;
    const moneyHelp = el("p", { class: "help", id: moneyHelpId, text: t("sorting.money_only") });
    if (cfg.ask_money !== false) {
      moneySet = el("fieldset", { class: "sort-money" }, el("legend", { text: t("sorting.money_q") }));
      const row = el("div", { class: "sort-yesno" });
      for (const [value, label] of [["yes", t("sorting.money_yes")], ["no", t("sorting.money_no")]]) {
        const id = `${name}-money-${value}`;
        row.append(el("label", { class: "choice", for: id },
          el("input", { type: "radio", name: `${name}-money`, id, value, checked: (value === "yes") === !!pick.money,
            disabled: closed, "aria-describedby": moneyHelpId }),
          el("span", { text: label })));
      }
      moneySet.append(row, moneyHelp);
    }

    // Perspective
    let perspSet = null;
    const labels = content().perspectives || [];
    if (cfg.ask_perspective !== false && labels.length) {
      perspSet = el("fieldset", { class: "sort-persp" }, el("legend", { text: t("sorting.perspective") }));
      for (const [value, label] of [...labels.map((l) => [l, l]), ["", t("sorting.no_perspective")]]) {
        const id = `${name}-p-${labels.indexOf(value)}`;
        perspSet.append(el("label", { class: "choice", for: id },
          el("input", { type: "radio", name: `${name}-persp`, id, value, checked: (pick.perspective || "") === value, disabled: closed }),
          el("span", { text: label })));
      }
    }

    const error = el("p", { class: "error", role: "alert" });
    const status = el("p", { class: "status", role: "status" });
    if (saved && !picks(it.id)) status.textContent = `${t("sorting.your_vote")}: ${voteSummary(saved, t)}`;
    const last = i === all.length - 1;
    const prev = el("button", { type: "button", class: "sort-prev", disabled: i === 0 },
      el("span", { "aria-hidden": "true", text: "← " }), t("sorting.prev"));
    // Locked: nothing can be saved, but the items can still be looked through.
    const nextText = closed ? (last ? t("sorting.overview") : t("sorting.forward")) : last ? t("sorting.save") : t("sorting.save_next");
    const next = el("button", { type: "submit", class: "primary sort-next" },
      nextText, last ? null : el("span", { "aria-hidden": "true", text: " →" }));
    const skip = el("button", { type: "button", class: "link sort-skip", text: t("sorting.next"), hidden: last || closed });
    const overview = el("button", { type: "button", class: "sort-overview-btn" }, t("sorting.overview"));

    function current() {
      const fd = new FormData(form);
      return {
        category: String(fd.get(`${name}-cat`) || ""),
        money: fd.get(`${name}-money`) === "yes",
        perspective: String(fd.get(`${name}-persp`) ?? (pick.perspective || "")),
      };
    }
    function syncMoney(announce) {
      if (!moneySet) return;
      const cat = current().category;
      const allowed = !cat || MONEY_CATEGORIES.includes(cat);
      const yes = moneySet.querySelector('input[value="yes"]');
      yes.disabled = closed || !allowed;
      moneyHelp.hidden = allowed;
      if (!allowed && yes.checked) {
        yes.checked = false;
        moneySet.querySelector('input[value="no"]').checked = true;
        if (announce) live.textContent = t("sorting.money_only");
      }
    }
    form.addEventListener("change", () => {
      syncMoney(true);
      setPick(it.id, current());
      error.textContent = "";
      status.textContent = "";
    });
    syncMoney(false);

    prev.addEventListener("click", () => {
      setPick(it.id, current());
      go(i - 1);
    });
    skip.addEventListener("click", () => {
      setPick(it.id, current());
      go(i + 1);
    });
    overview.addEventListener("click", () => {
      setPick(it.id, current());
      go(i, "overview");
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (closed) {
        go(last ? i : i + 1, last ? "overview" : "item");
        return;
      }
      const vote = current();
      if (!vote.category) {
        error.textContent = t("sorting.pick_category");
        catSet.querySelector("input")?.focus();
        return;
      }
      const before = voteOf(it.id);
      const unchanged = before && before.category === vote.category && !!before.money === vote.money &&
        (before.perspective || "") === (vote.perspective || "");
      if (!unchanged) {
        status.textContent = t("sending");
        const ack = await whileSending(next, () => submit({ node: it.id, category: vote.category, money: vote.money, perspective: vote.perspective || null }));
        if (!ack) return;
        if (ack.ok || ack.pending) {
          sent.set(it.id, { node: it.id, ...vote });
          if (ack.ok && ack.data) mine.set(it.id, ack.data);
          live.textContent = ack.pending ? t("offline") : t("sorting.saved_item");
        } else {
          status.textContent = "";
          error.textContent = ack.error?.message || t("error");
          return;
        }
      }
      setPick(it.id, null);
      if (last) go(i, "overview");
      else go(i + 1);
    });

    const desc = it.description ? el("p", { class: "sort-desc", text: it.description }) : null;
    put(form, catSet, moneySet, perspSet, error,
      el("div", { class: "sort-nav" }, prev, next), el("div", { class: "sort-nav2" }, skip, overview), status);
    const group = el("div", { class: "sort-group", "aria-live": "off" });
    put(box, progress(i, all.length), el("div", { class: "sort-item-head" }, typeTag(it.type, ctx), heading), desc, form, group);
    drawGroup(group, it.id);
    if (moveFocus) heading.focus();
  }

  function drawGroup(group, id) {
    clear(group);
    const agg = results?.visible ? results.aggregate : null;
    const it = agg?.items?.find((x) => x.id === id);
    if (!it) return;
    put(group, el("h3", { text: t("sorting.group_votes") }), stackedBar(it, ctx),
      el("p", { class: "muted", text: agreementText(it, t) }), it.grey_zone ? greyBadge(ctx) : null);
  }

  function drawOverview(all, moveFocus) {
    const done = all.filter((it) => voteOf(it.id)).length;
    const heading = el("h2", { tabindex: "-1", text: t("sorting.overview") });
    const ol = el("ol", { class: "sort-overview" });
    all.forEach((it, i) => {
      const v = voteOf(it.id);
      ol.append(el("li", {},
        el("button", { type: "button", class: "pick sort-pick", onclick: () => go(i) },
          el("span", { class: "sort-pick-text" },
            el("span", { class: "pick-title", text: it.title }),
            el("span", { class: "muted sort-pick-vote", text: v ? voteSummary(v, t) : "" })),
          el("span", { class: v ? "badge done" : "badge", text: v ? t("sorting.voted") : t("sorting.not_voted") }))));
    });
    box.append(
      el("p", { class: done === all.length ? "status" : "muted", text: done === all.length ? t("sorting.all_done") : t("sorting.n_voted", { n: done, total: all.length }) }),
      heading, ol,
      el("button", { type: "button", class: "primary big", onclick: () => go(Math.min(index(), all.length - 1)) }, t("sorting.back_to_item")));
    if (moveFocus) heading.focus();
  }

  draw(false);
  return {
    update(res, newMine) {
      results = res || results;
      if (newMine) {
        const fresh = latestPerNode(newMine);
        for (const [id, v] of fresh) mine.set(id, v);
      }
      if (JSON.stringify(content()) !== contentSig) {
        draw(false);
        return;
      }
      const group = box.querySelector(".sort-group");
      if (group && phoneState.get(`${key}:view`, "item") === "item") drawGroup(group, items()[index()]?.id);
    },
  };
}

// --- presenter ----------------------------------------------------------------------------


export function presenter({ root, results, t, el }) {
  const agg = results.aggregate || {};
  clear(root);
  const items = greyFirst(agg.items || []);
  if (!agg.ready || !items.length) {
    root.append(el("p", { class: "pres-hidden", text: agg.ready ? t("sorting.no_items") : t("sorting.no_analysis") }));
    return;
  }
  const s = agg.summary;
  const head = el("div", { class: "sort-pres-head" }, legend({ t, el }),
    s.grey ? el("p", { class: "sort-pres-grey" }, greyBadge({ t, el }, true), ` ${fmt(s.grey)}`) : null);
  const cols = items.length > 8 ? " three-col" : items.length > 4 ? " two-col" : "";
  const list = el("ol", { class: "sort-pres-list" + cols });
  // Three columns leave no room beside the title: the agreement moves to the line below the bar.
  const agreeOnTop = !cols.includes("three");
  for (const it of items) {
    const decision = it.decided ? `✓ ${t("sorting.decided")}: ${decisionText({ ...it.decision, perspective: "" }, t)}` : "";
    const agree = it.n ? el("span", { class: `sort-pres-agree mk-agree mk-agree-${it.agreement || "none"}`, text: agreementText(it, t) }) : null;
    const meta = [agreeOnTop ? null : agree, topText(it, t) ? el("span", { text: topText(it, t) }) : null,
      decision ? el("span", { class: "sort-pres-decision", text: decision }) : null].filter(Boolean);
    list.append(el("li", { class: "sort-pres-item" + (it.grey_zone ? " grey" : ""), dataset: { agreement: it.agreement || "none" } },
      el("div", { class: "sort-pres-top" },
        it.grey_zone ? greyBadge({ t, el }, true) : null,
        el("span", { class: "sort-pres-name", text: it.title }),
        agreeOnTop ? agree : null),
      stackedBar(it, { t, el }),
      meta.length ? el("p", { class: "sort-pres-meta" }, meta.flatMap((m, i) => (i ? [" · ", m] : [m]))) : null));
  }
  root.append(head, list);
}

// --- console ------------------------------------------------------------------------------

const consoleState = memory();

function majorityPrefill(it) {
  const m = it.majority || {};
  const category = m.category || "";
  let valuation = "none";
  if (category && MONEY_CATEGORIES.includes(category) && m.money === true) valuation = "money";
  else if (category) valuation = "size";
  return { category, valuation, size_score: "", perspective: m.perspective || "", motivation: "" };
}

export function console(ctx) {
  const { root, activity, results, t, el } = ctx;
  const agg = results.aggregate || {};
  const key = `${activity.id}:${activity.generation}`;
  rebuild(root, () => {
    if (!agg.ready) {
      root.append(el("p", { class: "empty", text: t("sorting.no_analysis") }));
      return;
    }
    const s = agg.summary;
    const greyToggle = el("input", { type: "checkbox", id: `sort-grey-${activity.id}`, checked: consoleState.get(`${key}:greyFirst`, true),
      dataset: { focusKey: "grey-first" } });
    greyToggle.addEventListener("change", () => {
      consoleState.set(`${key}:greyFirst`, greyToggle.checked);
      console(ctx);
    });
    root.append(
      el("div", { class: "mk-console-head" },
        el("p", { class: "mk-summary", text: [t("sorting.summary_items", { n: fmt(s.items) }), t("sorting.summary_voted", { n: fmt(s.voted) }), t("sorting.summary_grey", { n: fmt(s.grey) }), t("sorting.summary_decided", { n: fmt(s.decided) })].join(" · ") }),
        el("label", { class: "check", for: greyToggle.id }, greyToggle, t("sorting.grey_first")),
        legend({ t, el })));
    if (!agg.items.length) {
      root.append(el("p", { class: "empty", text: t("sorting.no_items") }));
      return;
    }
    const items = consoleState.get(`${key}:greyFirst`, true) ? greyFirst(agg.items) : agg.items;
    const list = el("div", { class: "mk-items" });
    for (const it of items) list.append(consoleItem(ctx, it, key, agg.perspectives || []));
    root.append(list);
  });
}

function consoleItem(ctx, it, key, labels) {
  const { t, el } = ctx;
  const ik = `${key}:${it.id}`;
  const fromDraft = draftNode(ctx, it.id);
  const decision = fromDraft
    ? { category: fromDraft.category, valuation: fromDraft.valuation, size_score: fromDraft.size_score, perspective: fromDraft.perspective || "", motivation: fromDraft.motivation || "" }
    : it.decision;
  const decided = !!decision?.category;
  const details = el("details", { class: "mk-item sort-item" + (it.grey_zone ? " grey" : ""), open: consoleState.get(`${ik}:open`, false) });
  details.addEventListener("toggle", () => consoleState.set(`${ik}:open`, details.open));
  details.append(el("summary", { class: "mk-item-summary" },
    el("span", { class: "mk-item-title" }, it.grey_zone ? greyBadge(ctx, true) : null, " ", el("strong", { text: it.title }), " ", typeTag(it.type, ctx)),
    el("span", { class: "sort-summary-bar" }, stackedBar(it, { ...ctx, labels: false })),
    el("span", { class: `mk-agree mk-agree-${it.agreement || "none"}`, text: agreementText(it, t) }),
    el("span", { class: decided ? "badge done" : "badge", text: decided ? `✓ ${decisionText(decision, t)}` : t("sorting.not_decided") })));

  // Distribution in detail
  const dist = el("div", { class: "sort-dist" });
  const catList = el("ul", { class: "sort-dist-list" });
  for (const c of CATEGORIES) {
    const n = it.categories?.[c] || 0;
    const fill = el("span", { class: `mk-mini-fill cat-${c}` });
    fill.style.width = `${pct(n, it.n)}%`;
    catList.append(el("li", { class: it.majority?.category === c ? "top" : "" },
      el("span", { class: "sort-dist-label", text: catLabel(t, c) }),
      el("span", { class: "mk-mini-track", "aria-hidden": "true" }, fill),
      el("span", { class: "sort-dist-n", text: `${fmt(n)} (${pct(n, it.n)} %)` })));
  }
  dist.append(el("h3", { text: t("sorting.category") }), catList,
    el("p", { text: t("sorting.money_votes", { yes: fmt(it.money?.yes || 0), no: fmt(it.money?.no || 0) }) }));
  if ((it.perspectives || []).length) {
    dist.append(el("h3", { text: t("sorting.perspective_short") }),
      el("ul", { class: "sort-persp-list" }, it.perspectives.map((p) => el("li", {}, el("span", { text: p.label }), " ", el("strong", { text: fmt(p.n) }))),
        it.no_perspective ? el("li", {}, el("span", { text: t("sorting.no_perspective") }), " ", el("strong", { text: fmt(it.no_perspective) })) : null));
  }
  if (it.grey_zone) dist.append(el("p", { class: "mk-grey-note" }, greyBadge(ctx)));
  if (it.description) dist.prepend(el("p", { class: "muted", text: it.description }));

  details.append(el("div", { class: "mk-item-body" }, dist, decisionForm(ctx, it, decision, decided, ik, labels)));
  return details;
}

function decisionForm(ctx, it, decision, decided, ik, labels) {
  const { t, el } = ctx;
  const base = decided
    ? { category: decision.category || "", valuation: decision.valuation || "none", size_score: decision.size_score ?? "",
      perspective: decision.perspective || "", motivation: decision.motivation || "" }
    : majorityPrefill(it);
  const val = (f) => consoleState.get(`${ik}:f:${f}`, base[f]);
  const remember = (f, v) => consoleState.set(`${ik}:f:${f}`, v);
  const id = (f) => `sort-${ik.replace(/:/g, "-")}-${f}`;
  const form = el("form", { class: "mk-form sort-decision", novalidate: true });

  const cat = el("select", { id: id("category"), dataset: { focusKey: `${ik}:category` } },
    el("option", { value: "", text: t("sorting.choose") }),
    CATEGORIES.map((c) => el("option", { value: c, selected: val("category") === c, text: catLabel(t, c) })));
  const valuation = el("fieldset", { class: "mk-inline-radios" }, el("legend", { text: t("sorting.valuation") }),
    [["money", t("sorting.val_money")], ["size", t("sorting.val_size")], ["none", t("sorting.val_none")]].map(([v, label]) =>
      el("label", { class: "check" },
        el("input", { type: "radio", name: id("valuation"), value: v, checked: val("valuation") === v, dataset: { focusKey: `${ik}:valuation:${v}` } }),
        label)));
  const size = el("select", { id: id("size"), dataset: { focusKey: `${ik}:size` } },
    el("option", { value: "", text: t("sorting.choose") }),
    [0, 1, 2, 3].map((n) => el("option", { value: String(n), selected: String(val("size_score")) === String(n), text: t(`sorting.size_${n}`) })));
  const sizeWrap = el("div", { class: "sort-size" }, el("label", { for: id("size"), text: t("sorting.size_score") }), size);
  const perspOptions = [...labels];
  if (val("perspective") && !perspOptions.includes(val("perspective"))) perspOptions.push(val("perspective"));
  const persp = el("select", { id: id("persp"), dataset: { focusKey: `${ik}:persp` } },
    el("option", { value: "", text: t("sorting.choose") }),
    perspOptions.map((p) => el("option", { value: p, selected: val("perspective") === p, text: p })));
  const motivation = el("textarea", { id: id("motivation"), rows: "3", maxlength: "5000", dataset: { focusKey: `${ik}:motivation` },
    "aria-describedby": id("motivation-help") });
  motivation.value = val("motivation");
  const warn = el("p", { class: "help mk-warn", text: t("sorting.money_only") });
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status", text: consoleState.get(`${ik}:status`, "") });
  const dirty = ["category", "valuation", "size_score", "perspective", "motivation"].some((f) => consoleState.has(`${ik}:f:${f}`));
  const note = el("p", { class: "help" },
    dirty ? t("sorting.unsaved") : !decided && it.n ? t("sorting.prefilled") : "");

  const read = () => ({
    category: cat.value,
    valuation: form.querySelector(`input[name="${id("valuation")}"]:checked`)?.value || "none",
    size_score: size.value,
    perspective: persp.value,
    motivation: motivation.value,
  });
  const refresh = () => {
    const v = read();
    sizeWrap.hidden = v.valuation !== "size";
    warn.hidden = !(v.valuation === "money" && v.category && !MONEY_CATEGORIES.includes(v.category));
  };
  form.addEventListener("input", () => {
    const v = read();
    for (const [f, value] of Object.entries(v)) remember(f, value);
    consoleState.set(`${ik}:status`, "");
    status.textContent = "";
    error.textContent = "";
    note.textContent = t("sorting.unsaved");
    refresh();
  });
  form.addEventListener("change", () => form.dispatchEvent(new Event("input")));

  const save = el("button", { type: "submit", class: "primary", dataset: { focusKey: `${ik}:save` }, text: t("sorting.save_decision") });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = read();
    if (v.valuation === "size" && v.size_score === "") {
      error.textContent = t("sorting.size_required");
      size.setAttribute("aria-invalid", "true");
      size.focus();
      return;
    }
    size.removeAttribute("aria-invalid");
    save.disabled = true;
    error.textContent = "";
    const ack = await ctx.draft("node.update", {
      id: it.id,
      data: {
        category: v.category || null,
        valuation: v.valuation,
        size_score: v.valuation === "size" && v.size_score !== "" ? Number(v.size_score) : null,
        perspective: v.perspective,
        motivation: v.motivation,
      },
    });
    save.disabled = false;
    if (ack && ack.ok) {
      consoleState.drop(`${ik}:f:`);
      consoleState.set(`${ik}:status`, t("sorting.saved_decision"));
      status.textContent = t("sorting.saved_decision");
      note.textContent = "";
    } else {
      error.textContent = ack?.error?.message || t("error");
    }
  });

  form.append(
    el("h3", { text: t("sorting.decision") }), note,
    el("label", { for: id("category"), text: t("sorting.category") }), cat,
    valuation, warn, sizeWrap,
    el("label", { for: id("persp"), text: t("sorting.perspective_short") }), persp,
    el("label", { for: id("motivation"), text: t("sorting.motivation") }),
    el("p", { class: "help", id: id("motivation-help"), text: t("sorting.motivation_help") }), motivation,
    error, el("div", { class: "button-row" }, save), status);
  refresh(); // once the radios are in the form: a prefilled "uppskattad storlek" shows its size field
  return form;
}
