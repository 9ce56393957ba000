// Word cloud: phones send a few short words; the presenter and console lay them out with
// the vendored d3-cloud (global d3.layout.cloud, loaded on those two pages), sized by how
// many wrote each word. Words are SVG <text> nodes filled via textContent; a visually
// hidden list gives screen readers the same words and counts.
import { clear, fmt } from "../core.js";
import { consoleView, moderationList, textEntryPhone } from "./open_text.js";

// --- the cloud -----------------------------------------------------------------------------

const PALETTE = 6;
const clouds = new WeakMap(); // host -> {sig, svg, words, opts, observer, timer, shown}

/** Deterministic random numbers, so the same words land in the same places every time. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function layout(words, W, H, { minFont, maxFont, readable, padding, family }) {
  const counts = words.map((w) => w.count);
  const lo = Math.sqrt(Math.min(...counts));
  const hi = Math.sqrt(Math.max(...counts));
  const weight = (c) => (hi === lo ? (words.length === 1 ? 1 : 0.4) : (Math.sqrt(c) - lo) / (hi - lo));
  const base = words.map((w) => minFont + weight(w.count) * (maxFont - minFont));
  // First guess from the area the words need (bold text: ~0.62 em per letter, 1.2 em high),
  // so most clouds lay out in one pass instead of shrinking step by step.
  const need = words.reduce((sum, w, i) => sum + (w.text.length * 0.62 + 0.4) * base[i] * 1.2 * base[i], 0);
  let scale = Math.min(1, Math.sqrt((0.45 * W * H) / need));
  let placed = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const input = words.map((w, i) => ({ text: w.text, count: w.count, rank: i, size: Math.max(readable, Math.round(base[i] * scale)) }));
    placed = [];
    window.d3.layout.cloud()
      .size([W, H])
      .words(input)
      .padding(padding)
      .rotate(0)
      .font(family)
      .fontWeight("700")
      .fontSize((d) => d.size)
      .random(seeded(20240601))
      .spiral("archimedean")
      .on("end", (tags) => { placed = tags; })
      .start();
    // Everything fits, or shrinking more would make the smallest words unreadable:
    // then the least frequent ones stay out of the picture (they remain in the list).
    if (placed.length === words.length || Math.min(...base) * scale * 0.85 < readable) break;
    scale *= 0.85;
  }
  return placed;
}

/**
 * Draw `words` ([{text, count}], most frequent first) as a cloud filling `host`.
 * Does nothing when the words, counts and size are what is already drawn.
 */
export function drawCloud(host, words, { el, t, projector = false, force = false }) {
  let st = clouds.get(host);
  if (!st) {
    st = { sig: "", svg: null, words: [], shown: new Set(), observer: null, timer: null };
    clouds.set(host, st);
  }
  st.words = words;
  const W = Math.max(240, Math.floor(host.clientWidth));
  const H = Math.max(160, Math.floor(host.clientHeight));
  const sig = JSON.stringify([W, H, words.map((w) => [w.text, w.count])]);
  if (!force && st.svg && host.contains(st.svg) && sig === st.sig) return;
  st.sig = sig;

  const srList = el("ul", { class: "sr-only", "aria-label": t("word_cloud.words_list") },
    words.map((w) => el("li", { text: `${w.text}: ${t("word_cloud.times", { n: fmt(w.count) })}` })));
  if (!words.length) {
    st.svg = el("p", { class: "wc-empty", text: t("word_cloud.no_words") });
    clear(host).append(st.svg);
    st.shown = new Set();
    return;
  }
  let visual;
  if (window.d3?.layout?.cloud) {
    const family = getComputedStyle(host).fontFamily || "sans-serif";
    const maxFont = projector ? Math.min(H * 0.26, W * 0.13) : Math.min(H * 0.22, W * 0.11);
    const minFont = projector ? Math.max(22, H * 0.05) : Math.max(13, H * 0.05);
    const placed = layout(words, W, H, { minFont, maxFont, readable: projector ? 22 : 12, padding: projector ? 4 : 2, family });
    const group = el("g", { transform: `translate(${W / 2},${H / 2})` });
    for (const d of placed) {
      group.append(el("text", {
        class: `wc-c${d.rank % PALETTE}` + (st.shown.has(d.text) ? "" : " wc-new"),
        "text-anchor": "middle",
        "font-size": d.size,
        transform: `translate(${d.x},${d.y})${d.rotate ? ` rotate(${d.rotate})` : ""}`,
        text: d.text,
      }));
    }
    st.shown = new Set(placed.map((d) => d.text));
    // Zoom so the words fill the space (the spiral leaves margins), within reason.
    let box = [0, 0, W, H];
    if (placed.length) {
      const x0 = Math.min(...placed.map((d) => d.x + d.x0)) + W / 2;
      const x1 = Math.max(...placed.map((d) => d.x + d.x1)) + W / 2;
      const y0 = Math.min(...placed.map((d) => d.y + d.y0)) + H / 2;
      const y1 = Math.max(...placed.map((d) => d.y + d.y1)) + H / 2;
      const margin = projector ? Math.round(W * 0.03) : 8;
      const zoom = Math.max(1, Math.min(W / (x1 - x0 + 2 * margin), H / (y1 - y0 + 2 * margin), projector ? 1.5 : 1.4));
      const vw = W / zoom;
      const vh = H / zoom;
      box = [(x0 + x1) / 2 - vw / 2, (y0 + y1) / 2 - vh / 2, vw, vh].map((v) => Math.round(v * 10) / 10);
    }
    visual = el("svg", {
      class: "cloud",
      viewBox: box.join(" "),
      preserveAspectRatio: "xMidYMid meet",
      role: "img",
      "aria-label": t("word_cloud.cloud_label", { n: fmt(words.length) }),
    }, group);
  } else {
    // No layout library on this page: a flowing list, sized by frequency.
    const top = words[0].count;
    visual = el("ul", { class: "wc-fallback", "aria-hidden": "true" },
      words.map((w, i) => el("li", { class: `wc-c${i % PALETTE}`, style: { fontSize: `${1 + (1.6 * w.count) / top}em` }, text: w.text })));
    st.shown = new Set(words.map((w) => w.text));
  }
  st.svg = visual;
  clear(host).append(visual, srList);

  // Redraw when the window changes size (a projector going full screen, say).
  if (!st.observer && "ResizeObserver" in window) {
    st.observer = new ResizeObserver(() => {
      clearTimeout(st.timer);
      st.timer = setTimeout(() => {
        if (!st.svg || !host.contains(st.svg)) {
          st.observer.disconnect();
          st.observer = null;
          return;
        }
        drawCloud(host, st.words, { el, t, projector });
      }, 200);
    });
    st.observer.observe(host);
  }
}

// --- phone ---------------------------------------------------------------------------------

export function phone(ctx) {
  const { activity, t, el } = ctx;
  const cfg = activity.config;
  return textEntryPhone(ctx, {
    key: "word_cloud",
    multiline: false,
    maxLength: activity.limits?.text,
    maxEntries: cfg.max_entries || 3,
    ownHeading: t("word_cloud.your_words"),
    renderResults: (box, agg) => {
      const list = el("ol", { class: "top-words" });
      for (const w of agg.words.slice(0, 15)) {
        list.append(el("li", {}, el("span", { class: "word", text: w.text }), el("span", { class: "n", text: fmt(w.count) })));
      }
      clear(box).append(el("h2", { text: t("word_cloud.top_words") }),
        agg.words.length ? list : el("p", { class: "empty", text: t("word_cloud.no_words") }));
    },
  });
}

// --- presenter -----------------------------------------------------------------------------

const presenterHosts = new WeakMap();

export function presenter({ root, results, t, el }) {
  let host = presenterHosts.get(root);
  if (!host || host.parentNode !== root) {
    host = el("div", { class: "wc-host", "aria-live": "off" });
    clear(root).append(host);
    presenterHosts.set(root, host);
  }
  drawCloud(host, results.aggregate.words, { el, t, projector: true });
}

// --- console -------------------------------------------------------------------------------

/** Entries grouped by the word they count toward (console items carry that as `group`). */
function groupItems(items) {
  const groups = new Map();
  for (const i of items) {
    if (!groups.has(i.group)) groups.set(i.group, { key: i.group, standing: [], merged: [] });
    groups.get(i.group)[i.merged_into ? "merged" : "standing"].push(i);
  }
  const out = [];
  for (const g of groups.values()) {
    const spellings = new Map();
    for (const i of g.standing) if (i.status === "visible") spellings.set(i.text, (spellings.get(i.text) || 0) + 1);
    let word = g.standing[0]?.text ?? g.merged[0]?.text ?? g.key;
    let best = 0;
    for (const [s, n] of spellings) if (n > best) [word, best] = [s, n];
    const all = [...g.standing, ...g.merged];
    out.push({
      ...g,
      word,
      all,
      visible: all.filter((i) => i.status === "visible").length,
      hidden: all.filter((i) => i.status === "hidden").length,
      rep: (g.standing.find((i) => i.status === "visible") || g.standing[0])?.id,
    });
  }
  out.sort((a, b) => b.visible - a.visible || a.word.localeCompare(b.word));
  return out;
}

export function console({ root, activity, results, moderate, t, el }) {
  const parts = consoleView(root, activity, () => {
    const cloud = el("div", { class: "wc-host", "aria-live": "off" });
    const summary = el("p", { class: "mod-summary", "aria-live": "polite" });
    const heading = el("h3", { text: t("word_cloud.words") });
    const listHost = el("div", { "aria-live": "off" });
    return { node: el("div", { class: "text-console" }, cloud, summary, heading, listHost), cloud, summary, listHost };
  });
  const agg = results.aggregate;
  drawCloud(parts.cloud, agg.words, { el, t });
  parts.summary.textContent = `${t("word_cloud.entries", { n: fmt(agg.entries) })} · ${t("word_cloud.n_words", { n: fmt(agg.distinct ?? agg.words.length) })}`;

  const groups = groupItems(results.items || []);
  const each = async (entries, action) => {
    for (const i of entries) await moderate(i.id, action);
  };
  const rows = groups.map((g) => {
    const meta = [el("span", { class: "ot-count", text: `×${fmt(g.visible)}` })];
    if (g.hidden) meta.push(el("span", { class: "badge hidden", text: `${t("hidden")}: ${fmt(g.hidden)}` }));
    const mergedWords = [...new Set(g.merged.map((i) => i.text))];
    if (mergedWords.length) meta.push(t("word_cloud.merged_here", { words: mergedWords.join(", ") }));
    const actions = [];
    const visibleStanding = g.standing.filter((i) => i.status === "visible");
    if (visibleStanding.length) actions.push({ id: "hide", label: t("word_cloud.hide_all"), run: () => each(visibleStanding, "hide") });
    const hidden = g.all.filter((i) => i.status === "hidden");
    if (hidden.length) actions.push({ id: "show", label: t("word_cloud.show_all"), run: () => each(hidden, "show") });
    actions.push({ id: "delete", label: t("delete"), danger: true, confirm: t("word_cloud.confirm_delete", { word: g.word }), run: () => each(g.all, "delete") });
    const merge = g.standing.length
      ? {
          targets: groups.filter((o) => o.key !== g.key && o.rep).map((o) => ({ value: o.rep, label: o.word })),
          run: async (target) => {
            for (const i of g.standing) await moderate(i.id, "merge", Number(target));
          },
        }
      : null;
    return { key: g.key, text: g.word, status: g.visible ? "visible" : "hidden", meta, actions, merge };
  });
  moderationList(parts.listHost, rows, { el, t });
}
