// Small pieces every page script uses: building elements (values only ever as text), messages
// in the corner, links that are safe to follow, dates in the page's language.

const { interpolate } = window;

export function fmt(text, values) {
  return interpolate(text, values, true);
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

const MAX_TOASTS = 3;

// A message in the #toasts corner; only the latest few stay, so that a run of quick actions does
// not bury the page.
export function toast(message, kind) {
  const box = el("div", "toast " + (kind || "info"), message);
  const toasts = document.getElementById("toasts");
  while (toasts.children.length >= MAX_TOASTS) toasts.firstElementChild.remove();
  toasts.appendChild(box);
  setTimeout(() => box.remove(), kind === "error" ? 9000 : 4000);
}

// Only http(s) addresses become links: a source URL is whatever someone typed.
export function safeLink(url, text) {
  if (/^https?:\/\//i.test(url || "")) {
    const a = el("a", "", text || url);
    a.href = url;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }
  return el("span", "", text || url);
}

// At most `length` characters (code points, not UTF-16 units), with an ellipsis when cut.
export function snippet(text, length) {
  const chars = Array.from(text || "");
  return chars.length > length ? chars.slice(0, length - 1).join("") + "…" : chars.join("");
}

// A date and time in the page's language ("1 Dec 2026, 09:30", "1 déc. 2026, 09:30").
export function when(iso) {
  if (!iso) return "";
  const lang = document.documentElement.lang || undefined;
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

// Whether a key press is typing in a field (then the page's shortcuts stay out of the way).
export function typing(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}
