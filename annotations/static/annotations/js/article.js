// The annotator's page: the article's text with its claims and candidates, and a side panel to
// work on one claim. Everything goes through the REST API; nothing typed is dropped on a failed
// save (drafts.js), and a save based on an old version is told so, reloads, and keeps the input.

import { Api, ApiError, TAB } from "./api.js";
import { Drafts, fillForm, formValues } from "./drafts.js";
import { LiveFeed } from "./live.js";
import { attachMentions } from "./mentions.js";
import { el, fmt, safeLink, snippet, toast, typing, when } from "./ui.js";
import { TextIndex, rangeToSpan, selectSpan, stepWord } from "./offsets.js";
import {
  KIND_LABELS, STANCE_LABELS, STATUS_LABELS as CLAIM_STATUS_LABELS, candidateTitle, claimColour, percent,
  renderText, verdictColour,
} from "./render.js";

const { gettext, ngettext, interpolate } = window;
const config = JSON.parse(document.getElementById("workbench-config").textContent);
const api = new Api(config.api);
const drafts = new Drafts(config.user.id);

const doc = document.getElementById("doc");
// The side panel's changing part (who else is here sits above it, in #presence).
const panel = document.getElementById("panel-body");
const makeClaimButton = document.getElementById("make-claim");
const UNFINISHED = ["pending", "queued", "running"];

const state = {
  article: null,
  index: new TextIndex(""),
  claims: new Map(),
  candidates: new Map(),
  selected: null, // id of the claim open in the panel
  focused: null, // id of the candidate J/K reached
  claimData: null, // assessments, sources, adjudication of the open claim
  pollTimer: null,
  dismissed: new Map(), // dismissed candidates, which can be reopened
  sentences: null, // [{start, end}] of the text, fetched on the first sentence step
  sentenceAt: null, // {first, last}: the sentences the keyboard selected
  verdictMode: false, // V was pressed: the next digit chooses a verdict
  hashDone: false, // the #claim-N of the address was applied
};

// The article's live connection (set once the article is loaded).
let live = null;

// --- Small helpers ----------------------------------------------------------------------------

function clone(id) {
  return document.getElementById(id).content.cloneNode(true);
}

function verdictName(slug) {
  const verdict = config.verdicts.find((v) => v.slug === slug);
  return verdict ? verdict.name : slug;
}

const STATUS_LABELS = {
  ...CLAIM_STATUS_LABELS,
  pending: gettext("pending"),
  queued: gettext("queued"),
  running: gettext("running"),
  done: gettext("done"),
  failed: gettext("failed"),
  manual: gettext("highlighted by hand"),
  extracted: gettext("accepted candidate"),
  ...STANCE_LABELS,
};

function label(value) {
  return STATUS_LABELS[value] || value;
}

function showFormError(form, error) {
  const box = form.querySelector(".form-error");
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  if (!error) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  const messages = error instanceof ApiError ? error.fields() : { "": [String(error.message || error)] };
  const general = [];
  for (const [field, list] of Object.entries(messages)) {
    const input = field && form.elements.namedItem(field);
    if (input && input.closest) {
      const note = el("span", "field-error error", list.join(" "));
      input.closest("label").appendChild(note);
    } else {
      const text = list.join(" ");
      general.push(field ? fmt(gettext("%(field)s: %(messages)s"), { field, messages: text }) : text);
    }
  }
  if (error instanceof ApiError && error.status === 0) general.push(error.message);
  box.textContent = general.join(" ") ||
    gettext("Not saved: see the messages above. Your input is kept.");
  box.hidden = false;
}

function flashSaved(form) {
  const saved = form.querySelector(".saved");
  if (!saved) return;
  saved.hidden = false;
  setTimeout(() => {
    saved.hidden = true;
  }, 2500);
}

// --- Loading ----------------------------------------------------------------------------------

// With independent highlighting a reviewer's dismissals are theirs alone: the server leaves the
// candidate as the others see it, and this browser remembers that they dismissed it.
const privateDismissals = {
  key: "workbench:dismissed:" + config.user.id + ":" + config.article,
  read() {
    try {
      return new Set(JSON.parse(window.localStorage.getItem(this.key) || "[]"));
    } catch (error) {
      return new Set();
    }
  },
  write(ids) {
    try {
      window.localStorage.setItem(this.key, JSON.stringify([...ids]));
    } catch (error) {
      // Storage disabled or full: the dismissal lasts as long as the page.
    }
  },
};

async function loadCandidates() {
  const [pending, dismissed] = await Promise.all([
    api.all("articles/" + config.article + "/candidates/?status=pending"),
    api.all("articles/" + config.article + "/candidates/?status=dismissed"),
  ]);
  // A candidate proposed for an older text of the article no longer fits: leave it out.
  const fits = (candidate) => state.index.slice(candidate.start, candidate.end) === candidate.text;
  const mine = config.private_decisions ? privateDismissals.read() : new Set();
  state.candidates = new Map(pending.filter((c) => fits(c) && !mine.has(c.id)).map((c) => [c.id, c]));
  state.dismissed = new Map([...dismissed, ...pending.filter((c) => mine.has(c.id))]
    .filter(fits).map((c) => [c.id, c]));
}

// The claim named by the address (#claim-42: what queue links and exports point to).
function claimFromHash() {
  const match = /^#claim-(\d+)$/.exec(window.location.hash);
  return match ? Number(match[1]) : null;
}

function setHash(id) {
  const hash = id === null ? "" : "#claim-" + id;
  if (window.location.hash !== hash) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search + hash);
  }
}

// The article's read gives its claims in the compact form: a field at its default is left out
// (the API's CompactClaim). Filled in here, a claim reads the same as one from GET /claims/{id}/.
const CLAIM_DEFAULTS = Object.freeze({
  orphaned: false, claimant: "", normalised_text: "", tag: "", origin: "manual",
  final_verdict: null, assessment_count: null, review_url: "", review_published_at: null,
  review_modified_at: null, published_at: null, created_by: null,
});

function claimsOf(article) {
  return new Map(article.claims.map((claim) => [claim.id, {
    ...CLAIM_DEFAULTS, ...claim, highlights: claim.highlights || [], similar: claim.similar || [],
  }]));
}

async function load() {
  const { data } = await api.get("articles/" + config.article + "/");
  state.article = data;
  state.index = new TextIndex(data.text || "");
  state.claims = claimsOf(data);
  state.sentences = null;
  await loadCandidates();
  if (!state.hashDone) {
    state.hashDone = true;
    const wanted = claimFromHash();
    if (wanted !== null && state.claims.has(wanted)) state.selected = wanted;
    else if (wanted !== null) toast(gettext("The claim in the address is not on this article, or not for you to see."), "error");
  }
  if (state.selected !== null && !state.claims.has(state.selected)) state.selected = null;
  renderHeader();
  renderLegend();
  renderDoc();
  await renderPanel();
  if (state.selected !== null) {
    const mark = doc.querySelector('[data-claims~="' + state.selected + '"]');
    if (mark) mark.scrollIntoView({ block: "center" });
  }
  watchProgress();
}

// The colour key: where a claim stands in review, then each verdict of this workspace's scale.
function renderLegend() {
  const legend = document.getElementById("legend-verdicts");
  if (!legend || legend.dataset.ready) return;
  legend.dataset.ready = "1";
  for (const verdict of config.verdicts) {
    legend.appendChild(el("span", "hl " + verdictColour(verdict.slug, config.verdicts), verdict.name));
  }
}

function watchProgress() {
  clearTimeout(state.pollTimer);
  const article = state.article;
  const busy = UNFINISHED.includes(article.extraction_status) ||
    ["queued", "running"].includes(article.fetch_status);
  if (!busy) return;
  state.pollTimer = setTimeout(async () => {
    try {
      const { data } = await api.get("articles/" + config.article + "/");
      const changed = data.extraction_status !== article.extraction_status ||
        data.fetch_status !== article.fetch_status || data.text !== article.text;
      state.article = data;
      if (changed) {
        state.index = new TextIndex(data.text || "");
        state.claims = claimsOf(data);
        await loadCandidates();
        renderHeader();
        renderDoc();
        if (state.selected === null) await renderPanel();
      }
    } catch (error) {
      // Try again on the next tick: a passing network failure must not stop the watch.
    }
    watchProgress();
  }, 3000);
}

// --- Header and notices -----------------------------------------------------------------------

function renderHeader() {
  const article = state.article;
  const status = document.getElementById("article-status");
  if (article.fetch_status && article.fetch_status !== "done") {
    status.textContent = fmt(gettext("Fetch: %(status)s"), { status: label(article.fetch_status) });
    status.className = "badge status-" + article.fetch_status;
  } else {
    status.textContent = fmt(gettext("Extraction: %(status)s"), { status: label(article.extraction_status) });
    status.className = "badge status-" + article.extraction_status;
  }
  document.getElementById("article-revision").textContent =
    fmt(gettext("Revision %(n)s"), { n: article.revision });

  const notices = document.getElementById("notices");
  notices.replaceChildren();
  const notice = (text, kind) => notices.appendChild(el("p", "alert " + (kind || "info"), text));
  if (article.others_hidden && config.can.assess) {
    notice(gettext("Blind review: until your verdict on a claim is in, the other reviewers' verdicts, sources and highlights on it stay hidden, and its status reads “awaiting your verdict”."), "blind");
  } else if (article.others_hidden) {
    notice(gettext("Blind review: the reviewers' verdicts and the sources they cite appear here once a claim is published."), "blind");
  }
  if (article.claims_hidden_until_submitted) {
    notice(gettext("Independent highlighting: claims that only other reviewers highlighted appear when you submit your work on this article."), "blind");
  }
  if (article.fetch_status === "failed") {
    const failed = notice(fmt(gettext("The article could not be fetched: %(error)s"), { error: article.fetch_error }), "error");
    const again = el("button", "small", gettext("Fetch again"));
    again.type = "button";
    again.id = "fetch-again";
    again.addEventListener("click", fetchAgain);
    failed.append(" ", again);
  } else if (["queued", "running"].includes(article.fetch_status)) {
    notice(gettext("The article is being fetched from its URL; the text appears here when it arrives."));
  }
  if (article.extraction_status === "failed") {
    notice(fmt(gettext("Extracting candidates failed: %(error)s. You can still highlight claims."), { error: article.extraction_error }), "error");
  } else if (UNFINISHED.includes(article.extraction_status) && article.text) {
    notice(gettext("Candidates are being extracted; you can already highlight claims."));
  }

  const submit = document.getElementById("submit-work");
  const reviewer = !config.can.adjudicate;
  submit.hidden = !reviewer || Boolean(article.submitted_at);
  if (reviewer && article.submitted_at) {
    notice(fmt(gettext("You submitted your work on this article on %(date)s."), {
      date: new Date(article.submitted_at).toLocaleString(document.documentElement.lang),
    }), "done");
  }
}

// --- The text ---------------------------------------------------------------------------------

function marks() {
  const out = [];
  for (const claim of state.claims.values()) {
    if (!claim.orphaned && claim.start !== null) {
      out.push({ id: claim.id, start: claim.start, end: claim.end, kind: "claim" });
    }
  }
  for (const candidate of state.candidates.values()) {
    out.push({ id: candidate.id, start: candidate.start, end: candidate.end, kind: "candidate" });
  }
  return out;
}

function renderDoc() {
  if (!state.article.text) {
    doc.replaceChildren(el("p", "muted", gettext("No text yet.")));
  } else {
    renderText(doc, state.index, marks(), {
      claims: state.claims,
      candidates: state.candidates,
      verdicts: config.verdicts,
      selected: state.selected,
      focused: state.focused,
    });
  }
  doc.setAttribute("aria-busy", "false");
}

// Show which claim is open and which candidate J/K reached, without rebuilding the text: a
// rebuild between the clicks of a double or triple click would lose the word or line selected.
function refreshMarks() {
  doc.querySelectorAll(".sel").forEach((node) => node.classList.remove("sel"));
  doc.querySelectorAll(".cand-focus").forEach((node) => node.classList.remove("cand-focus"));
  if (state.selected !== null) {
    doc.querySelectorAll('[data-claims~="' + state.selected + '"]').forEach((node) => node.classList.add("sel"));
  }
  if (state.focused !== null) {
    doc.querySelectorAll('[data-cands~="' + state.focused + '"]').forEach((node) => node.classList.add("cand-focus"));
  }
}

function currentSpan() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!doc.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== doc) {
    // A selection reaching outside the text still counts for the part inside it.
    if (!range.intersectsNode(doc)) return null;
  }
  return rangeToSpan(doc, state.index, range);
}

function placeMakeClaimButton() {
  const span = currentSpan();
  if (!span) {
    makeClaimButton.hidden = true;
    return;
  }
  const rects = window.getSelection().getRangeAt(0).getClientRects();
  const last = rects[rects.length - 1];
  if (!last) return;
  makeClaimButton.hidden = false;
  makeClaimButton.style.top = window.scrollY + last.bottom + 6 + "px";
  makeClaimButton.style.left = Math.max(8, window.scrollX + last.right - makeClaimButton.offsetWidth) + "px";
}

async function makeClaim() {
  await steps; // a sentence selection still being made counts
  const span = currentSpan();
  if (!span) {
    toast(gettext("Select a passage of the text first."), "error");
    return;
  }
  const exact = state.index.slice(span.start, span.end);
  makeClaimButton.disabled = true;
  try {
    const { status, data } = await api.post("claims/", {
      article: config.article,
      start: span.start,
      end: span.end,
      exact,
    });
    // A claim the page already showed was joined (under blind review the answer is 201 either
    // way: what the page knows is what it may say).
    const joined = status === 200 || state.claims.has(data.id);
    state.claims.set(data.id, data);
    window.getSelection().removeAllRanges();
    state.sentenceAt = null;
    makeClaimButton.hidden = true;
    toast(joined ? gettext("Your highlight was added to this claim.") : gettext("Claim created."), "done");
    await selectClaim(data.id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.body.existing) {
      toast(gettext("You have already highlighted this claim."), "error");
      await selectClaim(error.body.existing.id);
    } else {
      // The selection stays: the reviewer can try again as it is.
      toast(fmt(gettext("The claim was not saved: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
    }
  } finally {
    makeClaimButton.disabled = false;
  }
}

// --- The panel --------------------------------------------------------------------------------

async function renderPanel() {
  if (state.selected !== null && state.claims.has(state.selected)) {
    await renderClaim(state.claims.get(state.selected));
  } else {
    renderOverview();
  }
}

function orderedClaims() {
  return [...state.claims.values()].sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity) || a.id - b.id);
}

function orderedCandidates() {
  return [...state.candidates.values()].sort((a, b) => a.start - b.start);
}

function renderOverview() {
  const view = clone("tpl-overview");
  const claims = orderedClaims();
  const placed = claims.filter((c) => !c.orphaned);
  const orphans = claims.filter((c) => c.orphaned);
  const candidates = orderedCandidates();

  const claimList = view.querySelector('[data-list="claims"]');
  for (const claim of placed) claimList.appendChild(claimItem(claim));
  view.querySelector('[data-count="claims"]').textContent = String(placed.length);
  view.querySelector('[data-empty="claims"]').hidden = placed.length > 0;

  const candidateList = view.querySelector('[data-list="candidates"]');
  for (const candidate of candidates) candidateList.appendChild(candidateItem(candidate));
  view.querySelector('[data-count="candidates"]').textContent = String(candidates.length);
  view.querySelector('[data-empty="candidates"]').hidden = candidates.length > 0;
  view.querySelector("[data-bulk]").hidden = candidates.length < 2;
  view.querySelector('[data-action="accept-all"]').addEventListener("click", () => decideAll("accept"));
  view.querySelector('[data-action="dismiss-all"]').addEventListener("click", () => decideAll("dismiss"));

  const dismissed = [...state.dismissed.values()].sort((a, b) => a.start - b.start);
  const dismissedSection = view.querySelector('[data-section="dismissed"]');
  dismissedSection.hidden = dismissed.length === 0;
  view.querySelector('[data-count="dismissed"]').textContent = String(dismissed.length);
  const dismissedList = view.querySelector('[data-list="dismissed"]');
  for (const candidate of dismissed) dismissedList.appendChild(dismissedItem(candidate));

  const orphanSection = view.querySelector('[data-section="orphans"]');
  orphanSection.hidden = orphans.length === 0;
  const orphanList = view.querySelector('[data-list="orphans"]');
  for (const claim of orphans) orphanList.appendChild(claimItem(claim));
  view.querySelector('[data-count="orphans"]').textContent = String(orphans.length);

  panel.replaceChildren(view);
  markPresence();
}

function claimItem(claim) {
  const item = clone("tpl-claim-item").firstElementChild;
  item.dataset.claim = String(claim.id);
  const colour = claimColour(claim, config.verdicts);
  item.querySelector(".dot").className = "dot hl " + colour;
  item.querySelector(".quote").textContent = snippet(claim.exact, 120);
  const badge = item.querySelector("[data-status]");
  badge.textContent = claim.orphaned ? gettext("orphaned") : claimStatusText(claim);
  badge.className = "badge " + (claim.orphaned ? "status-orphan" : colour);
  item.querySelector(".item-main").addEventListener("click", () => selectClaim(claim.id));
  return item;
}

function candidateItem(candidate) {
  const item = clone("tpl-candidate-item").firstElementChild;
  item.dataset.candidate = String(candidate.id);
  if (candidate.id === state.focused) item.classList.add("focused");
  item.querySelector(".quote").textContent = snippet(candidate.text, 160);
  item.querySelector(".score").textContent = fmt(gettext("score %(score)s"), { score: percent(candidate.score) });
  item.querySelector(".score").title = candidateTitle(candidate);
  const kinds = item.querySelector(".kinds");
  for (const kind of candidate.kinds || []) kinds.appendChild(el("span", "chip", KIND_LABELS[kind] || kind));
  if (candidate.claimant_guess) {
    item.querySelector(".claimant").textContent = fmt(gettext("claimant: %(name)s"), { name: candidate.claimant_guess });
  }
  renderSimilar(item.querySelector(".similar-slot"), candidate.similar || candidate.matches, true);
  item.querySelector(".item-main").addEventListener("click", () => focusCandidate(candidate.id, true));
  item.querySelector('[data-action="accept"]').addEventListener("click", () => decide(candidate.id, "accept"));
  item.querySelector('[data-action="dismiss"]').addEventListener("click", () => decide(candidate.id, "dismiss"));
  return item;
}

function dismissedItem(candidate) {
  const item = el("li", "item dismissed");
  item.dataset.dismissed = String(candidate.id);
  item.appendChild(el("span", "quote small", snippet(candidate.text, 140)));
  const button = el("button", "", gettext("Reopen"));
  button.type = "button";
  button.dataset.action = "reopen";
  button.addEventListener("click", () => reopen(candidate.id));
  item.appendChild(button);
  return item;
}

async function reopen(id) {
  const mine = privateDismissals.read();
  if (config.private_decisions && mine.has(id)) {
    mine.delete(id);
    privateDismissals.write(mine);
    state.candidates.set(id, state.dismissed.get(id));
    state.dismissed.delete(id);
    renderDoc();
    renderOverview();
    focusCandidate(id, true);
    return;
  }
  try {
    const { data } = await api.post("candidates/" + id + "/reopen/");
    state.dismissed.delete(id);
    state.candidates.set(id, data);
    toast(gettext("Candidate reopened: it is pending again."), "done");
    renderDoc();
    renderOverview();
    focusCandidate(id, true);
  } catch (error) {
    toast(fmt(gettext("Not reopened: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
  }
}

// A claim's status for its reader, with the final verdict once there is one.
function claimStatusText(claim) {
  const words = label(claim.status);
  return claim.final_verdict
    ? fmt(gettext("%(status)s: %(verdict)s"), { status: words, verdict: verdictName(claim.final_verdict) })
    : words;
}

// Similar, previously checked claims, when the API offers them (`similar` or `matches`).
function renderSimilar(container, items, compact) {
  if (!container || !Array.isArray(items) || items.length === 0) return false;
  const list = compact ? el("ul", "similar small") : container;
  if (compact) list.appendChild(el("li", "muted", gettext("Already checked:")));
  for (const match of items) {
    const matched = match.matched_claim && typeof match.matched_claim === "object" ? match.matched_claim : match;
    const text = matched.normalised_text || matched.exact || matched.text || matched.claim_text || "";
    const verdict = matched.final_verdict_name || matched.verdict_name || matched.final_verdict || matched.verdict || "";
    const li = el("li");
    li.appendChild(el("span", "quote", snippet(text, 140)));
    if (verdict) li.appendChild(el("span", "badge", typeof verdict === "string" ? verdictName(verdict) : String(verdict.name || verdict.slug || "")));
    if (typeof match.score === "number") li.appendChild(el("span", "muted small", " " + percent(match.score)));
    const details = [match.publisher, match.rating, match.language].filter(Boolean).join(" · ");
    if (details) li.appendChild(el("span", "muted small", " " + details));
    const url = matched.url || matched.article_url;
    if (url) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(safeLink(url, match.kind === "reference" ? gettext("fact-check") : gettext("source")));
    } else if (match.kind === "claim" && match.claim) {
      const page = el("a", "", gettext("Claim page"));
      page.href = "/claims/" + match.claim + "/";
      li.appendChild(document.createTextNode(" "));
      li.appendChild(page);
    }
    if (!compact && match.verdict && config.can.assess) li.appendChild(reuseButton(match, url));
    list.appendChild(li);
  }
  if (compact) container.appendChild(list);
  return true;
}

// Offers a look-alike's verdict for the reviewer's own: fills the form, never saves it.
function reuseButton(match, url) {
  const button = el("button", "small secondary", gettext("Use this verdict"));
  button.type = "button";
  button.dataset.reuse = match.verdict;
  button.addEventListener("click", () => {
    const select = focusField("assessment", "verdict");
    if (!select || !config.verdicts.some((v) => v.slug === match.verdict)) return;
    select.value = match.verdict;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    const rationale = select.form.elements.namedItem("rationale");
    if (rationale && !rationale.value.trim()) {
      const where = url || (match.claim ? window.location.origin + "/claims/" + match.claim + "/" : "");
      rationale.value = interpolate(gettext("Same claim as one already checked: %s"), [where]);
      rationale.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  return button;
}

async function selectClaim(id) {
  const known = doc.querySelector('[data-claims~="' + id + '"]');
  state.selected = id;
  if (live) live.here(id);
  state.focused = null;
  setHash(id);
  if (known || !state.claims.has(id) || state.claims.get(id).orphaned) refreshMarks();
  else renderDoc(); // a claim new to the text
  await renderPanel();
  const mark = doc.querySelector('[data-claims~="' + id + '"]');
  if (mark) mark.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function closeClaim() {
  state.selected = null;
  if (live) live.here(null);
  state.claimData = null;
  setHash(null);
  refreshMarks();
  renderOverview();
}

async function fetchClaimData(claim) {
  const base = "claims/" + claim.id + "/";
  const [assessments, sources, adjudication, history, comments] = await Promise.all([
    api.all(base + "assessments/"),
    api.all(base + "sources/"),
    api.get(base + "adjudication/").then((r) => r.data),
    api.all(base + "history/"),
    api.all(base + "comments/"),
  ]);
  return { assessments, sources, adjudication, history, comments };
}

async function renderClaim(claim) {
  const view = clone("tpl-claim");
  const root = el("div", "claim-view");
  root.appendChild(view);
  root.dataset.claim = String(claim.id);
  panel.replaceChildren(root);
  root.querySelector('[data-action="back"]').addEventListener("click", closeClaim);
  root.querySelector('[data-action="withdraw-highlight"]').addEventListener("click", () => withdraw(claim.id, "highlight"));
  root.querySelector('[data-action="withdraw-claim"]').addEventListener("click", () => withdraw(claim.id, "claim"));
  fillClaimHead(root, claim);
  setUpDetailsForm(root, claim);
  if (!config.can.assess) annotatorNote(root);

  let data;
  try {
    data = await fetchClaimData(claim);
  } catch (error) {
    toast(fmt(gettext("Could not load the claim's verdicts and sources: %(reason)s"), { reason: error.message }), "error");
    data = { assessments: [], sources: [], adjudication: { current: null, history: [] }, history: [], comments: [] };
  }
  if (state.selected !== claim.id) return; // another claim was opened meanwhile
  state.claimData = data;
  setUpAssessment(root, claim, data);
  renderAssessments(root, data);
  setUpAdjudication(root, claim, data);
  renderSources(root, data.sources);
  renderComments(root, claim.id, data.comments);
  renderHistory(root, data.history);
  setUpSourceForm(root, claim);
  setUpCommentForm(root, claim);
  const similarSection = root.querySelector('[data-section="similar"]');
  similarSection.hidden = !renderSimilar(root.querySelector('[data-list="similar"]'), claim.similar || claim.matches, false);
  root.dataset.ready = "1";
}

// Undo a highlight or a claim. Nothing is deleted: the server keeps it, withdrawn, with its
// history, and refuses (saying why) what this person may not undo.
async function withdraw(claimId, what) {
  const question = what === "claim"
    ? gettext("Withdraw this claim? It disappears from the article for everyone; its history is kept.")
    : gettext("Withdraw your highlight of this claim? The claim stays.");
  if (!window.confirm(question)) return;
  try {
    if (what === "claim") {
      await api.delete("claims/" + claimId + "/");
      state.claims.delete(claimId);
      drafts.clear(claimId, "details");
      toast(gettext("Claim withdrawn."), "done");
      closeClaim();
      await load();
    } else {
      const { data } = await api.delete("claims/" + claimId + "/highlights/mine/");
      state.claims.set(data.id, data);
      toast(gettext("Your highlight was withdrawn."), "done");
      renderDoc();
      await renderPanel();
    }
  } catch (error) {
    toast(fmt(gettext("Not withdrawn: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
  }
}

function fillClaimHead(root, claim) {
  root.querySelector(".claim-quote").textContent = claim.exact;
  root.querySelector(".orphan-note").hidden = !claim.orphaned;
  const fact = (name) => root.querySelector('[data-fact="' + name + '"]');
  fact("status").replaceChildren(el("span", "badge " + claimColour(claim, config.verdicts), label(claim.status)));
  const page = root.querySelector('[data-link="claim-page"]');
  page.href = "/claims/" + claim.id + "/";
  // Undo: one's own highlight, or the whole claim (its author or an editor; the server decides
  // the rest and says why when it refuses). Published claims are kept as they are.
  const mineHighlight = claim.highlights.some((h) => h.user === config.user.id);
  const kept = claim.status === "published";
  root.querySelector('[data-action="withdraw-highlight"]').hidden = kept || !mineHighlight;
  // Under blind review a reviewer withdraws their highlight, never the claim (the server says why).
  const blindReviewer = config.blind && config.can.assess;
  root.querySelector('[data-action="withdraw-claim"]').hidden = kept ||
    !(config.can.revise || (claim.created_by === config.user.id && !blindReviewer));
  fact("origin").textContent = label(claim.origin);
  // The tag another tool gave the span, kept from an import.
  fact("tag").textContent = claim.tag || "";
  fact("tag").hidden = !claim.tag;
  root.querySelector('[data-fact-term="tag"]').hidden = !claim.tag;
  fact("highlights").textContent = claim.highlights.map((h) => h.username + (h.orphaned ? " (" + gettext("orphaned") + ")" : "")).join(", ") || "–";
  fact("final").textContent = claim.final_verdict ? verdictName(claim.final_verdict) : "–";
}

// A form that keeps its input as a draft until saved, and saves with Ctrl+Enter.
function draftForm(form, claimId, kind, serverValues) {
  const draft = drafts.load(claimId, kind);
  fillForm(form, serverValues);
  if (draft) {
    fillForm(form, draft);
    const note = form.querySelector(".conflict");
    if (note && JSON.stringify(draft) !== JSON.stringify(pick(serverValues, Object.keys(draft)))) {
      note.textContent = gettext("Your unsaved input was restored. Save it, or reload (R) to discard it.");
      note.hidden = false;
      note.classList.add("draft");
    }
  }
  form.addEventListener("input", () => drafts.save(claimId, kind, formValues(form)));
  form.addEventListener("change", () => drafts.save(claimId, kind, formValues(form)));
}

function pick(values, keys) {
  const out = {};
  for (const key of keys) out[key] = values[key] === null || values[key] === undefined ? "" : String(values[key]);
  return out;
}

function showConflict(form, lines) {
  const box = form.querySelector(".conflict");
  box.classList.remove("draft");
  box.replaceChildren(el("strong", "", gettext("This changed since you loaded it, and has been reloaded. Your input is kept below: check it and save again.")));
  const list = el("ul");
  for (const [name, value] of lines) list.appendChild(el("li", "", name + " " + (value || "–")));
  if (lines.length) {
    box.appendChild(el("p", "small", gettext("Now saved on the server:")));
    box.appendChild(list);
  }
  box.hidden = false;
}

// A form this person cannot save is shown read-only, with the reason, instead of failing on save.
function readOnly(form, reason) {
  for (const field of form.querySelectorAll("input, textarea, select")) field.disabled = true;
  const actions = form.querySelector(".actions");
  if (actions) actions.hidden = true;
  const note = el("p", "read-only muted small", reason);
  note.dataset.readonly = "";
  form.appendChild(note);
}

function setUpDetailsForm(root, claim) {
  const form = root.querySelector('[data-form="details"]');
  if (claim.status === "published" && !config.can.revise) {
    fillForm(form, { claimant: claim.claimant, normalised_text: claim.normalised_text });
    readOnly(form, gettext("This claim is published: only an editor can change its claimant or wording."));
    return;
  }
  draftForm(form, claim.id, "details", { claimant: claim.claimant, normalised_text: claim.normalised_text });
  // The version the form's values were read at: a change by someone else since (even one shown
  // live) makes the save a conflict to settle, never a silent overwrite.
  form.dataset.version = String(claim.version);
  form.dataset.shown = JSON.stringify(pick(claim, ["claimant", "normalised_text"]));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const { data } = await api.patch("claims/" + claim.id + "/", {
        claimant: values.claimant,
        normalised_text: values.normalised_text,
        version: Number(form.dataset.version),
      });
      state.claims.set(data.id, data);
      form.dataset.version = String(data.version);
      form.dataset.shown = JSON.stringify(pick(values, ["claimant", "normalised_text"]));
      drafts.clear(claim.id, "details");
      showFormError(form, null);
      form.querySelector(".conflict").hidden = true;
      flashSaved(form);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        const { data } = await api.get("claims/" + claim.id + "/");
        state.claims.set(data.id, data);
        // Seen: a second save, now based on the current version, goes through.
        form.dataset.version = String(data.version);
        drafts.save(claim.id, "details", values);
        fillClaimHead(root, data);
        renderDoc();
        showConflict(form, [
          [gettext("Claimant:"), data.claimant],
          [gettext("Normalised wording:"), data.normalised_text],
        ]);
        showFormError(form, null);
      } else {
        showFormError(form, error);
      }
    } finally {
      button.disabled = false;
    }
  });
}

function mine(assessments) {
  return assessments.find((a) => a.reviewer === config.user.username) || null;
}

// An annotator does not give verdicts: say so where the reviewers' form would be.
function annotatorNote(root) {
  const form = root.querySelector('[data-form="assessment"]');
  const note = el("section", "panel-section");
  note.appendChild(el("h2", "", gettext("Your verdict")));
  note.appendChild(el("p", "muted small", gettext("Verdicts are given by reviewers; as an annotator you prepare the claims they assess.")));
  form.replaceWith(note);
}

function setUpAssessment(root, claim, data) {
  const form = root.querySelector('[data-form="assessment"]');
  if (!config.can.assess) return; // annotatorNote took its place
  const select = form.elements.namedItem("verdict");
  for (const verdict of config.verdicts) {
    const option = el("option", "", verdict.name);
    option.value = verdict.slug;
    select.appendChild(option);
  }
  let own = mine(data.assessments);
  const serverValues = (a) => ({
    verdict: a ? a.verdict : "",
    rationale: a ? a.rationale : "",
    confidence: a && a.confidence !== null ? a.confidence : "",
  });
  draftForm(form, claim.id, "assessment", serverValues(own));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    if (!values.verdict) {
      showFormError(form, new ApiError(400, { verdict: [gettext("Choose a verdict.")] }, ""));
      return;
    }
    const body = {
      verdict: values.verdict,
      rationale: values.rationale,
      confidence: values.confidence === "" ? null : Number(values.confidence.replace(",", ".")),
    };
    if (body.confidence !== null && Number.isNaN(body.confidence)) {
      showFormError(form, new ApiError(400, { confidence: [gettext("Give a number between 0 and 1.")] }, ""));
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      if (own) {
        await api.patch("assessments/" + own.id + "/", { ...body, version: own.version });
      } else {
        await api.post("claims/" + claim.id + "/assessments/", body);
      }
      drafts.clear(claim.id, "assessment");
      showFormError(form, null);
      form.querySelector(".conflict").hidden = true;
      flashSaved(form);
      await refreshClaim(root, claim.id);
      own = mine(state.claimData.assessments);
    } catch (error) {
      const stale = error instanceof ApiError && error.status === 412;
      const twice = error instanceof ApiError && error.status === 409 && error.body.existing;
      if (stale || twice) {
        const id = stale ? own.id : error.body.existing.id;
        const { data: fresh } = await api.get("assessments/" + id + "/");
        own = fresh;
        drafts.save(claim.id, "assessment", values);
        showConflict(form, [
          [gettext("Verdict:"), verdictName(fresh.verdict)],
          [gettext("Rationale:"), fresh.rationale],
          [gettext("Confidence:"), fresh.confidence === null ? "" : String(fresh.confidence)],
        ]);
        showFormError(form, null);
      } else {
        showFormError(form, error);
      }
    } finally {
      button.disabled = false;
    }
  });
}

async function refreshClaim(root, claimId) {
  const [{ data: claim }, data] = await Promise.all([
    api.get("claims/" + claimId + "/"),
    fetchClaimData({ id: claimId }),
  ]);
  state.claims.set(claim.id, claim);
  if (state.selected !== claimId) return;
  state.claimData = data;
  fillClaimHead(root, claim);
  renderAssessments(root, data);
  renderSources(root, data.sources);
  renderComments(root, claimId, data.comments);
  renderDoc();
}

// The claim's comments as the API lets this reader see them (blind review applies). Drawn again
// live; the box below the list keeps what is being typed. Replies, edits and deletions are on the
// claim's page, where the link leads.
function renderComments(root, claimId, comments) {
  const list = root.querySelector('[data-list="comments"]');
  if (!list) return;
  list.replaceChildren();
  for (const comment of comments) {
    const item = el("li", "panel-comment" + (comment.instruction ? " instruction" : ""));
    item.dataset.comment = String(comment.id);
    const head = el("div", "comment-head");
    head.appendChild(el("strong", "", comment.author));
    if (comment.parent !== null) head.appendChild(el("span", "muted small", " · " + gettext("reply")));
    item.appendChild(head);
    item.appendChild(
      el("p", "comment-body" + (comment.body ? "" : " muted"), comment.body || gettext("This comment was deleted.")),
    );
    list.appendChild(item);
  }
  root.querySelector('[data-empty="comments"]').hidden = comments.length > 0;
  root.querySelector('[data-link="claim-comments"]').href = "/claims/" + claimId + "/#comments";
}

function renderAssessments(root, data) {
  const list = root.querySelector('[data-list="assessments"]');
  list.replaceChildren();
  for (const a of data.assessments) {
    const item = el("li", "assessment");
    const head = el("div", "assessment-head");
    head.appendChild(el("strong", "", a.reviewer));
    head.appendChild(el("span", "badge " + verdictColour(a.verdict, config.verdicts), a.verdict_name));
    if (a.confidence !== null) head.appendChild(el("span", "muted small", fmt(gettext("confidence %(c)s"), { c: a.confidence })));
    item.appendChild(head);
    if (a.rationale) item.appendChild(el("p", "rationale", a.rationale));
    list.appendChild(item);
  }
  root.querySelector('[data-empty="assessments"]').hidden = data.assessments.length > 0;
  const blindNote = root.querySelector("[data-blind]");
  blindNote.hidden = !(config.blind && !mine(data.assessments));
}

function setUpAdjudication(root, claim, data) {
  const form = root.querySelector('[data-form="adjudication"]');
  if (!config.can.adjudicate) {
    form.remove();
    return;
  }
  form.hidden = false;
  form.querySelector('[data-link="curate"]').href = "/claims/" + claim.id + "/curate/";
  const select = form.elements.namedItem("verdict");
  for (const verdict of config.verdicts) {
    const option = el("option", "", verdict.name);
    option.value = verdict.slug;
    select.appendChild(option);
  }
  const current = data.adjudication && data.adjudication.current;
  if (mine(data.assessments) && !config.self_adjudication) {
    readOnly(form, gettext("You assessed this claim, so another adjudicator settles it (this workspace does not allow adjudicating one's own claims)."));
    return;
  }
  draftForm(form, claim.id, "adjudication", { verdict: current ? current.verdict : "", note: "" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    try {
      await api.post("claims/" + claim.id + "/adjudication/", values);
      drafts.clear(claim.id, "adjudication");
      showFormError(form, null);
      toast(gettext("Final verdict set."), "done");
      await refreshClaim(root, claim.id);
    } catch (error) {
      // The reviewers' extents differ: the span is chosen on the curation page.
      const spans = error instanceof ApiError && error.status === 400 && error.body.start;
      showFormError(form, spans ? new ApiError(400, { "": [gettext("The reviewers' extents differ: choose the claim's passage in the curation view.")] }, "") : error);
    }
  });
}

// One sentence per recorded change, as the server words it in the reader's language.
function renderHistory(root, events) {
  const list = root.querySelector('[data-list="history"]');
  list.replaceChildren();
  for (const event of events) {
    const item = el("li", "history-event");
    item.dataset.kind = event.kind;
    const time = el("time", "muted", when(event.created_at));
    time.dateTime = event.created_at;
    item.appendChild(time);
    item.appendChild(el("span", "", " · " + event.summary));
    list.appendChild(item);
  }
  root.querySelector('[data-empty="history"]').hidden = events.length > 0;
}

function renderSources(root, sources) {
  const list = root.querySelector('[data-list="sources"]');
  list.replaceChildren();
  for (const link of sources) {
    const item = el("li", "source");
    const head = el("div", "source-head");
    head.appendChild(el("span", "badge stance-" + link.stance, label(link.stance)));
    head.appendChild(safeLink(link.source.url, link.source.title || link.source.url));
    item.appendChild(head);
    const meta = [link.source.publisher, link.source.published_at, fmt(gettext("added by %(name)s"), { name: link.added_by })]
      .filter(Boolean).join(" · ");
    item.appendChild(el("div", "muted small", meta));
    if (link.quote) item.appendChild(el("blockquote", "passage", link.quote));
    if (link.added_by === config.user.username || config.can.revise) {
      const remove = el("button", "link small", gettext("Remove"));
      remove.type = "button";
      remove.dataset.action = "remove-source";
      remove.addEventListener("click", () => removeSource(root, link));
      item.appendChild(remove);
    }
    list.appendChild(item);
  }
  root.querySelector('[data-empty="sources"]').hidden = sources.length > 0;
}

async function removeSource(root, link) {
  if (!window.confirm(gettext("Remove this source from the claim? The history keeps a trace."))) return;
  try {
    await api.delete("claims/" + link.claim + "/sources/" + link.id + "/");
    state.claimData.sources = state.claimData.sources.filter((s) => s.id !== link.id);
    renderSources(root, state.claimData.sources);
    toast(gettext("Source removed."), "done");
  } catch (error) {
    toast(fmt(gettext("Not removed: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
  }
}

// A new comment from the panel: @mentions picked from the desk's members as on the claim's page.
// Kept as a draft while typed; a refused comment stays in its box with the reason.
function setUpCommentForm(root, claim) {
  const form = root.querySelector('[data-form="comment"]');
  if (!form) return;
  attachMentions(form);
  draftForm(form, claim.id, "comment", { body: "" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = form.elements.namedItem("body");
    const instruction = form.querySelector('[data-field="instruction"]');
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await api.post("claims/" + claim.id + "/comments/", {
        body: body.value,
        instruction: Boolean(instruction && instruction.checked),
      });
      drafts.clear(claim.id, "comment");
      form.reset();
      showFormError(form, null);
      const comments = await api.all("claims/" + claim.id + "/comments/");
      if (state.selected !== claim.id) return;
      state.claimData.comments = comments;
      renderComments(root, claim.id, comments);
      toast(gettext("Comment posted."), "done");
    } catch (error) {
      showFormError(form, error);
    } finally {
      button.disabled = false;
    }
  });
}

function setUpSourceForm(root, claim) {
  const form = root.querySelector('[data-form="source"]');
  draftForm(form, claim.id, "source", { url: "", title: "", publisher: "", stance: "context", quote: "" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const { data } = await api.post("claims/" + claim.id + "/sources/", values);
      drafts.clear(claim.id, "source");
      form.reset();
      showFormError(form, null);
      state.claimData.sources.push(data);
      renderSources(root, state.claimData.sources);
      toast(gettext("Source linked."), "done");
    } catch (error) {
      showFormError(form, error);
    } finally {
      button.disabled = false;
    }
  });
}

// --- Candidates -------------------------------------------------------------------------------

// Accept or dismiss one candidate. Returns "done", "skipped" (it cannot be accepted by this
// reviewer, or someone else decided it first) or "failed" (not saved: the error is shown).
// The pending candidate after `id` in the text (or before it, at the end): where A and X go next.
function nextCandidate(id) {
  const ordered = orderedCandidates().filter((c) => c.id !== id);
  const from = state.candidates.get(id);
  if (!from || !ordered.length) return null;
  const after = ordered.find((c) => c.start >= from.start);
  return (after || ordered[ordered.length - 1]).id;
}

async function decide(id, action) {
  const next = nextCandidate(id);
  try {
    const { data } = await api.post("candidates/" + id + "/" + action + "/");
    const candidate = state.candidates.get(id);
    state.candidates.delete(id);
    if (action === "accept") state.claims.set(data.id, data);
    else if (candidate) state.dismissed.set(id, data);
    if (action === "dismiss" && config.private_decisions) {
      const mine = privateDismissals.read();
      mine.add(id);
      privateDismissals.write(mine);
    }
    state.focused = null;
    toast(action === "accept" ? gettext("Candidate accepted: it is now a claim.") : gettext("Candidate dismissed."), "done");
    renderDoc();
    await renderPanel();
    if (next !== null && state.selected === null) focusCandidate(next, true);
    return "done";
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.body.existing &&
        error.body.existing.type === "claim") {
      // The candidate overlaps a claim this reviewer already highlighted.
      toast(gettext("You have already highlighted this claim; dismiss the candidate if it adds nothing."), "error");
      await selectClaim(error.body.existing.id);
      return "skipped";
    }
    if (error instanceof ApiError && error.status === 409) {
      // Someone else decided it first: show the article as it is now.
      state.candidates.delete(id);
      toast(gettext("Someone else already decided this candidate; the article was reloaded."), "error");
      await load();
      return "skipped";
    }
    toast(fmt(gettext("Not saved: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
    return "failed";
  }
}

// Accept or dismiss every pending candidate the page shows, in one request (one transaction on
// the server): a candidate extracted since is not decided unseen.
async function decideAll(action) {
  const ids = orderedCandidates().map((c) => c.id);
  if (!ids.length) return;
  const question = action === "accept"
    ? ngettext("Accept the %(n)s remaining candidate?", "Accept all %(n)s remaining candidates?", ids.length)
    : ngettext("Dismiss the %(n)s remaining candidate?", "Dismiss all %(n)s remaining candidates?", ids.length);
  if (!window.confirm(fmt(question, { n: ids.length }))) return;
  const box = panel.querySelector("[data-bulk]");
  const progress = panel.querySelector("[data-progress]");
  box.querySelectorAll("button").forEach((button) => { button.disabled = true; });
  progress.hidden = false;
  progress.querySelector("span").textContent = fmt(action === "accept"
    ? ngettext("Accepting %(n)s candidate…", "Accepting %(n)s candidates…", ids.length)
    : ngettext("Dismissing %(n)s candidate…", "Dismissing %(n)s candidates…", ids.length), { n: ids.length });
  try {
    const { data } = await api.post("articles/" + config.article + "/candidates/" + action + "-all/", { ids });
    if (action === "dismiss" && config.private_decisions) {
      privateDismissals.write(new Set([...privateDismissals.read(), ...ids]));
    }
    let message = fmt(action === "accept"
      ? ngettext("%(n)s candidate accepted.", "%(n)s candidates accepted.", data.count)
      : ngettext("%(n)s candidate dismissed.", "%(n)s candidates dismissed.", data.count), { n: data.count });
    if (data.count < ids.length) {
      const others = ids.length - data.count;
      message += " " + fmt(ngettext("%(n)s candidate had been decided by someone else meanwhile.", "%(n)s candidates had been decided by someone else meanwhile.", others), { n: others });
    }
    toast(message, "done");
  } catch (error) {
    toast(fmt(gettext("Nothing was decided: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
  }
  await load();
}

function focusCandidate(id, scroll) {
  state.focused = id;
  refreshMarks();
  panel.querySelectorAll("[data-candidate]").forEach((item) => {
    item.classList.toggle("focused", Number(item.dataset.candidate) === id);
  });
  const item = panel.querySelector('[data-candidate="' + id + '"]');
  if (item && scroll) item.scrollIntoView({ block: "nearest" });
  const mark = doc.querySelector('[data-cands~="' + id + '"]');
  if (mark) mark.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

// Claims and candidates in the order of the text, for J and K.
function stops() {
  const items = [];
  for (const claim of state.claims.values()) if (!claim.orphaned) items.push({ kind: "claim", id: claim.id, start: claim.start });
  for (const candidate of state.candidates.values()) items.push({ kind: "candidate", id: candidate.id, start: candidate.start });
  return items.sort((a, b) => a.start - b.start || (a.kind === "claim" ? -1 : 1));
}

async function step(delta) {
  const items = stops();
  if (!items.length) return;
  let at = items.findIndex((s) => (s.kind === "claim" && s.id === state.selected) || (s.kind === "candidate" && s.id === state.focused));
  at = at === -1 ? (delta > 0 ? 0 : items.length - 1) : (at + delta + items.length) % items.length;
  const target = items[at];
  if (target.kind === "claim") {
    await selectClaim(target.id);
  } else {
    if (state.selected !== null) {
      state.selected = null;
      renderOverview();
    }
    focusCandidate(target.id, true);
  }
}

// --- Submitting, correcting the text ----------------------------------------------------------

// A fetch that failed (the site was down, a timeout): the worker tries the URL once more.
async function fetchAgain() {
  try {
    const { data } = await api.post("articles/" + config.article + "/fetch/");
    state.article = { ...state.article, ...data };
    toast(gettext("The article is being fetched again."), "done");
    renderHeader();
    watchProgress();
  } catch (error) {
    toast(fmt(gettext("Not fetched again: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
  }
}

async function submitWork() {
  const question = config.blind
    ? gettext("Submit your work on this article? You will then see the other reviewers' highlights and verdicts.")
    : gettext("Submit your work on this article?");
  if (!window.confirm(question)) return;
  try {
    await api.post("articles/" + config.article + "/submit/");
    toast(gettext("Submitted. Thank you!"), "done");
    await load();
  } catch (error) {
    toast(fmt(gettext("Not submitted: %(reason)s"), { reason: error.summary ? error.summary() : String(error) }), "error");
  }
}

async function openRevise() {
  const dialog = document.getElementById("revise");
  const form = dialog.querySelector("form");
  if (!form.dataset.ready) {
    form.dataset.ready = "1";
    form.querySelector('[data-action="close"]').addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = formValues(form);
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        // The version the text in the box was read at: a correction saved since is refused (412).
        const { data } = await api.post("articles/" + config.article + "/revisions/", {
          ...values, version: Number(form.dataset.version),
        });
        const orphans = data.claims.orphan || 0;
        const total = Object.values(data.claims).reduce((a, b) => a + b, 0);
        toast(fmt(gettext("Text corrected (now revision %(n)s): %(placed)s of %(total)s claims placed again, %(orphans)s orphaned."), {
          n: data.article.revision, placed: total - orphans, total, orphans,
        }), orphans ? "error" : "done");
        showFormError(form, null);
        form.querySelector(".conflict").hidden = true;
        dialog.close();
        await load();
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) {
          // Someone else changed the article meanwhile: show what is saved now, keep the text as
          // typed, and let a second save (now based on the current version) go through.
          const { data } = await api.get("articles/" + config.article + "/");
          state.article = data;
          state.index = new TextIndex(data.text || "");
          state.claims = claimsOf(data);
          await loadCandidates();
          form.dataset.version = String(data.version);
          renderHeader();
          renderDoc();
          showConflict(form, [[gettext("Revision now saved:"), String(data.revision)]]);
          showFormError(form, null);
        } else {
          showFormError(form, error); // the dialog stays open with the text as typed
        }
      } finally {
        button.disabled = false;
      }
    });
  }
  form.elements.namedItem("text").value = state.article.text;
  form.elements.namedItem("note").value = "";
  form.dataset.version = String(state.article.version);
  form.querySelector(".conflict").hidden = true;
  showFormError(form, null);
  dialog.showModal();
  const list = form.querySelector('[data-list="revisions"]');
  list.replaceChildren();
  try {
    const revisions = await api.all("articles/" + config.article + "/revisions/");
    for (const revision of revisions) {
      const item = el("li");
      const details = el("details");
      details.appendChild(el("summary", "", fmt(gettext("Revision %(n)s, replaced on %(date)s by %(user)s"), {
        n: revision.number,
        date: new Date(revision.created_at).toLocaleString(document.documentElement.lang),
        user: revision.created_by,
      }) + (revision.note ? " · " + revision.note : "")));
      details.appendChild(el("pre", "old-text", revision.text));
      item.appendChild(details);
      list.appendChild(item);
    }
    if (!revisions.length) list.appendChild(el("li", "muted", gettext("None: this is the text as imported.")));
  } catch (error) {
    list.appendChild(el("li", "error", error.message));
  }
}

// --- Keyboard ---------------------------------------------------------------------------------

function focusField(formName, field) {
  const form = panel.querySelector('[data-form="' + formName + '"]');
  const input = form && form.elements.namedItem(field);
  if (input) {
    input.focus();
    input.scrollIntoView({ block: "nearest" });
  }
  return input;
}

function chooseVerdict(key) {
  const verdict = config.verdicts[Number(key) - 1];
  const select = focusField("assessment", "verdict");
  if (!verdict || !select) return false;
  select.value = verdict.slug;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  return true;
}

// --- Claims with the keyboard: step through the text by sentence -------------------------------

let steps = Promise.resolve();

async function sentences() {
  if (state.sentences === null) {
    const { data } = await api.get("articles/" + config.article + "/sentences/");
    state.sentences = data;
  }
  return state.sentences;
}

// The sentence the caret (or the current selection's end) is in or just before.
function sentenceAtCaret(list) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0) return -1;
  const range = selection.getRangeAt(0);
  if (!doc.contains(range.endContainer)) return -1;
  const span = rangeToSpan(doc, state.index, range);
  const at = span ? span.start : null;
  if (at === null) return -1;
  return list.findIndex((s) => s.end > at);
}

// ] and [ select the next or previous sentence; } and { make the selection one sentence longer or
// shorter. C then makes it a claim, as with a mouse selection.
async function stepSentence(key) {
  const list = await sentences();
  if (!list.length) return;
  let at = state.sentenceAt;
  if (!at) {
    const caret = sentenceAtCaret(list);
    const first = caret === -1 ? (key === "[" ? list.length - 1 : 0) : caret;
    at = { first, last: first };
  } else if (key === "]") {
    const next = Math.min(list.length - 1, at.last + 1);
    at = { first: next, last: next };
  } else if (key === "[") {
    const previous = Math.max(0, at.first - 1);
    at = { first: previous, last: previous };
  } else if (key === "}") {
    at = { first: at.first, last: Math.min(list.length - 1, at.last + 1) };
  } else if (key === "{") {
    at = { first: at.first, last: Math.max(at.first, at.last - 1) };
  }
  const range = selectSpan(doc, state.index, list[at.first].start, list[at.last].end);
  if (!range) return;
  state.sentenceAt = at;
  placeMakeClaimButton();
  const mark = range.startContainer.parentElement;
  if (mark) mark.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

// > and < move the selection's end a word later or earlier; ) and ( its start: with the sentence
// keys, any passage can be selected from the keyboard alone.
const WORD_KEYS = { ">": ["end", 1], "<": ["end", -1], ")": ["start", 1], "(": ["start", -1] };

async function stepWordEdge(key) {
  const span = currentSpan();
  if (!span) return;
  const [edge, by] = WORD_KEYS[key];
  const [start, end] = stepWord(state.index, span.start, span.end, edge, by);
  if (!selectSpan(doc, state.index, start, end)) return;
  state.sentenceAt = null;
  placeMakeClaimButton();
}

document.addEventListener("keydown", async (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    const form = event.target instanceof Element && event.target.closest("form");
    if (form && form.method !== "dialog") {
      event.preventDefault();
      form.requestSubmit();
    }
    return;
  }
  // V, then a digit: the verdict, even though V put the focus in the verdict's list.
  if (state.verdictMode) {
    state.verdictMode = false;
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      chooseVerdict(event.key);
      return;
    }
  }
  if (event.key === "Escape") {
    if (document.querySelector("dialog[open]")) return; // the dialog closes itself
    if (typing(event.target)) {
      event.target.blur();
      return;
    }
    window.getSelection().removeAllRanges();
    state.sentenceAt = null;
    makeClaimButton.hidden = true;
    if (state.selected !== null) closeClaim();
    return;
  }
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const key = event.key;
  const claimOpen = state.selected !== null;
  if (["[", "]", "{", "}"].includes(key)) {
    event.preventDefault();
    // One step after the other: keys pressed while the sentences load must each count.
    steps = steps.then(() => stepSentence(key)).catch((error) => toast(error.message, "error"));
    return;
  }
  if (key in WORD_KEYS) {
    event.preventDefault();
    steps = steps.then(() => stepWordEdge(key)).catch((error) => toast(error.message, "error"));
    return;
  }
  const handlers = {
    "?": () => document.getElementById("help").showModal(),
    c: makeClaim,
    j: () => step(1),
    k: () => step(-1),
    a: () => state.focused !== null && decide(state.focused, "accept"),
    x: () => state.focused !== null && decide(state.focused, "dismiss"),
    v: () => {
      if (claimOpen && config.can.assess && focusField("assessment", "verdict")) state.verdictMode = true;
    },
    n: () => claimOpen && focusField("details", "claimant"),
    s: () => claimOpen && focusField("source", "url"),
    r: load,
  };
  const handler = handlers[key] || handlers[key.toLowerCase()];
  if (handler && !(key === "A" || key === "X")) {
    event.preventDefault();
    await handler();
    return;
  }
  if (claimOpen && /^[1-9]$/.test(key) && config.can.assess && chooseVerdict(key)) {
    event.preventDefault();
  }
});

// --- Wiring -----------------------------------------------------------------------------------

doc.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return; // the end of a drag, not a click
  const segment = event.target instanceof Element && event.target.closest("[data-s]");
  if (!segment) return;
  if (segment.dataset.claims) {
    const ids = segment.dataset.claims.split(" ").map(Number);
    // Narrowest first; clicking again where claims overlap opens the next one.
    const at = ids.indexOf(state.selected);
    selectClaim(ids[(at + 1) % ids.length]);
  } else if (segment.dataset.cands) {
    if (state.selected !== null) {
      state.selected = null;
      renderOverview();
    }
    focusCandidate(Number(segment.dataset.cands.split(" ")[0]), true);
  }
});

let selectionTimer = null;
document.addEventListener("selectionchange", () => {
  clearTimeout(selectionTimer);
  selectionTimer = setTimeout(placeMakeClaimButton, 120);
});
// A selection made with the mouse starts the sentence steps afresh from where it is.
doc.addEventListener("mousedown", () => {
  state.sentenceAt = null;
});
window.addEventListener("hashchange", () => {
  const wanted = claimFromHash();
  if (wanted !== null && state.claims.has(wanted) && wanted !== state.selected) selectClaim(wanted);
});
// Keep the selection when the button is pressed.
makeClaimButton.addEventListener("mousedown", (event) => event.preventDefault());
makeClaimButton.addEventListener("click", makeClaim);
document.getElementById("open-help").addEventListener("click", () => document.getElementById("help").showModal());
document.getElementById("submit-work").addEventListener("click", submitWork);
const reviseButton = document.getElementById("open-revise");
if (reviseButton) reviseButton.addEventListener("click", openRevise);
window.addEventListener("beforeunload", (event) => {
  if (drafts.any()) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// --- Live: the others' changes, as they happen --------------------------------------------------

// Rebuild the text's marks now, or once the reader's selection in the text is done: a rebuild
// would lose it.
function renderDocWhenFree() {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed && doc.contains(selection.anchorNode)) {
    state.docStale = true;
    return;
  }
  state.docStale = false;
  renderDoc();
}

document.addEventListener("selectionchange", () => {
  if (state.docStale && window.getSelection().isCollapsed) renderDocWhenFree();
});

// The claim's claimant and wording changed elsewhere: an untouched details form shows the new
// values (and their version); one the reader is editing keeps what they typed, and its save
// will show the conflict.
function refreshDetails(root, claim) {
  const form = root.querySelector('[data-form="details"]');
  if (!form || !claim || !form.dataset.version) return;
  const untouched = JSON.stringify(pick(formValues(form), ["claimant", "normalised_text"])) === form.dataset.shown;
  if (!untouched || Number(form.dataset.version) === claim.version) return;
  const values = { claimant: claim.claimant, normalised_text: claim.normalised_text };
  fillForm(form, values);
  form.dataset.version = String(claim.version);
  form.dataset.shown = JSON.stringify(pick(formValues(form), ["claimant", "normalised_text"]));
}

// A batch of events from the live feed: read again what they name, through the API (which
// shows this reader what the policy lets them see), and show it without touching the forms.
async function applyLive(events) {
  const claims = new Set();
  let articleChanged = false;
  for (const event of events) {
    // This page shows its own changes as it makes them; the same reader's other tabs do not.
    if (event.tab && event.tab === TAB) continue;
    if (event.kind === "article") articleChanged = true;
    if (event.claim !== null) claims.add(event.claim);
  }
  if (articleChanged) {
    const { data } = await api.get("articles/" + config.article + "/");
    if (data.text !== state.article.text) state.index = new TextIndex(data.text || "");
    state.article = data;
    state.claims = claimsOf(data);
    await loadCandidates();
    renderHeader();
    watchProgress();
  }
  for (const id of claims) {
    try {
      const { data } = await api.get("claims/" + id + "/");
      state.claims.set(id, data);
    } catch (error) {
      // Withdrawn, or no longer this reader's to see; anything else: the next event retries.
      if (error.status === 404) state.claims.delete(id);
      continue;
    }
    const root = panel.querySelector('.claim-view[data-claim="' + id + '"][data-ready]');
    if (state.selected === id && root) {
      await refreshClaim(root, id);
      refreshDetails(root, state.claims.get(id));
    }
  }
  if (!articleChanged && claims.size === 0) return;
  renderDocWhenFree();
  if (state.selected === null) {
    const focus = focusedInPanel();
    renderOverview();
    refocus(focus);
  } else if (!state.claims.has(state.selected)) closeClaim();
}

// The control the keyboard is on in the panel, as a selector that finds it again once the
// panel is drawn anew: a live update must not throw a keyboard user back to the page's top.
function focusedInPanel() {
  const active = document.activeElement;
  if (!active || !panel.contains(active)) return null;
  const item = active.closest("[data-candidate], li[data-claim]");
  let selector = "";
  if (item && item.dataset.candidate) selector = '[data-candidate="' + item.dataset.candidate + '"] ';
  else if (item) selector = 'li[data-claim="' + item.dataset.claim + '"] ';
  if (active.dataset.action) return selector + '[data-action="' + active.dataset.action + '"]';
  return item ? selector + "." + active.classList[0] : null;
}

function refocus(selector) {
  if (!selector) return;
  const again = panel.querySelector(selector);
  if (again) again.focus({ preventScroll: true });
}

const LIVE_STATES = {
  live: () => gettext("Live"),
  reconnecting: () => gettext("Reconnecting…"),
  polling: () => gettext("Updated every few seconds"),
  off: () => "",
};

// Who else has the article open: their initials (name on hover), and on the claim list, who has
// which claim open, where the policy lets this reader know.
let presence = [];

function renderPresence(people) {
  presence = people;
  const box = document.getElementById("presence");
  const list = box.querySelector('[data-list="presence"]');
  list.replaceChildren(
    ...people.map((person) => {
      const chip = el("span", "initials", person.initials);
      chip.title = person.username;
      chip.dataset.user = person.username;
      chip.setAttribute("aria-label", person.username);
      return chip;
    }),
  );
  box.hidden = people.length === 0;
  markPresence();
}

function markPresence() {
  panel.querySelectorAll("li[data-claim] > .here").forEach((node) => node.remove());
  for (const person of presence) {
    if (person.claim === null) continue;
    const item = panel.querySelector('li[data-claim="' + person.claim + '"]');
    if (!item) continue;
    const chip = el("span", "initials here", person.initials);
    chip.title = fmt(gettext("%(name)s has this claim open"), { name: person.username });
    item.appendChild(chip);
  }
}

function showLiveState(name) {
  const badge = document.getElementById("live-state");
  badge.textContent = LIVE_STATES[name]();
  badge.dataset.state = name;
  document.body.dataset.live = name;
}

load().then(() => {
  live = new LiveFeed({
    base: config.live.base,
    path: config.live.path,
    cursor: config.live.cursor,
    api,
    article: config.article,
    onEvents: applyLive,
    onState: showLiveState,
    onPresence: renderPresence,
  });
  live.start();
  live.here(state.selected);
}).catch((error) => {
  doc.replaceChildren(el("p", "alert error", fmt(gettext("The article could not be loaded: %(reason)s"), { reason: error.message })));
  doc.setAttribute("aria-busy", "false");
});
