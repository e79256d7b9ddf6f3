// Rendering an article's text with its claims and candidates.
//
// The text is only ever inserted as text nodes (never as HTML), one paragraph per line of the
// stored text, cut into flat segments wherever a highlight starts or ends. Each segment is a
// <span data-s data-e> holding exactly one text node: the code point range it shows, which is
// what lets offsets.js map a selection back to the stored text. Overlapping highlights are
// readable: a segment takes the colour of the narrowest claim over it and shows how many claims
// cover it (data-depth, drawn as stacked underlines).

const { gettext, interpolate } = window;

// The extractor's kinds of claim (annotations.extraction.scoring.KINDS).
export const KIND_LABELS = {
  quantity: gettext("quantity"),
  prediction: gettext("prediction"),
  causation: gettext("correlation or causation"),
  laws_rules: gettext("laws and rules"),
  personal_experience: gettext("personal experience"),
  quotation: gettext("reported speech"),
  other: gettext("other"),
};

// A claim's status in words. `awaiting_verdict` is what blind review shows a reviewer before
// their own verdict: it says nothing of what the others did.
export const STATUS_LABELS = {
  open: gettext("open"),
  awaiting_verdict: gettext("awaiting your verdict"),
  assessed: gettext("assessed"),
  disputed: gettext("disputed"),
  resolved: gettext("resolved"),
  published: gettext("published"),
};

export const STANCE_LABELS = {
  supports: gettext("supports"),
  refutes: gettext("refutes"),
  context: gettext("context"),
};

export function statusLabel(status) {
  return STATUS_LABELS[status] || status;
}

// The colour of a verdict: its place on the scale, from the false end (v-0) to the true end
// (v-4); v-none for a label without a value (Unverifiable).
export function verdictColour(slug, verdicts) {
  const verdict = verdicts.find((v) => v.slug === slug);
  const values = verdicts.map((v) => v.value).filter((v) => v !== null && v !== undefined);
  if (!verdict || verdict.value === null || verdict.value === undefined || values.length < 2) {
    return "v-none";
  }
  const low = Math.min(...values);
  const high = Math.max(...values);
  const bucket = Math.round(((verdict.value - low) / (high - low || 1)) * 4);
  return "v-" + Math.max(0, Math.min(4, bucket));
}

// The colour classes of a claim, the one rule of annotations/web/colours.py: its final verdict
// once resolved (plus "published"), else where it stands in review.
export function claimColour(claim, verdicts) {
  if ((claim.status === "resolved" || claim.status === "published") && claim.final_verdict) {
    const colour = verdictColour(claim.final_verdict, verdicts);
    return claim.status === "published" ? colour + " published" : colour;
  }
  if (claim.status === "awaiting_verdict") return "st-open";
  return "st-" + claim.status;
}

function lines(index) {
  // [start, end) of every line, in code points; the "\n" between them is not rendered.
  const out = [];
  let start = 0;
  let unitStart = 0;
  const text = index.text;
  for (;;) {
    const unitEnd = text.indexOf("\n", unitStart);
    const end = unitEnd === -1 ? index.length : index.cp(unitEnd);
    out.push([start, end]);
    if (unitEnd === -1) break;
    start = end + 1;
    unitStart = unitEnd + 1;
  }
  return out;
}

// A score from 0 to 1 as a percentage in the page's language ("73%", "73 %").
export function percent(value) {
  const lang = document.documentElement.lang || undefined;
  return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 }).format(value);
}

export function candidateTitle(candidate) {
  const kinds = (candidate.kinds || []).map((kind) => KIND_LABELS[kind] || kind).join(", ");
  return interpolate(
    gettext("Candidate · score %(score)s · %(kinds)s"),
    { score: percent(candidate.score), kinds: kinds || gettext("no kind") },
    true,
  );
}

// Fill `root` with the text of `index`; marks are {id, start, end, kind: "claim"|"candidate"}.
export function renderText(root, index, marks, options) {
  const { claims, candidates, verdicts, selected, focused } = options;
  const points = new Set([0, index.length]);
  const starts = new Map();
  const ends = new Map();
  for (const mark of marks) {
    points.add(mark.start);
    points.add(mark.end);
    if (!starts.has(mark.start)) starts.set(mark.start, []);
    starts.get(mark.start).push(mark);
    if (!ends.has(mark.end)) ends.set(mark.end, []);
    ends.get(mark.end).push(mark);
  }
  const paragraphs = lines(index);
  for (const [start, end] of paragraphs) {
    points.add(start);
    points.add(end);
  }
  const sorted = [...points].filter((p) => p <= index.length).sort((a, b) => a - b);

  const fragment = document.createDocumentFragment();
  const active = new Set();
  let line = 0;
  let paragraph = null;
  for (let i = 0; i < sorted.length - 1; i += 1) {
    const a = sorted[i];
    const b = sorted[i + 1];
    for (const mark of ends.get(a) || []) active.delete(mark);
    for (const mark of starts.get(a) || []) active.add(mark);
    // Segments never straddle a line: line starts and ends are among the points.
    while (line < paragraphs.length && paragraphs[line][1] < b) {
      line += 1;
      paragraph = null;
    }
    if (line >= paragraphs.length || a < paragraphs[line][0]) {
      continue; // the line break itself
    }
    if (!paragraph) {
      paragraph = document.createElement("p");
      fragment.appendChild(paragraph);
    }
    const segment = document.createElement("span");
    segment.dataset.s = String(a);
    segment.dataset.e = String(b);
    segment.textContent = index.slice(a, b);
    decorate(segment, [...active], { claims, candidates, verdicts, selected, focused });
    paragraph.appendChild(segment);
  }
  root.replaceChildren(fragment);
}

function decorate(segment, active, { claims, candidates, verdicts, selected, focused }) {
  const claimMarks = active.filter((m) => m.kind === "claim");
  const candidateMarks = active.filter((m) => m.kind === "candidate");
  const titles = [];
  if (claimMarks.length) {
    claimMarks.sort((x, y) => x.end - x.start - (y.end - y.start));
    const top = claims.get(claimMarks[0].id);
    segment.classList.add("hl", ...claimColour(top, verdicts).split(" "));
    segment.dataset.claims = claimMarks.map((m) => m.id).join(" ");
    if (claimMarks.length > 1) segment.dataset.depth = String(Math.min(claimMarks.length, 3));
    if (claimMarks.some((m) => m.id === selected)) segment.classList.add("sel");
    for (const mark of claimMarks) {
      const claim = claims.get(mark.id);
      titles.push(interpolate(gettext("Claim %(id)s · %(status)s"), { id: claim.id, status: statusLabel(claim.status) }, true));
    }
  }
  if (candidateMarks.length) {
    segment.classList.add("cand");
    segment.dataset.cands = candidateMarks.map((m) => m.id).join(" ");
    if (candidateMarks.some((m) => m.id === focused)) segment.classList.add("cand-focus");
    for (const mark of candidateMarks) titles.push(candidateTitle(candidates.get(mark.id)));
  }
  if (titles.length) segment.title = titles.join("\n");
}
