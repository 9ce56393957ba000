// Step 3 · Rita en effektkedja. Phones propose links "X leder till Y" between items of the
// draft; the screen shows the chain as a diagram; the console edits the chain as a table
// (the method's tip: a table first) or as a diagram, with the chain checks and the room's
// proposals beside it. Every edit goes through ctx.draft(op, args).
import { clear, fmt, whileSending } from "../core.js";
import { busy, keepView, redraw, whenIdle } from "./_live.js";
import { NODE_TYPES, drawChain, typeLabel } from "../chain_svg.js";

// --- small helpers ------------------------------------------------------------------------

function byType(nodes) {
  const groups = new Map(NODE_TYPES.map((k) => [k, []]));
  for (const n of nodes) {
    if (!groups.has(n.node_type)) groups.set(n.node_type, []);
    groups.get(n.node_type).push(n);
  }
  return groups;
}

/** Fill a <select> with the items grouped by kind, keeping the chosen value if it still exists. */
function fillSelect(select, nodes, { t, el, placeholder, exclude = new Set() }) {
  const keep = select.value;
  clear(select).append(el("option", { value: "", text: placeholder }));
  for (const [type, items] of byType(nodes)) {
    const usable = items.filter((n) => !exclude.has(n.id));
    if (!usable.length) continue;
    select.append(el("optgroup", { label: typeLabel(t, type) }, usable.map((n) => el("option", { value: String(n.id), text: n.title }))));
  }
  select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
}

function titleMap(nodes) {
  return new Map(nodes.map((n) => [n.id, n.title]));
}

// --- phone ---------------------------------------------------------------------------------

export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  const cfg = activity.config;
  const max = cfg.max_proposals || 15;
  let content = results?.content || { nodes: [], links: [], show_chain: true };
  let own = mine.slice();
  const id = activity.id;

  const fromSel = el("select", { id: `chain-from-${id}`, name: "from", disabled: closed });
  const toSel = el("select", { id: `chain-to-${id}`, name: "to", disabled: closed });
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status" });
  const left = el("p", { class: "help", "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: t("effect_chain.propose") });
  const form = el("form", { class: "answer-form chain-propose", novalidate: true },
    el("fieldset", {},
      el("legend", { text: t("effect_chain.propose_heading") }),
      el("p", { class: "help", text: t("effect_chain.propose_help") }),
      el("label", { for: fromSel.id, text: t("effect_chain.from") }), fromSel,
      el("label", { for: toSel.id, text: t("effect_chain.to") }), toSel),
    error, button, left, status);
  const empty = el("p", { class: "empty" });
  const yoursList = el("ul", { class: "entries chain-links-list" });
  const yours = el("section", { class: "chain-yours", "aria-labelledby": `chain-yours-${id}` },
    el("h2", { id: `chain-yours-${id}`, text: t("effect_chain.yours") }), yoursList);
  const chainList = el("ul", { class: "chain-links-list" });
  const chain = el("section", { class: "chain-now", "aria-labelledby": `chain-now-${id}` },
    el("h2", { id: `chain-now-${id}`, text: t("effect_chain.current_chain") }), chainList);
  root.append(empty, form, yours, chain);

  const pairs = () => {
    const seen = new Map();
    for (const m of own) {
      const d = m.data || {};
      if (d.from && d.to) seen.set(`${d.from}>${d.to}`, d);
    }
    return [...seen.values()];
  };

  function render() {
    const nodes = content.nodes || [];
    empty.textContent = nodes.length < 2 ? t("effect_chain.no_items") : "";
    empty.hidden = nodes.length >= 2;
    form.hidden = nodes.length < 2;
    whenIdle(form, () => {
      fillSelect(fromSel, nodes, { t, el, placeholder: t("effect_chain.choose") });
      fillSelect(toSel, nodes, { t, el, placeholder: t("effect_chain.choose") });
    });
    const titles = titleMap(nodes);
    const linked = new Set((content.links || []).map((lk) => `${lk.from}>${lk.to}`));
    const mineNow = pairs();
    const remaining = Math.max(0, max - mineNow.length);
    left.textContent = remaining ? t("effect_chain.left", { n: fmt(remaining) }) : t("effect_chain.limit_reached");
    button.disabled = closed || remaining === 0 || nodes.length < 2;
    clear(yoursList);
    for (const d of mineNow) {
      const text = t("effect_chain.link_text", { from: titles.get(d.from) ?? t("effect_chain.removed_item"), to: titles.get(d.to) ?? t("effect_chain.removed_item") });
      yoursList.append(el("li", {}, el("span", { text }),
        linked.has(`${d.from}>${d.to}`) ? el("span", { class: "badge done", text: t("effect_chain.in_chain") }) : null));
    }
    yours.hidden = mineNow.length === 0;
    chain.hidden = !content.show_chain;
    clear(chainList);
    const links = content.links || [];
    if (!links.length) chainList.append(el("li", { class: "empty", text: t("effect_chain.no_links") }));
    for (const lk of links) {
      chainList.append(el("li", { text: t("effect_chain.link_text", { from: titles.get(lk.from) ?? "?", to: titles.get(lk.to) ?? "?" }) }));
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    status.textContent = "";
    const from = Number(fromSel.value);
    const to = Number(toSel.value);
    if (!from || !to) {
      error.textContent = t("effect_chain.pick_both");
      return;
    }
    if (from === to) {
      error.textContent = t("effect_chain.same");
      return;
    }
    if ((content.links || []).some((lk) => lk.from === from && lk.to === to)) {
      error.textContent = t("effect_chain.exists");
      return;
    }
    status.textContent = t("sending");
    const ack = await whileSending(button, () => submit({ from, to }));
    if (!ack) return;
    if (ack.ok) {
      own = [...own, { id: ack.response_id, data: ack.data, status: ack.status }];
      const titles = titleMap(content.nodes || []);
      status.textContent = t("effect_chain.proposed", { from: titles.get(from) ?? "", to: titles.get(to) ?? "" });
      toSel.value = "";
      render();
      toSel.focus();
    } else if (ack.pending) {
      status.textContent = t("offline");
    } else {
      status.textContent = "";
      error.textContent = ack.error.message;
    }
  });

  render();
  return {
    update(res, m) {
      if (res && res.content) content = res.content;
      if (m) own = m.slice();
      render();
    },
  };
}

// --- presenter -----------------------------------------------------------------------------

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate;
  const box = el("div", { class: "chain-present" });
  if (!agg.nodes.length) {
    box.append(el("p", { class: "analysis-pres-empty", text: t("effect_chain.diagram_empty") }));
  } else {
    box.append(drawChain(agg.layout, { t, el, nodes: agg.nodes }));
  }
  clear(root).append(box);
}

// --- console -------------------------------------------------------------------------------

const viewOf = new Map(); // activity id → "table" | "diagram"
const pickedOf = new Map(); // activity id → node id picked as the source of a new link

export function console(ctx) {
  keepView(ctx, "chainConsole", buildConsole);
}

function buildConsole(first) {
  const { activity, t, el } = first;
  const actId = activity.id;
  let ctx = first;
  let agg = null;

  const say = el("p", { class: "status chain-say", role: "status", "aria-live": "polite" });
  const run = async (op, args, done) => {
    const ack = await ctx.draft(op, args);
    if (ack && ack.ok) {
      say.classList.remove("error");
      say.textContent = done || t("effect_chain.saved");
    } else if (ack) {
      say.classList.add("error");
      say.textContent = ack.error?.message || t("error");
    }
    return ack;
  };

  // View switch.
  const tabTable = el("button", { type: "button", class: "chain-tab", "data-fkey": "tab-table", text: t("effect_chain.view_table") });
  const tabDiagram = el("button", { type: "button", class: "chain-tab", "data-fkey": "tab-diagram", text: t("effect_chain.view_diagram") });
  const setView = (v) => {
    viewOf.set(actId, v);
    pickedOf.delete(actId);
    drawMain();
  };
  tabTable.addEventListener("click", () => setView("table"));
  tabDiagram.addEventListener("click", () => setView("diagram"));
  const tabs = el("div", { class: "button-row small chain-tabs", role: "group", "aria-label": t("effect_chain.view_table") + " / " + t("effect_chain.view_diagram") },
    tabTable, tabDiagram);

  const main = el("div", { class: "chain-main-view" });
  const checks = el("div", { class: "chain-checks" });
  const proposals = el("div", { class: "chain-proposals" });
  const side = el("aside", { class: "chain-side" },
    el("section", { "aria-labelledby": `chain-checks-${actId}` },
      el("h3", { id: `chain-checks-${actId}`, text: t("effect_chain.checks_heading") }), checks),
    el("section", { "aria-labelledby": `chain-props-${actId}` },
      el("h3", { id: `chain-props-${actId}`, text: t("effect_chain.proposals_heading") }), proposals));

  // Add an item.
  const kindSel = el("select", { id: `chain-kind-${actId}` },
    NODE_TYPES.map((k) => el("option", { value: k, text: typeLabel(t, k), selected: k === "effekt" })));
  const titleIn = el("input", { id: `chain-title-${actId}`, maxlength: "300", autocomplete: "off" });
  const addItem = el("form", { class: "chain-form", novalidate: true },
    el("h3", { text: t("effect_chain.add_item_heading") }),
    el("div", { class: "chain-form-row" },
      el("div", {}, el("label", { for: kindSel.id, text: t("effect_chain.item_kind") }), kindSel),
      el("div", { class: "chain-grow" }, el("label", { for: titleIn.id, text: t("effect_chain.item_title") }), titleIn),
      el("button", { type: "submit", class: "primary", text: t("effect_chain.add_item") })));
  addItem.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const title = titleIn.value.trim();
    if (!title) {
      titleIn.focus();
      return;
    }
    const ack = await run("node.add", { data: { node_type: kindSel.value, title } });
    if (ack?.ok) {
      titleIn.value = "";
      titleIn.focus();
    }
  });

  // Add a link.
  const fromSel = el("select", { id: `chain-lfrom-${actId}` });
  const toSel = el("select", { id: `chain-lto-${actId}` });
  const addLink = el("form", { class: "chain-form", novalidate: true },
    el("h3", { text: t("effect_chain.add_link_heading") }),
    el("div", { class: "chain-form-row" },
      el("div", { class: "chain-grow" }, el("label", { for: fromSel.id, text: t("effect_chain.from") }), fromSel),
      el("div", { class: "chain-grow" }, el("label", { for: toSel.id, text: t("effect_chain.to") }), toSel),
      el("button", { type: "submit", class: "primary", text: t("effect_chain.add_link") })));
  addLink.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const from = Number(fromSel.value);
    const to = Number(toSel.value);
    if (!from || !to) return;
    const ack = await run("link.add", { from, to });
    if (ack?.ok) toSel.value = "";
  });

  // Candidates from the room's effects (step 2): positive → nytta, negative → konsekvenskostnad
  // or risk; the facilitator confirms them one by one or all at once.
  const candBox = el("div", { class: "chain-candidate-list" });
  const candidates = el("section", { class: "chain-candidates", "aria-labelledby": `chain-cand-${actId}` },
    el("h3", { id: `chain-cand-${actId}`, text: t("effect_chain.candidates_heading") }),
    el("p", { class: "help", text: t("effect_chain.candidates_help") }), candBox);
  const candChoice = new Map(); // effect id → {type, title} as the facilitator left them

  const forms = el("div", { class: "chain-forms" }, addItem, addLink);
  const wrap = el("div", { class: "chain-console" },
    el("div", { class: "chain-top" }, tabs, say),
    el("div", { class: "chain-layout" }, el("div", { class: "chain-center" }, candidates, main, forms), side));
  wrap.dataset.chainConsole = String(actId);

  // --- pieces ------------------------------------------------------------------------------
  const titles = () => titleMap(agg.nodes);
  const linkText = (from, to) => {
    const m = titles();
    return t("effect_chain.link_text", { from: m.get(from) ?? "?", to: m.get(to) ?? "?" });
  };

  function chip(node, lk, fkey) {
    return el("li", { class: `chain-chip type-${node?.node_type || "x"}` },
      el("span", { class: "chain-chip-body" },
        el("span", { class: "chain-chip-type", text: typeLabel(t, node?.node_type || "") }),
        el("span", { class: "chain-chip-title", text: node?.title ?? "?" })),
      el("button", {
        type: "button", class: "chain-chip-x", "data-fkey": fkey,
        "aria-label": t("effect_chain.remove_link", { from: titles().get(lk.from) ?? "?", to: titles().get(lk.to) ?? "?" }),
        onclick: () => run("link.delete", { from: lk.from, to: lk.to }),
      }, el("span", { "aria-hidden": "true", text: "×" })));
  }

  function addSelect(label, exclude, onPick, fkey) {
    // A select and a button: arrowing through a closed select fires "change" in some browsers.
    const s = el("select", { class: "chain-add-select", "aria-label": label, "data-fkey": `${fkey}-s` });
    fillSelect(s, agg.nodes, { t, el, placeholder: t("effect_chain.choose"), exclude });
    const b = el("button", { type: "button", class: "chain-add-go", "data-fkey": `${fkey}-b`, "aria-label": label,
      onclick: () => {
        const v = Number(s.value);
        if (v) onPick(v);
        else s.focus();
      } }, el("span", { "aria-hidden": "true", text: "+" }));
    return el("div", { class: "chain-add" }, s, b);
  }

  function renameInput(node, fkey) {
    // A text area, so a long title shows whole; Enter saves (titles are one line).
    const input = el("textarea", { rows: node.title.length > 34 ? "2" : "1", maxlength: "300", class: "chain-rename", "data-fkey": fkey,
      "aria-label": t("effect_chain.rename", { title: node.title }) });
    input.value = node.title;
    input.addEventListener("change", () => {
      const title = input.value.split(/\s+/).filter(Boolean).join(" ");
      if (title && title !== node.title) run("node.update", { id: node.id, data: { title } });
      else input.value = node.title;
    });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        input.blur();
      } else if (ev.key === "Escape") {
        ev.preventDefault(); // this Escape is the field's: the room's keys leave it alone
        input.value = node.title;
        input.blur();
      }
    });
    return input;
  }

  function deleteButton(node, fkey) {
    return el("button", {
      type: "button", class: "link chain-delete", "data-fkey": fkey,
      "aria-label": t("effect_chain.delete_item", { title: node.title }),
      onclick: () => {
        if (window.confirm(t("effect_chain.confirm_delete", { title: node.title }))) run("node.delete", { id: node.id });
      },
    }, t("delete"));
  }

  function tableView() {
    const byId = new Map(agg.nodes.map((n) => [n.id, n]));
    const effects = agg.nodes.filter((n) => n.node_type === "effekt");
    const table = el("table", { class: "list chain-table" },
      el("caption", { class: "sr-only", text: t("effect_chain.table_caption") }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: t("effect_chain.col_causes") }),
        el("th", { scope: "col", text: t("effect_chain.col_effect") }),
        el("th", { scope: "col", text: t("effect_chain.col_leads_to") }))));
    const body = el("tbody");
    for (const e of effects) {
      const causes = agg.links.filter((lk) => lk.to === e.id);
      const leads = agg.links.filter((lk) => lk.from === e.id);
      const pol = e.polarity === "positive" ? "+" : e.polarity === "negative" ? "−" : "";
      body.append(el("tr", {},
        el("td", {},
          el("ul", { class: "chain-chips" }, causes.map((lk) => chip(byId.get(lk.from), lk, `x-${lk.from}-${lk.to}-c`))),
          addSelect(t("effect_chain.add_cause", { title: e.title }), new Set([e.id, ...causes.map((c) => c.from)]),
            (v) => run("link.add", { from: v, to: e.id }), `addc-${e.id}`)),
        el("th", { scope: "row", class: "chain-effect-cell" },
          el("div", { class: "chain-effect-edit" },
            pol ? el("span", { class: `chain-pol ${e.polarity}`, role: "img", "aria-label": t(`vocab.polarity.${e.polarity}`), text: pol }) : null,
            renameInput(e, `ren-${e.id}`)),
          deleteButton(e, `del-${e.id}`)),
        el("td", {},
          el("ul", { class: "chain-chips" }, leads.map((lk) => chip(byId.get(lk.to), lk, `x-${lk.from}-${lk.to}-l`))),
          addSelect(t("effect_chain.add_consequence", { title: e.title }), new Set([e.id, ...leads.map((c) => c.to)]),
            (v) => run("link.add", { from: e.id, to: v }), `addl-${e.id}`))));
    }
    if (!effects.length) body.append(el("tr", {}, el("td", { colspan: "3", class: "empty", text: t("effect_chain.no_effects") })));
    table.append(body);

    // Every other item, with what it leads to: so every link can be seen and removed here.
    const others = agg.nodes.filter((n) => n.node_type !== "effekt");
    const otherTable = el("table", { class: "list chain-table chain-others" },
      el("caption", { class: "chain-caption", text: t("effect_chain.other_items") }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: t("effect_chain.item_kind") }),
        el("th", { scope: "col", text: t("effect_chain.item_title") }),
        el("th", { scope: "col", text: t("effect_chain.col_leads_to") }))));
    const otherBody = el("tbody");
    for (const n of others) {
      const leads = agg.links.filter((lk) => lk.from === n.id);
      otherBody.append(el("tr", {},
        el("td", {}, el("span", { class: `chain-type-tag type-${n.node_type}`, text: typeLabel(t, n.node_type) })),
        el("th", { scope: "row" }, el("div", { class: "chain-effect-edit" }, renameInput(n, `ren-${n.id}`)), deleteButton(n, `del-${n.id}`)),
        el("td", {},
          el("ul", { class: "chain-chips" }, leads.map((lk) => chip(byId.get(lk.to), lk, `x-${lk.from}-${lk.to}-o`))),
          addSelect(t("effect_chain.add_consequence", { title: n.title }), new Set([n.id, ...leads.map((c) => c.to)]),
            (v) => run("link.add", { from: n.id, to: v }), `addo-${n.id}`))));
    }
    otherTable.append(otherBody);
    const parts = [el("div", { class: "chain-table-wrap" }, table)];
    if (others.length) parts.push(el("div", { class: "chain-table-wrap" }, otherTable));
    return parts;
  }

  function diagramView() {
    const picked = pickedOf.get(actId) ?? null;
    const onPick = async (id) => {
      const from = pickedOf.get(actId);
      if (from === undefined || from === null) {
        pickedOf.set(actId, id);
        say.classList.remove("error");
        say.textContent = t("effect_chain.picked", { title: titles().get(id) ?? "" });
        drawMain(`node-${id}`);
        return;
      }
      pickedOf.delete(actId);
      if (from === id) {
        say.textContent = "";
        drawMain(`node-${id}`);
        return;
      }
      const ack = await run("link.add", { from, to: id }, t("effect_chain.linked", { from: titles().get(from) ?? "", to: titles().get(id) ?? "" }));
      if (!ack?.ok) drawMain(`node-${id}`);
    };
    const figure = drawChain(agg.layout, { t, el, nodes: agg.nodes, interactive: true, selected: picked, onPick });
    const svg = figure.querySelector("svg");
    svg.style.width = `${Math.round(agg.layout.width * 0.62)}px`;
    for (const g of figure.querySelectorAll(".chain-node")) g.dataset.fkey = `node-${g.dataset.id}`;
    figure.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && pickedOf.has(actId)) {
        ev.preventDefault(); // this Escape unpicks: focus stays in the diagram
        pickedOf.delete(actId);
        say.textContent = "";
        drawMain();
      }
    });
    const links = el("ul", { class: "chain-chips chain-all-links" });
    const byId = new Map(agg.nodes.map((n) => [n.id, n]));
    for (const lk of agg.links) {
      links.append(el("li", { class: "chain-chip" },
        el("span", { class: "chain-chip-title", text: linkText(lk.from, lk.to) }),
        el("button", { type: "button", class: "chain-chip-x", "data-fkey": `x-${lk.from}-${lk.to}-d`,
          "aria-label": t("effect_chain.remove_link", { from: byId.get(lk.from)?.title ?? "?", to: byId.get(lk.to)?.title ?? "?" }),
          onclick: () => run("link.delete", { from: lk.from, to: lk.to }) }, el("span", { "aria-hidden": "true", text: "×" }))));
    }
    if (!agg.links.length) links.append(el("li", { class: "empty", text: t("effect_chain.no_links") }));
    // The picked item can be renamed or deleted here too.
    const pickedNode = picked !== null ? agg.nodes.find((n) => n.id === picked) : null;
    const pickedBox = pickedNode
      ? el("div", { class: "chain-picked" },
        el("span", { class: `chain-type-tag type-${pickedNode.node_type}`, text: typeLabel(t, pickedNode.node_type) }),
        el("div", { class: "chain-effect-edit" }, renameInput(pickedNode, `pren-${pickedNode.id}`)),
        deleteButton(pickedNode, `pdel-${pickedNode.id}`))
      : null;
    return [
      el("p", { class: "help", text: t("effect_chain.diagram_help") }),
      pickedBox,
      el("div", { class: "chain-scroll" }, figure),
      el("p", { class: "help", text: t("effect_chain.aside_note") }),
      el("h3", { text: t("effect_chain.all_links") }), links,
    ];
  }

  function drawMain(focusKey) {
    if (!agg) return;
    const v = viewOf.get(actId) || "table";
    tabTable.setAttribute("aria-pressed", String(v === "table"));
    tabDiagram.setAttribute("aria-pressed", String(v === "diagram"));
    redraw(main, () => {
      // A view's parts may be null (no item picked): append() would show that as the text "null".
      clear(main).append(...(v === "table" ? tableView() : diagramView()).filter(Boolean));
      if (focusKey) main.querySelector(`[data-fkey="${CSS.escape(focusKey)}"]`)?.focus();
    });
  }

  function drawChecks() {
    const list = el("ul", { class: "chain-hints" });
    for (const c of agg.checks || []) list.append(el("li", { class: `chain-hint ${c.code}`, text: c.message }));
    // "No remarks" only for a chain that exists: an empty or undrawn chain is said to be so.
    const counted = agg.nodes.some((n) => n.node_type === "nytta" || n.node_type === "konsekvenskostnad");
    let none = "effect_chain.checks_ok";
    if (!agg.nodes.length) none = "effect_chain.chain_empty";
    else if (!agg.links.length) none = "effect_chain.chain_not_drawn";
    else if (!counted) none = "effect_chain.chain_no_items";
    clear(checks).append(agg.checks?.length ? list : el("p", { class: "help chain-checks-none", text: t(none) }));
  }

  function candidateData(c) {
    const choice = candChoice.get(c.effect) || {};
    const type = c.types.includes(choice.type) ? choice.type : c.types[0];
    const title = (choice.title ?? c.title).split(/\s+/).filter(Boolean).join(" ") || c.title;
    const data = { node_type: type, title };
    // Risks, obstacles and opportunities take no perspective (the method's rule).
    if (type !== "risk" && c.perspective) data.perspective = c.perspective;
    return data;
  }

  async function confirmCandidates(list) {
    let added = 0;
    for (const c of list) {
      const ack = await ctx.draft("node.add_after", { from: c.effect, data: candidateData(c) });
      if (!ack?.ok) {
        say.classList.add("error");
        say.textContent = ack?.error?.message || t("error");
        return;
      }
      candChoice.delete(c.effect);
      added += 1;
    }
    say.classList.remove("error");
    say.textContent = t("effect_chain.confirmed", { n: fmt(added) });
  }

  function drawCandidates() {
    redraw(candBox, () => {
      const list = agg.candidates || [];
      clear(candBox);
      if (list.length > 1) {
        candBox.append(el("p", { class: "button-row small" },
          el("button", { type: "button", class: "primary", "data-fkey": "cand-all",
            onclick: () => confirmCandidates(list), text: t("effect_chain.confirm_all", { n: fmt(list.length) }) })));
      }
      const ul = el("ul", { class: "chain-candidate-items" });
      for (const c of list) {
        const choice = candChoice.get(c.effect) || {};
        const typeSel = el("select", { "data-fkey": `cand-type-${c.effect}`, "aria-label": t("effect_chain.candidate_kind", { title: c.title }) },
          c.types.map((k) => el("option", { value: k, text: typeLabel(t, k), selected: k === (choice.type || c.types[0]) })));
        typeSel.addEventListener("change", () => candChoice.set(c.effect, { ...candChoice.get(c.effect), type: typeSel.value }));
        const titleIn = el("input", { type: "text", maxlength: "300", autocomplete: "off", "data-fkey": `cand-title-${c.effect}`,
          "aria-label": t("effect_chain.candidate_title", { title: c.title }) });
        titleIn.value = choice.title ?? c.title;
        titleIn.addEventListener("input", () => candChoice.set(c.effect, { ...candChoice.get(c.effect), title: titleIn.value }));
        ul.append(el("li", { class: `chain-candidate pol-${c.polarity}`, dataset: { effect: String(c.effect) } },
          el("p", { class: "chain-candidate-from" },
            el("span", { class: `chain-candidate-mark pol-${c.polarity}`, "aria-hidden": "true", text: c.polarity === "positive" ? "+" : "−" }),
            el("span", { text: t("effect_chain.candidate_from", { title: c.title }) })),
          el("div", { class: "chain-candidate-row" },
            el("span", { class: "chain-candidate-arrow", "aria-hidden": "true", text: "→" }),
            typeSel, titleIn,
            el("button", { type: "button", class: "primary chain-candidate-ok", "data-fkey": `cand-ok-${c.effect}`,
              "aria-label": t("effect_chain.confirm_label", { title: c.title }), text: t("effect_chain.confirm"),
              onclick: () => confirmCandidates([c]) }),
            el("button", { type: "button", class: "link chain-candidate-skip", "data-fkey": `cand-skip-${c.effect}`,
              "aria-label": t("effect_chain.skip_label", { title: c.title }), text: t("effect_chain.skip"),
              onclick: () => ctx.configure({ skipped: [...(ctx.activity.config.skipped || []), c.effect] }) }))));
      }
      if (list.length) candBox.append(ul);
      else {
        const anyEffect = agg.nodes.some((n) => n.node_type === "effekt");
        candBox.append(el("p", { class: "help", text: t(anyEffect ? "effect_chain.no_candidates" : "effect_chain.no_effects") }));
      }
      if (agg.skipped) {
        candBox.append(el("p", { class: "help" }, t("effect_chain.n_skipped", { n: fmt(agg.skipped) }), " ",
          el("button", { type: "button", class: "link", "data-fkey": "cand-unskip", text: t("effect_chain.unskip"),
            onclick: () => ctx.configure({ skipped: [] }) })));
      }
    });
  }

  function drawProposals() {
    redraw(proposals, () => {
      const list = el("ul", { class: "chain-proposal-list" });
      for (const p of agg.proposals || []) {
        const text = linkText(p.from, p.to);
        list.append(el("li", { class: "chain-proposal" },
          el("span", { class: "chain-proposal-text", text }),
          el("span", { class: "badge", text: t("effect_chain.n_proposed", { n: fmt(p.count) }) }),
          el("span", { class: "button-row small" },
            el("button", { type: "button", class: "primary", "data-fkey": `acc-${p.from}-${p.to}`,
              "aria-label": t("effect_chain.accept_label", { from: titles().get(p.from) ?? "", to: titles().get(p.to) ?? "" }),
              onclick: () => run("link.add", { from: p.from, to: p.to }), text: t("effect_chain.accept") }),
            el("button", { type: "button", "data-fkey": `dis-${p.from}-${p.to}`,
              "aria-label": t("effect_chain.dismiss_label", { from: titles().get(p.from) ?? "", to: titles().get(p.to) ?? "" }),
              onclick: async () => { for (const rid of p.response_ids) await ctx.moderate(rid, "hide"); },
              text: t("effect_chain.dismiss") }))));
      }
      clear(proposals).append(agg.proposals?.length ? list : el("p", { class: "help", text: t("effect_chain.no_proposals") }));
    });
  }

  function drawForms() {
    whenIdle(addLink, () => {
      fillSelect(fromSel, agg.nodes, { t, el, placeholder: t("effect_chain.choose") });
      fillSelect(toSel, agg.nodes, { t, el, placeholder: t("effect_chain.choose") });
    });
  }

  wrap._update = (next) => {
    ctx = next;
    agg = next.results.aggregate;
    if (!agg) return;
    const picked = pickedOf.get(actId);
    if (picked !== undefined && !agg.nodes.some((n) => n.id === picked)) pickedOf.delete(actId);
    drawMain();
    drawChecks();
    drawCandidates();
    drawProposals();
    drawForms();
  };
  return wrap;
}
