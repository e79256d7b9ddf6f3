"""Rows and contexts for the writer tests, and helpers that parse the writers' output back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from annotations.exports.rows import (
    DEFAULT_SCALE,
    AssessmentRow,
    ClaimRow,
    ExportContext,
    HighlightRow,
    RawAdjudication,
    RawArticle,
    RawAssessment,
    RawClaim,
    RawHighlight,
    RawSource,
    ScaleLabel,
    SourceRow,
)

REVIEWED_AT = datetime(2024, 5, 2, 9, 15, 30, tzinfo=UTC)
PUBLISHED_AT = datetime(2024, 4, 30, 18, 0, tzinfo=UTC)

THREE_LABEL_SCALE = (
    ScaleLabel("false", "Faux", 0.0, 0),
    ScaleLabel("misleading", "Trompeur", 1.0, 1),
    ScaleLabel("true", "Vrai", 2.0, 2),
)


def make_ctx(**overrides: Any) -> ExportContext:
    values: dict[str, Any] = {
        "workspace_name": "Desk",
        "organisation_name": "Les Vérificateurs",
        "organisation_url": "https://verif.example",
        "base_url": "https://workbench.example",
        "scale": DEFAULT_SCALE,
        "fever_mapping": None,
    }
    values.update(overrides)
    return ExportContext(**values)


SUPPORTING = SourceRow(
    11, "https://stats.example/a", "Emploi 2024", "INSEE", "supports", "le taux a baissé", 21
)
REFUTING = SourceRow(12, "https://news.example/b", "Fact sheet", "News", "refutes", "", 22)
CONTEXT = SourceRow(13, "https://blog.example/c", "Background", "Blog", "context", "voir aussi", 23)


def make_claim(**overrides: Any) -> ClaimRow:
    values: dict[str, Any] = {
        "claim_id": 7,
        "text": "« le chômage a baissé de 12 % »",
        "normalised_text": "Le chômage a baissé de 12 % en 2023.",
        "claimant": "Jean Dupont",
        "language": "fr",
        "status": "published",
        "start": 120,
        "end": 151,
        "prefix": "Lors du débat, le ministre a dit ",
        "suffix": " avant de quitter la salle.",
        "article_id": 3,
        "article_url": "https://journal.example/article/3",
        "article_title": "Le débat budgétaire",
        "publisher": "Le Journal",
        "article_published_at": PUBLISHED_AT,
        "verdict_slug": "mostly-true",
        "verdict_name": "Mostly true",
        "verdict_value": 4.0,
        "verdict_note": "Chiffres INSEE",
        "reviewed_at": REVIEWED_AT,
        "adjudicator": "alice",
        "sources": (SUPPORTING, REFUTING, CONTEXT),
    }
    values.update(overrides)
    return ClaimRow(**values)


def make_assessment(**overrides: Any) -> AssessmentRow:
    values: dict[str, Any] = {
        "assessment_id": 41,
        "claim_id": 7,
        "claim_text": "« le chômage a baissé de 12 % »",
        "claim_status": "disputed",
        "article_id": 3,
        "article_url": "https://journal.example/article/3",
        "language": "fr",
        "reviewer": "bob",
        "verdict_slug": "half-true",
        "verdict_name": "Half true",
        "verdict_value": 3.0,
        "confidence": 0.8,
        "rationale": 'Les chiffres "officiels" disent l\'inverse\nsur deux lignes',
        "created_at": REVIEWED_AT,
        "updated_at": datetime(2024, 5, 3, 10, 0, tzinfo=UTC),
        "initial_verdict_slug": "false",
    }
    values.update(overrides)
    return AssessmentRow(**values)


ARTICLE_TEXT = "Lors du débat 😐, le ministre a dit « le chômage a baissé de 12 % »."


def make_highlight(**overrides: Any) -> HighlightRow:
    values: dict[str, Any] = {
        "highlight_id": 31,
        "start": 120,
        "end": 151,
        "exact": "« le chômage a baissé de 12 % »",
        "prefix": "Lors du débat, le ministre a dit ",
        "suffix": " avant de quitter la salle.",
        "creator": "bob",
        "created_at": REVIEWED_AT,
    }
    values.update(overrides)
    return HighlightRow(**values)


def make_raw_article(**overrides: Any) -> RawArticle:
    start = ARTICLE_TEXT.index("«")
    end = ARTICLE_TEXT.index("»") + 1
    claim = RawClaim(
        claim_id=7,
        start=start,
        end=end,
        exact=ARTICLE_TEXT[start:end],
        claimant="Jean Dupont",
        normalised_text="Le chômage a baissé de 12 %.",
        status="resolved",
        final_verdict="mostly-true",
        creator="bob",
        highlights=(
            RawHighlight(start, end, ARTICLE_TEXT[start:end], "bob"),
            RawHighlight(start + 2, end - 2, ARTICLE_TEXT[start + 2 : end - 2], "carol"),
        ),
        assessments=(
            RawAssessment("bob", "mostly-true", "mostly-true", 0.8, "INSEE"),
            RawAssessment("carol", "true", "half-true", None, ""),
        ),
        sources=(
            RawSource(
                "https://stats.example/a",
                "supports",
                "le taux a baissé",
                "Emploi",
                "INSEE",
                datetime(2024, 4, 1, tzinfo=UTC).date(),
                "carol",
            ),
        ),
        adjudications=(RawAdjudication("dave", "mostly-true", "Chiffres INSEE", REVIEWED_AT),),
    )
    values: dict[str, Any] = {
        "article_id": 3,
        "url": "https://journal.example/article/3",
        "title": "Le débat budgétaire",
        "publisher": "Le Journal",
        "author": "A. Martin",
        "language": "fr",
        "published_at": PUBLISHED_AT,
        "text": ARTICLE_TEXT,
        "revision": 2,
        "checksum": "ab" * 32,
        "claims": (claim,),
    }
    values.update(overrides)
    return RawArticle(**values)


def text_of(chunks: Iterable[bytes]) -> str:
    return b"".join(chunks).decode("utf-8")


def json_lines(chunks: Iterable[bytes]) -> list[dict[str, Any]]:
    text = text_of(chunks)
    assert text == "" or text.endswith("\n")
    # Split on "\n" only: str.splitlines would also cut at U+2028 and friends, which JSON
    # allows raw inside strings.
    return [json.loads(line) for line in text.split("\n")[:-1]]


def csv_records(chunks: Iterable[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(chunks), newline="")))


class CountingRows:
    """An iterator of many rows that records how far it has been read and whether it was closed."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self.rows = rows
        self.consumed = 0
        self.closed = False

    def __iter__(self) -> CountingRows:
        return self

    def __next__(self) -> Any:
        row = next(self.rows)
        self.consumed += 1
        return row

    def close(self) -> None:
        self.closed = True
