"""The import parsers' problems worded for the report (annotations.import_messages): each
RecordError a parser yields has a code describe() knows, and its sentence has its params filled
(no database)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from django.utils import translation

from annotations.import_messages import describe, known_codes
from annotations.imports import ImportOptions, Parsed, RecordError
from annotations.imports._json import json_items, jsonl_objects
from annotations.imports.registry import PARSERS


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def jsonl(*lines: object) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def run(fmt: str, data: bytes) -> list[RecordError]:
    if fmt == "jsonl":
        from annotations.imports import raw

        parsed: list[Parsed] = list(raw.parse(io.BytesIO(data), ImportOptions()))
    else:
        parsed = list(PARSERS[fmt](io.BytesIO(data), ImportOptions()))
    return [p for p in parsed if isinstance(p, RecordError)]


def codes_of(errors: list[RecordError]) -> list[str]:
    assert errors, "the broken input gave no error"
    for error in errors:
        assert error.code, f"no code for {error.message!r}"
        assert error.code in known_codes(), f"describe() does not know {error.code!r}"
        assert describe(error) != error.message, f"{error.code} is not worded"
    return [error.code for error in errors]


# describe()


def test_describe_fills_the_params_in_the_sentence() -> None:
    cases = [
        (
            RecordError(
                "line 2",
                "span 1 ends at 9999, after the end of the text (143 characters)",
                "label",
                "span_past_end",
                {"number": 1, "end": 9999, "length": 143},
            ),
            "Span 1 ends at 9999, after the end of the text (143 characters).",
        ),
        (
            RecordError(
                "line 3",
                "not valid JSON: Expecting ',' delimiter at column 31",
                code="not_json",
                params={
                    "detail": "Expecting ',' delimiter",
                    "column": 31,
                    "reason": "comma_missing",
                },
            ),
            "This is not valid JSON: a comma is missing between two values, at column 31.",
        ),
        (
            RecordError(
                "line 4",
                "not a JSON object ({...}) but a list",
                code="not_object",
                params={"kind": "list"},
            ),
            "This is not a JSON object ({...}) but a list.",
        ),
        (
            RecordError(
                "line 1",
                "the line is too long (over 10 MB); one record must be smaller",
                code="line_too_long",
                params={"limit": 10 * 1024 * 1024},
            ),
            "The line is too long (over 10.0\xa0MB): one record must be smaller.",
        ),
        (
            RecordError(
                "line 5",
                "claims[0].start must be a whole number",
                "claims[0].start",
                "field_not_integer",
                {"name": "claims[0].start"},
            ),
            "claims[0].start must be a whole number.",
        ),
        (
            RecordError("item 0", "the task's data holds no text", "data", "labelstudio_no_text"),
            "The task's data holds no text.",
        ),
        (
            RecordError(
                "line 3",
                'the label "MAYBE" is not one of FEVER\'s: SUPPORTS, REFUTES, NOT ENOUGH INFO',
                "label",
                "fever_unknown_label",
                {"label": "MAYBE"},
            ),
            'The label "MAYBE" is not one of FEVER\'s: SUPPORTS, REFUTES, NOT ENOUGH INFO.',
        ),
    ]
    for error, expected in cases:
        assert describe(error) == expected


def test_describe_keeps_the_english_message_when_it_cannot_word_the_error() -> None:
    unknown = RecordError("line 1", "something new went wrong", code="no_such_code")
    uncoded = RecordError("line 1", "an error from before codes")
    missing = RecordError("line 2", "span 1 has no tag", code="span_no_tag", params={"span": 1})
    odd_kind = RecordError("line 3", "not a JSON object", code="not_object", params={"kind": "x"})
    no_limit = RecordError("line 4", "the line is too long", code="line_too_long")
    for error in (unknown, uncoded, missing, odd_kind, no_limit):
        assert describe(error) == error.message


# A JSON decoder's English words never reach a sentence in another language.
BROKEN_LINES = [
    b'{"a": 1 "b": 2}',
    b'{"a" 1}',
    b"{a: 1}",
    b'{"a": "open',
    b'{"a": "tab\there"}',
    b'{"a": "\\q"}',
    b'{"a": 1} x',
    b'{"a": 1,}',
    b'{"a": -}',
    b"{\xe2\x80\x9ca\xe2\x80\x9d: 1}",  # curly quotes, as a word processor writes them
]
BROKEN_DOCUMENTS = [
    b'[{"a": 1}, {"a" 2}]',
    b'[{"a": 1} {"a": 2}]',
    b"[{a: 1}]",
    b'[{"a": 01}]',
    b"[{\xe2\x80\x9ca\xe2\x80\x9d: 1}]",
    b'[{"a": "\\q"}]',
]


def _json_errors() -> list[RecordError]:
    found: list[RecordError] = []
    for line in BROKEN_LINES:
        found += [
            e for _, e in jsonl_objects(io.BytesIO(line + b"\n")) if isinstance(e, RecordError)
        ]
    for document in BROKEN_DOCUMENTS:
        found += [e for _, e in json_items(io.BytesIO(document)) if isinstance(e, RecordError)]
    return found


def test_a_json_decoders_words_are_worded_in_french() -> None:
    errors = _json_errors()
    assert len(errors) == len(BROKEN_LINES) + len(BROKEN_DOCUMENTS)
    with translation.override("fr"):
        for error in errors:
            assert error.code in {"not_json", "not_json_document"}, error
            assert error.params.get("reason"), f"no reason recognised in {error.message!r}"
            worded = describe(error)
            assert worded.startswith("Ce n'est pas du JSON valide"), worded
            detail = str(error.params["detail"])
            assert detail not in worded, worded


def test_a_decoder_message_nobody_recognised_says_where_only() -> None:
    odd = {"detail": "Something new", "column": 4, "reason": ""}
    line = RecordError("line 1", "not valid JSON: Something new at column 4", "", "not_json", odd)
    document = RecordError(
        "item 0", "not valid JSON: Something new", "", "not_json_document", {"detail": "x"}
    )
    assert describe(line) == "This is not valid JSON at column 4."
    assert describe(document) == "This is not valid JSON."


def test_a_record_error_with_params_can_still_be_hashed() -> None:
    error = RecordError("line 1", "m", code="span_no_tag", params={"number": 1})
    assert error in {error}
    assert error == RecordError("line 1", "m", code="span_no_tag", params={"number": 1})


# Every parser's errors carry a code describe() knows.


def test_json_helpers_errors_have_codes() -> None:
    lines = b'{"a": 1}\n[1]\n"x"\n\xff\n{"a": \n' + b"[" * 100_000 + b"\n" + b"x" * 300_000 + b"\n"
    found = [e for _, e in jsonl_objects(io.BytesIO(lines), max_line_bytes=200_000)]
    errors = [e for e in found if isinstance(e, RecordError)]
    assert codes_of(errors) == [
        "not_object",
        "not_object",
        "not_utf8",
        "not_json",
        "too_deep",
        "line_too_long",
    ]
    documents = {
        b"": "empty_file",
        b"hello": "not_json_list",
        b'[{"a": 1}, {"a": ': "json_cut_short",
        b'[{"a": 1}] [': "json_trailing_text",
        b'[{"a": 1}, {"a" 2}]': "not_json_document",
        b'[{"a": "\xff"}]': "not_utf8_document",
    }
    for data, code in documents.items():
        items = [item for _, item in json_items(io.BytesIO(data))]
        assert codes_of([i for i in items if isinstance(i, RecordError)]) == [code], data
    single = [item for _, item in json_items(io.BytesIO(b'{"a": 1}'), single_object=False)]
    assert codes_of([i for i in single if isinstance(i, RecordError)]) == ["single_object"]


def test_raw_errors_have_codes() -> None:
    errors = run(
        "jsonl",
        jsonl(
            {"text": 3},
            {"text": "T", "claims": [{"start": "0", "end": 1}]},
            {"text": "T", "claims": [{"start": 0, "end": 1, "assessments": [{"creator": "a"}]}]},
            {"text": "T", "claims": "none"},
            {"text": "T", "claims": [{"start": 0, "end": 1, "exact": 5}]},
            {
                "text": "T",
                "claims": [
                    {"start": 0, "end": 1, "assessments": [{"verdict": "v", "confidence": "x"}]}
                ],
            },
        )
        + b"nope\n",
    )
    assert codes_of(errors) == [
        "field_not_string",
        "field_not_integer",
        "field_missing",
        "field_not_list",
        "field_not_string",
        "field_not_number",
        "not_json",
    ]
    assert errors[2].params == {"name": "claims[0].assessments[0].verdict"}
    assert describe(errors[2]) == "claims[0].assessments[0].verdict is missing."


def test_doccano_errors_have_codes() -> None:
    errors = run(
        "doccano",
        jsonl(
            {"label": []},
            {"text": 3},
            {"text": "Un texte.", "label": "x"},
            {"text": "Un texte.", "label": ["POS"]},
            {"text": "Un texte.", "label": [[0, 1]]},
            {"text": "Un texte.", "label": [[0, "2", "C"]]},
            {"text": "Un texte.", "label": [[-1, 2, "C"]]},
            {"text": "Un texte.", "label": [[3, 3, "C"]]},
            {"text": "Un texte.", "label": [[0, 2, ""]]},
            {"text": "Un texte.", "label": [[0, 99, "C"]]},
        ),
    )
    assert codes_of(errors) == [
        "doccano_no_text",
        "doccano_text_not_string",
        "doccano_spans_not_list",
        "doccano_categories",
        "doccano_span_not_triple",
        "span_not_integer",
        "span_before_text",
        "span_empty",
        "span_no_tag",
        "span_past_end",
    ]
    assert describe(errors[9]) == "Span 1 ends at 99, after the end of the text (9 characters)."


def test_labelstudio_errors_have_codes() -> None:
    def task(*results: dict[str, object], **extra: object) -> dict[str, object]:
        return {"data": {"text": "Un texte."}, "annotations": [{"result": list(results)}], **extra}

    def span(start: object, end: object) -> dict[str, object]:
        return {"type": "labels", "value": {"start": start, "end": end, "labels": ["C"]}}

    tasks = [
        "x",
        {"id": 1},
        {"data": {"n": 1}, "annotations": []},
        {"data": {"text": "T"}, "annotations": "x"},
        {"data": {"text": "T"}, "annotations": ["x"]},
        {"data": {"text": "T"}, "annotations": [{"result": "x"}]},
        task({"type": "labels", "value": {"start": "/p[1]", "end": "/p[1]"}}),
        task(span(5, 2)),
        task(span(0, 99)),
    ]
    errors = run("labelstudio", json.dumps(tasks).encode())
    assert codes_of(errors) == [
        "labelstudio_not_task",
        "labelstudio_no_data",
        "labelstudio_no_text",
        "labelstudio_annotations_not_list",
        "labelstudio_annotation_not_object",
        "labelstudio_result_not_list",
        "labelstudio_span_in_html",
        "span_end_before_start",
        "span_past_end",
    ]
    assert codes_of(run("labelstudio", b'[1, {"data": ')) == [
        "labelstudio_not_task",
        "json_cut_short",
    ]


def test_webannotation_errors_have_codes() -> None:
    source = "https://example.org/a"
    annotations = [
        "x",
        {"type": "Annotation"},
        {"type": "Annotation", "target": {"selector": []}},
        {"type": "Annotation", "target": {"source": source}},
        {
            "type": "Annotation",
            "target": {
                "source": source,
                "selector": {"type": "TextPositionSelector", "start": 9, "end": 3},
            },
        },
        {
            "type": "Annotation",
            "target": {
                "source": source,
                "selector": {"type": "TextPositionSelector", "start": "a", "end": 3},
            },
        },
        {
            "type": "Annotation",
            "target": {
                "source": source,
                "selector": {"type": "TextPositionSelector", "start": -2, "end": 3},
            },
        },
        {
            "type": "Annotation",
            "target": {
                "source": source,
                "selector": {"type": "TextPositionSelector", "start": 4, "end": 4},
            },
        },
    ]
    errors = run("webannotation", json.dumps(annotations).encode())
    assert codes_of(errors) == [
        "not_annotation",
        "annotation_no_target",
        "annotation_no_source",
        "annotation_unplaceable",
        "position_end_before_start",
        "position_not_integer",
        "position_before_text",
        "position_empty",
    ]
    assert describe(errors[4]) == "The position has its end before its start (9 to 3)."
    assert codes_of(run("webannotation", b'{"type": "Annotation"}\n[1]\n')) == [
        "annotation_no_target",
        "not_object",
    ]


def test_fever_errors_have_codes() -> None:
    errors = run(
        "fever",
        jsonl(
            {"id": 1, "label": "SUPPORTS"},
            {"id": 2, "claim": "C.", "label": "MAYBE"},
            {"id": 3, "claim": "C.", "label": "REFUTES", "evidence": "x"},
        )
        + b"\n{oops\n",
    )
    assert codes_of(errors) == [
        "fever_no_claim",
        "fever_unknown_label",
        "fever_evidence_not_list",
        "not_json",
    ]
