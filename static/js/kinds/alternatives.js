// Step 1 · Formulera alternativen. The console writes Alternativ A (nollalternativet),
// Alternativ B, the comparison rows and the frame into the draft analysis; phones read them
// and question a row ("Är detta verkligen olika?") or comment on it; the screen shows the
// A/B table large with how many question each row and the latest comments.
import { clear, fmt, whileSending } from "../core.js";
import { limitText } from "./_limit.js";
import { busy, keepView, redraw, whenIdle } from "./_live.js";

// --- small helpers ------------------------------------------------------------------------

const norm = (s) => String(s ?? "").split(/\s+/).filter(Boolean).join(" ").toLowerCase();

/** The current row an input belongs to: same aspect (the one at its index if several). */
export function rowFor(rows, data) {
  const want = norm(data.aspect);
  const same = rows.map((r, i) => (norm(r.aspect) === want ? i : -1)).filter((i) => i >= 0);
  if (!same.length) return null;
  return same.includes(data.row) ? data.row : same[0];
}

const PERSPECTIVE_KINDS = ["egen_organisation", "invanare", "narstaende", "andra_organisationer", "samhallet"];

function kindLabel(t, kind) {
  const key = `vocab.perspective_kind.${kind}`;
  const s = t(key);
  return s === key ? kind : s;
}

function ratePercent(rate) {
  return Math.round(Number(rate || 0) * 100000) / 1000;
}

/** The frame as a definition list (phone and console summary). */
function frameList(frame, { t, el }) {
  const dl = el("dl", { class: "alt-frame" });
  if (frame.perspectives?.length) {
    dl.append(el("dt", { text: t("alternatives.perspectives") }),
      el("dd", {}, el("ul", {}, frame.perspectives.map((p) => el("li", {}, el("strong", { text: p.label }), ` · ${kindLabel(t, p.kind)}`)))));
  }
  dl.append(el("dt", { text: t("alternatives.horizon") }), el("dd", { text: t("alternatives.horizon_years", { n: fmt(frame.horizon) }) }));
  dl.append(el("dt", { text: t("alternatives.discount_rate") }), el("dd", { text: `${fmt(ratePercent(frame.discount_rate), 3)} %` }));
  dl.append(el("dt", { text: t("alternatives.convention") }),
    el("dd", { text: frame.convention === "B" ? t("alternatives.convention_b") : t("alternatives.convention_a") }));
  return dl;
}

function textOr(text, t, el, cls) {
  return text ? el("p", { class: cls, text }) : el("p", { class: `${cls} empty`, text: t("alternatives.not_written") });
}

// --- phone ---------------------------------------------------------------------------------

export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  const id = activity.id;
  let content = results?.content || { a: "", b: "", rows: [], allow_comments: true, max_comments: 10 };
  let own = mine.slice();
  const openComment = new Set(); // rows whose comment box is open

  const abBox = el("div", { class: "alt-ab" });
  const frameBox = el("div", { class: "alt-frame-box" });
  const rowsBox = el("div", { class: "alt-rows" });
  const left = el("p", { class: "help", "aria-live": "polite" });
  const live = el("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  // "How A and B differ" and the doubt button speak of A and B: shown only with rows to compare.
  const tableHead = el("h2", { class: "alt-table-head", text: t("alternatives.comparison") });
  const flagHelp = el("p", { class: "help", text: t("alternatives.flag_help") });
  root.append(abBox, frameBox, tableHead, flagHelp, rowsBox, left, live);

  const myState = () => {
    const rows = content.rows || [];
    const flags = new Map();
    const comments = new Map();
    for (const m of own) {
      const d = m.data || {};
      const i = rowFor(rows, d);
      if (i === null) continue;
      flags.set(i, d.flag === true);
      if (d.comment) comments.set(i, [...(comments.get(i) || []), d.comment]);
    }
    return { flags, comments };
  };
  const commentsWritten = () => own.filter((m) => m.data?.comment && m.status !== "deleted").length;

  let topSig = "";
  function drawTop() {
    const sig = JSON.stringify([content.a, content.b, content.frame || null]);
    if (sig === topSig) return;
    topSig = sig;
    if (!content.a && !content.b) {
      clear(abBox).append(el("p", { class: "alt-missing notice", text: t("alternatives_not_written") }));
    } else clear(abBox).append(
      el("section", { class: "alt-card alt-a", "aria-labelledby": `alt-a-${id}` },
        el("h2", { id: `alt-a-${id}` }, t("alternatives.alt_a"), el("span", { class: "alt-sub", text: ` · ${t("alternatives.alt_a_help")}` })),
        textOr(content.a, t, el, "alt-text")),
      el("section", { class: "alt-card alt-b", "aria-labelledby": `alt-b-${id}` },
        el("h2", { id: `alt-b-${id}` }, t("alternatives.alt_b"), el("span", { class: "alt-sub", text: ` · ${t("alternatives.alt_b_help")}` })),
        textOr(content.b, t, el, "alt-text")));
    const wasOpen = frameBox.querySelector("details")?.open || false;
    clear(frameBox);
    if (content.frame) {
      frameBox.append(el("details", { class: "alt-frame-details", open: wasOpen },
        el("summary", { text: t("alternatives.frame") }), frameList(content.frame, { t, el })));
    }
  }

  function drawRows() {
    redraw(rowsBox, () => {
      const rows = content.rows || [];
      const { flags, comments } = myState();
      const allow = content.allow_comments !== false;
      const remaining = Math.max(0, (content.max_comments || 10) - commentsWritten());
      left.textContent = !allow ? t("alternatives.comments_off") : t("alternatives.comments_left", { n: fmt(remaining) });
      clear(rowsBox);
      tableHead.hidden = flagHelp.hidden = !rows.length;
      if (!rows.length && (content.a || content.b)) rowsBox.append(el("p", { class: "empty", text: t("alternatives.no_rows") }));
      rows.forEach((r, i) => {
        const on = flags.get(i) === true;
        const card = el("section", { class: "alt-row-card" + (on ? " flagged" : ""), "aria-labelledby": `alt-r-${id}-${i}` });
        card.append(el("h3", { id: `alt-r-${id}-${i}`, text: r.aspect || t("alternatives.row_n", { n: i + 1 }) }));
        const dt = (letter, label) => el("dt", {}, el("span", { class: `alt-dt-letter alt-dt-${letter.toLowerCase()}`, "aria-hidden": "true", text: letter }),
          el("span", { class: "sr-only", text: label }));
        card.append(el("dl", { class: "alt-ab-row" },
          dt("A", t("alternatives.alt_a")), el("dd", { text: r.a || "–" }),
          dt("B", t("alternatives.alt_b")), el("dd", { text: r.b || "–" })));
        const flag = el("button", {
          type: "button", class: "alt-flag" + (on ? " on" : ""), "aria-pressed": String(on), disabled: closed,
          "data-fkey": `flag-${i}`,
        }, el("span", { class: "alt-flag-icon", "aria-hidden": "true", text: "?" }), el("span", { text: t("alternatives.flag") }));
        flag.addEventListener("click", async () => {
          const ack = await submit({ row: i, flag: !on, comment: "" });
          if (ack.ok) {
            own = [...own, { id: ack.response_id, data: ack.data, status: ack.status }];
            live.textContent = !on ? t("alternatives.flag_on") : t("alternatives.flag_saved");
            drawRows();
          } else live.textContent = ack.pending ? t("offline") : ack.error.message;
        });
        const actions = el("div", { class: "alt-row-actions" }, flag);
        if (on) card.append(el("p", { class: "alt-flag-note", text: t("alternatives.flag_on") }));
        if (allow) {
          const open = openComment.has(i);
          const toggle = el("button", { type: "button", class: "alt-comment-toggle", "aria-expanded": String(open), disabled: closed,
            "aria-controls": `alt-c-${id}-${i}`, "data-fkey": `ctoggle-${i}`, text: t("alternatives.comment") });
          toggle.addEventListener("click", () => {
            if (openComment.has(i)) openComment.delete(i);
            else openComment.add(i);
            drawRows();
            if (openComment.has(i)) rowsBox.querySelector(`#alt-ct-${id}-${i}`)?.focus();
          });
          actions.append(toggle);
          card.append(actions);
          const area = el("textarea", { id: `alt-ct-${id}-${i}`, rows: "3", disabled: closed || remaining === 0 });
          const err = el("p", { class: "error", role: "alert" });
          const send = el("button", { type: "submit", class: "primary", disabled: closed || remaining === 0, text: t("alternatives.send_comment") });
          const form = el("form", { class: "alt-comment-form", id: `alt-c-${id}-${i}`, hidden: !open, novalidate: true },
            el("label", { for: area.id, text: t("alternatives.comment_label", { aspect: r.aspect || t("alternatives.row_n", { n: i + 1 }) }) }),
            area, limitText(area, activity.limits?.comment, { el }), err, send);
          form.addEventListener("submit", async (ev) => {
            ev.preventDefault();
            const text = area.value.trim();
            err.textContent = "";
            if (!text) {
              err.textContent = t("alternatives.empty_comment");
              return area.focus();
            }
            const ack = await whileSending(send, () => submit({ row: i, flag: on, comment: text }));
            if (!ack) return;
            if (ack.ok || ack.pending) {
              if (ack.ok) own = [...own, { id: ack.response_id, data: ack.data, status: ack.status }];
              area.value = "";
              openComment.delete(i);
              live.textContent = ack.ok ? t("alternatives.comment_sent") : t("offline");
              area.blur();
              drawRows();
              rowsBox.querySelector(`[data-fkey="ctoggle-${i}"]`)?.focus();
            } else err.textContent = ack.error.message;
          });
          card.append(form);
        } else {
          card.append(actions);
        }
        const mineHere = comments.get(i) || [];
        if (mineHere.length) {
          card.append(el("div", { class: "alt-my-comments" },
            el("p", { class: "help", text: t("alternatives.your_comments") }),
            el("ul", { class: "entries" }, mineHere.map((c) => el("li", { text: c })))));
        }
        rowsBox.append(card);
      });
    });
  }

  drawTop();
  drawRows();
  return {
    update(res, m) {
      if (res && res.content) content = res.content;
      if (m) own = m.slice();
      drawTop();
      drawRows();
    },
  };
}

// --- presenter -----------------------------------------------------------------------------

/** Shrink `box`'s type until its content fits its height (the projector never scrolls). */
function fit(box, maxPx, minPx) {
  let size = maxPx;
  box.style.fontSize = `${size}px`;
  for (let i = 0; i < 24 && size > minPx && (box.scrollHeight > box.clientHeight + 2 || box.scrollWidth > box.clientWidth + 2); i++) {
    size = Math.max(minPx, size * 0.93);
    box.style.fontSize = `${size}px`;
  }
}

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate;
  const box = el("div", { class: "alt-present" });
  const head = (letter, label, text) => el("th", { scope: "col", class: `alt-col-${letter.toLowerCase()}` },
    el("span", { class: "alt-head-label" }, el("span", { class: "alt-letter", text: letter }), label),
    text ? el("span", { class: "alt-head-text", text }) : el("span", { class: "alt-head-text empty", text: t("alternatives.not_written") }));
  const table = el("table", { class: "alt-present-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", class: "alt-col-aspect" }, el("span", { class: "alt-head-label", text: t("alternatives.aspect") })),
      head("A", t("alternatives.alt_a"), agg.a),
      head("B", t("alternatives.alt_b"), agg.b),
      el("th", { scope: "col", class: "alt-flag-col" }, el("span", { class: "alt-head-label", text: t("alternatives.flags") })),
      el("th", { scope: "col", class: "alt-col-comments" }, el("span", { class: "alt-head-label", text: t("alternatives.latest_comments") })))));
  const body = el("tbody");
  for (const r of agg.rows) {
    body.append(el("tr", { class: r.flags ? "flagged" : "" },
      el("th", { scope: "row", text: r.aspect }),
      el("td", { text: r.a }),
      el("td", { text: r.b }),
      el("td", { class: "alt-flag-col" }, r.flags
        ? el("span", { class: "alt-flag-count" }, el("span", { "aria-hidden": "true", text: "? " }), fmt(r.flags))
        : el("span", { class: "muted", text: "–" })),
      el("td", { class: "alt-comments" },
        el("ul", {}, r.comments.slice(0, 2).map((c) => el("li", { text: c.text }))),
        r.comment_count > 2 ? el("p", { class: "muted", text: t("alternatives.n_comments", { n: fmt(r.comment_count) }) }) : null)));
  }
  table.append(body);
  box.append(table);
  if (!agg.rows.length) box.append(el("p", { class: "analysis-pres-empty", text: t("alternatives.no_comparison") }));
  clear(root).append(box);
  fit(box, window.innerHeight * 0.03, window.innerHeight * 0.013);
}

// --- console -------------------------------------------------------------------------------

export function console(ctx) {
  keepView(ctx, "altConsole", buildConsole);
}

function buildConsole(first) {
  const { activity, t, el } = first;
  const actId = activity.id;
  let ctx = first;
  let agg = null;

  const say = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const save = async (data) => {
    say.classList.remove("error");
    say.textContent = t("alternatives.saving");
    const ack = await ctx.draft("frame.update", { data });
    if (ack && ack.ok) say.textContent = t("alternatives.saved");
    else if (ack) {
      say.classList.add("error");
      say.textContent = ack.error?.message || t("error");
    }
    return ack;
  };
  const moderate = async (rid, action) => {
    const ack = await ctx.moderate(rid, action);
    if (ack && !ack.ok) {
      say.classList.add("error");
      say.textContent = ack.error?.message || t("error");
    }
  };

  // The facts of the frame: the name of the change, who does the analysis, where, from when, why.
  const FACTS = [
    ["name_of_change", 300], ["organisation", 200], ["area", 200], ["geography", 200], ["start_year", 4], ["status_text", 100], ["contact_role", 200], ["purpose", 5000],
  ];
  const HELP = { name_of_change: "h_name_of_change", organisation: "h_organisation", geography: "h_geography", start_year: "h_start_year" };
  const factIn = {};
  const factBox = el("div", { class: "alt-facts-grid" });
  for (const [key, max] of FACTS) {
    const id = `alt-${key}-${actId}`;
    const help = HELP[key] ? el("span", { class: "help", id: `${id}-help`, text: t(`alternatives.${HELP[key]}`) }) : null;
    const attrs = { id, name: key, maxlength: String(max), autocomplete: "off", "aria-describedby": help ? help.id : null };
    const input = key === "purpose" ? el("textarea", { ...attrs, rows: "3" })
      : el("input", { ...attrs, type: "text", inputmode: key === "start_year" ? "numeric" : null, class: key === "start_year" ? "num" : null });
    input.addEventListener("change", () => {
      const v = input.value.trim();
      save({ [key]: key === "start_year" ? (v === "" ? null : v) : v });
    });
    factIn[key] = input;
    factBox.append(el("div", { class: `field alt-fact-${key}` }, el("label", { for: id, text: t(`alternatives.f_${key}`) }), input, help));
  }
  const gapsLine = el("p", { class: "help alt-gaps" });
  const facts = el("section", { class: "alt-facts-edit", "aria-labelledby": `alt-fa-${actId}` },
    el("h3", { id: `alt-fa-${actId}`, text: t("alternatives.facts_heading") }), gapsLine, factBox);

  // A and B.
  const aIn = el("textarea", { id: `alt-a-in-${actId}`, rows: "3", maxlength: "5000" });
  const bIn = el("textarea", { id: `alt-b-in-${actId}`, rows: "3", maxlength: "5000" });
  aIn.addEventListener("change", () => save({ alternative_a: aIn.value.trim() }));
  bIn.addEventListener("change", () => save({ alternative_b: bIn.value.trim() }));
  const ab = el("div", { class: "grid2 alt-ab-edit" },
    el("div", {}, el("label", { for: aIn.id, text: t("alternatives.a_label") }), aIn),
    el("div", {}, el("label", { for: bIn.id, text: t("alternatives.b_label") }), bIn));

  // The comparison rows, with what the room says about each.
  const rowsBox = el("div", { class: "alt-edit-rows" });
  const newAspect = el("input", { id: `alt-new-aspect-${actId}`, maxlength: "200", placeholder: t("alternatives.new_aspect"), autocomplete: "off" });
  const newA = el("input", { id: `alt-new-a-${actId}`, maxlength: "1000", "aria-label": t("alternatives.alt_a"), placeholder: t("alternatives.alt_a") });
  const newB = el("input", { id: `alt-new-b-${actId}`, maxlength: "1000", "aria-label": t("alternatives.alt_b"), placeholder: t("alternatives.alt_b") });
  const addRow = el("form", { class: "alt-add-row", novalidate: true },
    el("label", { for: newAspect.id, class: "sr-only", text: t("alternatives.aspect") }),
    newAspect, newA, newB, el("button", { type: "submit", class: "primary", text: t("alternatives.add_row") }));
  addRow.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const row = { aspect: newAspect.value.trim(), a: newA.value.trim(), b: newB.value.trim() };
    if (!row.aspect && !row.a && !row.b) return newAspect.focus();
    const ack = await save({ comparison: [...collectRows(), row] });
    if (ack?.ok) {
      newAspect.value = newA.value = newB.value = "";
      newAspect.focus();
    }
  });

  // The frame.
  const perspBox = el("div", { class: "alt-persp-list" });
  const newKind = el("select", { id: `alt-new-kind-${actId}`, "aria-label": t("alternatives.perspective_kind") },
    PERSPECTIVE_KINDS.map((k) => el("option", { value: k, text: kindLabel(t, k) })));
  const newLabel = el("input", { id: `alt-new-label-${actId}`, maxlength: "200", placeholder: t("alternatives.perspective_label"),
    "aria-label": t("alternatives.perspective_label"), autocomplete: "off" });
  const addPersp = el("form", { class: "alt-add-persp", novalidate: true }, newKind, newLabel,
    el("button", { type: "submit", text: t("alternatives.add_perspective") }));
  addPersp.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const label = newLabel.value.trim();
    if (!label) return newLabel.focus();
    const ack = await save({ perspectives: [...collectPerspectives(), { kind: newKind.value, label }] });
    if (ack?.ok) {
      newLabel.value = "";
      newLabel.focus();
    }
  });
  const horizon = el("input", { id: `alt-h-${actId}`, type: "number", min: "1", max: "30", step: "1", inputmode: "numeric" });
  const rate = el("input", { id: `alt-r-${actId}`, inputmode: "decimal", autocomplete: "off" });
  horizon.addEventListener("change", () => save({ horizon: Number(horizon.value) }));
  rate.addEventListener("change", () => {
    const v = Number(rate.value.replace(/\s/g, "").replace(",", "."));
    if (!Number.isFinite(v) || rate.value.trim() === "") {
      say.classList.add("error");
      say.textContent = t("error");
      return;
    }
    save({ discount_rate: Math.round(v * 1000) / 100000 });
  });
  const conv = ["A", "B"].map((c) => {
    const input = el("input", { type: "radio", name: `alt-conv-${actId}`, value: c });
    input.addEventListener("change", () => input.checked && save({ convention: c }));
    return { c, input };
  });
  const frame = el("section", { class: "alt-frame-edit", "aria-labelledby": `alt-fh-${actId}` },
    el("h3", { id: `alt-fh-${actId}`, text: t("alternatives.frame_heading") }),
    el("h4", { text: t("alternatives.perspectives") }),
    el("p", { class: "help", text: t("alternatives.perspective_hint") }),
    perspBox, addPersp,
    el("div", { class: "alt-numbers" },
      el("div", {}, el("label", { for: horizon.id, text: t("alternatives.horizon_label") }), horizon),
      el("div", {}, el("label", { for: rate.id, text: t("alternatives.rate_label") }), rate),
      el("fieldset", { class: "alt-conv" }, el("legend", { text: t("alternatives.convention") }),
        conv.map(({ c, input }) => el("label", { class: "check" }, input,
          el("span", { text: c === "A" ? t("alternatives.convention_a") : t("alternatives.convention_b") }))))));

  const orphans = el("div", { class: "alt-orphans" });
  const wrap = el("div", { class: "alt-console" },
    say,
    facts,
    el("section", { "aria-labelledby": `alt-eh-${actId}` },
      el("h3", { id: `alt-eh-${actId}`, text: t("alternatives.edit_heading") }),
      ab,
      el("h4", { text: t("alternatives.comparison") }),
      rowsBox, addRow, orphans),
    frame);
  wrap.dataset.altConsole = String(actId);

  function collectRows() {
    return [...rowsBox.querySelectorAll(".alt-edit-row")].map((row) => ({
      aspect: row.querySelector(".alt-in-aspect").value.trim(),
      a: row.querySelector(".alt-in-a").value.trim(),
      b: row.querySelector(".alt-in-b").value.trim(),
    }));
  }

  function collectPerspectives(skip = -1) {
    return [...perspBox.querySelectorAll(".alt-persp")].map((row) => ({
      kind: row.querySelector("select").value,
      label: row.querySelector("input").value.trim(),
    })).filter((p, j) => p.label && j !== skip);
  }

  function commentItem(c) {
    return el("li", { class: "mod-item", "data-status": c.status },
      el("span", { class: "mod-text" }, c.text,
        el("span", { class: "muted", text: [c.nickname, c.status === "hidden" ? t("alternatives.hidden_comment") : ""].filter(Boolean).map((x) => ` · ${x}`).join("") })),
      el("span", { class: "mod-actions" },
        c.status === "hidden"
          ? el("button", { type: "button", "data-fkey": `show-${c.id}`, onclick: () => moderate(c.id, "show"), text: t("show") })
          : el("button", { type: "button", "data-fkey": `hide-${c.id}`, onclick: () => moderate(c.id, "hide"), text: t("hide") }),
        el("button", { type: "button", class: "danger", "data-fkey": `del-${c.id}`, text: t("delete"),
          onclick: () => window.confirm(`${t("delete")}?`) && moderate(c.id, "delete") })));
  }

  function drawRows() {
    redraw(rowsBox, () => {
      const items = ctx.results.items || [];
      const rows = agg.rows;
      const byRow = new Map();
      for (const c of items) {
        const i = rowFor(rows, c);
        if (i !== null) byRow.set(i, [...(byRow.get(i) || []), c]);
      }
      clear(rowsBox);
      if (!rows.length) rowsBox.append(el("p", { class: "empty", text: t("alternatives.no_comparison") }));
      else {
        rowsBox.append(el("div", { class: "alt-edit-head", "aria-hidden": "true" },
          el("span", { text: t("alternatives.aspect") }), el("span", { text: t("alternatives.alt_a") }),
          el("span", { text: t("alternatives.alt_b") }), el("span", { text: t("alternatives.flags") })));
      }
      rows.forEach((r, i) => {
        const n = i + 1;
        const aspect = el("input", { class: "alt-in-aspect", value: r.aspect, maxlength: "200", "data-fkey": `asp-${i}`,
          "aria-label": `${t("alternatives.aspect")} · ${t("alternatives.row_n", { n })}` });
        const a = el("textarea", { class: "alt-in-a", rows: "2", maxlength: "1000", "data-fkey": `a-${i}`,
          "aria-label": `${t("alternatives.alt_a")} · ${t("alternatives.row_n", { n })}` });
        a.value = r.a;
        const b = el("textarea", { class: "alt-in-b", rows: "2", maxlength: "1000", "data-fkey": `b-${i}`,
          "aria-label": `${t("alternatives.alt_b")} · ${t("alternatives.row_n", { n })}` });
        b.value = r.b;
        for (const f of [aspect, a, b]) f.addEventListener("change", () => save({ comparison: collectRows() }));
        const up = el("button", { type: "button", "data-fkey": `up-${i}`, disabled: i === 0, "aria-label": t("alternatives.move_up", { n }),
          onclick: () => {
            const list = collectRows();
            [list[i - 1], list[i]] = [list[i], list[i - 1]];
            save({ comparison: list });
          } }, el("span", { "aria-hidden": "true", text: "↑" }));
        const remove = el("button", { type: "button", class: "danger", "data-fkey": `rm-${i}`, "aria-label": t("alternatives.remove_row", { n }),
          onclick: () => {
            if (!window.confirm(t("alternatives.confirm_remove"))) return;
            save({ comparison: collectRows().filter((_, j) => j !== i) });
          } }, el("span", { "aria-hidden": "true", text: "×" }));
        const comments = byRow.get(i) || [];
        const row = el("div", { class: "alt-edit-row" + (r.flags ? " flagged" : "") },
          el("div", { class: "alt-edit-fields" }, aspect, a, b,
            el("div", { class: "alt-edit-side" },
              el("span", { class: "alt-flag-count" + (r.flags ? "" : " zero"), title: t("alternatives.flags") },
                el("span", { "aria-hidden": "true", text: "? " }), fmt(r.flags),
                el("span", { class: "sr-only", text: ` ${t("alternatives.n_flags", { n: fmt(r.flags) })}` })),
              el("span", { class: "button-row small" }, up, remove))));
        if (comments.length) row.append(el("ul", { class: "mod-list alt-row-comments" }, comments.map(commentItem)));
        rowsBox.append(row);
      });
      const lost = items.filter((c) => rowFor(rows, c) === null);
      clear(orphans);
      if (lost.length) {
        orphans.append(el("details", {}, el("summary", { text: `${t("alternatives.orphans")} (${fmt(lost.length)})` }),
          el("ul", { class: "mod-list" }, lost.map((c) => {
            const li = commentItem(c);
            li.querySelector(".mod-text").prepend(el("strong", { text: `${c.aspect || "–"}: ` }));
            return li;
          }))));
      }
    });
  }

  function drawFrame() {
    const f = agg.frame;
    redraw(perspBox, () => {
      clear(perspBox);
      f.perspectives.forEach((p, i) => {
        const kind = el("select", { "data-fkey": `pk-${i}`, "aria-label": `${t("alternatives.perspective_kind")} · ${p.label}` },
          PERSPECTIVE_KINDS.map((k) => el("option", { value: k, text: kindLabel(t, k), selected: k === p.kind })));
        const label = el("input", { value: p.label, maxlength: "200", "data-fkey": `pl-${i}`, "aria-label": t("alternatives.perspective_label") });
        kind.addEventListener("change", () => save({ perspectives: collectPerspectives() }));
        label.addEventListener("change", () => save({ perspectives: collectPerspectives() }));
        const rm = el("button", { type: "button", class: "danger", "data-fkey": `prm-${i}`,
          "aria-label": t("alternatives.remove_perspective", { label: p.label }),
          onclick: () => save({ perspectives: collectPerspectives(i) }) }, el("span", { "aria-hidden": "true", text: "×" }));
        perspBox.append(el("div", { class: "alt-persp" }, kind, label, rm));
      });
    });
    if (document.activeElement !== horizon) horizon.value = String(f.horizon);
    if (document.activeElement !== rate) rate.value = String(ratePercent(f.discount_rate)).replace(".", document.documentElement.lang === "en" ? "." : ",");
    for (const { c, input } of conv) input.checked = f.convention === c;
  }

  wrap._update = (next) => {
    ctx = next;
    agg = next.results.aggregate;
    if (!agg) return;
    const known = { ...(agg.facts || {}), start_year: agg.frame?.start_year ?? "" };
    for (const [key, input] of Object.entries(factIn)) {
      if (document.activeElement !== input) input.value = String(known[key] ?? "");
    }
    const gaps = agg.gaps || [];
    gapsLine.textContent = gaps.length ? `${t("alternatives.gaps")} ${gaps.map((g) => g.label).join(", ")}.` : "";
    if (document.activeElement !== aIn) aIn.value = agg.a || "";
    if (document.activeElement !== bIn) bIn.value = agg.b || "";
    drawRows();
    drawFrame();
  };
  return wrap;
}
