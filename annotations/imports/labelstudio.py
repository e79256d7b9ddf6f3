"""Label Studio's JSON export of text tasks with span results. No Django imports.

The export is a JSON array of tasks (streamed: it can be hundreds of megabytes). A task is
``{"id", "data": {"text": "...", ...}, "annotations": [{"completed_by", "result": [...]}, ...]}``;
a span result is ``{"id", "type": "labels", "from_name", "to_name", "value": {"start", "end",
"text", "labels": ["Claim"]}}``. One task becomes one article.

- The text: ``data`` may name it anything (the labelling config's ``<Text value="$key">``): the key
  whose string the spans' ``value.text`` quotes is taken, else ``text``, else the first string.
- People: ``completed_by`` is a user id (a number) in most exports, an object with ``email``
  in some, and some exports add ``created_username`` ("email, id"): the e-mail is used when the
  file has it, otherwise ``labelstudio:<id>`` (no Label Studio account can be matched by number).
- Several annotators: spans of different annotators with the same tag that are the same or overlap
  strongly (intersection at least half their union) are one claim, its span the first
  annotator's, with one highlight per annotator. Other spans are distinct claims. Tags map or
  filter through ``ImportOptions.labels``.
- Verdicts: a "choices" result attached to a span (per-region choices share the span's result
  ``id``) becomes that annotator's assessment of the claim, its first choice the verdict. Task-level
  choices, cancelled annotations (``was_cancelled``) and ``predictions`` are left out.

Offsets: Label Studio's Text tag writes ``start``/``end`` in code points. Its own browser tests say
so and check it with an emoji before the span (HumanSignal/label-studio,
``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts``, "Should calculate offsets by code
points in text", on ``web/libs/editor/tests/integration/data/ner/emoji.ts``: "test" after "🐱 "
is at 21, not 22), under both settings of the text-rendering feature flag ``FF_LSDV_4620_3``.
Exports from releases before that fix (label-studio issue #1347, 2021; fixed by
label-studio-frontend pull request #308) counted UTF-16 code units; each span carries its quote,
so a task whose quotes all match in UTF-16 units and not in code points is read as ``utf16``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
    Problem,
    article_fields,
    is_int,
    json_items,
    slice_utf16,
    span_problem,
    string_of,
    utf16_length,
)

# Two annotators' spans with one tag are one claim when they share at least this much of their union.
OVERLAP = 0.5


def parse(stream: BinaryIO, options: ImportOptions) -> Iterator[Parsed]:
    for place, task in json_items(stream):
        if isinstance(task, RecordError):
            yield task
            continue
        yield _task(place, task, options)


@dataclass
class _Span:
    start: int
    end: int
    quote: str | None
    tag: str
    creator: str
    region: str
    number: int
    tags: list[str] = field(default_factory=list)


@dataclass
class _Group:
    spans: list[_Span] = field(default_factory=list)
    assessments: list[AssessmentIn] = field(default_factory=list)


def person(annotation: dict[str, Any]) -> str:
    """Who made an annotation, as the file names them."""
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        for key in ("email", "username"):
            if string_of(by.get(key)):
                return string_of(by.get(key))
        names = " ".join(string_of(by.get(k)) for k in ("first_name", "last_name")).strip()
        if names:
            return names
        by = by.get("id")
    created = string_of(annotation.get("created_username"))
    if created:
        # Written as "email, id"; keep the e-mail or name before the id.
        head, _, tail = created.rpartition(",")
        return head.strip() if head.strip() and tail.strip().isdigit() else created
    if is_int(by) or (isinstance(by, str) and by.strip()):
        return f"labelstudio:{str(by).strip()}"
    return ""


def _quote_matches(text: str, start: int, end: int, quote: str, unit: OffsetUnit) -> bool:
    if unit == "utf16":
        return slice_utf16(text, start, end) == quote
    return text[start:end] == quote


def _pick_text(data: dict[str, Any], results: list[dict[str, Any]]) -> tuple[str, str] | None:
    strings = [(key, value) for key, value in data.items() if isinstance(value, str)]
    if not strings:
        return None
    quoted = [
        (value["start"], value["end"], value["text"])
        for value in (r.get("value") for r in results)
        if isinstance(value, dict)
        and is_int(value.get("start"))
        and is_int(value.get("end"))
        and isinstance(value.get("text"), str)
    ]
    if quoted:
        for key, text in strings:
            if any(
                _quote_matches(text, s, e, q, "codepoints")
                or _quote_matches(text, s, e, q, "utf16")
                for s, e, q in quoted
            ):
                return key, text
    for key, text in strings:
        if key == "text":
            return key, text
    return strings[0]


def _unit(text: str, spans: list[_Span]) -> OffsetUnit:
    if len(text) == utf16_length(text):
        return "codepoints"
    quoted = [s for s in spans if s.quote]
    if not quoted:
        return "codepoints"
    if all(
        _quote_matches(text, s.start, s.end, s.quote or "", "utf16") for s in quoted
    ) and not all(
        _quote_matches(text, s.start, s.end, s.quote or "", "codepoints") for s in quoted
    ):
        return "utf16"
    return "codepoints"


def _overlap(a: _Span, b: _Span) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    union = max(a.end, b.end) - min(a.start, b.start)
    return inter / union if inter > 0 and union > 0 else 0.0


class _Bad(Exception):
    """What makes a task unreadable, with the field it is in."""

    def __init__(self, problem: Problem, field: str = "") -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.field = field


def _task(place: str, task: Any, options: ImportOptions) -> Parsed:
    try:
        return Record(place, _article(task, options))
    except _Bad as bad:
        return bad.problem.at(place, bad.field)


def _annotations(task: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each annotation kept (not cancelled): its author and its results."""
    annotations = task.get("annotations", task.get("completions", []))
    if annotations is None:
        return []
    if not isinstance(annotations, list):
        raise _Bad(
            Problem("labelstudio_annotations_not_list", '"annotations" should be a list'),
            "annotations",
        )
    kept = []
    for number, annotation in enumerate(annotations, start=1):
        if not isinstance(annotation, dict):
            raise _Bad(
                Problem(
                    "labelstudio_annotation_not_object",
                    f"annotation {number} is not an object",
                    {"number": number},
                ),
                "annotations",
            )
        if annotation.get("was_cancelled"):
            continue
        results = annotation.get("result") or []
        if not isinstance(results, list):
            raise _Bad(
                Problem(
                    "labelstudio_result_not_list",
                    f"annotation {number} has a result that is not a list",
                    {"number": number},
                ),
                "result",
            )
        kept.append((person(annotation), [r for r in results if isinstance(r, dict)]))
    return kept


def _span(result: dict[str, Any], value: dict[str, Any], creator: str, number: int) -> _Span:
    if isinstance(value.get("start"), str):
        raise _Bad(
            Problem(
                "labelstudio_span_in_html",
                f"span {number} is placed in HTML (HyperText), which cannot be imported; "
                "use a Text tag",
                {"number": number},
            ),
            "value",
        )
    problem = span_problem(number, value.get("start"), value.get("end"), None)
    if problem:
        raise _Bad(problem, "value")
    labels = value.get("labels")
    tags = [t.strip() for t in labels if isinstance(t, str)] if isinstance(labels, list) else []
    quote = value.get("text")
    return _Span(
        start=value["start"],
        end=value["end"],
        quote=quote if isinstance(quote, str) else None,
        tag=next((t for t in tags if t), ""),
        creator=creator,
        region=str(result.get("id", "")),
        number=number,
        tags=[t for t in tags if t],
    )


def _read_results(
    kept: list[tuple[str, list[dict[str, Any]]]], options: ImportOptions
) -> tuple[list[_Span], list[tuple[str, str, str]]]:
    """The spans kept (tags mapped and filtered) and the per-region choices (region id,
    creator, verdict)."""
    spans: list[_Span] = []
    choices: list[tuple[str, str, str]] = []
    count = 0
    for creator, results in kept:
        for result in results:
            value = result.get("value")
            if not isinstance(value, dict):
                continue
            kind = string_of(result.get("type")).lower()
            chosen = value.get("choices")
            if kind == "choices" or (not kind and isinstance(chosen, list)):
                if isinstance(chosen, list) and chosen and isinstance(chosen[0], str):
                    choices.append((str(result.get("id", "")), creator, chosen[0]))
                continue
            if "start" not in value or "end" not in value:
                continue
            count += 1
            span = _span(result, value, creator, count)
            if options.labels:
                mapped = [options.labels[t] for t in span.tags if t in options.labels]
                if not mapped:
                    continue
                span.tag = mapped[0]
            spans.append(span)
    return spans, choices


def _group(spans: list[_Span], choices: list[tuple[str, str, str]]) -> list[_Group]:
    groups: list[_Group] = []
    by_region: dict[str, _Group] = {}
    for span in spans:
        home = next(
            (
                group
                for group in groups
                if group.spans[0].tag == span.tag
                and all(s.creator != span.creator for s in group.spans)
                and _overlap(group.spans[0], span) >= OVERLAP
            ),
            None,
        )
        if home is None:
            home = _Group()
            groups.append(home)
        home.spans.append(span)
        if span.region:
            by_region[span.region] = home
    for region, creator, verdict in choices:
        group = by_region.get(region) if region else None
        if group is not None:
            group.assessments.append(AssessmentIn(verdict=verdict, creator=creator))
    return groups


def _claim(group: _Group) -> ClaimIn:
    first = group.spans[0]
    return ClaimIn(
        start=first.start,
        end=first.end,
        exact=first.quote,
        label=first.tag,
        creator=first.creator,
        highlights=tuple(
            HighlightIn(start=s.start, end=s.end, exact=s.quote, creator=s.creator)
            for s in group.spans
        ),
        assessments=tuple(group.assessments),
    )


def _article(task: Any, options: ImportOptions) -> ArticleIn:
    if not isinstance(task, dict):
        raise _Bad(
            Problem(
                "labelstudio_not_task",
                "not a Label Studio task (an object with data and annotations)",
            )
        )
    data = task.get("data")
    if not isinstance(data, dict):
        raise _Bad(
            Problem(
                "labelstudio_no_data",
                'no "data": not a task of Label Studio\'s JSON export (the JSON-MIN and CSV '
                "exports cannot be imported)",
            ),
            "data",
        )
    kept = _annotations(task)
    picked = _pick_text(data, [r for _, results in kept for r in results])
    if picked is None:
        raise _Bad(Problem("labelstudio_no_text", "the task's data holds no text"), "data")
    _, text = picked
    spans, choices = _read_results(kept, options)
    unit = _unit(text, spans)
    length = len(text) if unit == "codepoints" else utf16_length(text)
    for span in spans:
        problem = span_problem(span.number, span.start, span.end, length)
        if problem:  # span_past_end: the rest was checked as the span was read
            raise _Bad(problem, "value")
    claims = tuple(_claim(group) for group in _group(spans, choices))
    meta = task.get("meta")
    fields = article_fields(data, meta if isinstance(meta, dict) else {})
    return ArticleIn(text=text, offsets=unit, claims=claims, **fields)
