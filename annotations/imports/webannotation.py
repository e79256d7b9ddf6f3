"""W3C Web Annotations and Hypothesis annotations. No Django imports.

Accepted: one annotation a line (JSON Lines, what the workbench's own export writes); a JSON
array of annotations; an ``AnnotationPage`` (``items``) or ``AnnotationCollection``
(``first.items``); Hypothesis's API objects, alone, in an array, as a search result
(``{"total": N, "rows": [...]}``) or as the client's export (``{"annotations": [...]}``).

These carry no text: each annotation is a record ``ArticleIn(text=None, url=<target source>)``
with one claim, attached by the import to the workspace's article with that URL.

- Position: the ``TextPositionSelector``'s ``start``/``end``; the quote: the
  ``TextQuoteSelector``'s ``exact`` (its ``prefix``/``suffix`` are dropped: the records have no
  place for them, and the import verifies the position against ``exact``). A quote with no
  position gives ``start = end = -1`` with ``exact`` set (the import then places the quote where it
  first occurs); neither is an error (a page note or a reply cannot be placed).
- Offsets: the W3C model counts code points (the Web Annotation Data Model, TextPositionSelector),
  so W3C records are ``codepoints``; a W3C position selector marked ``"unit": "utf-16"`` (the
  workbench's export writes one after the code-point one) is used only when no other is given.
  Hypothesis's client measures positions in JavaScript: hypothesis/client,
  ``src/annotator/anchoring/text-range.ts`` counts ``node.textContent.length`` and
  ``Text.data.length`` (``nodeTextLength``, ``resolveOffsets``, ``TextPosition.fromPoint``),
  UTF-16 code units; so Hypothesis records (an object with ``uri`` or ``user``, or a creator
  ``acct:...``) are ``utf16``.
- People: W3C ``creator`` as a string, or an object's ``nickname``, else ``email`` (without
  ``mailto:``), else ``name``, else ``id``; Hypothesis ``user`` ``acct:alice@hypothes.is`` becomes
  ``alice@hypothes.is``: the account and its authority, so ``alice`` of another service (or of
  the workspace) is not taken for the same person; an ``acct:`` creator is read the same way.
- Verdict: a body with purpose ``assessing`` (or any text body of an annotation whose motivation is
  ``assessing``) becomes the creator's ``AssessmentIn`` (a ``commenting`` body beside it becomes
  its rationale); a ``tagging`` body, or Hypothesis's first tag, the claim's ``label``. Other
  comments (Hypothesis ``text``) are left out.
- Per-reviewer highlights: an annotation whose body links (purpose ``linking``) to the annotation
  just before it (the workbench's export writes each reviewer's span so) becomes a highlight of
  that claim rather than a claim of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO

from annotations.imports import (
    ArticleIn,
    AssessmentIn,
    ClaimIn,
    HighlightIn,
    ImportOptions,
    OffsetUnit,
    Parsed,
    Record,
    RecordError,
)
from annotations.imports._json import (
    json_records,
    span_problem,
    string_of,
)

CONTAINERS = ("rows", "annotations", "items", "first.items")


def _is_container(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    if obj.get("type") in ("AnnotationCollection", "AnnotationPage"):
        return True
    if isinstance(obj.get("rows"), list) or isinstance(obj.get("annotations"), list):
        return True
    if isinstance(obj.get("items"), list):
        return True
    first = obj.get("first")
    return isinstance(first, dict) and isinstance(first.get("items"), list)


def _items(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    return json_records(stream, CONTAINERS, _is_container)


def parse(stream: BinaryIO, options: ImportOptions) -> Iterator[Parsed]:
    pending: tuple[Record, str] | None = None  # the last claim and its annotation's id
    for place, obj in _items(stream):
        if isinstance(obj, RecordError):
            if pending:
                yield pending[0]
                pending = None
            yield obj
            continue
        parsed = _annotation(place, obj)
        if isinstance(parsed, RecordError):
            if pending:
                yield pending[0]
                pending = None
            yield parsed
            continue
        record, links_to = parsed
        if links_to and pending and pending[1] == links_to:
            pending = (_with_highlight(pending[0], record), pending[1])
            continue
        if pending:
            yield pending[0]
        pending = (record, string_of(obj.get("id")))
    if pending:
        yield pending[0]


def _with_highlight(record: Record, linked: Record) -> Record:
    claim = record.article.claims[0]
    mine = linked.article.claims[0]
    highlight = HighlightIn(start=mine.start, end=mine.end, exact=mine.exact, creator=mine.creator)
    if linked.article.offsets != record.article.offsets:
        # Only the record's unit can be given: keep the quote, let the import place it.
        highlight = replace(highlight, start=-1, end=-1)
    claim = replace(claim, highlights=(*claim.highlights, highlight))
    return replace(record, article=replace(record.article, claims=(claim,)))


def person(value: Any) -> str:
    """A W3C creator (a string, an Agent object or a list of them) or a Hypothesis user."""
    if isinstance(value, list):
        return next((p for p in (person(v) for v in value) if p), "")
    if isinstance(value, dict):
        for key in ("nickname", "email", "name", "id"):
            found = person(value.get(key)) if isinstance(value.get(key), str) else ""
            if found:
                return found
        return ""
    text = string_of(value)
    for scheme in ("acct:", "mailto:"):
        if text.lower().startswith(scheme):
            return text[len(scheme) :]
    return text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _purposes(body: dict[str, Any]) -> list[str]:
    return [p for p in _as_list(body.get("purpose")) if isinstance(p, str)]


def _selectors(target: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(target.get("selector")) if isinstance(s, dict)]


def _has_text_selector(target: Any) -> bool:
    return isinstance(target, dict) and any(
        s.get("type") in ("TextPositionSelector", "TextQuoteSelector") for s in _selectors(target)
    )


def _annotation(place: str, obj: Any) -> tuple[Record, str] | RecordError:
    if not isinstance(obj, dict):
        return RecordError(place, "not an annotation (a JSON object)", code="not_annotation")
    hypothesis = "uri" in obj or "user" in obj or string_of(obj.get("creator")).startswith("acct:")
    targets = [t if isinstance(t, dict) else {"source": t} for t in _as_list(obj.get("target"))]
    if not targets:
        return RecordError(
            place,
            "no target: the annotation does not say what it annotates",
            "target",
            "annotation_no_target",
        )
    target = next((t for t in targets if _has_text_selector(t)), targets[0])
    url = string_of(target.get("source")) or string_of(obj.get("uri"))
    if not url:
        return RecordError(
            place,
            "no target source: cannot tell which article the annotation belongs to",
            "target",
            "annotation_no_source",
        )

    unit: OffsetUnit = "utf16" if hypothesis else "codepoints"
    selectors = _selectors(target)
    positions = [s for s in selectors if s.get("type") == "TextPositionSelector"]
    if hypothesis:
        # Hypothesis's client anchors on the last position selector it finds.
        position = positions[-1] if positions else None
    else:
        plain = [s for s in positions if string_of(s.get("unit")).lower() in ("", "codepoints")]
        utf16 = [s for s in positions if string_of(s.get("unit")).lower() in ("utf-16", "utf16")]
        position = plain[0] if plain else (utf16[0] if utf16 else None)
        if position is not None and not plain:
            unit = "utf16"
    quotes = [s for s in selectors if s.get("type") == "TextQuoteSelector"]
    exact = next(
        (s["exact"] for s in quotes if isinstance(s.get("exact"), str) and s["exact"]), None
    )
    start: Any = -1
    end: Any = -1
    if position is not None:
        start, end = position.get("start"), position.get("end")
        problem = span_problem(None, start, end, None)
        if problem:
            return problem.at(place, "selector")
    elif exact is None:
        return RecordError(
            place,
            "no text position or quote: the annotation cannot be placed in the text "
            "(a page note or a reply?)",
            "selector",
            "annotation_unplaceable",
        )

    creator = person(obj.get("user")) if hypothesis and obj.get("user") else ""
    creator = creator or person(obj.get("creator"))
    verdict, rationale, tag, links_to = _bodies(obj)
    if not tag and hypothesis:
        tag = next((string_of(t) for t in _as_list(obj.get("tags")) if string_of(t)), "")
    assessments = (
        (AssessmentIn(verdict=verdict, creator=creator, rationale=rationale),) if verdict else ()
    )
    claim = ClaimIn(
        start=start, end=end, exact=exact, label=tag, creator=creator, assessments=assessments
    )
    document = obj.get("document")
    titles = _as_list(document.get("title")) if isinstance(document, dict) else []
    title = next((string_of(t) for t in titles if string_of(t)), "")
    article = ArticleIn(text=None, url=url, title=title, offsets=unit, claims=(claim,))
    return Record(place, article), links_to


def _bodies(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    """(verdict, rationale, tag, linked annotation id) from an annotation's bodies."""
    motivations = [m for m in _as_list(obj.get("motivation")) if isinstance(m, str)]
    verdict = rationale = tag = links_to = ""
    bodies = [b for b in _as_list(obj.get("body")) if isinstance(b, dict)]
    if string_of(obj.get("bodyValue")):
        bodies.append({"type": "TextualBody", "value": obj["bodyValue"]})
    for body in bodies:
        purposes = _purposes(body)
        value = string_of(body.get("value"))
        if "linking" in purposes:
            links_to = links_to or string_of(body.get("source")) or string_of(body.get("id"))
        elif "assessing" in purposes and value:
            verdict = verdict or value
        elif "tagging" in purposes and value:
            tag = tag or value
        elif ("commenting" in purposes or "describing" in purposes) and value:
            rationale = rationale or value
        elif not purposes and value and "assessing" in motivations:
            verdict = verdict or value
    return verdict, rationale if verdict else "", tag, links_to
