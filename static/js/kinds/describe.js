// Step 5 Beskriv: the method's sentence pattern filled in on phones
//   "Rubrik på nyttan. Genom att ___ händer ___ och ___ leder till att ___."
// Drafts from several people stand side by side in the console; the facilitator picks one,
// edits it and saves it to the draft analysis. The screen shows the chosen descriptions.
import { clear, fmt, whileSending } from "../core.js";
import { limitText } from "./_limit.js";
import { draftNode, latestPerNode, memory, put, rebuild, typeTag } from "./sorting.js";

export const PARTS = ["rubrik", "genom_att", "hander", "och", "leder_till"];

// --- the sentence: mirrors workshop/activities/describe.py (keep the two in step) ---------

const squash = (v) => String(v ?? "").split(/\s+/).filter(Boolean).join(" ");
const endsOpen = (s) => s.endsWith("!") || s.endsWith("?") || s.endsWith("…");

function part(value) {
  let text = squash(value);
  while (text.endsWith(".")) text = text.slice(0, -1).trimEnd();
  return text;
}

export function heading(pattern) {
  let text = squash(pattern?.rubrik);
  if (endsOpen(text)) return text;
  text = part(text);
  return text ? `${text}.` : "";
}

export function sentence(pattern) {
  const [g, h, o, lt] = ["genom_att", "hander", "och", "leder_till"].map((k) => part(pattern?.[k]));
  const effects = [h, o].filter(Boolean);
  let text = "";
  if (effects.length) {
    text = g ? `Genom att ${g} händer ${effects[0]}` : `Det händer ${effects[0]}`;
    if (effects.length === 2) {
      text += ` och ${effects[1]}`;
      if (lt) text += ` leder till att ${lt}`;
    } else if (lt) text += `, vilket leder till att ${lt}`;
  } else if (g && lt) text = `Genom att ${g} leder det till att ${lt}`;
  else if (g) text = `Genom att ${g}`;
  else if (lt) text = `Det leder till att ${lt}`;
  return text ? `${text}.` : "";
}

export function seeAlso(titles) {
  const names = (titles || []).map(squash).filter(Boolean);
  return names.length ? `Se även: ${names.join(", ")}.` : "";
}

export function assemble(pattern, refs = [], bold = false) {
  let head = heading(pattern);
  if (bold && head) head = `**${head}**`;
  return [head, sentence(pattern), seeAlso(refs)].filter(Boolean).join(" ");
}

/** The description as a paragraph: the rubrik in bold, then the sentence (text nodes only). */
function describedParagraph(pattern, refs, { el }, cls = "desc-text") {
  const head = heading(pattern);
  const rest = [sentence(pattern), seeAlso(refs)].filter(Boolean).join(" ");
  return el("p", { class: cls }, head ? el("strong", { text: head }) : null, head && rest ? " " : null, rest);
}

/** The "se även" titles at the end of a saved description (to edit it again). */
function refsFromDescription(description, referable) {
  const m = /Se även: (.*)\.$/.exec(description || "");
  if (!m) return [];
  const titles = m[1].split(", ");
  return referable.filter((r) => titles.includes(squash(r.title))).map((r) => r.id);
}

// --- the pattern form (phone and console) ---------------------------------------------------

const WORDS = { rubrik: "w_rubrik", genom_att: "w_genom_att", hander: "w_hander", och: "w_och", leder_till: "w_leder_till" };
const HELP = { rubrik: "h_rubrik", genom_att: "h_genom_att", hander: "h_hander", och: "h_och", leder_till: "h_leder_till" };

/**
 * The five gaps with the pattern's fixed words between them, a "se även" list and a live
 * preview. `values` {parts..., refs: [ids]}; `onChange(values)` after every edit.
 */
function patternFields({ t, el }, { idBase, values, referable, selfId, onChange, multiline, disabled, focusBase, limits = {} }) {
  const wrap = el("div", { class: "desc-pattern" });
  const inputs = {};
  for (const k of PARTS) {
    const id = `${idBase}-${k}`;
    const attrs = { id, name: k, disabled, "aria-describedby": `${id}-help`,
      autocomplete: "off", dataset: { focusKey: `${focusBase}:${k}` } };
    const input = multiline && k !== "rubrik" ? el("textarea", { ...attrs, rows: "2" }) : el("input", { ...attrs, type: "text" });
    input.value = values[k] || "";
    inputs[k] = input;
    wrap.append(el("div", { class: `desc-gap desc-gap-${k}` },
      el("label", { for: id, class: k === "rubrik" ? "desc-word desc-word-rubrik" : "desc-word", text: t(`describe.${WORDS[k]}`) }),
      input, limitText(input, limits[k], { el }),
      el("span", { class: "help desc-help", id: `${id}-help`, text: t(`describe.${HELP[k]}`) })));
  }
  const others = (referable || []).filter((r) => r.id !== selfId);
  const refBoxes = [];
  let refs = null;
  if (others.length) {
    refs = el("details", { class: "desc-refs", open: (values.refs || []).length > 0 },
      el("summary", { text: t("describe.refs") }),
      el("p", { class: "help", text: t("describe.refs_help") }));
    const set = el("fieldset", {}, el("legend", { class: "sr-only", text: t("describe.refs") }));
    for (const r of others) {
      const id = `${idBase}-ref-${r.id}`;
      const box = el("input", { type: "checkbox", id, value: String(r.id), checked: (values.refs || []).includes(r.id), disabled,
        dataset: { focusKey: `${focusBase}:ref:${r.id}` } });
      refBoxes.push(box);
      set.append(el("label", { class: "check", for: id }, box, r.title));
    }
    refs.append(set);
  }
  const titleOf = new Map(others.map((r) => [r.id, r.title]));
  const previewText = el("div", { class: "desc-preview-text" });
  const preview = el("div", { class: "desc-preview" }, el("h3", { text: t("describe.preview") }), previewText);
  const read = () => {
    const out = {};
    for (const k of PARTS) out[k] = inputs[k].value;
    out.refs = refBoxes.filter((b) => b.checked).map((b) => Number(b.value));
    return out;
  };
  const draw = () => {
    const v = read();
    clear(previewText);
    if (!heading(v) && !sentence(v)) previewText.append(el("p", { class: "empty", text: t("describe.preview_empty") }));
    else previewText.append(describedParagraph(v, v.refs.map((id) => titleOf.get(id)), { el }));
  };
  wrap.addEventListener("input", () => {
    draw();
    onChange?.(read());
  });
  refs?.addEventListener("change", () => {
    draw();
    onChange?.(read());
  });
  draw();
  return { fields: wrap, refs, preview, read, inputs, titleOf };
}

function enough(v) {
  return squash(v.rubrik) && ["genom_att", "hander", "och", "leder_till"].some((k) => squash(v[k]));
}

// --- phone --------------------------------------------------------------------------------

const phoneState = memory();

export function phone(ctx) {
  const { root, activity, closed, submit, t, el } = ctx;
  const key = `${activity.id}:${activity.generation}`;
  let results = ctx.results;
  const mine = latestPerNode(ctx.mine);
  let sig = "";
  const content = () => results?.content || { items: [], referable: [] };
  const box = el("div", { class: "mk-phone desc-phone" });
  root.append(box);

  const go = (view, id = null) => {
    phoneState.set(`${key}:view`, view);
    phoneState.set(`${key}:node`, id);
    draw(true);
  };

  function draw(moveFocus) {
    sig = JSON.stringify(content());
    clear(box);
    const items = content().items || [];
    if (!items.length) {
      box.append(el("p", { class: "empty", text: t("describe.no_items") }));
      return;
    }
    const current = items.find((i) => i.id === phoneState.get(`${key}:node`, null));
    if (phoneState.get(`${key}:view`, "list") === "edit" && current) drawEdit(current, moveFocus);
    else drawList(items, moveFocus);
  }

  function drawList(items, moveFocus) {
    const h = el("h2", { tabindex: "-1", text: t("describe.pick_item") });
    const ul = el("ul", { class: "activity-pick desc-pick" });
    for (const it of items) {
      const done = mine.has(it.id);
      const chosen = it.pattern && it.pattern.rubrik;
      ul.append(el("li", {},
        el("button", { type: "button", class: "pick", onclick: () => go("edit", it.id) },
          el("span", { class: "sort-pick-text" }, el("span", { class: "pick-title", text: it.title }), typeTag(it.type, ctx)),
          done ? el("span", { class: "badge done", text: `✓ ${t("describe.described_by_you")}` })
            : chosen ? el("span", { class: "badge", text: t("describe.described") }) : null)));
    }
    box.append(h, ul);
    if (moveFocus) h.focus();
  }

  function drawEdit(it, moveFocus) {
    const saved = mine.get(it.id);
    const memKey = `${key}:v:${it.id}`;
    const start = phoneState.get(memKey, saved ? { ...saved, refs: saved.refs || [] } : { refs: [] });
    const back = el("button", { type: "button", class: "link back", onclick: () => go("list") }, `← ${t("describe.back")}`);
    const h = el("h2", { tabindex: "-1", text: it.title });
    const chosen = it.pattern && it.pattern.rubrik
      ? el("div", { class: "desc-chosen" }, el("h3", { text: t("describe.chosen") }),
        el("p", { class: "desc-text", text: it.description || assemble(it.pattern) }))
      : null;
    const form = el("form", { class: "answer-form desc-form", novalidate: true });
    const f = patternFields(ctx, { idBase: `desc-${activity.id}-${it.id}`, values: start, referable: content().referable,
      selfId: it.id, multiline: true, disabled: closed, focusBase: memKey, limits: activity.limits,
      onChange: (v) => {
        phoneState.set(memKey, v);
        error.textContent = "";
        status.textContent = "";
      } });
    const error = el("p", { class: "error", role: "alert" });
    const status = el("p", { class: "status", role: "status" });
    if (saved && !phoneState.has(memKey)) status.textContent = t("describe.described_by_you");
    const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: saved ? t("describe.update") : t("describe.send") });
    put(form, el("p", { class: "help", text: t("describe.pattern_help") }), f.fields, f.refs, f.preview, error, button, status);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const v = f.read();
      if (!enough(v)) {
        error.textContent = t("describe.need_more");
        (squash(v.rubrik) ? f.inputs.genom_att : f.inputs.rubrik).focus();
        return;
      }
      status.textContent = t("sending");
      const payload = { node: it.id, refs: v.refs };
      for (const k of PARTS) payload[k] = squash(v[k]);
      const ack = await whileSending(button, () => submit(payload));
      if (!ack) return;
      if (ack.ok || ack.pending) {
        mine.set(it.id, ack.ok && ack.data ? ack.data : payload);
        phoneState.drop(memKey);
        status.textContent = ack.pending ? t("offline") : t("describe.sent");
        button.textContent = t("describe.update");
      } else {
        status.textContent = "";
        error.textContent = ack.error?.message || t("error");
      }
    });
    put(box, back, el("div", { class: "sort-item-head" }, typeTag(it.type, ctx), h), chosen, form);
    if (moveFocus) h.focus();
  }

  draw(false);
  return {
    update(res, newMine) {
      results = res || results;
      for (const [id, v] of latestPerNode(newMine)) mine.set(id, v);
      if (JSON.stringify(content()) !== sig) rebuild(box, () => draw(false));
    },
  };
}

// --- presenter ----------------------------------------------------------------------------


export function presenter({ root, results, t, el }) {
  const agg = results.aggregate || {};
  clear(root);
  const all = agg.items || [];
  if (!agg.ready || !all.length) {
    root.append(el("p", { class: "pres-hidden", text: agg.ready ? t("describe.no_items") : t("describe.no_analysis") }));
    return;
  }
  // Items with a description or a draft first (in the draft's order), the empty ones after.
  const items = [...all.filter((i) => i.chosen || i.drafts.length), ...all.filter((i) => !i.chosen && !i.drafts.length)];
  const cols = items.length > 4 ? " three-col" : items.length > 1 ? " two-col" : "";
  const list = el("ul", { class: "desc-pres-list" + cols });
  for (const it of items) {
    const card = el("li", { class: "desc-pres-item" + (it.chosen ? " chosen" : "") },
      el("p", { class: "desc-pres-title", text: it.title }));
    if (it.chosen) {
      const head = heading(it.chosen.pattern);
      const desc = it.chosen.description || assemble(it.chosen.pattern);
      const rest = head && desc.startsWith(head) ? desc.slice(head.length).trim() : desc;
      card.append(el("p", { class: "desc-text" }, head ? el("strong", { text: head }) : null, head ? " " : null, rest));
    } else if (it.drafts.length) {
      const d = it.drafts[0];
      card.append(el("p", { class: "desc-pres-label", text: t("describe.draft_count", { n: fmt(it.n) }) }),
        describedParagraph(d.pattern, d.refs.map((r) => r.title), { el }, "desc-text draft"));
    } else {
      card.append(el("p", { class: "desc-text empty", text: t("describe.not_described") }));
    }
    list.append(card);
  }
  root.append(list);
}

// --- console ------------------------------------------------------------------------------

const consoleState = memory();

export function console(ctx) {
  const { root, activity, results, t, el } = ctx;
  const agg = results.aggregate || {};
  const key = `${activity.id}:${activity.generation}`;
  const authors = new Map((results.items || []).map((i) => [i.id, i.nickname]));
  rebuild(root, () => {
    if (!agg.ready) {
      root.append(el("p", { class: "empty", text: t("describe.no_analysis") }));
      return;
    }
    const s = agg.summary;
    root.append(el("div", { class: "mk-console-head" },
      el("p", { class: "mk-summary", text: `${t("describe.summary_described", { described: fmt(s.described), n: fmt(s.items) })} · ${t("describe.summary_drafts", { n: fmt(s.drafts) })}` })));
    if (!agg.items.length) {
      root.append(el("p", { class: "empty", text: t("describe.no_items") }));
      return;
    }
    const list = el("div", { class: "mk-items" });
    for (const it of agg.items) list.append(consoleItem(ctx, it, `${key}:${it.id}`, agg.referable || [], authors));
    root.append(list);
  });
}

function consoleItem(ctx, it, ik, referable, authors) {
  const { t, el } = ctx;
  const node = draftNode(ctx, it.id);
  const pattern = node ? node.pattern || {} : it.chosen?.pattern || {};
  const description = node ? node.description || "" : it.chosen?.description || "";
  const chosen = !!pattern.rubrik;
  const details = el("details", { class: "mk-item desc-item", open: consoleState.get(`${ik}:open`, false) });
  details.addEventListener("toggle", () => consoleState.set(`${ik}:open`, details.open));
  details.append(el("summary", { class: "mk-item-summary" },
    el("span", { class: "mk-item-title" }, el("strong", { text: it.title }), " ", typeTag(it.type, ctx)),
    el("span", { class: "muted", text: t("describe.n_drafts", { n: fmt(it.n) }) }),
    el("span", { class: chosen ? "badge done" : "badge", text: chosen ? `✓ ${t("describe.described")}` : t("describe.not_described") })));

  const body = el("div", { class: "desc-body" });
  if (chosen) body.append(el("div", { class: "desc-chosen" }, el("h3", { text: t("describe.chosen") }),
    el("p", { class: "desc-text", text: description || assemble(pattern) })));

  // Drafts side by side
  body.append(el("h3", { text: t("describe.drafts") }));
  if (!it.drafts.length) body.append(el("p", { class: "empty", text: t("describe.no_drafts") }));
  else {
    const grid = el("ul", { class: "desc-drafts" });
    for (const d of it.drafts) {
      const who = authors.get(d.id);
      grid.append(el("li", { class: "desc-draft" },
        describedParagraph(d.pattern, d.refs.map((r) => r.title), ctx),
        el("p", { class: "muted desc-by", text: t("describe.by", { name: who || t("describe.anonymous") }) }),
        el("div", { class: "button-row small" },
          el("button", { type: "button", class: "primary", dataset: { focusKey: `${ik}:use:${d.id}` }, onclick: () => {
            const v = { ...d.pattern, refs: d.refs.map((r) => r.id) };
            consoleState.set(`${ik}:v`, v);
            consoleState.set(`${ik}:status`, "");
            console(ctx);
            document.getElementById(`desc-c-${ik.replace(/:/g, "-")}-rubrik`)?.focus();
          } }, t("describe.use")),
          el("button", { type: "button", dataset: { focusKey: `${ik}:hide:${d.id}` }, onclick: () => ctx.moderate(d.id, "hide") }, t("describe.hide")))));
    }
    body.append(grid);
  }

  // Editor
  const start = consoleState.get(`${ik}:v`, { ...pattern, refs: refsFromDescription(description, referable) });
  const form = el("form", { class: "mk-form desc-editor", novalidate: true });
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "status", role: "status", text: consoleState.get(`${ik}:status`, "") });
  const note = el("p", { class: "help", text: consoleState.has(`${ik}:v`) ? t("describe.unsaved") : "" });
  const f = patternFields(ctx, { idBase: `desc-c-${ik.replace(/:/g, "-")}`, values: start, referable, selfId: it.id,
    multiline: false, focusBase: ik, limits: ctx.activity?.limits, onChange: (v) => {
      consoleState.set(`${ik}:v`, v);
      consoleState.set(`${ik}:status`, "");
      status.textContent = "";
      error.textContent = "";
      note.textContent = t("describe.unsaved");
    } });
  const save = el("button", { type: "submit", class: "primary", dataset: { focusKey: `${ik}:save` }, text: t("describe.save") });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = f.read();
    if (!enough(v)) {
      error.textContent = t("describe.need_more");
      return;
    }
    const pat = {};
    for (const k of PARTS) if (squash(v[k])) pat[k] = squash(v[k]);
    const ack = await whileSending(save, () => ctx.draft("node.update", { id: it.id, data: { pattern: pat, description: assemble(pat, v.refs.map((id) => f.titleOf.get(id))) } }));
    if (ack === null) return;
    if (ack && ack.ok) {
      consoleState.drop(`${ik}:v`);
      consoleState.set(`${ik}:status`, t("describe.saved"));
      status.textContent = t("describe.saved");
      note.textContent = "";
    } else error.textContent = ack?.error?.message || t("error");
  });
  put(form, el("h3", { text: t("describe.editor") }), note, f.fields, f.refs, f.preview, error, el("div", { class: "button-row" }, save), status);
  body.append(form);
  details.append(body);
  return details;
}
