"""doccano's JSON Lines export of a sequence-labelling project. No Django imports.

One document a line: ``{"id": 7, "text": "...", "label": [[start, end, "TAG"], ...], ...}``.
What doccano 1.8 writes (doccano/doccano, ``backend/data_export/``):

- ``pipeline/factories.py``: for a sequence-labelling project without relations the spans go out
  as ``label``, each span a ``[start_offset, end_offset, label]`` triple (``TupledSpanFormatter``);
  with relations they go out as ``entities``, each ``{"id", "label", "start_offset",
  "end_offset"}`` (``DictFormatter``; ``models.py``, ``ExportedSpan.to_dict``), beside
  ``relations``. Comments go out as ``Comments``.
- ``models.py``, ``ExportedExample.to_dict``: ``{"id", "text", **meta}``: the document's metadata
  is spread into the line's top level, so a ``url`` or ``title`` given at import sits beside
  ``text``. Older versions (1.x before the export pipeline) wrote ``labels`` and a ``meta`` object,
  and sometimes the text under ``data``: all are read.

Offsets: doccano's server stores and exports the integers its browser client sends, unchanged
(``backend/data_import/pipeline/label.py``, ``SpanLabel``: only checks start < end;
``backend/data_export/models.py``). The client (v-annotator, doccano/v-annotator,
``src/domain/models/EventHandler/TextSelectionHandler.ts``) takes them from the browser selection
(``startLine.startOffset + selection.anchorOffset``) and ``src/domain/models/Label/Text.ts``
sums JavaScript string lengths: UTF-16 code units, so an emoji counts 2. This parser reads
doccano offsets as ``utf16``. A project created with "Count grapheme clusters as one character"
(``grapheme_mode``, ``backend/projects/models.py``) stores grapheme-cluster offsets instead, a unit
the import does not offer: such a file's spans after an emoji will not match (the export does not
say which mode its project used).

Each span becomes a claim carrying its tag (``ClaimIn.label``); ``ImportOptions.labels`` maps
tags, and with a non-empty mapping drops spans whose tag it does not name. The same span with the
same tag twice (a collaborative project's export lists everyone's spans together) is one claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from annotations.imports import ArticleIn, ClaimIn, ImportOptions, Parsed, Record, RecordError
from annotations.imports._json import (
    Problem,
    article_fields,
    jsonl_objects,
    span_problem,
    utf16_length,
)


def parse(stream: BinaryIO, options: ImportOptions) -> Iterator[Parsed]:
    for place, obj in jsonl_objects(stream):
        if isinstance(obj, RecordError):
            yield obj
            continue
        yield _record(place, obj, options)


def _text(obj: dict[str, Any]) -> str | None:
    for key in ("text", "data"):
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return None


def _raw_spans(obj: dict[str, Any]) -> tuple[str, Any]:
    for key in ("label", "labels", "entities"):
        if key in obj:
            return key, obj[key]
    return "label", []


def _span(item: Any) -> tuple[Any, Any, Any] | None:
    """(start, end, tag) of a triple or of a ``{start_offset, end_offset, label}`` object."""
    if isinstance(item, list | tuple) and len(item) == 3:
        return item[0], item[1], item[2]
    if isinstance(item, dict):
        return item.get("start_offset"), item.get("end_offset"), item.get("label")
    return None


def _record(place: str, obj: dict[str, Any], options: ImportOptions) -> Parsed:
    text = _text(obj)
    if text is None:
        if "text" in obj:
            return RecordError(
                place,
                'a text that is not text: a doccano line needs its document under "text"',
                "text",
                "doccano_text_not_string",
            )
        return RecordError(
            place,
            'no text: a doccano line needs its document under "text"',
            "text",
            "doccano_no_text",
        )
    field, raw = _raw_spans(obj)
    claims = _claims(raw if raw is not None else [], field, utf16_length(text), options)
    if isinstance(claims, Problem):
        return claims.at(place, field)
    meta = obj.get("meta")
    fields = article_fields(obj, meta if isinstance(meta, dict) else {})
    return Record(place, ArticleIn(text=text, offsets="utf16", claims=tuple(claims), **fields))


def _claims(raw: Any, field: str, length: int, options: ImportOptions) -> list[ClaimIn] | Problem:
    """The claims of a line's spans, or what is wrong with them."""
    if not isinstance(raw, list):
        return Problem(
            "doccano_spans_not_list",
            f'"{field}" should be a list of spans [start, end, "tag"]',
            {"field": field},
        )
    if raw and all(isinstance(item, str) for item in raw):
        return Problem(
            "doccano_categories",
            f'"{field}" holds categories, not spans: this looks like a text-classification '
            "export; export a sequence-labelling project",
            {"field": field},
        )
    claims: list[ClaimIn] = []
    seen: set[tuple[int, int, str]] = set()
    for number, item in enumerate(raw, start=1):
        span = _span(item)
        if span is None:
            return Problem(
                "doccano_span_not_triple",
                f'span {number} is not [start, end, "tag"]',
                {"number": number},
            )
        start, end, tag = span
        problem = span_problem(number, start, end, length)
        if problem:
            return problem
        if not isinstance(tag, str) or not tag.strip():
            return Problem("span_no_tag", f"span {number} has no tag", {"number": number})
        tag = tag.strip()
        if options.labels:
            if tag not in options.labels:
                continue
            tag = options.labels[tag]
        if (start, end, tag) in seen:
            continue
        seen.add((start, end, tag))
        claims.append(ClaimIn(start=start, end=end, label=tag))
    return claims
