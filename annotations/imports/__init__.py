"""Reading files to import: each format's parser turns a file into records. No Django imports.

A parser takes the file as a binary stream and yields, in the file's order, either a ``Record``
(one article with what it carries) or a ``RecordError`` (why that part of the file cannot be read),
each with its place in the file: the line number for JSON Lines (1-based), the item index for a
JSON document (0-based, as the file's array counts). One bad record never stops the others.

Offsets in a record count in the unit the format's tool counts in (``ArticleIn.offsets``) and
point into the text as the file gives it; the import service converts them into code points of the
article's stored (normalised) text and checks them against the quote when there is one.
People are named as the file names them (``creator``: a username, an e-mail or a display name;
empty means the person importing); the service matches them to the workspace's members.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

OffsetUnit = Literal["codepoints", "utf16"]


@dataclass(frozen=True, slots=True)
class HighlightIn:
    """One person's own span for a claim."""

    start: int
    end: int
    exact: str | None = None
    creator: str = ""


@dataclass(frozen=True, slots=True)
class AssessmentIn:
    """One reviewer's verdict: a label slug or name of the workspace's scale."""

    verdict: str
    creator: str = ""
    rationale: str = ""
    confidence: float | None = None
    # The verdict as first given, when it differs (the raw export writes both).
    initial_verdict: str | None = None


@dataclass(frozen=True, slots=True)
class SourceIn:
    url: str
    stance: str = "context"  # supports | refutes | context
    quote: str = ""
    title: str = ""
    publisher: str = ""
    published_at: str = ""  # ISO date, or empty
    creator: str = ""


@dataclass(frozen=True, slots=True)
class AdjudicationIn:
    verdict: str
    creator: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ClaimIn:
    """A claim: its canonical span, and the highlights, verdicts, sources and adjudications on it.

    With no highlights, the claim's span is the importer's (or ``creator``'s) highlight.
    ``start`` and ``end`` both -1 with an ``exact``: no position, placed where the quote first
    occurs in the article's text (an annotation that has only a quote selector).
    """

    start: int
    end: int
    exact: str | None = None
    # The tool's tag for the span (doccano's label, Label Studio's label): kept on the import's
    # report and mapped or filtered with ``--labels``.
    label: str = ""
    claimant: str = ""
    normalised_text: str = ""
    creator: str = ""
    highlights: tuple[HighlightIn, ...] = ()
    assessments: tuple[AssessmentIn, ...] = ()
    sources: tuple[SourceIn, ...] = ()
    adjudications: tuple[AdjudicationIn, ...] = ()
    # A FEVER label or a verdict the file gives the claim itself: its final verdict (a label of
    # the workspace's scale, by slug or name, or one of FEVER's three labels).
    verdict: str = ""
    # The status the file gives (the raw export's): kept when it agrees with what the claim
    # carries (resolved and published need a final verdict); otherwise derived as in review.
    status: str = ""


@dataclass(frozen=True, slots=True)
class ArticleIn:
    """An article, or (``text`` None) a reference to one already in the workspace by its URL."""

    text: str | None
    url: str = ""
    title: str = ""
    publisher: str = ""
    author: str = ""
    language: str = ""
    published_at: str = ""  # ISO 8601 date or date-time, or empty
    offsets: OffsetUnit = "codepoints"
    claims: tuple[ClaimIn, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    place: str  # "line 3", "item 0": how the report names it
    article: ArticleIn


@dataclass(frozen=True, slots=True)
class RecordError:
    """Why a part of the file cannot be read. ``message`` is an English sentence (the command's
    report, the logs); ``code`` and ``params`` let the service word it in the reader's language
    (annotations.import_messages), as offsets.SpanProblem does for spans."""

    place: str
    message: str
    field: str = ""
    code: str = ""
    # Left out of the hash (a dict has none), so an error can still go in a set.
    # (``dataclasses.field``: the name ``field`` is the attribute above, inside this class.)
    params: dict[str, object] = dataclasses.field(default_factory=dict, hash=False)


Parsed = Record | RecordError


@dataclass(frozen=True, slots=True)
class ImportOptions:
    # doccano / Label Studio tags: {tag in the file: tag kept}; a tag missing from a non-empty
    # mapping is left out (filtered), an empty mapping keeps every tag as it is.
    labels: dict[str, str] = field(default_factory=dict)
