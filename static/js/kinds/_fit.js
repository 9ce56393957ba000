// Fitting the presenter's content to the projector, the same way for every kind: the screen
// never scrolls by hand and nothing is cut off. In order of preference:
//   1. denser layout (data-density on the page: a smaller join strip, stacked bars …),
//   2. smaller type: the whole view is scaled down (to 60 %, so text stays readable),
//   3. pages: the longest list is shown a page at a time, advancing on its own, with a
//      "1/3" indicator; content without a list turns page by page the same way.
// Kinds draw as they like into the fit box; the presenter calls `fitScreen` after each draw.

const DENSITIES = [0, 1, 2];
const SCALES = [1, 0.93, 0.86, 0.8, 0.74, 0.68, 0.64, 0.6];
// Paged content keeps larger type, unless a page would then hold a single item.
const PAGED_SCALES = [0.8, 0.7, 0.6];
export const PAGE_MS = 9000;

/** Elements whose own overflow clips (overflow not visible): their content must fit them. */
function clippers(box) {
  const out = [box];
  for (const e of box.querySelectorAll("*")) {
    if (e instanceof SVGElement || e.closest(".sr-only")) continue;
    const s = getComputedStyle(e);
    if (s.overflowX !== "visible" || s.overflowY !== "visible" || s.textOverflow === "ellipsis") out.push(e);
  }
  return out;
}

/** Does everything show: no clipped content in the box, the title inside the body? */
export function overflowing(body, box, clips = clippers(box)) {
  if (body.scrollHeight > body.clientHeight + 1) return true;
  return clips.some((e) => e.getClientRects().length
    && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1));
}

/** The list to page: the element in `box` with the most visible element children (≥ 2). */
function longestList(box) {
  let best = null;
  for (const e of box.querySelectorAll("ol, ul, tbody, [data-fit-list]")) {
    if (e.closest(".sr-only") || !e.getClientRects().length) continue;
    if (e.children.length >= 2 && (!best || e.children.length > best.children.length)) best = e;
  }
  return best;
}

/**
 * One fitter per presenter page. `main` carries data-density; `body` holds the title and the
 * view; `box` is where kinds draw (inside `view`); `indicator` shows "page/pages".
 */
export function createFitter({ main, body, view, box, indicator, label }) {
  const st = { key: null, page: 0, timer: null, busy: false, paged: false };

  function scale(s) {
    main.style.setProperty("--fit", String(s));
    // The title gives way faster than the content (it is read once), down to 3.5vh.
    main.style.setProperty("--title-fit", String(Math.max(0.58, 1 - (1 - s) * 1.6)));
    // Whole pixels, rounded down: the scaled box never reaches past the view's edge.
    const room = view.getBoundingClientRect();
    box.style.width = `${Math.floor(room.width) / s}px`;
    box.style.height = `${Math.floor(room.height) / s}px`;
    box.style.transform = s === 1 ? "" : `scale(${s})`;
  }

  function reset() {
    for (const e of box.querySelectorAll("[data-fit-off]")) e.removeAttribute("data-fit-off");
    box.scrollTop = 0;
    indicator.hidden = true;
    indicator.textContent = "";
    view.dataset.pages = "1";
    st.paged = false;
  }

  function showPage(n, of) {
    indicator.hidden = false;
    // "2/3" for the room, "Page 2 of 3" for a screen reader.
    const shown = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    shown.textContent = `${n + 1}/${of}`;
    const said = document.createElement("span");
    said.className = "sr-only";
    said.textContent = label(n + 1, of);
    indicator.replaceChildren(shown, said);
    view.dataset.pages = String(of);
    st.paged = true;
  }

  /** Split `list`'s children into pages that fit; show page `st.page`. */
  function pageList(list, clips) {
    const items = [...list.children];
    const pages = [];
    let start = 0;
    while (start < items.length) {
      let end = start + 1;
      // Grow the page one item at a time until the next one would not fit.
      items.forEach((e, i) => e.toggleAttribute("data-fit-off", i < start || i >= end));
      while (end < items.length) {
        items[end].removeAttribute("data-fit-off");
        if (overflowing(body, box, clips)) {
          items[end].setAttribute("data-fit-off", "");
          break;
        }
        end += 1;
      }
      pages.push([start, end]);
      start = end;
    }
    const n = st.page % pages.length;
    const [a, b] = pages[n];
    items.forEach((e, i) => e.toggleAttribute("data-fit-off", i < a || i >= b));
    if (pages.length > 1) showPage(n, pages.length);
    return pages.length;
  }

  /** Do the first two items of `list` fit on one page at the current scale? */
  function holdsTwo(list) {
    const items = [...list.children];
    items.forEach((e, i) => e.toggleAttribute("data-fit-off", i > 1));
    const fits = !overflowing(body, box);
    for (const e of items) e.removeAttribute("data-fit-off");
    return fits;
  }

  /** No list to page: turn the box a screen at a time. */
  function pageScroll() {
    const step = Math.max(1, box.clientHeight - 8);
    const of = Math.max(1, Math.ceil((box.scrollHeight - 8) / step));
    const n = st.page % of;
    box.scrollTop = n * step;
    if (of > 1) showPage(n, of);
    return of;
  }

  function fit(key) {
    if (st.busy) return;
    st.busy = true;
    try {
      if (key !== st.key) {
        st.key = key;
        st.page = 0;
      }
      reset();
      let done = false;
      for (const d of DENSITIES) {
        main.dataset.density = String(d);
        scale(1);
        const clips = clippers(box);
        if (!overflowing(body, box, clips)) {
          done = true;
          break;
        }
      }
      if (!done) {
        const clips = clippers(box);
        for (const s of SCALES.slice(1)) {
          scale(s);
          if (!overflowing(body, box, clips)) {
            done = true;
            break;
          }
        }
      }
      if (!done) {
        let list = null;
        for (const s of PAGED_SCALES) {
          scale(s);
          list = longestList(box);
          if (!list || holdsTwo(list)) break;
        }
        if (list) pageList(list, clippers(box));
        if (!list || overflowing(body, box)) {
          // An item taller than the screen: turn the whole view instead, at the smallest type.
          for (const e of box.querySelectorAll("[data-fit-off]")) e.removeAttribute("data-fit-off");
          scale(SCALES[SCALES.length - 1]);
          pageScroll();
        }
      }
    } finally {
      st.busy = false;
    }
    // One running timer: live updates redraw often, and must not hold the page still.
    if (!st.paged) {
      clearTimeout(st.timer);
      st.timer = null;
    } else if (!st.timer) {
      st.timer = setTimeout(() => {
        st.timer = null;
        st.page += 1;
        fit(st.key);
      }, PAGE_MS);
    }
  }

  return { fit, get busy() { return st.busy; } };
}
