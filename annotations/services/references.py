"""Importing outside fact-checks (ClaimReview) into a workspace's reference corpus.

Two shapes are read, item by item, and may be mixed:

- schema.org ClaimReview in JSON-LD: one ClaimReview object, or an object whose ``@graph`` holds
  them (other nodes of the graph, a WebPage or an Organization, are passed over, and ``{"@id"}``
  references between nodes are followed);
- Google's Fact Check Tools API: a response ``{"claims": [...]}``, or one of its claims
  ``{"text", "claimant", "claimDate", "claimReview": [...]}``; each review of a claim is a
  reference of its own.

A review's page (its ``url``) is what makes two imports the same fact-check: importing it again
updates the workspace's row (constraint ``reference_unique_url``), never adds a second one.

The publisher's rating is kept as it was given and mapped onto the workspace's scale when it can
be (``verdict_for``): by ``ratingValue`` placed between ``worstRating`` and ``bestRating`` onto the
values of the workspace's current labels (the nearest wins), else by its wording matched to a
label's name or slug, directly or through a small French/English table of synonyms; else no
verdict. The verdict is offered to reviewers with a match, never applied.

An item without a claim text or an http(s) URL is skipped and reported (`Problem`: which item,
which field); nothing of it is written. Reviews are written in batches of BATCH_SIZE, each in one
transaction. Vectors for matching are computed later, when a search first needs them.

Reading the items and mapping ratings (everything above "Writing") touch no database.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.models import ReferenceClaim, VerdictLabel, Workspace

BATCH_SIZE = 500
ORIGIN_MAX = 30
URL_MAX = 2000
# schema.org's defaults when a rating gives its value without its bounds.
DEFAULT_BEST = 5.0
DEFAULT_WORST = 1.0

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Where a long textual rating's verdict ends and its explanation starts.
_LEAD = re.compile(r"\s*(?:[.:;!?(\[]|\s[-\u2013\u2014]\s)")
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input item. `index` counts the items from 0; `field` is the path
    inside the item (``claimReview[1].url``, ``@graph[2].claimReviewed``). `skipped`: the review
    was not imported; otherwise the field was left empty and the rest imported."""

    index: int
    field: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"item {self.index}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}" + ("" if self.skipped else " (imported without it)")


@dataclass(slots=True)
class ImportOutcome:
    created: int = 0
    updated: int = 0
    # Imported again with nothing changed: the row is left as it was.
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    # What became of each review written (or, in a dry run, of each review read), by item:
    # (item index, "created" | "updated" | "unchanged").
    results: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rating:
    text: str = ""
    value: float | None = None
    best: float | None = None
    worst: float | None = None


@dataclass(frozen=True, slots=True)
class ParsedReview:
    """One outside fact-check, read and checked, as ReferenceClaim stores it (minus the verdict)."""

    url: str
    claim_text: str
    claimant: str = ""
    claim_date: date | None = None
    language: str = ""
    title: str = ""
    publisher: str = ""
    publisher_site: str = ""
    review_date: date | None = None
    rating: Rating = Rating()


@dataclass(frozen=True, slots=True)
class Label:
    """What the mapping needs of a VerdictLabel."""

    pk: int
    slug: str
    name: str
    value: float | None
    position: int


# --- Reading values -----------------------------------------------------------------------------


# What no database column keeps: NUL, and halves of a surrogate pair (a JSON "\\ud800" alone).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _one_line(value: Any) -> str:
    """A string field as one trimmed line; anything that is not text is empty. NUL is dropped
    and a lone surrogate becomes U+FFFD: neither can be stored."""
    if isinstance(value, str):
        value = _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)
        return _SPACES.sub(" ", value).strip()
    return ""


def _first(value: Any) -> Any:
    """schema.org lets most properties be repeated: the first of a list."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _name(value: Any) -> str:
    """A Person's or Organization's name, whether given as an object or as plain text."""
    value = _first(value)
    if isinstance(value, dict):
        return _one_line(value.get("name"))
    return _one_line(value)


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_date(value: Any) -> date | None:
    """An ISO 8601 date or date-time (its day); None for anything else."""
    if not isinstance(value, str):
        return None
    found = _DATE.match(value.strip())
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def checked_url(value: Any) -> str | None:
    """The address when it is an absolute http(s) URL that fits the column, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > URL_MAX or any(c.isspace() for c in url) or _UNSTORABLE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def _site(url: str) -> str:
    """A publisher's site as Fact Check Tools gives it: the host name, without "www."."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _is_type(node: dict[str, Any], name: str) -> bool:
    types = node.get("@type")
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str):
            bare = kind
            for prefix in _SCHEMA_PREFIXES:
                bare = bare.removeprefix(prefix)
            if bare == name:
                return True
    return False


class _Reader:
    """Collects the problems of one item while its fields are read."""

    def __init__(self, index: int, prefix: str) -> None:
        self.index = index
        self.prefix = prefix
        self.problems: list[Problem] = []

    def path(self, name: str) -> str:
        return ".".join(part for part in (self.prefix, name) if part)

    def fail(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.index, self.path(name), message))

    def warn(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.index, self.path(name), message, skipped=False))

    def url(self, name: str, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(name, _("no URL: the review's page is what identifies a fact-check"))
            return None
        url = checked_url(value)
        if url is None:
            self.fail(
                name,
                _("not an http(s) URL of at most %(max)d characters: %(value).80r")
                % {"max": URL_MAX, "value": value},
            )
        return url

    def claim_text(self, name: str, value: Any) -> str | None:
        text = _one_line(value)
        if not text:
            self.fail(name, _("no claim text"))
            return None
        return text

    def day(self, name: str, value: Any) -> date | None:
        if value is None or value == "":
            return None
        day = parse_date(value)
        if day is None:
            self.warn(name, _("not a date (YYYY-MM-DD): %(value).40r") % {"value": value})
        return day

    def language(self, name: str, value: Any) -> str:
        value = _first(value)
        if isinstance(
            value, dict
        ):  # schema.org Language: {"name": "French", "alternateName": "fr"}
            value = value.get("alternateName") or value.get("name")
        if value is None or value == "":
            return ""
        code = _one_line(value)
        if not _LANGUAGE.match(code) or len(code) > 12:
            self.warn(
                name, _("not a language code such as fr or en-GB: %(value).40r") % {"value": value}
            )
            return ""
        return code.replace("_", "-")

    def number(self, name: str, value: Any) -> float | None:
        if value is None or value == "":
            return None
        number = parse_number(value)
        if number is None:
            self.warn(name, _("not a number: %(value).40r") % {"value": value})
        return number


# --- The two formats ----------------------------------------------------------------------------


def _review(url: str | None, claim: str | None, others: dict[str, Any]) -> ParsedReview | None:
    """The review, once its page and claim were read (None: either was refused)."""
    if url is None or claim is None:
        return None
    publisher = _clipped(others.pop("publisher", ""), 300)
    site = _clipped(others.pop("publisher_site", "") or _site(url), 300)
    return ParsedReview(
        url=url,
        claim_text=claim,
        publisher=publisher,
        publisher_site=site,
        claimant=_clipped(others.pop("claimant", ""), 300),
        title=_clipped(others.pop("title", ""), 500),
        **others,
    )


def _from_claimreview(
    node: dict[str, Any], read: _Reader, ids: dict[str, Any]
) -> ParsedReview | None:
    def resolved(value: Any) -> Any:
        value = _first(value)
        if isinstance(value, dict) and set(value) == {"@id"}:
            return ids.get(value["@id"], value)
        return value

    item = resolved(node.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    appearance = resolved(item.get("firstAppearance") or item.get("appearance"))
    appearance = appearance if isinstance(appearance, dict) else {}
    organisation = resolved(node.get("author")) or resolved(node.get("publisher"))
    site = ""
    if isinstance(organisation, dict):
        site = _site(checked_url(organisation.get("url")) or "")
    rating = resolved(node.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    value = rating.get("ratingValue")
    number = parse_number(value)
    text = _one_line(rating.get("alternateName")) or _one_line(rating.get("name"))
    if number is None and isinstance(value, str) and not text:
        text = _one_line(value)  # "False" given as the value: a wording, not a number
    claim_date_field = "itemReviewed.datePublished"
    claim_date = item.get("datePublished")
    if not claim_date and appearance.get("datePublished"):
        claim_date_field = "itemReviewed.appearance.datePublished"
        claim_date = appearance.get("datePublished")
    return _review(
        read.url("url", node.get("url")),
        read.claim_text("claimReviewed", node.get("claimReviewed")),
        {
            "claimant": _name(resolved(item.get("author"))),
            "claim_date": read.day(claim_date_field, claim_date),
            "language": read.language("inLanguage", node.get("inLanguage")),
            "title": _one_line(node.get("name")) or _one_line(node.get("headline")),
            "publisher": _name(organisation),
            "publisher_site": site,
            "review_date": read.day("datePublished", node.get("datePublished")),
            "rating": Rating(
                text=_clipped(text, 300),
                value=number,
                best=read.number("reviewRating.bestRating", rating.get("bestRating")),
                worst=read.number("reviewRating.worstRating", rating.get("worstRating")),
            ),
        },
    )


@dataclass(frozen=True, slots=True)
class _FactCheckClaim:
    """The fields a Fact Check Tools claim gives all its reviews, read once."""

    text: str | None
    claimant: str
    claim_date: date | None
    language: Any


def _from_fact_check_tools(
    claim: _FactCheckClaim, review: Any, read: _Reader
) -> ParsedReview | None:
    if not isinstance(review, dict):
        read.fail("", _("not a JSON object"))
        return None
    publisher = review.get("publisher")
    publisher = publisher if isinstance(publisher, dict) else {}
    return _review(
        read.url("url", review.get("url")),
        claim.text,
        {
            "claimant": claim.claimant,
            "claim_date": claim.claim_date,
            "language": read.language("languageCode", review.get("languageCode") or claim.language),
            "title": _one_line(review.get("title")),
            "publisher": _one_line(publisher.get("name")),
            "publisher_site": _one_line(publisher.get("site")),
            "review_date": read.day("reviewDate", review.get("reviewDate")),
            "rating": Rating(text=_clipped(_one_line(review.get("textualRating")), 300)),
        },
    )


# A parsed review, or None when it was refused, with the problems met on the way.
Parsed = tuple[ParsedReview | None, list[Problem]]


def _fact_check_claim(claim: Any, index: int, prefix: str) -> Iterator[Parsed]:
    if not isinstance(claim, dict):
        yield None, [Problem(index, prefix, _("not a JSON object"))]
        return
    read = _Reader(index, prefix)
    reviews = claim.get("claimReview")
    if not isinstance(reviews, list) or not reviews:
        read.fail("claimReview", _("no review of this claim"))
        yield None, read.problems
        return
    # The claim's own fields are read (and reported) once, whatever the number of its reviews.
    shared = _FactCheckClaim(
        text=read.claim_text("text", claim.get("text")),
        claimant=_one_line(claim.get("claimant")),
        claim_date=read.day("claimDate", claim.get("claimDate")),
        language=claim.get("languageCode"),
    )
    first = read.problems
    for number, review in enumerate(reviews):
        review_read = _Reader(index, read.path(f"claimReview[{number}]"))
        parsed = _from_fact_check_tools(shared, review, review_read)
        yield parsed, [*first, *review_read.problems]
        first = []


def parse_item(item: Any, index: int) -> Iterator[Parsed]:
    """The reviews in one input item, each read or refused with its problems."""
    if not isinstance(item, dict):
        yield None, [Problem(index, "", _("not a JSON object"))]
        return
    if "claims" in item and isinstance(item["claims"], list):  # a Fact Check Tools response
        for number, claim in enumerate(item["claims"]):
            yield from _fact_check_claim(claim, index, f"claims[{number}]")
        return
    if "claimReview" in item:  # one claim of a Fact Check Tools response
        yield from _fact_check_claim(item, index, "")
        return
    graph = item.get("@graph")
    if isinstance(graph, list):
        ids = {
            node["@id"]: node
            for node in graph
            if isinstance(node, dict) and isinstance(node.get("@id"), str)
        }
        reviews = [
            (number, node)
            for number, node in enumerate(graph)
            if isinstance(node, dict) and _is_type(node, "ClaimReview")
        ]
        if not reviews:
            yield None, [Problem(index, "@graph", _("no ClaimReview in the graph"))]
        for number, node in reviews:
            read = _Reader(index, f"@graph[{number}]")
            parsed = _from_claimreview(node, read, ids)
            yield parsed, read.problems
        return
    if "@type" in item and not _is_type(item, "ClaimReview"):
        yield (
            None,
            [
                Problem(
                    index, "@type", _("not a ClaimReview: %(type).60r") % {"type": item["@type"]}
                )
            ],
        )
        return
    read = _Reader(index, "")
    parsed = _from_claimreview(item, read, {})
    yield parsed, read.problems


def document_items(document: Any) -> list[Any]:
    """The items of a parsed JSON document: a list's elements, else the document itself."""
    return list(document) if isinstance(document, list) else [document]


# --- Mapping a rating onto the workspace's scale ------------------------------------------------


def folded(text: str) -> str:
    """Case, accents, punctuation and spacing removed: "Plutôt  vrai !" -> "plutot vrai"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare.replace("œ", "oe")).strip()


# Each group names one rating in French and English (folded). A group with an end of the scale
# ("lowest", "highest") maps onto the workspace's lowest or highest valued label when no label
# carries one of its names; the others only onto a label that does.
_SYNONYMS: tuple[tuple[str | None, frozenset[str]], ...] = (
    (
        "lowest",
        frozenset(
            {
                "false",
                "faux",
                "fake",
                "pants on fire",
                "pants on fire false",
                "totally false",
                "completely false",
                "entierement faux",
                "totalement faux",
                "completement faux",
                "archi faux",
                "fausse",
                "infox",
            }
        ),
    ),
    (
        "highest",
        frozenset({"true", "vrai", "correct", "accurate", "exact", "entierement vrai", "vraie"}),
    ),
    (None, frozenset({"mostly true", "plutot vrai", "largement vrai", "mostly correct"})),
    (None, frozenset({"mostly false", "plutot faux", "largement faux"})),
    (None, frozenset({"half true", "a moitie vrai", "moitie vrai", "mixture", "mixed", "mitige"})),
    (None, frozenset({"partly false", "partially false", "partiellement faux", "en partie faux"})),
    (None, frozenset({"misleading", "trompeur", "trompeuse", "deceptive"})),
    (
        None,
        frozenset({"unverifiable", "unproven", "inverifiable", "non verifiable", "unsupported"}),
    ),
)


def _key(label: Label) -> tuple[str, str]:
    return folded(label.name), folded(label.slug)


def _valued(labels: Sequence[Label]) -> list[tuple[float, Label]]:
    return [(label.value, label) for label in labels if label.value is not None]


def _by_value(rating: Rating, labels: Sequence[Label]) -> Label | None:
    valued = _valued(labels)
    if rating.value is None or not valued:
        return None
    best = DEFAULT_BEST if rating.best is None else rating.best
    worst = DEFAULT_WORST if rating.worst is None else rating.worst
    if best == worst:
        return None
    share = (rating.value - worst) / (best - worst)
    if not -1e-9 <= share <= 1 + 1e-9:
        return None
    low = min(value for value, _ in valued)
    high = max(value for value, _ in valued)
    target = low + share * (high - low)
    # The nearest value; between two equally near, the lower one (the more cautious reading).
    return min(valued, key=lambda pair: (abs(pair[0] - target), pair[0], pair[1].position))[1]


def _end_of_scale(end: str | None, labels: Sequence[Label]) -> Label | None:
    valued = _valued(labels)
    if end is None or not valued:
        return None
    if end == "lowest":
        return min(valued, key=lambda pair: (pair[0], pair[1].position))[1]
    return max(valued, key=lambda pair: (pair[0], -pair[1].position))[1]


def _by_text(rating: Rating, labels: Sequence[Label]) -> Label | None:
    found = _by_wording(folded(rating.text), labels)
    lead = _LEAD.split(rating.text, maxsplit=1)[0]
    if found is None and lead != rating.text:
        # "Faux : aucun chiffre ne le montre", "Mostly false. The figures..."
        found = _by_wording(folded(lead), labels)
    return found


def _by_wording(wording: str, labels: Sequence[Label]) -> Label | None:
    if not wording:
        return None
    named = next((label for label in labels if wording in _key(label)), None)
    if named is not None:
        return named
    for end, names in _SYNONYMS:
        if wording in names:
            synonym = next((label for label in labels if names.intersection(_key(label))), None)
            return synonym or _end_of_scale(end, labels)
    return None


def verdict_for(rating: Rating, labels: Sequence[Label]) -> Label | None:
    """The workspace label a publisher's rating maps onto, or None. `labels`: the current
    (non-retired) labels, in scale order."""
    return _by_value(rating, labels) or _by_text(rating, labels)


# --- Writing ------------------------------------------------------------------------------------

_STORED = tuple(f.name for f in fields(ParsedReview) if f.name not in {"url", "rating"})
_WRITTEN = (*_STORED, "rating", "rating_value", "rating_best", "rating_worst", "verdict", "origin")


def _values(review: ParsedReview, verdict: Label | None, origin: str) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(review, name) for name in _STORED}
    values.update(
        rating=review.rating.text,
        rating_value=review.rating.value,
        rating_best=review.rating.best,
        rating_worst=review.rating.worst,
        verdict_id=verdict.pk if verdict else None,
        origin=origin,
    )
    return values


def _write_batch(
    workspace: Workspace,
    reviews: Sequence[tuple[int, ParsedReview]],
    labels: Sequence[Label],
    origin: str,
    outcome: ImportOutcome,
    *,
    dry_run: bool = False,
) -> None:
    """Write one batch in one transaction. Each review counts once: a page seen earlier in the
    same import counts as updated when it changes the row, else as unchanged. A dry run counts
    the same and writes nothing."""
    with transaction.atomic():
        rows = {
            row.url: row
            for row in ReferenceClaim.objects.select_for_update(no_key=True).filter(
                workspace=workspace, url__in={review.url for _index, review in reviews}
            )
        }
        new: dict[str, ReferenceClaim] = {}
        changed: dict[str, ReferenceClaim] = {}
        for index, review in reviews:
            values = _values(review, verdict_for(review.rating, labels), origin)
            row = rows.get(review.url)
            if row is None:
                row = ReferenceClaim(workspace=workspace, url=review.url, **values)
                rows[review.url] = new[review.url] = row
                outcome.created += 1
                outcome.results.append((index, "created"))
            elif all(getattr(row, name) == value for name, value in values.items()):
                outcome.unchanged += 1
                outcome.results.append((index, "unchanged"))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                if review.url not in new:
                    changed[review.url] = row
                outcome.updated += 1
                outcome.results.append((index, "updated"))
        if dry_run:
            return
        if new:
            # Another import may have added the same page meanwhile: its row is updated.
            ReferenceClaim.objects.bulk_create(
                new.values(),
                update_conflicts=True,
                unique_fields=["workspace", "url"],
                update_fields=[*_WRITTEN, "updated_at"],
            )
        if changed:
            now = timezone.now()
            for row in changed.values():
                row.updated_at = now
            ReferenceClaim.objects.bulk_update(changed.values(), [*_WRITTEN, "updated_at"])


def _write_batch_or_each(
    workspace: Workspace,
    reviews: Sequence[tuple[int, ParsedReview]],
    labels: Sequence[Label],
    origin: str,
    outcome: ImportOutcome,
    *,
    dry_run: bool,
) -> None:
    """_write_batch; when the database refuses the batch, each review on its own, so that one it
    cannot keep is reported (skipped) and the others go in."""
    before = (outcome.created, outcome.updated, outcome.unchanged, len(outcome.results))
    try:
        _write_batch(workspace, reviews, labels, origin, outcome, dry_run=dry_run)
        return
    except DatabaseError:
        outcome.created, outcome.updated, outcome.unchanged = before[:3]  # rolled back
        del outcome.results[before[3] :]
    if len(reviews) == 1:
        index, _review = reviews[0]
        outcome.problems.append(Problem(index, "", _("the database refused this fact-check")))
        outcome.skipped += 1
        return
    for review in reviews:
        _write_batch_or_each(workspace, [review], labels, origin, outcome, dry_run=dry_run)


def references_import(
    *, workspace: Workspace, items: Iterable[Any], origin: str, dry_run: bool = False
) -> ImportOutcome:
    """Import the fact-checks in `items` into the workspace's reference corpus.

    `origin` (at most 30 characters) records where they came from. Counts are of reviews: a Fact
    Check Tools claim with three reviews is three references. A dry run reads and counts
    everything and writes nothing.
    """
    origin = origin.strip()
    if not origin or len(origin) > ORIGIN_MAX:
        raise ValueError(f"origin must be 1 to {ORIGIN_MAX} characters, not {origin!r}")
    labels = [
        Label(label.pk, label.slug, label.name, label.value, label.position)
        for label in VerdictLabel.objects.filter(workspace=workspace, retired=False).order_by(
            "position"
        )
    ]
    outcome = ImportOutcome()
    batch: list[tuple[int, ParsedReview]] = []
    for index, item in enumerate(items):
        for review, problems in parse_item(item, index):
            if review is None:
                # Whatever else was wrong with a review that is not imported does not matter.
                outcome.problems.extend(problem for problem in problems if problem.skipped)
                outcome.skipped += 1
                continue
            outcome.problems.extend(problems)
            batch.append((index, review))
            if len(batch) >= BATCH_SIZE:
                _write_batch_or_each(workspace, batch, labels, origin, outcome, dry_run=dry_run)
                batch = []
    if batch:
        _write_batch_or_each(workspace, batch, labels, origin, outcome, dry_run=dry_run)
    if (outcome.created or outcome.updated) and not dry_run:
        # New outside fact-checks may say the same as claims made before: a worker looks again.
        from annotations import tasks  # the tasks module imports the services
        from annotations.services.dispatch import enqueue_on_commit

        with transaction.atomic():
            enqueue_on_commit(tasks.refresh_workspace_matches, workspace.pk)
    return outcome
