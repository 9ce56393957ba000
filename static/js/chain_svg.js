// The effect chain as SVG, drawn from the layout the server computes
// (workshop/draft/layout.py: chain_layout). Titles go in through textContent only. The
// picture carries a text alternative: every link as "X → Y".
import { el as coreEl } from "./core.js";

let seq = 0;

// The order kinds are listed in (pickers, legends).
export const NODE_TYPES = ["forandring", "effekt", "nytta", "konsekvenskostnad", "verksamhetsmal", "risk", "hinder",
  "mojlighet", "genomforandekostnad"];

/** The method's name for a kind of node. */
export function typeLabel(t, type) {
  const key = `vocab.node_type.${type}`;
  const s = t(key);
  return s === key ? type : s;
}

/** "X → Y" for every link, titles looked up in `nodes` (id → title). */
export function linkTexts(links, titles, t) {
  return links.map((lk) => t("effect_chain.link_text", { from: titles.get(lk.from) ?? "?", to: titles.get(lk.to) ?? "?" }));
}

function arrowHead(points) {
  const [x2, y2] = points[points.length - 2];
  const [x3, y3] = points[points.length - 1];
  let dx = x3 - x2;
  let dy = y3 - y2;
  const len = Math.hypot(dx, dy) || 1;
  dx /= len;
  dy /= len;
  const size = 13;
  const bx = x3 - dx * size;
  const by = y3 - dy * size;
  const px = -dy * size * 0.5;
  const py = dx * size * 0.5;
  return `M ${x3} ${y3} L ${bx + px} ${by + py} L ${bx - px} ${by - py} Z`;
}

/** "M p0 C p1 p2 p3 C …": the layout gives a chain of cubic Béziers (3 points per segment). */
function edgePath(points) {
  const pts = points.map((p) => [...p]);
  // End the line a little before the tip so it does not poke through the arrowhead.
  const [x2, y2] = pts[pts.length - 2];
  const [x3, y3] = pts[pts.length - 1];
  const len = Math.hypot(x3 - x2, y3 - y2) || 1;
  pts[pts.length - 1] = [x3 - ((x3 - x2) / len) * 8, y3 - ((y3 - y2) / len) * 8];
  let d = `M ${pts[0][0]} ${pts[0][1]}`;
  for (let i = 1; i + 2 < pts.length; i += 3) {
    d += ` C ${pts[i][0]} ${pts[i][1]}, ${pts[i + 1][0]} ${pts[i + 1][1]}, ${pts[i + 2][0]} ${pts[i + 2][1]}`;
  }
  return d;
}

/**
 * Draw `layout` into a new <figure>.
 * opts: t, el (defaults to core's), nodes (aggregate nodes, for polarity marks),
 *       interactive (nodes become buttons), selected (id), onPick(id), caption (visible heading, optional)
 */
export function drawChain(layout, opts = {}) {
  const t = opts.t;
  const el = opts.el || coreEl;
  const n = ++seq;
  const titles = new Map(layout.nodes.map((b) => [b.id, b.title_lines.join(" ")]));
  const polarity = new Map((opts.nodes || []).map((x) => [x.id, x.polarity]));
  const fullTitles = new Map((opts.nodes || []).map((x) => [x.id, x.title]));
  const titleOf = (id) => fullTitles.get(id) ?? titles.get(id);
  const m = layout.metrics || { margin: 24, pad_y: 10, tag_h: 22, line_h: 24, header_line_h: 26 };
  const texts = linkTexts(layout.edges, { get: titleOf }, t);
  const titleId = `chain-title-${n}`;
  const listId = `chain-links-${n}`;
  const summary = layout.nodes.length
    ? t("effect_chain.diagram_label", { n: layout.edges.length })
    : t("effect_chain.diagram_empty");

  const svg = el("svg", {
    class: "chain-svg" + (opts.interactive ? " interactive" : ""),
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    preserveAspectRatio: "xMidYMin meet",
    role: opts.interactive ? "group" : "img",
    "aria-labelledby": titleId,
    "aria-describedby": listId,
  });
  svg.append(el("title", { id: titleId, text: summary }));

  // Column headings; the aside column gets a dashed divider so it reads as "beside".
  for (const col of layout.columns) {
    const g = el("g", { class: "chain-col" + (col.aside ? " aside" : ""), "aria-hidden": "true" });
    col.label_lines.forEach((line, i) => {
      g.append(el("text", { class: "chain-col-label", x: col.x, y: m.margin + (i + 1) * m.header_line_h - 6, text: line }));
    });
    if (col.aside) {
      const x = col.x - 75;
      g.append(el("line", { class: "chain-aside-line", x1: x, y1: m.margin, x2: x, y2: layout.height - m.margin,
        stroke: "#8a93a6", "stroke-width": 2, "stroke-dasharray": "8 8" }));
    }
    svg.append(g);
  }

  // Arrows under the boxes.
  const edges = el("g", { class: "chain-edges", "aria-hidden": "true" });
  for (const e of layout.edges) {
    const g = el("g", { class: "chain-edge", "data-from": e.from, "data-to": e.to });
    g.append(el("path", { class: "chain-edge-line", d: edgePath(e.points), fill: "none", stroke: "#5b6475", "stroke-width": 3 }));
    g.append(el("path", { class: "chain-edge-head", d: arrowHead(e.points), fill: "#5b6475" }));
    edges.append(g);
  }
  svg.append(edges);

  const boxes = el("g", { class: "chain-nodes" });
  for (const b of layout.nodes) {
    const pol = b.node_type === "effekt" ? polarity.get(b.id) : null;
    const kind = typeLabel(t, b.node_type);
    const polText = pol === "positive" || pol === "negative" ? t(`vocab.polarity.${pol}`) : "";
    const attrs = {
      class: `chain-node type-${b.node_type}` + (opts.selected === b.id ? " selected" : ""),
      "data-id": b.id,
      transform: `translate(${b.x} ${b.y})`,
    };
    if (opts.interactive) {
      Object.assign(attrs, {
        tabindex: "0",
        role: "button",
        "aria-pressed": opts.selected === b.id ? "true" : "false",
        // Starts with the words on the box, so voice control users can say what they see.
        "aria-label": b.tag ? `${kind} ${titleOf(b.id)}` : `${titleOf(b.id)} (${kind}${polText ? `, ${polText}` : ""})`,
      });
    } else {
      attrs["aria-hidden"] = "true";
    }
    const g = el("g", attrs);
    g.append(el("rect", { class: "chain-box", width: b.w, height: b.h, rx: 10, ry: 10, fill: "#ffffff", stroke: "#1a1f2b", "stroke-width": 2 }));
    // Boxes in a column of several kinds name their kind; the others' column heading does.
    const tagH = b.tag ? m.tag_h : 0;
    if (b.tag) g.append(el("text", { class: "chain-tag", x: 14, y: m.pad_y + 14, text: `${kind} ` }));
    b.title_lines.forEach((line, i) => {
      // A space after each line keeps words apart when the lines are read as one text.
      const text = i < b.title_lines.length - 1 && !line.endsWith("-") ? `${line} ` : line;
      g.append(el("text", { class: "chain-text", x: 14, y: m.pad_y + tagH + (i + 1) * m.line_h - 7, text }));
    });
    // Positive or negative effect: a + or − badge on the corner, not colour alone.
    if (pol === "positive" || pol === "negative") {
      g.append(el("circle", { class: `chain-pol-badge ${pol}`, cx: b.w - 4, cy: 4, r: 13, fill: pol === "positive" ? "#166534" : "#b42318" }));
      g.append(el("text", { class: "chain-pol-mark", x: b.w - 4, y: 11, "text-anchor": "middle", fill: "#ffffff", text: pol === "positive" ? "+" : "−" }));
    }
    // The full title on hover when it was cut.
    if (fullTitles.has(b.id) && fullTitles.get(b.id) !== titles.get(b.id)) g.append(el("title", { text: fullTitles.get(b.id) }));
    if (opts.interactive && opts.onPick) {
      g.addEventListener("click", () => opts.onPick(b.id));
      g.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          opts.onPick(b.id);
        }
      });
    }
    boxes.append(g);
  }
  svg.append(boxes);

  const list = el("ul", { class: "sr-only", id: listId }, texts.map((text) => el("li", { text })));
  if (!texts.length) list.append(el("li", { text: t("effect_chain.no_links") }));
  const figure = el("figure", { class: "chain-figure" });
  if (opts.caption) figure.append(el("figcaption", { class: "chain-caption", text: opts.caption }));
  figure.append(svg, list);
  return figure;
}
