// Shared browser helpers: translated strings, safe DOM building, sockets, timers, kinds.
// User text only ever reaches the page through textContent (see el()).

const i18n = document.getElementById("i18n");
const strings = JSON.parse(i18n?.textContent || "{}");
// A phone page carries only the strings and styles of the kinds its workshop held
// (data-kinds); a kind added later brings its own with its module (see loadKind).
const pageKinds = i18n?.dataset.kinds !== undefined ? new Set(i18n.dataset.kinds.split(" ")) : null;

/** Translated string for `key`; the key itself if the catalogue lacks it. */
/** The number a plural form is chosen by: `n` as given, or as formatted ("1", "1\u00a0000"). */
function countOf(n) {
  return typeof n === "number" ? n : Number(String(n).replace(/[\s\u00a0\u202f]/g, "").replace(",", "."));
}

export function t(key, vars) {
  // Plural strings come as `key` (other) and `key#one` (see workshop/i18n.py Plural).
  const one = vars && vars.n !== undefined && countOf(vars.n) === 1 ? strings[`${key}#one`] : undefined;
  let s = one ?? strings[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`%(${k})s`, String(v));
  return s;
}

/**
 * Build an element. `attrs` keys: class, text (textContent), on<Event> (listener),
 * dataset, style (object), anything else as an attribute. Children: nodes or strings.
 */
export function el(tag, attrs = {}, ...children) {
  const svg = ["svg", "g", "text", "rect", "line", "circle", "path", "title"].includes(tag);
  const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/**
 * Rebuild what `region` shows with `build()` without dropping keyboard focus to the page: the
 * control that had focus is found again in the new content by its data-fkey ("row:action"); if
 * that exact control is gone ("Hide" became "Show"), the first control of the same row
 * (data-fkey starting with "row:") takes focus; failing that, `fallback()` (an element or null).
 */
export function keepFocus(region, build, fallback = null) {
  const active = document.activeElement;
  const inside = Boolean(active && active !== region && region.contains(active));
  const key = inside ? active.dataset?.fkey : null;
  const result = build();
  if (!inside || (active.isConnected && region.contains(active))) return result;
  const sel = (k, op = "") => `[data-fkey${op}="${CSS.escape(k)}"]`;
  const row = key && key.includes(":") ? key.slice(0, key.lastIndexOf(":") + 1) : null;
  const usable = (n) => n && !n.disabled && !n.closest("[hidden]");
  const again = (key && region.querySelector(sel(key))) ||
    (row && [...region.querySelectorAll(sel(row, "^"))].find(usable)) ||
    (fallback && fallback());
  if (usable(again)) again.focus({ preventScroll: true });
  return result;
}

/**
 * Send with `button` marked busy: it says so (aria-disabled) and ignores presses until `send()`
 * (a Promise) settles, but stays focusable — a disabled button would drop keyboard focus to the
 * page. Resolves with what `send` resolved, or null for a press while busy.
 */
export async function whileSending(button, send) {
  if (button.dataset.sending === "true") return null;
  button.dataset.sending = "true";
  button.setAttribute("aria-disabled", "true");
  try {
    return await send();
  } finally {
    delete button.dataset.sending;
    button.removeAttribute("aria-disabled");
  }
}

export function clientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Show the connection state in #conn, for sighted users and screen readers alike. */
export function connectionBadge(socket) {
  const badge = document.getElementById("conn");
  const set = (state) => {
    if (!badge) return;
    badge.dataset.state = state;
    badge.textContent = state === "up" ? t("connected") : state === "down" ? t("offline") : t("connecting");
  };
  set("connecting");
  socket.on("connect", () => set("up"));
  socket.on("disconnect", () => set("down"));
  socket.io.on("reconnect_attempt", () => set("connecting"));
  return set;
}

// One key per page load: behind the shipped nginx configuration every request of this page's
// connection reaches the same server process, also over long-polling (docs/deploy.md).
const connectionKey = Math.random().toString(36).slice(2, 12);

/** Open a Socket.IO connection to one of our namespaces; it reconnects by itself. */
export function openSocket(namespace, auth) {
  // eslint-disable-next-line no-undef
  return io(namespace, {
    auth,
    transports: ["websocket", "polling"],
    // A network that blocks websockets: fall back to long-polling instead of retrying the
    // websocket forever (socket.io-client >= 4.8 only falls back when asked to).
    tryAllTransports: true,
    query: { k: connectionKey },
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
}

/** True when ``next`` was read before ``shown`` (a message from another server process that
 *  arrived late): keep what is shown. Versions compare as strings. */
export function isOlder(next, shown) {
  return Boolean(shown && shown.version && next && next.version && next.version < shown.version);
}

/** A snapshot's results, each replaced by what is shown where that was read later (a state or
 *  results event that overtook the snapshot while it was being built). */
export function newerResults(shown, incoming) {
  const out = { ...(incoming || {}) };
  for (const [id, r] of Object.entries(out)) if (isOlder(r, shown?.[id])) out[id] = shown[id];
  return out;
}

const kindModules = new Map();

/** The strings and styles of `kind` when the page does not carry them yet: its strings
 *  (GET /api/strings/...) and the stylesheet of every kind (data-styles). */
async function kindExtras(kind) {
  if (!pageKinds || pageKinds.has(kind)) return;
  const href = i18n.dataset.styles;
  const styled = !href || document.querySelector(`link[rel="stylesheet"][href="${href}"]`)
    ? null
    : new Promise((resolve) => {
        const link = el("link", { rel: "stylesheet", href });
        link.addEventListener("load", resolve, { once: true });
        link.addEventListener("error", resolve, { once: true }); // unstyled beats not shown
        document.head.append(link);
      });
  const res = await fetch(`/api/strings/${document.documentElement.lang || "sv"}/${kind}.json`);
  if (!res.ok) throw new Error(`strings of ${kind}: ${res.status}`);
  Object.assign(strings, await res.json());
  await styled;
  pageKinds.add(kind);
}

/** The JS module of an activity kind: static/js/kinds/<kind>.js (loaded once). */
export function loadKind(kind) {
  if (!/^[a-z_]+$/.test(kind)) return Promise.reject(new Error("bad kind"));
  if (!kindModules.has(kind)) {
    // A failed load (a phone's network dropped) is not remembered: the next call tries again.
    const loading = Promise.all([import(`./kinds/${kind}.js`), kindExtras(kind)]).then(([mod]) => mod).catch((err) => {
      kindModules.delete(kind);
      throw err;
    });
    kindModules.set(kind, loading);
  }
  return kindModules.get(kind);
}

/** Server clock offset, so every screen counts down to the same second. */
let clockOffset = 0;
export function syncClock(serverNowIso) {
  if (serverNowIso) clockOffset = Date.parse(serverNowIso) - Date.now();
}

/** A closing time ("Öppen till") the way the workshop's language writes it, in the server's zone. */
export function formatDateTime(iso, lang, timeZone) {
  if (!iso) return "";
  const opts = { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "sv-SE", { ...opts, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "sv-SE", opts).format(new Date(iso));
  }
}

/** When the workshop's closing time passes while a page is open, mark it closed and call
 * `onClose` (the server refuses answers from that moment; no message need arrive). */
let closingTimer = null;
export function watchClosing(ws, onClose) {
  if (closingTimer) clearTimeout(closingTimer);
  closingTimer = null;
  if (!ws?.open_until || !ws.accepts_input) return;
  const ms = Date.parse(ws.open_until) - (Date.now() + clockOffset);
  // Timers longer than ~24.8 days overflow; a page open that long gets a new state anyway.
  if (ms > 2 ** 31 - 1) return;
  closingTimer = setTimeout(() => {
    ws.accepts_input = false;
    onClose();
  }, Math.max(0, ms) + 250);
}

export function secondsLeft(endsIso) {
  if (!endsIso) return null;
  return Math.max(0, Math.round((Date.parse(endsIso) - (Date.now() + clockOffset)) / 1000));
}

export function formatSeconds(s) {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? `${h}:` : "") + `${mm}:${String(sec).padStart(2, "0")}`;
}

/** The activity's countdown has ended and closes input (on this device's clock, set to the
 *  server's by syncClock). The server refuses inputs from then on with the code time_up. */
export function timeUp(activity) {
  return Boolean(activity && activity.timer_closes !== false && secondsLeft(activity.timer_ends_at) === 0);
}

/** Keep `node` showing the countdown for `activity`; returns a stop function. `onChange(ended)`
 *  is called whenever the countdown ends or stops having ended (more time, reopened). */
export function runTimer(node, getActivity, onChange = null) {
  let wasEnded = null;
  const tick = () => {
    const act = getActivity();
    const left = act ? secondsLeft(act.timer_ends_at) : null;
    const ended = left === 0;
    if (onChange && wasEnded !== null && ended !== wasEnded) onChange(ended);
    wasEnded = ended;
    if (left === null) {
      node.hidden = true;
      node.textContent = "";
      delete node.dataset.done;
      return;
    }
    node.hidden = false;
    node.dataset.done = ended ? "true" : "false";
    node.textContent = ended ? t("time_up") : `${t("time_left")} ${formatSeconds(left)}`;
  };
  tick();
  const id = setInterval(tick, 500);
  return () => clearInterval(id);
}

/** "5 answers · 2 awaiting review": the same words on the console, the presenter and the
 *  phones, from the results payload every audience gets (responders, pending). */
export function countText(res) {
  const n = res?.responders || 0;
  const pending = res?.pending || 0;
  const answers = t("count.answers", { n: fmt(n) });
  return pending ? `${answers} · ${t("count.pending", { n: fmt(pending) })}` : answers;
}

/** Write countText into `node`, with the figures as data attributes. */
export function showCount(node, res) {
  if (!node) return;
  node.textContent = countText(res);
  node.dataset.responders = String(res?.responders || 0);
  node.dataset.pending = String(res?.pending || 0);
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

/** Format a number the way the workshop's language does. */
export function fmt(n, digits = 0) {
  const lang = document.documentElement.lang || "sv";
  return Number(n).toLocaleString(lang === "en" ? "en-GB" : "sv-SE", { maximumFractionDigits: digits });
}
