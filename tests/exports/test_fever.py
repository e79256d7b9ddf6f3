from __future__ import annotations

from typing import Any

import pytest

from annotations.exports.fever import write_fever_jsonl
from annotations.exports.rows import DEFAULT_SCALE
from tests.exports.factories import (
    CONTEXT,
    REFUTING,
    SUPPORTING,
    THREE_LABEL_SCALE,
    json_lines,
    make_claim,
    make_ctx,
)


def records(*rows: Any, **ctx: Any) -> list[dict[str, Any]]:
    return json_lines(write_fever_jsonl(iter(rows), make_ctx(**ctx)))


def test_it_writes_a_fever_line_field_by_field() -> None:
    [record] = records(make_claim())

    assert record == {
        "id": 7,
        "claim": "Le chômage a baissé de 12 % en 2023.",
        "label": "SUPPORTS",
        "verifiable": "VERIFIABLE",
        "evidence": [
            # [annotation_id, evidence_id, page, sentence_id]: the source's URL is the page,
            # the passage quoted from it the sentence, whose id is the link's.
            [[None, 11, "https://stats.example/a", 21]],
            [[None, 12, "https://news.example/b", 22]],
        ],
        "evidence_sources": [
            {
                "source_id": 11,
                "sentence_id": 21,
                "url": "https://stats.example/a",
                "title": "Emploi 2024",
                "publisher": "INSEE",
                "stance": "supports",
                "quote": "le taux a baissé",
            },
            {
                "source_id": 12,
                "sentence_id": 22,
                "url": "https://news.example/b",
                "title": "Fact sheet",
                "publisher": "News",
                "stance": "refutes",
                "quote": "",
            },
            {
                "source_id": 13,
                "sentence_id": 23,
                "url": "https://blog.example/c",
                "title": "Background",
                "publisher": "Blog",
                "stance": "context",
                "quote": "voir aussi",
            },
        ],
        "quote": "« le chômage a baissé de 12 % »",
        "verdict": "mostly-true",
        "verdict_label": "Mostly true",
        "verdict_value": 4,
        "language": "fr",
        "article_url": "https://journal.example/article/3",
        "start": 120,
        "end": 151,
        "status": "published",
    }


def test_it_writes_nothing_for_no_rows() -> None:
    assert list(write_fever_jsonl(iter(()), make_ctx())) == []


def test_it_labels_the_default_scale_from_the_mapping() -> None:
    rows = [
        make_claim(claim_id=i, verdict_slug=label.slug, verdict_value=label.value)
        for i, label in enumerate(DEFAULT_SCALE)
    ]
    labels = {
        (record["verdict"], record["label"], record["verifiable"]) for record in records(*rows)
    }
    assert labels == {
        ("false", "REFUTES", "VERIFIABLE"),
        ("mostly-false", "REFUTES", "VERIFIABLE"),
        ("half-true", "NOT ENOUGH INFO", "NOT VERIFIABLE"),
        ("mostly-true", "SUPPORTS", "VERIFIABLE"),
        ("true", "SUPPORTS", "VERIFIABLE"),
        ("unverifiable", "NOT ENOUGH INFO", "NOT VERIFIABLE"),
    }


def test_it_labels_a_three_label_scale() -> None:
    rows = [
        make_claim(verdict_slug=label.slug, verdict_value=label.value)
        for label in THREE_LABEL_SCALE
    ]
    assert [record["label"] for record in records(*rows, scale=THREE_LABEL_SCALE)] == [
        "REFUTES",
        "NOT ENOUGH INFO",
        "SUPPORTS",
    ]


def test_it_follows_the_workspace_mapping() -> None:
    [record] = records(
        make_claim(verdict_slug="half-true", verdict_value=3.0),
        fever_mapping={"half-true": "REFUTES"},
    )
    assert record["label"] == "REFUTES"


def test_it_refuses_a_bad_mapping_before_writing_anything() -> None:
    rows = iter([make_claim()])
    with pytest.raises(ValueError, match="not FEVER labels"):
        write_fever_jsonl(rows, make_ctx(fever_mapping={"true": "Supported"}))
    assert next(rows).claim_id == 7


def test_it_places_a_verdict_unknown_to_the_scale_by_its_value() -> None:
    [low, high] = records(
        make_claim(verdict_slug="pants-on-fire", verdict_value=0.0),
        make_claim(verdict_slug="retired-label", verdict_value=4.5),
    )
    assert (low["label"], high["label"]) == ("REFUTES", "SUPPORTS")


def test_it_gives_not_enough_info_to_a_claim_without_a_verdict() -> None:
    [record] = records(make_claim(verdict_slug=None, verdict_name=None, verdict_value=None))
    assert record["label"] == "NOT ENOUGH INFO"
    assert record["verifiable"] == "NOT VERIFIABLE"
    assert (record["verdict"], record["verdict_label"], record["verdict_value"]) == (
        None,
        None,
        None,
    )


def test_it_takes_evidence_only_from_sources_with_a_stance() -> None:
    [with_context, without_sources] = records(
        make_claim(sources=(CONTEXT, REFUTING, CONTEXT, SUPPORTING)),
        make_claim(sources=()),
    )
    assert [group[0][1] for group in with_context["evidence"]] == [12, 11]
    assert [source["source_id"] for source in with_context["evidence_sources"]] == [13, 12, 13, 11]
    assert without_sources["evidence"] == []
    assert without_sources["evidence_sources"] == []


def test_it_falls_back_to_the_quoted_text_for_the_claim() -> None:
    [record] = records(make_claim(normalised_text=""))
    assert record["claim"] == record["quote"] == "« le chômage a baissé de 12 % »"


def test_it_refuses_a_missing_offset_rather_than_write_invalid_json() -> None:
    with pytest.raises((TypeError, ValueError)):
        records(make_claim(start=None))
