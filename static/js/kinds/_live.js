// Live redraws that never pull a field out from under someone typing: shared by the kinds
// whose console views are edited while results keep arriving.
import { clear } from "../core.js";

/** Is someone typing or choosing inside `region`? Then it must not be redrawn under them. */
export function busy(region) {
  const a = document.activeElement;
  return Boolean(a && region.contains(a) && ["INPUT", "TEXTAREA", "SELECT"].includes(a.tagName));
}

/** Run `fn` now, or once focus has left the fields of `region` (the latest `fn` wins). */
export function whenIdle(region, fn) {
  if (!busy(region)) {
    fn();
    return;
  }
  region._pending = fn;
  if (region._waiting) return;
  region._waiting = true;
  const handler = () => setTimeout(() => {
    if (busy(region)) return;
    region.removeEventListener("focusout", handler);
    region._waiting = false;
    const next = region._pending;
    region._pending = null;
    if (next) next();
  }, 0);
  region.addEventListener("focusout", handler);
}

/** Redraw `region` when idle, keeping focus on the control with the same data-fkey. */
export function redraw(region, build) {
  whenIdle(region, () => {
    const active = document.activeElement;
    const key = active && region.contains(active) ? active.dataset?.fkey : null;
    build();
    if (key) region.querySelector(`[data-fkey="${CSS.escape(key)}"]`)?.focus();
  });
}

/** Keep one view per activity in `root`, marked by `data-<mark>`: built once, then updated,
 *  so a redraw never throws away the console's state (what is being edited, open forms). */
export function keepView(ctx, mark, build) {
  const { root, activity } = ctx;
  let view = root.firstElementChild;
  if (!view || view.dataset[mark] !== String(activity.id) || !view._update) {
    view = build(ctx);
    clear(root).append(view);
  }
  view._update(ctx);
}
