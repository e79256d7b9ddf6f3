"""The workbench's own JSON Lines: one article a line, in the shape the raw export writes.

    {"url": "...", "title": "...", "publisher": "...", "author": "...", "language": "fr",
     "published_at": "2026-03-01T08:00:00+00:00", "text": "...",
     "claims": [{"start": 0, "end": 42, "exact": "...", "claimant": "...", "normalised_text": "",
                 "status": "resolved", "final_verdict": "false", "creator": "alice", "tag": "",
                 "highlights": [{"start": 0, "end": 42, "exact": "...", "creator": "alice"}],
                 "assessments": [{"creator": "bob", "verdict": "false", "initial_verdict": "false",
                                  "confidence": 0.8, "rationale": "..."}],
                 "sources": [{"url": "...", "stance": "refutes", "quote": "", "title": "",
                              "publisher": "", "published_at": "2026-02-01", "creator": "bob"}],
                 "adjudications": [{"creator": "carol", "verdict": "false", "note": "..."}]}]}

Offsets are code points into `text`, as everywhere in the workbench. Keys the export writes that
an import does not need (ids, revision, checksum, status derived again) are read and ignored; a
line without `text` adds its claims to the workspace's article at `url`. No Django imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from annotations.imports import (
    AdjudicationIn,
    ArticleIn,
    AssessmentIn,
    ClaimIn,
    HighlightIn,
    ImportOptions,
    Parsed,
    Record,
    RecordError,
    SourceIn,
)
from annotations.imports._json import jsonl_objects


class _Bad(ValueError):
    """A field that is missing or of the wrong kind: ``code`` says which, the field's path
    (``claims[0].start``) is both the error's field and its ``name`` param."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def _string(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _Bad("field_missing", f"{where}{key} is missing", f"{where}{key}")
        return ""
    if not isinstance(value, str):
        raise _Bad("field_not_string", f"{where}{key} must be a string", f"{where}{key}")
    return value


def _int(data: dict[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad("field_not_integer", f"{where}{key} must be a whole number", f"{where}{key}")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _Bad("field_not_list", f"{where}{key} must be a list of objects", f"{where}{key}")
    return value


def _confidence(data: dict[str, Any], where: str) -> float | None:
    value = data.get("confidence")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad("field_not_number", f"{where}confidence must be a number", f"{where}confidence")
    return float(value)


def _claim(data: dict[str, Any], where: str) -> ClaimIn:
    highlights = tuple(
        HighlightIn(
            start=_int(item, "start", f"{where}highlights[{index}]."),
            end=_int(item, "end", f"{where}highlights[{index}]."),
            exact=_string(item, "exact", f"{where}highlights[{index}].") or None,
            creator=_string(item, "creator", f"{where}highlights[{index}]."),
        )
        for index, item in enumerate(_list(data, "highlights", where))
        # An orphaned highlight (its quote could not be placed again after a text correction)
        # has no position: it cannot be placed in the text either.
        if item.get("start") is not None
    )
    assessments = tuple(
        AssessmentIn(
            verdict=_string(item, "verdict", f"{where}assessments[{index}].", required=True),
            creator=_string(item, "creator", f"{where}assessments[{index}]."),
            rationale=_string(item, "rationale", f"{where}assessments[{index}]."),
            confidence=_confidence(item, f"{where}assessments[{index}]."),
            initial_verdict=_string(item, "initial_verdict", f"{where}assessments[{index}].")
            or None,
        )
        for index, item in enumerate(_list(data, "assessments", where))
    )
    sources = tuple(
        SourceIn(
            url=_string(item, "url", f"{where}sources[{index}].", required=True),
            stance=_string(item, "stance", f"{where}sources[{index}].") or "context",
            quote=_string(item, "quote", f"{where}sources[{index}]."),
            title=_string(item, "title", f"{where}sources[{index}]."),
            publisher=_string(item, "publisher", f"{where}sources[{index}]."),
            published_at=_string(item, "published_at", f"{where}sources[{index}]."),
            creator=_string(item, "creator", f"{where}sources[{index}]."),
        )
        for index, item in enumerate(_list(data, "sources", where))
    )
    adjudications = tuple(
        AdjudicationIn(
            verdict=_string(item, "verdict", f"{where}adjudications[{index}].", required=True),
            creator=_string(item, "creator", f"{where}adjudications[{index}]."),
            note=_string(item, "note", f"{where}adjudications[{index}]."),
        )
        # In the order they were made (the last one is the claim's final verdict).
        for index, item in sorted(
            enumerate(_list(data, "adjudications", where)),
            key=lambda pair: str(pair[1].get("created_at") or ""),
        )
    )
    return ClaimIn(
        start=_int(data, "start", where),
        end=_int(data, "end", where),
        exact=_string(data, "exact", where) or None,
        label=_string(data, "tag", where),
        claimant=_string(data, "claimant", where),
        normalised_text=_string(data, "normalised_text", where),
        creator=_string(data, "creator", where),
        highlights=highlights,
        assessments=assessments,
        sources=sources,
        adjudications=adjudications,
        verdict="" if adjudications else _string(data, "final_verdict", where),
        status=_string(data, "status", where),
    )


def _article(data: dict[str, Any]) -> ArticleIn:
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise _Bad("field_not_string", "text must be a string", "text")
    claims: list[ClaimIn] = []
    for index, item in enumerate(_list(data, "claims", "")):
        if item.get("start") is None:
            continue  # orphaned by a text correction: no place in the text to give it
        claims.append(_claim(item, f"claims[{index}]."))
    published = data.get("published_at")
    return ArticleIn(
        text=text,
        url=_string(data, "url", ""),
        title=_string(data, "title", ""),
        publisher=_string(data, "publisher", ""),
        author=_string(data, "author", ""),
        language=_string(data, "language", ""),
        published_at=published if isinstance(published, str) else "",
        claims=tuple(claims),
    )


def parse(stream: BinaryIO, options: ImportOptions) -> Iterator[Parsed]:
    del options  # the workbench's own tags are kept as they are
    for place, item in jsonl_objects(stream):
        if isinstance(item, RecordError):
            yield item
            continue
        try:
            yield Record(place, _article(item))
        except _Bad as exc:
            name = exc.field.rstrip(".")
            yield RecordError(place, str(exc), name, exc.code, {"name": name})
