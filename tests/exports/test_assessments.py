from __future__ import annotations

from typing import Any

from annotations.exports.assessments import write_assessments_jsonl
from tests.exports.factories import json_lines, make_assessment, make_ctx


def records(*rows: Any, **ctx: Any) -> list[dict[str, Any]]:
    return json_lines(write_assessments_jsonl(iter(rows), make_ctx(**ctx)))


def test_it_writes_an_assessment_field_by_field() -> None:
    [record] = records(make_assessment())

    assert record == {
        "assessment_id": 41,
        "claim_id": 7,
        "claim_text": "« le chômage a baissé de 12 % »",
        "claim_status": "disputed",
        "article_id": 3,
        "article_url": "https://journal.example/article/3",
        "language": "fr",
        "reviewer": "bob",
        "verdict": "half-true",
        "verdict_label": "Half true",
        "verdict_value": 3,
        "verdict_position": 2,
        "confidence": 0.8,
        "rationale": 'Les chiffres "officiels" disent l\'inverse\nsur deux lignes',
        "created_at": "2024-05-02T09:15:30+00:00",
        "updated_at": "2024-05-03T10:00:00+00:00",
        "initial_verdict": "false",  # revised since: agreement counts the first
    }


def test_it_writes_nothing_for_no_rows() -> None:
    assert records() == []


def test_it_keeps_every_reviewer_of_a_disputed_claim() -> None:
    rows = [
        make_assessment(assessment_id=1, reviewer="bob", verdict_slug="true", verdict_value=5.0),
        make_assessment(assessment_id=2, reviewer="carol", verdict_slug="false", verdict_value=1.0),
        make_assessment(
            assessment_id=3,
            reviewer="dave",
            claim_status="unresolved",
            verdict_slug="unverifiable",
            verdict_name="Unverifiable",
            verdict_value=None,
            confidence=None,
        ),
    ]
    [bob, carol, dave] = records(*rows)
    assert (bob["reviewer"], bob["verdict_position"], bob["verdict_value"]) == ("bob", 4, 5)
    assert (carol["reviewer"], carol["verdict_position"]) == ("carol", 0)
    assert dave["verdict_position"] == 5
    assert (dave["verdict_value"], dave["confidence"]) == (None, None)
    assert dave["claim_status"] == "unresolved"


def test_it_writes_a_missing_or_retired_verdict_as_null_position() -> None:
    [missing, retired] = records(
        make_assessment(verdict_slug=None, verdict_name=None, verdict_value=None),
        make_assessment(verdict_slug="pants-on-fire", verdict_value=0.0),
    )
    assert (missing["verdict"], missing["verdict_position"]) == (None, None)
    assert (retired["verdict"], retired["verdict_position"]) == ("pants-on-fire", None)
    assert retired["verdict_value"] == 0
