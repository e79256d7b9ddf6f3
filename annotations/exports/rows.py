"""Plain input types for the export writers: no Django imports.

The query layer turns database rows into these one at a time, so they are NamedTuples (a tuple
subclass: the cheapest object Python can build, and ``ClaimRow._make(values)`` fits a
``values_list`` row directly). The writers never hold more than one of them at a time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, NamedTuple

SUPPORTS: Final = "SUPPORTS"
REFUTES: Final = "REFUTES"
NOT_ENOUGH_INFO: Final = "NOT ENOUGH INFO"
FEVER_LABELS: Final = frozenset({SUPPORTS, REFUTES, NOT_ENOUGH_INFO})


class ScaleLabel(NamedTuple):
    slug: str
    name: str
    value: float | None
    position: int


class SourceRow(NamedTuple):
    source_id: int
    url: str
    title: str
    publisher: str
    stance: str  # "supports" | "refutes" | "context"
    quote: str
    # The claim-source link that gave the quote: FEVER's sentence id for this passage.
    link_id: int = 0


class HighlightRow(NamedTuple):
    """One reviewer's own span for a claim (its creator's username)."""

    highlight_id: int
    start: int | None  # code points, end exclusive; None for an orphaned highlight
    end: int | None
    exact: str
    prefix: str
    suffix: str
    creator: str
    created_at: datetime | None
    # UTF-16 code units (JavaScript's count), when the export asked for them.
    start_utf16: int | None = None
    end_utf16: int | None = None


class ClaimRow(NamedTuple):
    claim_id: int
    text: str
    normalised_text: str
    claimant: str
    language: str
    status: str
    # Code points into the article's text, end exclusive; both None for an orphaned claim (a text
    # correction could not place its quote again): the writers then omit the position only.
    start: int | None
    end: int | None
    prefix: str
    suffix: str
    article_id: int
    article_url: str
    article_title: str
    publisher: str
    article_published_at: datetime | None
    verdict_slug: str | None
    verdict_name: str | None
    verdict_value: float | None
    verdict_note: str
    reviewed_at: datetime | None
    adjudicator: str
    sources: tuple[SourceRow, ...]
    # The desk's own article about the claim, and the date of a public correction of its verdict.
    review_url: str = ""
    review_published_at: date | None = None
    review_modified_at: datetime | None = None
    # The article's revision and the SHA-256 of its text at that revision; its text when asked.
    article_revision: int = 0
    article_checksum: str = ""
    article_text: str = ""
    # Every reviewer's own span (Web Annotation only; empty elsewhere).
    highlights: tuple[HighlightRow, ...] = ()
    # The span in UTF-16 code units, when the export asked for them.
    start_utf16: int | None = None
    end_utf16: int | None = None


class AssessmentRow(NamedTuple):
    assessment_id: int
    claim_id: int
    claim_text: str
    claim_status: str
    article_id: int
    article_url: str
    language: str
    reviewer: str
    verdict_slug: str | None
    verdict_name: str | None
    verdict_value: float | None
    confidence: float | None
    rationale: str
    created_at: datetime
    updated_at: datetime
    # The verdict as first given (blind, in a blind workspace): what agreement is measured on.
    initial_verdict_slug: str | None = None
    article_revision: int = 0
    article_checksum: str = ""
    article_text: str = ""


# --- The raw export: one article a line, with everything on it ---------------------------------


class RawHighlight(NamedTuple):
    start: int | None
    end: int | None
    exact: str
    creator: str


class RawAssessment(NamedTuple):
    creator: str
    verdict: str
    initial_verdict: str
    confidence: float | None
    rationale: str


class RawSource(NamedTuple):
    url: str
    stance: str
    quote: str
    title: str
    publisher: str
    published_at: date | None
    creator: str


class RawAdjudication(NamedTuple):
    creator: str
    verdict: str
    note: str
    created_at: datetime


class RawClaim(NamedTuple):
    claim_id: int
    start: int | None
    end: int | None
    exact: str
    claimant: str
    normalised_text: str
    status: str
    final_verdict: str | None
    creator: str
    # The tag another tool gave the span (kept from an import); empty for the desk's own claims.
    tag: str = ""
    highlights: tuple[RawHighlight, ...] = ()
    assessments: tuple[RawAssessment, ...] = ()
    sources: tuple[RawSource, ...] = ()
    adjudications: tuple[RawAdjudication, ...] = ()


class RawArticle(NamedTuple):
    article_id: int
    url: str
    title: str
    publisher: str
    author: str
    language: str
    published_at: datetime | None
    text: str
    revision: int
    checksum: str
    claims: tuple[RawClaim, ...] = ()


class Pseudonyms:
    """Stable pseudonyms for the people of one export: "reviewer-1", "reviewer-2"... in the order
    each username first appears. One instance per export (a release shares one across its files,
    so a reviewer has the same pseudonym in each of them); the mapping is never written out."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, username: str) -> str:
        if not username:
            return username
        name = self._names.get(username)
        if name is None:
            name = self._names[username] = f"reviewer-{len(self._names) + 1}"
        return name


@dataclass(frozen=True, slots=True)
class ExportContext:
    workspace_name: str
    organisation_name: str
    organisation_url: str
    base_url: str
    scale: tuple[ScaleLabel, ...]
    organisation_logo: str = ""
    # None means "use default_fever_mapping(scale)"; a partial mapping is completed by it.
    fever_mapping: Mapping[str, str] | None = None
    # People (usernames) replaced by pseudonyms when set: see Pseudonyms.
    pseudonyms: Pseudonyms | None = None
    # Each row carries its article's revision and checksum (`revisions`), and its text too
    # (`texts`, which implies revisions), in the formats where they fit.
    revisions: bool = False
    texts: bool = False
    # Web Annotation: a second position selector in UTF-16 code units where they differ.
    utf16: bool = False

    def person(self, username: str) -> str:
        return username if self.pseudonyms is None else self.pseudonyms(username)

    def claim_url(self, claim_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/claims/{claim_id}/"

    def article_page_url(self, article_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/articles/{article_id}/"


DEFAULT_SCALE: Final = (
    ScaleLabel("false", "False", 1.0, 0),
    ScaleLabel("mostly-false", "Mostly false", 2.0, 1),
    ScaleLabel("half-true", "Half true", 3.0, 2),
    ScaleLabel("mostly-true", "Mostly true", 4.0, 3),
    ScaleLabel("true", "True", 5.0, 4),
    ScaleLabel("unverifiable", "Unverifiable", None, 5),
)


def rating_bounds(scale: tuple[ScaleLabel, ...]) -> tuple[float, float] | None:
    """Return (worst, best) over the scale's numeric values, or None if it has none."""
    values = [label.value for label in scale if label.value is not None]
    if not values:
        return None
    return min(values), max(values)


def fever_label_for_value(value: float | None, bounds: tuple[float, float] | None) -> str:
    """Place a verdict value relative to the midpoint of the scale's numeric range.

    Above the midpoint: SUPPORTS; below: REFUTES; at the midpoint, or no value (e.g.
    "unverifiable"), or a scale with fewer than two distinct values: NOT ENOUGH INFO. A "half true"
    claim has been checked, but it neither supports nor refutes as a whole, which is what the
    FEVER label means.
    """
    if value is None or bounds is None:
        return NOT_ENOUGH_INFO
    worst, best = bounds
    midpoint = (worst + best) / 2
    # Values come from a float column, so equality with the midpoint needs a tolerance.
    if math.isclose(value, midpoint, rel_tol=1e-9, abs_tol=1e-9 * (best - worst)):
        return NOT_ENOUGH_INFO
    return SUPPORTS if value > midpoint else REFUTES


def default_fever_mapping(scale: tuple[ScaleLabel, ...]) -> dict[str, str]:
    """Map every label of the scale to a FEVER label by its value (see fever_label_for_value).

    On the default scale: true and mostly-true -> SUPPORTS, false and mostly-false -> REFUTES,
    half-true and unverifiable -> NOT ENOUGH INFO.
    """
    bounds = rating_bounds(scale)
    return {label.slug: fever_label_for_value(label.value, bounds) for label in scale}


def resolve_fever_mapping(ctx: ExportContext) -> dict[str, str]:
    """The default mapping overridden by the workspace's own, checked before anything is written."""
    mapping = default_fever_mapping(ctx.scale)
    if ctx.fever_mapping:
        unknown = {label for label in ctx.fever_mapping.values() if label not in FEVER_LABELS}
        if unknown:
            raise ValueError(f"not FEVER labels: {sorted(unknown)}")
        mapping.update(ctx.fever_mapping)
    return mapping
