// The adjudicator's curation page (/claims/{id}/curate/), after INCEpTION's curation view: every
// reviewer's extent drawn on the claim's paragraph side by side with their verdict, rationale and
// sources; the adjudicator picks one extent (or selects one by hand) as the canonical span, and
// sets the final verdict. Keyboard first: every action has a key and a visible button.
//
// Offsets are code points, as on the server: every conversion goes through TextIndex. What the
// adjudicator chose or typed is kept as a draft (drafts.js) until the server has it.

import { Api, ApiError } from "./api.js";
import { Drafts, fillForm, formValues } from "./drafts.js";
import { TextIndex, rangeToSpan } from "./offsets.js";
import { STANCE_LABELS, STATUS_LABELS, claimColour, verdictColour as colourOfVerdict } from "./render.js";
import { el, fmt, safeLink, toast, typing, when } from "./ui.js";

const { gettext, ngettext, interpolate } = window;
const config = JSON.parse(document.getElementById("workbench-config").textContent);
const api = new Api(config.api);
const drafts = new Drafts(config.user.id);
const DRAFT = "adjudication";
// Fields of the adjudication whose messages belong to the canonical span, not to the form.
const SPAN_FIELDS = ["start", "end", "exact", "span_from"];
const QUEUE_URL = "/queues/?queue=disputed";

const page = document.getElementById("curation");
const canonical = document.getElementById("canonical");
const cardsRoot = document.getElementById("reviewers");
const form = document.querySelector('form[data-form="adjudication"]');
const select = form.elements.namedItem("verdict");
const submitButton = form.querySelector('button[type="submit"]');
const verdictModeNote = document.getElementById("verdict-mode");

const state = {
  index: new TextIndex(""),
  language: "und",
  context: null,
  reviewers: [], // [{number, username, assessment, highlight, sources}]
  initial: null, // the claim's span when the page was loaded: {start, end}
  paragraph: null, // the lines holding every extent: {start, end} in code points
  chosen: null, // the canonical span: {start, end, from: username or "", how: "reviewer"|"hand"|"current"}
  verdictMode: false, // V was pressed: the next digit chooses a verdict
  saving: false,
};

// --- Small helpers ----------------------------------------------------------------------------

function verdictName(slug) {
  const verdict = config.verdicts.find((v) => v.slug === slug);
  return verdict ? verdict.name : slug;
}

function verdictColour(slug) {
  return colourOfVerdict(slug, config.verdicts);
}

const LABELS = { ...STATUS_LABELS, ...STANCE_LABELS };

function label(value) {
  return LABELS[value] || value;
}

// "alice, bob and carol" in the page's language.
function listOf(names) {
  const lang = document.documentElement.lang || undefined;
  try {
    return new Intl.ListFormat(lang, { style: "long", type: "conjunction" }).format(names);
  } catch (error) {
    return names.join(", ");
  }
}

// --- Spans and the paragraph ------------------------------------------------------------------

function fits(start, end) {
  return Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start &&
    end <= state.index.length;
}

// A highlight that can be drawn on the current text (an orphan has lost its place).
function placed(highlight) {
  return Boolean(highlight) && !highlight.orphaned && fits(highlight.start, highlight.end);
}

function sameSpan(a, b) {
  return Boolean(a && b) && a.start === b.start && a.end === b.end;
}

// From the start of the line holding the earliest span to the end of the line holding the
// latest: the stored text separates lines with "\n".
function paragraphAround(spans) {
  if (!spans.length) return null;
  const text = state.index.text;
  const first = state.index.unit(Math.min(...spans.map((s) => s.start)));
  const last = state.index.unit(Math.max(...spans.map((s) => s.end)));
  const lineStart = first === 0 ? 0 : text.lastIndexOf("\n", first - 1) + 1;
  const newline = text.indexOf("\n", last);
  const lineEnd = newline === -1 ? text.length : newline;
  return { start: state.index.cp(lineStart), end: state.index.cp(lineEnd) };
}

// [start, end) of each line of the paragraph, in code points; the "\n" between them is left out.
function lineRanges(paragraph) {
  const text = state.index.text;
  const stop = state.index.unit(paragraph.end);
  const out = [];
  let unit = state.index.unit(paragraph.start);
  for (;;) {
    let newline = text.indexOf("\n", unit);
    if (newline === -1 || newline > stop) newline = stop;
    out.push([state.index.cp(unit), state.index.cp(newline)]);
    if (newline >= stop) break;
    unit = newline + 1;
  }
  return out;
}

// The pieces of a line cut at `cuts` (code points); never empty.
function pieces(line, cuts) {
  const points = [...new Set([line[0], line[1], ...cuts.filter((p) => p > line[0] && p < line[1])])]
    .sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < points.length - 1; i += 1) out.push([points[i], points[i + 1]]);
  return out;
}

function inside(a, b, span) {
  return Boolean(span) && a >= span.start && b <= span.end;
}

// --- Reviewers --------------------------------------------------------------------------------

// One entry per person who highlighted or assessed the claim: highlights first, in the order
// they were made, then those who assessed without highlighting. Sources go to whoever linked
// them; the rest (an editor's, say) are listed apart.
function joinReviewers(context) {
  const byName = new Map();
  const entry = (username) => {
    if (!byName.has(username)) {
      byName.set(username, { username, assessment: null, highlight: null, sources: [] });
    }
    return byName.get(username);
  };
  for (const highlight of context.highlights) entry(highlight.username).highlight = highlight;
  for (const assessment of context.assessments) entry(assessment.reviewer).assessment = assessment;
  const others = [];
  for (const link of context.sources) {
    if (byName.has(link.added_by)) byName.get(link.added_by).sources.push(link);
    else others.push(link);
  }
  const reviewers = [...byName.values()];
  reviewers.forEach((reviewer, i) => {
    reviewer.number = i + 1;
  });
  return { reviewers, others };
}

function reviewerByNumber(number) {
  return state.reviewers.find((r) => r.number === number) || null;
}

// Reviewers whose highlight is exactly `span`.
function ownersOf(span) {
  return state.reviewers.filter((r) => placed(r.highlight) && sameSpan(r.highlight, span));
}

// How a reviewer's extent differs from the claim's span as loaded, in words.
function extentNote(highlight) {
  const initial = state.initial;
  const length = highlight.end - highlight.start;
  const size = fmt(ngettext("%(n)s character", "%(n)s characters", length), { n: length });
  if (!initial) return size;
  if (sameSpan(highlight, initial)) return size + " · " + gettext("the claim's current span");
  const parts = [];
  const before = initial.start - highlight.start;
  const after = highlight.end - initial.end;
  if (before > 0) parts.push(fmt(ngettext("starts %(n)s character earlier", "starts %(n)s characters earlier", before), { n: before }));
  if (before < 0) parts.push(fmt(ngettext("starts %(n)s character later", "starts %(n)s characters later", -before), { n: -before }));
  if (after > 0) parts.push(fmt(ngettext("ends %(n)s character later", "ends %(n)s characters later", after), { n: after }));
  if (after < 0) parts.push(fmt(ngettext("ends %(n)s character earlier", "ends %(n)s characters earlier", -after), { n: -after }));
  return size + " · " + fmt(gettext("%(differences)s than the claim's current span"), { differences: parts.join(", ") });
}

function renderSources(list, links) {
  list.replaceChildren();
  for (const link of links) {
    const item = el("li", "source");
    const head = el("div", "source-head");
    head.appendChild(el("span", "badge stance-" + link.stance, label(link.stance)));
    head.appendChild(safeLink(link.source.url, link.source.title || link.source.url));
    item.appendChild(head);
    const meta = [link.source.publisher, link.source.published_at].filter(Boolean).join(" · ");
    if (meta) item.appendChild(el("div", "muted small", meta));
    if (link.quote) item.appendChild(el("blockquote", "passage", link.quote));
    list.appendChild(item);
  }
  list.hidden = links.length === 0;
}

function renderCard(reviewer) {
  const card = document.getElementById("tpl-reviewer").content.firstElementChild.cloneNode(true);
  const { username, assessment, highlight, number } = reviewer;
  card.dataset.reviewer = username;
  card.dataset.number = String(number);
  const headingId = "reviewer-" + number;
  card.setAttribute("aria-labelledby", headingId);
  card.querySelector(".reviewer-number").textContent = String(number);
  const name = card.querySelector(".reviewer-name");
  name.id = headingId;
  name.textContent = username === config.user.username
    ? fmt(gettext("%(name)s (you)"), { name: username }) : username;

  const badge = card.querySelector("[data-verdict]");
  const confidence = card.querySelector("[data-confidence]");
  const rationale = card.querySelector("[data-rationale]");
  if (assessment) {
    badge.textContent = assessment.verdict_name || verdictName(assessment.verdict);
    badge.classList.add(verdictColour(assessment.verdict));
    if (assessment.confidence !== null && assessment.confidence !== undefined) {
      confidence.textContent = fmt(gettext("confidence %(c)s"), { c: assessment.confidence });
    }
    rationale.textContent = assessment.rationale || gettext("No rationale given.");
    rationale.classList.toggle("muted", !assessment.rationale);
  } else {
    badge.textContent = gettext("no verdict");
    badge.classList.add("no-verdict");
    rationale.textContent = gettext("Highlighted the claim without assessing it.");
    rationale.classList.add("muted");
  }
  renderSources(card.querySelector('[data-list="sources"]'), reviewer.sources);

  const button = card.querySelector('[data-action="use-extent"]');
  button.textContent = fmt(gettext("Use this extent (%(n)s)"), { n: number });
  if (number <= 9) button.setAttribute("aria-keyshortcuts", String(number));
  button.addEventListener("click", () => useExtent(number));
  const note = card.querySelector("[data-extent-note]");
  if (placed(highlight)) {
    note.textContent = extentNote(highlight);
  } else {
    button.disabled = true;
    const box = card.querySelector("[data-passage]");
    box.classList.add("no-extent");
    if (highlight) {
      box.appendChild(el("p", "orphan-note", gettext("This highlight lost its place in a correction of the text:")));
      box.appendChild(el("blockquote", "passage", highlight.exact));
    } else {
      box.appendChild(el("p", "muted", gettext("No highlight of this claim: assessed the claim as it stood.")));
    }
  }
  return card;
}

// The reviewer's extent on the paragraph, as one <mark class="extent"> per line it covers; the
// canonical span chosen now is underlined, so that each card shows how it differs.
function renderExtent(box, highlight) {
  const chosen = state.chosen;
  const cuts = [highlight.start, highlight.end];
  if (chosen) cuts.push(chosen.start, chosen.end);
  const fragment = document.createDocumentFragment();
  for (const line of lineRanges(state.paragraph)) {
    const paragraph = el("p");
    let mark = null;
    for (const [a, b] of pieces(line, cuts)) {
      const piece = el("span", inside(a, b, chosen) ? "in-chosen" : "", state.index.slice(a, b));
      if (inside(a, b, highlight)) {
        if (!mark) {
          mark = el("mark", "extent");
          paragraph.appendChild(mark);
        }
        mark.appendChild(piece);
      } else {
        mark = null;
        paragraph.appendChild(piece);
      }
    }
    fragment.appendChild(paragraph);
  }
  box.replaceChildren(fragment);
}

// Scroll a long paragraph so that the extent shows (the box keeps its height).
function revealExtent(box) {
  const mark = box.querySelector("mark.extent");
  if (mark && box.scrollHeight > box.clientHeight) {
    box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  }
}

function renderCards() {
  const fragment = document.createDocumentFragment();
  for (const reviewer of state.reviewers) fragment.appendChild(renderCard(reviewer));
  cardsRoot.replaceChildren(fragment);
  document.getElementById("reviewer-count").textContent = String(state.reviewers.length);
  document.getElementById("reviewers-loading").hidden = true;
  if (!state.reviewers.length) {
    cardsRoot.appendChild(el("p", "muted", gettext("Nobody has highlighted or assessed this claim yet.")));
  }
  refreshCards();
}

// Redraw what depends on the chosen span: the underline in each card and which card is chosen.
function refreshCards() {
  for (const reviewer of state.reviewers) {
    const card = cardsRoot.querySelector('[data-number="' + reviewer.number + '"]');
    if (!card) continue;
    const chosenHere = Boolean(state.chosen) && state.chosen.from === reviewer.username;
    const matches = placed(reviewer.highlight) && sameSpan(reviewer.highlight, state.chosen);
    card.classList.toggle("is-chosen", chosenHere);
    card.classList.toggle("matches-chosen", matches && !chosenHere);
    const button = card.querySelector('[data-action="use-extent"]');
    button.setAttribute("aria-pressed", chosenHere ? "true" : "false");
    if (placed(reviewer.highlight)) {
      const box = card.querySelector("[data-passage]");
      const scroll = box.scrollTop;
      renderExtent(box, reviewer.highlight);
      box.lang = state.language;
      box.scrollTop = scroll;
    }
  }
}

// --- The canonical span -----------------------------------------------------------------------

function renderCanonical() {
  canonical.lang = state.language;
  if (!state.paragraph) {
    canonical.replaceChildren(el("p", "muted", gettext("Nothing to draw: the claim and every highlight of it lost their place in the current text.")));
    return;
  }
  const chosen = state.chosen;
  const cuts = chosen ? [chosen.start, chosen.end] : [];
  const fragment = document.createDocumentFragment();
  for (const line of lineRanges(state.paragraph)) {
    const paragraph = el("p");
    // Flat segments, one text node each, carrying their code point range: what rangeToSpan
    // needs to turn a selection back into offsets of the stored text.
    for (const [a, b] of pieces(line, cuts)) {
      const segment = el("span", inside(a, b, chosen) ? "chosen" : "", state.index.slice(a, b));
      segment.dataset.s = String(a);
      segment.dataset.e = String(b);
      paragraph.appendChild(segment);
    }
    fragment.appendChild(paragraph);
  }
  canonical.replaceChildren(fragment);
}

function describeChosen(chosen) {
  if (!chosen) return gettext("no span: the claim has lost its place in the text");
  if (chosen.from) return fmt(gettext("%(name)s's extent"), { name: chosen.from });
  const owners = ownersOf(chosen).map((r) => r.username);
  const base = chosen.how === "hand" ? gettext("selected by hand") : gettext("the claim's current span");
  if (!owners.length) return base;
  return fmt(gettext("%(how)s, the same as %(names)s's extent"), { how: base, names: listOf(owners) });
}

function renderChosen() {
  const chosen = state.chosen;
  const text = chosen ? state.index.slice(chosen.start, chosen.end) : "";
  const whose = describeChosen(chosen);
  document.getElementById("chosen-text").textContent = text;
  document.getElementById("chosen-text").lang = state.language;
  document.getElementById("chosen-from").textContent = whose;
  const summary = form.querySelector("[data-chosen-summary]");
  summary.textContent = text;
  summary.lang = state.language;
  summary.hidden = !chosen;
  form.querySelector("[data-chosen-from-summary]").textContent = whose;
}

// Make `span` the canonical span and redraw everything that shows it.
function choose(span, options = {}) {
  state.chosen = span;
  renderCanonical();
  renderChosen();
  refreshCards();
  clearSpanErrors();
  if (options.save !== false) saveDraft();
  // Keyboard selection goes on from the new span when the box has the focus.
  if (document.activeElement === canonical) selectChosenInBox();
}

function useExtent(number) {
  const reviewer = reviewerByNumber(number);
  if (!reviewer) {
    toast(fmt(gettext("There is no reviewer %(n)s."), { n: number }), "error");
    return;
  }
  if (!placed(reviewer.highlight)) {
    toast(fmt(gettext("%(name)s has no extent on the current text to use."), { name: reviewer.username }), "error");
    return;
  }
  const { start, end } = reviewer.highlight;
  choose({ start, end, from: reviewer.username, how: "reviewer" });
}

// The selection's span in the canonical box; a selection reaching outside the box counts for the
// part inside it.
function selectionSpan() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(canonical) || !canonical.querySelector("[data-s]")) return null;
  return rangeToSpan(canonical, state.index, range);
}

function useSelection() {
  const span = selectionSpan();
  if (!span) {
    toast(gettext("First select the words of the claim in the canonical span box (with the mouse, or E then Shift+arrows)."), "error");
    return;
  }
  const owners = ownersOf(span);
  // A hand selection names no reviewer (span_from ""), even when it matches an extent.
  choose({ start: span.start, end: span.end, from: "", how: "hand" });
  if (document.activeElement !== canonical) window.getSelection().removeAllRanges();
  if (owners.length) {
    toast(fmt(gettext("The selection is the same as %(names)s's extent."), { names: listOf(owners.map((r) => r.username)) }));
  }
}

// Select the chosen span in the box (or put the caret at its start), for Shift+arrows.
function selectChosenInBox() {
  const segments = canonical.querySelectorAll("[data-s]");
  if (!segments.length) return;
  const chosen = [...canonical.querySelectorAll("[data-s].chosen")];
  const selection = window.getSelection();
  if (chosen.length) {
    const last = chosen[chosen.length - 1].firstChild;
    selection.setBaseAndExtent(chosen[0].firstChild, 0, last, last.length);
  } else {
    selection.setBaseAndExtent(segments[0].firstChild, 0, segments[0].firstChild, 0);
  }
}

function focusCanonical() {
  canonical.focus();
  canonical.scrollIntoView({ block: "nearest" });
  selectChosenInBox();
}

// Shift+arrows move the selection's focus end; O swaps the ends so that the other one moves.
function swapSelectionEnds() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || !canonical.contains(selection.anchorNode)) return false;
  selection.setBaseAndExtent(selection.focusNode, selection.focusOffset, selection.anchorNode, selection.anchorOffset);
  return true;
}

// --- The decision form ------------------------------------------------------------------------

function fillVerdicts(context) {
  const chosenBy = new Map();
  for (const assessment of context.assessments) {
    if (!chosenBy.has(assessment.verdict)) chosenBy.set(assessment.verdict, []);
    chosenBy.get(assessment.verdict).push(assessment.reviewer);
  }
  const chips = form.querySelector('[data-list="verdict-chips"]');
  chips.replaceChildren();
  config.verdicts.forEach((verdict, i) => {
    const option = el("option", "", verdict.name);
    option.value = verdict.slug;
    select.appendChild(option);

    const chip = el("button", "verdict-chip");
    chip.type = "button";
    chip.dataset.verdict = verdict.slug;
    // The digit that chooses it after V (a sequence, which aria-keyshortcuts cannot express).
    if (i < 9) chip.appendChild(el("kbd", "", String(i + 1)));
    chip.appendChild(el("span", "swatch " + verdictColour(verdict.slug)));
    chip.appendChild(el("span", "chip-name", verdict.name));
    const names = chosenBy.get(verdict.slug) || [];
    if (names.length) {
      const who = el("span", "chip-who", names.join(", "));
      who.title = fmt(gettext("Chosen by %(names)s"), { names: listOf(names) });
      chip.appendChild(who);
    }
    chip.addEventListener("click", () => setVerdict(verdict.slug));
    chips.appendChild(chip);
  });
}

function refreshChips() {
  form.querySelectorAll("[data-verdict]").forEach((chip) => {
    chip.setAttribute("aria-pressed", chip.dataset.verdict === select.value ? "true" : "false");
  });
}

function setVerdict(slug) {
  select.value = slug;
  // As if chosen in the select: the draft is kept and the chips follow.
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

function saveDraft() {
  const values = formValues(form);
  const chosen = state.chosen;
  if (chosen && chosen.how !== "current") {
    values.start = chosen.start;
    values.end = chosen.end;
    values.exact = state.index.slice(chosen.start, chosen.end);
    values.span_from = chosen.from;
  }
  drafts.save(config.claim, DRAFT, values);
}

// Put back what was chosen and typed before a reload; a span that no longer fits the text (it
// was corrected meanwhile) is dropped, the rest is kept.
function restoreDraft() {
  const draft = drafts.load(config.claim, DRAFT);
  if (!draft) return false;
  fillForm(form, { verdict: draft.verdict || "", note: draft.note || "" });
  const start = Number(draft.start);
  const end = Number(draft.end);
  if (draft.start !== undefined && fits(start, end) && state.index.slice(start, end) === draft.exact) {
    let from = draft.span_from || "";
    const owner = state.reviewers.find((r) => r.username === from);
    if (from && !(owner && placed(owner.highlight) && sameSpan(owner.highlight, { start, end }))) from = "";
    state.chosen = { start, end, from, how: from ? "reviewer" : "hand" };
  }
  const note = form.querySelector("[data-draft-note]");
  note.textContent = gettext("Your unsaved choice and note were restored: check them, then set the final verdict.");
  note.hidden = false;
  return true;
}

function clearSpanErrors() {
  const box = document.getElementById("span-errors");
  box.replaceChildren();
  box.hidden = true;
}

function showErrors(error) {
  const general = form.querySelector(".form-error");
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  clearSpanErrors();
  if (!error) {
    general.hidden = true;
    general.textContent = "";
    return;
  }
  const messages = error instanceof ApiError ? error.fields() : { "": [String(error.message || error)] };
  const lines = [];
  let spanErrors = false;
  for (const [field, list] of Object.entries(messages)) {
    const input = field && !SPAN_FIELDS.includes(field) ? form.elements.namedItem(field) : null;
    if (input) {
      const note = el("p", "field-error error", list.join(" "));
      note.id = "error-" + field;
      input.insertAdjacentElement("afterend", note);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
    } else if (SPAN_FIELDS.includes(field)) {
      spanErrors = true;
      const box = document.getElementById("span-errors");
      box.appendChild(el("p", "", list.join(" ")));
      box.hidden = false;
    } else {
      const text = list.join(" ");
      lines.push(field ? fmt(gettext("%(field)s: %(messages)s"), { field, messages: text }) : text);
    }
  }
  if (!Object.keys(messages).length) lines.push(error.message);
  if (lines.length) general.textContent = lines.join(" ");
  else if (spanErrors) general.textContent = gettext("Not saved: see the message under the canonical span. Your input is kept.");
  else general.textContent = gettext("Not saved: see the messages above. Your input is kept.");
  general.hidden = false;
  // The decision column scrolls on its own: bring the message into view there, and the span's.
  general.scrollIntoView({ block: "nearest" });
  if (spanErrors) document.getElementById("span-errors").scrollIntoView({ block: "nearest" });
}

async function submit(event) {
  event.preventDefault();
  if (state.saving) return;
  leaveVerdictMode();
  const values = formValues(form);
  if (!values.verdict) {
    showErrors(new ApiError(400, { verdict: [gettext("Choose the final verdict.")] }, ""));
    select.focus();
    return;
  }
  const body = { verdict: values.verdict, note: values.note };
  const chosen = state.chosen;
  if (chosen) {
    body.start = chosen.start;
    body.end = chosen.end;
    body.exact = state.index.slice(chosen.start, chosen.end);
    body.span_from = chosen.from || "";
  }
  state.saving = true;
  submitButton.disabled = true;
  try {
    await api.post("claims/" + config.claim + "/adjudication/", body);
  } catch (error) {
    state.saving = false;
    submitButton.disabled = false;
    showErrors(error); // the choice and the note stay as they are, and in the draft
    return;
  }
  drafts.clear(config.claim, DRAFT);
  showErrors(null);
  afterSave(values.verdict);
}

// Saved: say so, then on to the next disputed claim, or back to the queue when none is left.
function afterSave(verdict) {
  const next = config.next;
  const message = next
    ? fmt(gettext("Final verdict set: %(verdict)s. On to the next disputed claim…"), { verdict: verdictName(verdict) })
    : fmt(gettext("Final verdict set: %(verdict)s. No other disputed claim waits for you: back to your queue…"), { verdict: verdictName(verdict) });
  toast(message, "done");
  form.querySelector("[data-after-save]").textContent = message;
  document.body.dataset.saved = "1";
  setTimeout(() => {
    window.location.assign(next ? "/claims/" + next + "/curate/" : QUEUE_URL);
  }, next ? 1200 : 2500);
}

function goNext() {
  if (!config.next) {
    toast(gettext("No other disputed claim waits in your queue."), "error");
    return;
  }
  // Whatever was chosen or typed here stays in the draft for when the adjudicator comes back.
  window.location.assign("/claims/" + config.next + "/curate/");
}

// --- The header -------------------------------------------------------------------------------

function renderHeader(context, article) {
  const claim = context.claim;
  const status = document.getElementById("claim-status");
  status.textContent = claim.final_verdict
    ? fmt(gettext("%(status)s: %(verdict)s"), { status: label(claim.status), verdict: verdictName(claim.final_verdict) })
    : label(claim.status);
  status.className = "badge " + claimColour(claim, config.verdicts);
  const quote = document.getElementById("claim-quote");
  quote.textContent = claim.exact;
  quote.lang = state.language;
  document.getElementById("article-link").textContent =
    context.article_title || article.title || gettext("Untitled article");

  const list = document.getElementById("disagreements");
  list.replaceChildren();
  const open = context.disagreements.filter((d) => !d.resolved_at);
  for (const kind of ["verdict", "span"]) {
    if (!open.some((d) => d.kind === kind)) continue;
    const item = el("li", "disagreement");
    item.dataset.kind = kind;
    item.appendChild(el("span", "badge st-disputed", kind === "verdict" ? gettext("Verdicts differ") : gettext("Extents differ")));
    item.appendChild(document.createTextNode(" " + (kind === "verdict" ? verdictWords(context) : spanWords())));
    list.appendChild(item);
  }
  if (!open.length) {
    const settled = context.disagreements.filter((d) => d.resolved_at);
    list.appendChild(el("li", "muted", settled.length
      ? gettext("No open disagreement: earlier ones were settled (see the previous adjudications). You can still set the verdict again.")
      : gettext("No disagreement recorded on this claim.")));
  }

  const notices = document.getElementById("notices");
  notices.replaceChildren();
  if (context.assessments.some((a) => a.reviewer === config.user.username)) {
    notices.appendChild(el("p", "alert", gettext("You assessed this claim yourself: unless this workspace allows adjudicating one's own claims, another adjudicator has to settle it.")));
  }
  if (claim.orphaned) {
    notices.appendChild(el("p", "alert error", gettext("A correction of the text removed this claim's passage: choose an extent to place it again.")));
  }
}

function verdictWords(context) {
  const parts = context.assessments.map((a) => fmt(gettext("%(name)s: %(verdict)s"), {
    name: a.reviewer, verdict: a.verdict_name || verdictName(a.verdict),
  }));
  return parts.join(" · ");
}

function spanWords() {
  const extents = new Set();
  let count = 0;
  for (const reviewer of state.reviewers) {
    if (!placed(reviewer.highlight)) continue;
    count += 1;
    extents.add(reviewer.highlight.start + ":" + reviewer.highlight.end);
  }
  return fmt(ngettext(
    "%(people)s reviewer highlighted %(extents)s different extents.",
    "%(people)s reviewers highlighted %(extents)s different extents.", count,
  ), { people: count, extents: extents.size });
}

function renderAdjudications(adjudications) {
  const section = document.querySelector('[data-section="adjudications"]');
  const list = section.querySelector('[data-list="adjudications"]');
  list.replaceChildren();
  for (const adjudication of adjudications) {
    const item = el("li", "adjudication");
    const head = el("div", "adjudication-head");
    head.appendChild(el("span", "badge " + verdictColour(adjudication.verdict), adjudication.verdict_name || verdictName(adjudication.verdict)));
    head.appendChild(el("span", "muted", fmt(gettext("by %(name)s, %(date)s"), {
      name: adjudication.adjudicator, date: when(adjudication.created_at),
    })));
    item.appendChild(head);
    if (adjudication.note) item.appendChild(el("p", "rationale", adjudication.note));
    list.appendChild(item);
  }
  section.hidden = adjudications.length === 0;
}

function renderOtherSources(links) {
  const section = document.querySelector('[data-section="other-sources"]');
  const list = section.querySelector('[data-list="other-sources"]');
  renderSources(list, links);
  for (const [i, item] of [...list.children].entries()) {
    item.querySelector(".source-head").appendChild(el("span", "muted small", fmt(gettext("added by %(name)s"), { name: links[i].added_by })));
  }
  section.hidden = links.length === 0;
}

// --- Loading ----------------------------------------------------------------------------------

async function load() {
  const [{ data: context }, { data: article }] = await Promise.all([
    api.get("claims/" + config.claim + "/adjudication/context/"),
    api.get("articles/" + config.article + "/"),
  ]);
  state.context = context;
  state.index = new TextIndex(article.text || "");
  state.language = article.language || "und";
  const { reviewers, others } = joinReviewers(context);
  state.reviewers = reviewers;
  const claim = context.claim;
  state.initial = !claim.orphaned && fits(claim.start, claim.end) ? { start: claim.start, end: claim.end } : null;

  // The claim's span as it stands; it names its reviewer only when it is one reviewer's alone.
  if (state.initial) {
    const owners = ownersOf(state.initial);
    state.chosen = owners.length === 1
      ? { ...state.initial, from: owners[0].username, how: "reviewer" }
      : { ...state.initial, from: "", how: "current" };
  }
  fillVerdicts(context);
  restoreDraft();

  const spans = reviewers.filter((r) => placed(r.highlight)).map((r) => r.highlight);
  if (state.initial) spans.push(state.initial);
  if (state.chosen) spans.push(state.chosen);
  state.paragraph = paragraphAround(spans);

  renderHeader(context, article);
  renderCards();
  renderCanonical();
  renderChosen();
  refreshChips();
  renderAdjudications(context.adjudications);
  renderOtherSources(others);
  cardsRoot.querySelectorAll("[data-passage]").forEach(revealExtent);
}

// --- Keyboard ---------------------------------------------------------------------------------

function enterVerdictMode() {
  state.verdictMode = true;
  select.focus();
  const count = Math.min(9, config.verdicts.length);
  verdictModeNote.textContent = fmt(gettext("Choosing the verdict: press 1…%(n)s (Esc to cancel)."), { n: count });
  verdictModeNote.hidden = false;
  form.classList.add("verdict-mode-on");
}

function leaveVerdictMode() {
  state.verdictMode = false;
  verdictModeNote.hidden = true;
  form.classList.remove("verdict-mode-on");
}

function openHelp() {
  const dialog = document.getElementById("help");
  if (!dialog.open) dialog.showModal();
}

// The key after V: a digit chooses that verdict of the scale, whatever has the focus. Returns
// whether the key was used.
function verdictKey(event) {
  leaveVerdictMode();
  if (!/^[1-9]$/.test(event.key)) return false;
  event.preventDefault();
  const verdict = config.verdicts[Number(event.key) - 1];
  if (!verdict) {
    toast(fmt(gettext("The scale has no verdict %(n)s."), { n: event.key }), "error");
    return true;
  }
  setVerdict(verdict.slug);
  return true;
}

function onKeydown(event) {
  const dialogOpen = Boolean(document.querySelector("dialog[open]"));
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    if (dialogOpen) return;
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  if (event.key === "Escape") {
    if (dialogOpen) return; // the dialog closes itself
    leaveVerdictMode();
    if (typing(event.target) || event.target === canonical) {
      event.target.blur();
    } else {
      window.getSelection().removeAllRanges();
    }
    return;
  }
  if (dialogOpen || event.ctrlKey || event.metaKey || event.altKey) return;
  if (state.verdictMode && !["Shift", "Control", "Alt", "Meta"].includes(event.key)) {
    if (verdictKey(event)) return;
  }
  if (typing(event.target)) return;
  const key = event.key;
  if (/^[1-9]$/.test(key)) {
    event.preventDefault();
    useExtent(Number(key));
    return;
  }
  const handlers = {
    "?": openHelp,
    v: enterVerdictMode,
    s: useSelection,
    n: goNext,
    e: focusCanonical,
    o: swapSelectionEnds,
  };
  const handler = handlers[key] || (key.length === 1 ? handlers[key.toLowerCase()] : undefined);
  if (handler) {
    event.preventDefault();
    handler();
  }
}

// --- Wiring -----------------------------------------------------------------------------------

form.addEventListener("submit", submit);
form.addEventListener("input", saveDraft);
form.addEventListener("change", () => {
  refreshChips();
  saveDraft();
});
document.addEventListener("keydown", onKeydown);
// Clicking elsewhere ends the verdict mode: the next digit picks an extent again.
select.addEventListener("blur", leaveVerdictMode);
const useSelectionButton = document.querySelector('[data-action="use-selection"]');
useSelectionButton.addEventListener("mousedown", (event) => {
  event.preventDefault(); // keep the selection (and the focus) for the click
});
useSelectionButton.addEventListener("click", useSelection);
const nextButton = document.querySelector('[data-action="next"]');
if (nextButton) nextButton.addEventListener("click", goNext);
document.getElementById("open-help").addEventListener("click", openHelp);
// "Use the selection" stands out while there is one to use.
let selectionTimer = null;
document.addEventListener("selectionchange", () => {
  clearTimeout(selectionTimer);
  selectionTimer = setTimeout(() => {
    useSelectionButton.classList.toggle("has-selection", Boolean(selectionSpan()));
  }, 100);
});
// Keyboard focus on the box starts a selection there (a mouse focus makes its own).
canonical.addEventListener("focus", () => {
  if (canonical.matches(":focus-visible") && !selectionSpan()) selectChosenInBox();
});

load().then(() => {
  page.setAttribute("aria-busy", "false");
  page.dataset.ready = "1";
  document.body.dataset.ready = "1";
}).catch((error) => {
  page.setAttribute("aria-busy", "false");
  document.body.dataset.failed = "1";
  document.getElementById("reviewers-loading").hidden = true;
  const reason = error instanceof ApiError ? error.summary() : String(error.message || error);
  document.getElementById("notices").appendChild(el("p", "alert error", fmt(gettext("The claim could not be loaded: %(reason)s"), { reason })));
});
