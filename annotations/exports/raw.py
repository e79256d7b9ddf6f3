"""The raw export: JSON Lines, one article a line with everything the workbench holds on it.

The shape the JSON Lines import reads back (a round trip gives the same articles, claims,
highlights, assessments, sources and adjudications):

- the article: ``id``, ``url``, ``title``, ``publisher``, ``author``, ``language``,
  ``published_at`` (ISO 8601 or null), ``text`` (the stored text, which every offset indexes),
  ``revision`` and ``checksum`` (the SHA-256 of the text at that revision);
- ``claims``: ``id``, ``start``/``end`` (code points, end exclusive; null for an orphaned claim),
  ``exact``, ``claimant``, ``normalised_text``, ``status``, ``final_verdict`` (slug or null),
  ``creator``, ``tag`` (another tool's tag for the span, kept from an import), and lists of ``highlights`` (each reviewer's own span: ``start``, ``end``,
  ``exact``, ``creator``), ``assessments`` (``creator``, ``verdict``, ``initial_verdict``,
  ``confidence``, ``rationale``), ``sources`` (``url``, ``stance``, ``quote``, ``title``,
  ``publisher``, ``published_at`` (a date or null), ``creator``) and ``adjudications``
  (``creator``, ``verdict``, ``note``, ``created_at``; oldest first, the last one is current).

People are usernames, or the export's pseudonyms (``ExportContext.pseudonyms``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from annotations.exports._stream import chunked, encode_json, iso
from annotations.exports.rows import ExportContext, RawArticle, RawClaim


def write_raw_jsonl(rows: Iterable[RawArticle], ctx: ExportContext) -> Iterator[bytes]:
    def line(row: RawArticle) -> str:
        return encode_json(raw_article(row, ctx)) + "\n"

    return chunked(map(line, rows), upstream=rows)


def raw_article(row: RawArticle, ctx: ExportContext) -> dict[str, Any]:
    return {
        "id": row.article_id,
        "url": row.url,
        "title": row.title,
        "publisher": row.publisher,
        "author": row.author,
        "language": row.language,
        "published_at": iso(row.published_at),
        "text": row.text,
        "revision": row.revision,
        "checksum": row.checksum,
        "claims": [raw_claim(claim, ctx) for claim in row.claims],
    }


def raw_claim(claim: RawClaim, ctx: ExportContext) -> dict[str, Any]:
    person = ctx.person
    return {
        "id": claim.claim_id,
        "start": claim.start,
        "end": claim.end,
        "exact": claim.exact,
        "claimant": claim.claimant,
        "normalised_text": claim.normalised_text,
        "status": claim.status,
        "final_verdict": claim.final_verdict,
        "creator": person(claim.creator),
        "tag": claim.tag,
        "highlights": [
            {"start": h.start, "end": h.end, "exact": h.exact, "creator": person(h.creator)}
            for h in claim.highlights
        ],
        "assessments": [
            {
                "creator": person(a.creator),
                "verdict": a.verdict,
                "initial_verdict": a.initial_verdict,
                "confidence": a.confidence,
                "rationale": a.rationale,
            }
            for a in claim.assessments
        ],
        "sources": [
            {
                "url": s.url,
                "stance": s.stance,
                "quote": s.quote,
                "title": s.title,
                "publisher": s.publisher,
                "published_at": None if s.published_at is None else s.published_at.isoformat(),
                "creator": person(s.creator),
            }
            for s in claim.sources
        ],
        "adjudications": [
            {
                "creator": person(a.creator),
                "verdict": a.verdict,
                "note": a.note,
                "created_at": a.created_at.isoformat(),
            }
            for a in claim.adjudications
        ],
    }
