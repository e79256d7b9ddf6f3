"""The import parsers on files written the way each tool writes them (no database)."""

from __future__ import annotations

import io
import json
from typing import Any

from annotations.imports import ImportOptions, Parsed, Record, RecordError
from annotations.imports.registry import PARSERS
from tests.import_helpers import cp_span, jsonl, u16_span

TEXT = "Bonjour 🙂 ! Le ministre a dit « le chômage baisse » hier. 🙂 Puis « 3 % de plus »."
FIRST = "« le chômage baisse »"
SECOND = "« 3 % de plus »"


def run(fmt: str, data: bytes, **options: Any) -> list[Parsed]:
    return list(PARSERS[fmt](io.BytesIO(data), ImportOptions(**options)))


def records(parsed: list[Parsed]) -> list[Record]:
    return [p for p in parsed if isinstance(p, Record)]


def errors(parsed: list[Parsed]) -> list[RecordError]:
    return [p for p in parsed if isinstance(p, RecordError)]


# doccano


def test_doccano_spans_in_utf16_after_an_emoji_with_guillemets() -> None:
    first, second = u16_span(TEXT, FIRST), u16_span(TEXT, SECOND)
    line = {
        "id": 4,
        "text": TEXT,
        "label": [[*first, "CLAIM"], [*second, "STAT"]],
        "url": "https://example.org/a",
        "title": "Chômage",
        "Comments": [],
    }
    (record,) = run("doccano", jsonl(line))
    assert isinstance(record, Record)
    article = record.article
    assert record.place == "line 1"
    assert article.offsets == "utf16"
    assert (article.url, article.title) == ("https://example.org/a", "Chômage")
    assert [(c.start, c.end, c.label) for c in article.claims] == [
        (*first, "CLAIM"),
        (*second, "STAT"),
    ]
    # The emoji counts two: the same span in code points starts one earlier.
    assert first[0] == TEXT.index(FIRST) + 1
    assert second[0] == TEXT.index(SECOND) + 2


def test_doccano_entities_and_meta_and_label_mapping() -> None:
    start, end = u16_span(TEXT, FIRST)
    line = {
        "text": TEXT,
        "entities": [
            {"id": 1, "label": "CLAIM", "start_offset": start, "end_offset": end},
            {"id": 2, "label": "PER", "start_offset": 0, "end_offset": 7},
        ],
        "relations": [],
        "meta": {"publisher": "Le Quotidien"},
    }
    (record,) = run("doccano", jsonl(line), labels={"CLAIM": "claim"})
    assert isinstance(record, Record)
    assert record.article.publisher == "Le Quotidien"
    assert [(c.start, c.end, c.label) for c in record.article.claims] == [(start, end, "claim")]


def test_doccano_bad_line_reported_by_number_others_kept() -> None:
    good = jsonl({"text": "Un.", "label": [[0, 2, "C"]]})
    data = good + b'{"text": "Deux", "label": [[0, 2 "C"]]}\n' + good
    parsed = run("doccano", data)
    assert [p.place for p in parsed] == ["line 1", "line 2", "line 3"]
    (error,) = errors(parsed)
    assert error.place == "line 2"
    assert error.message.startswith("not valid JSON: Expecting ',' delimiter at column ")
    assert error.code == "not_json"
    assert error.params["detail"] == "Expecting ',' delimiter"
    assert error.params["column"] == 34
    assert len(records(parsed)) == 2


def test_doccano_span_errors_name_the_span_and_field() -> None:
    parsed = run(
        "doccano",
        jsonl(
            {"text": "Un texte.", "label": [[0, 2, "C"], [5, 3, "C"]]},
            {"text": "Court", "label": [[0, 40, "C"]]},
            {"label": [[0, 1, "C"]]},
            {"text": "x", "label": ["POS"]},
        ),
    )
    messages = [(e.place, e.field, e.message) for e in errors(parsed)]
    assert messages[0] == ("line 1", "label", "span 2 has end before start (5 to 3)")
    assert messages[1][:2] == ("line 2", "label")
    assert "span 1 ends at 40, after the end of the text (5 characters)" in messages[1][2]
    assert messages[2][:2] == ("line 3", "text")
    assert messages[3][:2] == ("line 4", "label")
    assert "categories" in messages[3][2]
    assert [(e.code, e.params) for e in errors(parsed)] == [
        ("span_end_before_start", {"number": 2, "start": 5, "end": 3}),
        ("span_past_end", {"number": 1, "end": 40, "length": 5}),
        ("doccano_no_text", {}),
        ("doccano_categories", {"field": "label"}),
    ]


def test_jsonl_blank_lines_counted_bom_accepted_non_objects_and_bad_bytes_reported() -> None:
    data = b"\xef\xbb\xbf" + jsonl({"text": "A", "label": []}) + b"\n  \n[1, 2]\n\xff\xfe\n"
    data += jsonl({"text": "B", "label": []})
    parsed = run("doccano", data)
    assert [p.place for p in parsed] == ["line 1", "line 4", "line 5", "line 6"]
    assert isinstance(parsed[1], RecordError)
    assert parsed[1].message == "not a JSON object ({...}) but a list"
    assert (parsed[1].code, parsed[1].params) == ("not_object", {"kind": "list"})
    assert isinstance(parsed[2], RecordError)
    assert "not UTF-8" in parsed[2].message
    assert (parsed[2].code, parsed[2].params) == ("not_utf8", {"byte": "0xff", "column": 1})


def test_jsonl_line_too_long_is_skipped_without_stopping() -> None:
    from annotations.imports._json import jsonl_objects

    data = jsonl({"text": "x" * 500}, {"text": "ok"})
    out = list(jsonl_objects(io.BytesIO(data), max_line_bytes=100))
    assert out[0][0] == "line 1"
    assert isinstance(out[0][1], RecordError)
    assert "too long" in out[0][1].message
    assert (out[0][1].code, out[0][1].params) == ("line_too_long", {"limit": 100})
    assert out[1] == ("line 2", {"text": "ok"})


# Label Studio


def ls_span(text: str, quote: str, region: str, label: str = "Claim") -> dict[str, Any]:
    start, end = cp_span(text, quote)
    return {
        "id": region,
        "type": "labels",
        "from_name": "label",
        "to_name": "text",
        "value": {"start": start, "end": end, "text": quote, "labels": [label]},
    }


def test_labelstudio_three_annotators_two_overlap_one_apart() -> None:
    wide = "Le ministre a dit « le chômage baisse »"
    task = {
        "id": 1,
        "data": {"article": TEXT, "source_url": "https://example.org/b"},
        "annotations": [
            {
                "completed_by": 3,
                "created_username": "alice@desk.example, 3",
                "result": [
                    ls_span(TEXT, FIRST, "r1"),
                    {
                        "id": "r1",
                        "type": "choices",
                        "from_name": "verdict",
                        "to_name": "text",
                        "value": {"start": 0, "end": 1, "choices": ["faux"]},
                    },
                ],
            },
            {
                "completed_by": {"id": 4, "email": "bob@desk.example"},
                "result": [ls_span(TEXT, wide, "r2")],
            },
            {"completed_by": 5, "result": [ls_span(TEXT, SECOND, "r3")]},
            {"completed_by": 6, "was_cancelled": True, "result": [ls_span(TEXT, SECOND, "r4")]},
        ],
        "predictions": [{"result": [ls_span(TEXT, "Bonjour", "p1")]}],
    }
    (record,) = run("labelstudio", json.dumps([task], ensure_ascii=False).encode())
    assert isinstance(record, Record)
    article = record.article
    assert record.place == "item 0"
    assert article.text == TEXT
    assert article.url == "https://example.org/b"
    assert article.offsets == "codepoints"
    first, second = article.claims
    assert (first.start, first.end, first.exact) == (*cp_span(TEXT, FIRST), FIRST)
    assert first.label == "Claim"
    assert first.creator == "alice@desk.example"
    assert [(h.creator, h.start, h.end) for h in first.highlights] == [
        ("alice@desk.example", *cp_span(TEXT, FIRST)),
        ("bob@desk.example", *cp_span(TEXT, wide)),
    ]
    assert [(a.verdict, a.creator) for a in first.assessments] == [("faux", "alice@desk.example")]
    assert (second.start, second.end, second.exact) == (*cp_span(TEXT, SECOND), SECOND)
    assert [h.creator for h in second.highlights] == ["labelstudio:5"]
    # The emoji before the spans counts one in Label Studio's code points.
    assert first.start == u16_span(TEXT, FIRST)[0] - 1


def test_labelstudio_old_export_in_utf16_is_recognised_by_its_quotes() -> None:
    start, end = u16_span(TEXT, SECOND)
    result = {
        "id": "a",
        "type": "labels",
        "value": {"start": start, "end": end, "text": SECOND, "labels": ["Claim"]},
    }
    task = {"data": {"text": TEXT}, "annotations": [{"completed_by": 1, "result": [result]}]}
    (record,) = run("labelstudio", json.dumps([task]).encode())
    assert isinstance(record, Record)
    assert record.article.offsets == "utf16"
    assert (record.article.claims[0].start, record.article.claims[0].end) == (start, end)


def test_labelstudio_bad_task_and_broken_file_keep_the_good_ones() -> None:
    good = {"data": {"text": "Un."}, "annotations": []}
    bad = {
        "data": {"text": "Deux."},
        "annotations": [
            {
                "completed_by": 1,
                "result": [
                    {
                        "id": "x",
                        "type": "labels",
                        "value": {"start": 4, "end": 2, "text": "", "labels": []},
                    }
                ],
            }
        ],
    }
    body = json.dumps([good, bad, good]).encode()
    parsed = run("labelstudio", body[:-30])  # cut short inside the third task
    assert [p.place for p in parsed] == ["item 0", "item 1", "item 2"]
    assert isinstance(parsed[0], Record)
    assert isinstance(parsed[1], RecordError)
    assert parsed[1].message == "span 1 has end before start (4 to 2)"
    assert parsed[1].field == "value"
    assert parsed[1].code == "span_end_before_start"
    assert isinstance(parsed[2], RecordError)
    assert "cut short" in parsed[2].message
    assert parsed[2].code == "json_cut_short"
    assert errors(run("labelstudio", b'[{"id": 1}]'))[0].field == "data"


# W3C Web Annotation and Hypothesis


def hypothesis_row(quote: str, user: str, *, position: bool = True) -> dict[str, Any]:
    start, end = u16_span(TEXT, quote)
    selectors: list[dict[str, Any]] = [
        {
            "type": "RangeSelector",
            "startContainer": "/p[1]",
            "startOffset": 0,
            "endContainer": "/p[1]",
            "endOffset": 5,
        },
        {"type": "TextQuoteSelector", "exact": quote, "prefix": "dit ", "suffix": " hier"},
    ]
    if position:
        selectors.insert(1, {"type": "TextPositionSelector", "start": start, "end": end})
    return {
        "id": f"id-{user}",
        "uri": "https://example.org/c",
        "user": f"acct:{user}@hypothes.is",
        "text": "Source ?",
        "tags": ["chiffre"],
        "document": {"title": ["Le chômage"]},
        "target": [{"source": "https://example.org/c", "selector": selectors}],
    }


def test_hypothesis_search_result_in_utf16() -> None:
    search = {
        "total": 3,
        "rows": [
            hypothesis_row(FIRST, "alice"),
            {
                "id": "note",
                "uri": "https://example.org/c",
                "user": "acct:bob@hypothes.is",
                "target": [{"source": "https://example.org/c"}],
            },
            hypothesis_row(SECOND, "carol", position=False),
        ],
    }
    parsed = run("webannotation", json.dumps(search, ensure_ascii=False).encode())
    assert [p.place for p in parsed] == ["item 0", "item 1", "item 2"]
    first, note, quote_only = parsed
    assert isinstance(first, Record)
    article = first.article
    assert (article.text, article.url, article.title) == (
        None,
        "https://example.org/c",
        "Le chômage",
    )
    assert article.offsets == "utf16"
    (claim,) = article.claims
    assert (claim.start, claim.end, claim.exact) == (*u16_span(TEXT, FIRST), FIRST)
    assert claim.creator == "alice@hypothes.is"
    assert claim.label == "chiffre"
    assert isinstance(note, RecordError)
    assert note.field == "selector"
    assert isinstance(quote_only, Record)
    (claim,) = quote_only.article.claims
    assert (claim.start, claim.end, claim.exact) == (-1, -1, SECOND)


def test_w3c_annotations_as_lines_in_code_points_with_verdict_and_highlight() -> None:
    start, end = cp_span(TEXT, FIRST)
    claim = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://desk.example/claims/9",
        "type": "Annotation",
        "motivation": "assessing",
        "creator": {"type": "Person", "name": "Dana", "nickname": "dana"},
        "body": [
            {"type": "TextualBody", "purpose": "assessing", "value": "Faux"},
            {"type": "TextualBody", "purpose": "tagging", "value": "faux"},
        ],
        "target": {
            "source": "https://example.org/d",
            "selector": [
                {"type": "TextPositionSelector", "start": start, "end": end},
                {"type": "TextQuoteSelector", "exact": FIRST, "prefix": "", "suffix": ""},
                {
                    "type": "TextPositionSelector",
                    "start": start + 1,
                    "end": end + 1,
                    "unit": "utf-16",
                },
            ],
        },
    }
    highlight = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://desk.example/claims/9#highlight-1",
        "type": "Annotation",
        "motivation": "highlighting",
        "creator": {"type": "Person", "nickname": "erin"},
        "body": {
            "type": "SpecificResource",
            "source": "https://desk.example/claims/9",
            "purpose": "linking",
        },
        "target": {
            "source": "https://example.org/d",
            "selector": [
                {"type": "TextPositionSelector", "start": start + 2, "end": end},
            ],
        },
    }
    broken = {
        "type": "Annotation",
        "target": {
            "source": "https://example.org/d",
            "selector": {"type": "TextPositionSelector", "start": 9, "end": 3},
        },
    }
    parsed = run("webannotation", jsonl(claim, highlight, broken))
    assert [p.place for p in parsed] == ["line 1", "line 3"]
    record, error = parsed
    assert isinstance(record, Record)
    assert record.article.offsets == "codepoints"
    (got,) = record.article.claims
    assert (got.start, got.end, got.exact, got.creator, got.label) == (
        start,
        end,
        FIRST,
        "dana",
        "faux",
    )
    assert [(a.verdict, a.creator) for a in got.assessments] == [("Faux", "dana")]
    assert [(h.start, h.end, h.creator) for h in got.highlights] == [(start + 2, end, "erin")]
    assert isinstance(error, RecordError)
    assert error.message == "the position has end before start (9 to 3)"
    assert error.field == "selector"
    assert (error.code, error.params) == ("position_end_before_start", {"start": 9, "end": 3})


def test_w3c_annotation_page_and_missing_source() -> None:
    page = {
        "type": "AnnotationPage",
        "items": [
            {
                "type": "Annotation",
                "creator": "mailto:fred@desk.example",
                "target": {
                    "source": "https://example.org/e",
                    "selector": {"type": "TextQuoteSelector", "exact": "chômage"},
                },
            },
            {
                "type": "Annotation",
                "target": {"selector": {"type": "TextQuoteSelector", "exact": "x"}},
            },
        ],
    }
    parsed = run("webannotation", json.dumps(page, indent=2).encode())
    first, second = parsed
    assert isinstance(first, Record)
    assert first.article.claims[0].creator == "fred@desk.example"
    assert first.article.offsets == "codepoints"
    assert isinstance(second, RecordError)
    assert (second.place, second.field, second.code) == ("item 1", "target", "annotation_no_source")


# FEVER


def test_fever_lines_become_one_sentence_articles() -> None:
    claim = "Le chômage a baissé de 3 % en 2023 🙂 selon « l'Insee », ce que le ministre répète à chaque occasion."
    lines = jsonl(
        {
            "id": 1,
            "verifiable": "VERIFIABLE",
            "label": "REFUTES",
            "claim": claim,
            "evidence": [[[10, 20, "https://insee.example/chomage", 0], [11, 21, "Chômage", 3]]],
        },
        {
            "id": 2,
            "verifiable": "NOT VERIFIABLE",
            "label": "NOT ENOUGH INFO",
            "claim": "Court.",
            "evidence": [[[12, None, None, None]]],
        },
        {"id": 3, "label": "MAYBE", "claim": "Autre."},
    )
    first, second, third = run("fever", lines)
    assert isinstance(first, Record)
    article = first.article
    assert article.text == claim
    assert article.url == ""
    assert article.title.endswith("…")
    assert len(article.title) <= 80
    (got,) = article.claims
    assert (got.start, got.end, got.exact, got.verdict) == (0, len(claim), claim, "REFUTES")
    assert [(s.url, s.stance) for s in got.sources] == [
        ("https://insee.example/chomage", "refutes")
    ]
    assert isinstance(second, Record)
    assert second.article.claims[0].verdict == "NOT ENOUGH INFO"
    assert second.article.claims[0].sources == ()
    assert isinstance(third, RecordError)
    assert (third.place, third.field) == ("line 3", "label")
    assert "MAYBE" in third.message
    assert (third.code, third.params) == ("fever_unknown_label", {"label": "MAYBE"})


def test_registry_names_the_four_formats() -> None:
    assert set(PARSERS) >= {"doccano", "labelstudio", "webannotation", "fever"}
