// Offsets between the stored text and the browser.
//
// The server counts code points (Python's str indices); JavaScript strings count UTF-16 code
// units, which differ after every character outside the Basic Multilingual Plane (emoji, some CJK
// and mathematical symbols), each of which takes two units (a surrogate pair). TextIndex converts
// between the two; pointToOffset turns a DOM selection boundary into a code point offset.

export class TextIndex {
  constructor(text) {
    this.text = text;
    // Code point index of every astral character, in order: enough to convert both ways with a
    // binary search, without holding an array of one string per character.
    this.astral = [];
    let cp = 0;
    for (let unit = 0; unit < text.length; unit += 1) {
      const code = text.charCodeAt(unit);
      if (code >= 0xd800 && code <= 0xdbff && unit + 1 < text.length) {
        const next = text.charCodeAt(unit + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          this.astral.push(cp);
          unit += 1;
        }
      }
      cp += 1;
    }
    this.length = cp;
  }

  // Number of astral characters before code point `cp`.
  astralBefore(cp) {
    let low = 0;
    let high = this.astral.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.astral[mid] < cp) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // UTF-16 index of code point `cp`.
  unit(cp) {
    return cp + this.astralBefore(cp);
  }

  // Code point index of UTF-16 index `unit`; a unit in the middle of a surrogate pair counts as
  // the pair's start (roundUp false) or the next character (roundUp true).
  cp(unit, roundUp = false) {
    let low = 0;
    let high = this.astral.length;
    // The astral characters starting before `unit`: their unit index is astral[i] + i.
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.astral[mid] + mid < unit) low = mid + 1;
      else high = mid;
    }
    if (low > 0 && this.astral[low - 1] + (low - 1) + 1 === unit) {
      // Inside the pair of the astral character at code point astral[low - 1].
      return roundUp ? this.astral[low - 1] + 1 : this.astral[low - 1];
    }
    return unit - low;
  }

  slice(start, end) {
    return this.text.slice(this.unit(start), this.unit(end));
  }
}

const SPACE = /\s/u;

// Narrow [start, end) so that it neither begins nor ends with white space (a double click takes
// the space after a word; a selection dragged past a line end takes the line break).
export function trimSpan(index, start, end) {
  let s = start;
  let e = end;
  while (s < e && SPACE.test(index.slice(s, s + 1))) s += 1;
  while (e > s && SPACE.test(index.slice(e - 1, e))) e -= 1;
  return [s, e];
}

// The code point offset of a DOM boundary point (node, offset) inside `root`, whose text is
// rendered as flat segments: elements carrying data-s (the code point where their single text
// node starts). Any other boundary (between elements, in a paragraph, outside the root) resolves
// to the start of the first segment at or after it.
export function pointToOffset(root, index, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const segment = node.parentElement && node.parentElement.closest("[data-s]");
    if (segment && root.contains(segment) && segment.firstChild === node) {
      const base = index.unit(Number(segment.dataset.s));
      return index.cp(base + offset, false);
    }
  }
  if (node.nodeType === Node.ELEMENT_NODE && node.dataset.s !== undefined && root.contains(node)) {
    return Number(offset === 0 ? node.dataset.s : node.dataset.e);
  }
  const segments = root.querySelectorAll("[data-s]");
  if (!segments.length) return 0;
  const point = document.createRange();
  point.setStart(node, offset);
  // The first segment that starts at or after the point.
  let low = 0;
  let high = segments.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    // comparePoint(segment, 0) < 0: the segment starts before the point.
    if (point.comparePoint(segments[mid], 0) < 0) low = mid + 1;
    else high = mid;
  }
  if (low === segments.length) {
    return Number(segments[segments.length - 1].dataset.e);
  }
  return Number(segments[low].dataset.s);
}

// The DOM point (text node, UTF-16 offset) of code point `cp` in `root`'s rendered segments;
// `atEnd` prefers the segment that ends at `cp` (for the end of a range).
function offsetToPoint(root, index, cp, atEnd) {
  for (const segment of root.querySelectorAll("[data-s]")) {
    const s = Number(segment.dataset.s);
    const e = Number(segment.dataset.e);
    if (atEnd ? s < cp && cp <= e : s <= cp && cp < e) {
      return [segment.firstChild, index.unit(cp) - index.unit(s)];
    }
  }
  return null;
}

// Select [start, end) (code points) in the rendered text, as a user's selection would: what the
// keyboard's sentence steps use, so that C and the "Make a claim" button work on it.
export function selectSpan(root, index, start, end) {
  const from = offsetToPoint(root, index, start, false);
  const to = offsetToPoint(root, index, end, true);
  if (!from || !to) return null;
  const range = document.createRange();
  range.setStart(from[0], from[1]);
  range.setEnd(to[0], to[1]);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return range;
}

// [start, end) in code points for a DOM Range over the rendered text, trimmed of white space;
// null when it holds nothing but white space or lies outside the text.
export function rangeToSpan(root, index, range) {
  if (!range || range.collapsed) return null;
  let start = pointToOffset(root, index, range.startContainer, range.startOffset);
  let end = pointToOffset(root, index, range.endContainer, range.endOffset);
  if (end < start) [start, end] = [end, start];
  [start, end] = trimSpan(index, start, end);
  return end > start ? { start, end } : null;
}

// Move one edge of [start, end) by a word (a run of characters between white space), for
// refining a selection with the keyboard: edge "end" or "start", by +1 (later) or -1 (earlier).
// The span never becomes empty; at the text's ends it stays where it is.
export function stepWord(index, start, end, edge, by) {
  const space = (at) => SPACE.test(index.slice(at, at + 1));
  let s = start;
  let e = end;
  if (edge === "end" && by > 0) {
    while (e < index.length && space(e)) e += 1;
    while (e < index.length && !space(e)) e += 1;
  } else if (edge === "end") {
    let at = e;
    while (at > s && space(at - 1)) at -= 1;
    while (at > s && !space(at - 1)) at -= 1;
    while (at > s && space(at - 1)) at -= 1;
    if (at > s) e = at;
  } else if (by > 0) {
    let at = s;
    while (at < e && !space(at)) at += 1;
    while (at < e && space(at)) at += 1;
    if (at < e) s = at;
  } else {
    while (s > 0 && space(s - 1)) s -= 1;
    while (s > 0 && !space(s - 1)) s -= 1;
  }
  return [s, e];
}
