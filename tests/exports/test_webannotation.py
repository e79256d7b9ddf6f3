from __future__ import annotations

from typing import Any

from annotations.exports.webannotation import write_web_annotations
from tests.exports.factories import json_lines, make_claim, make_ctx


def written(*rows: Any, **ctx: Any) -> list[dict[str, Any]]:
    return json_lines(write_web_annotations(iter(rows), make_ctx(**ctx)))


def test_it_writes_an_annotation_field_by_field() -> None:
    [annotation] = written(make_claim())

    assert annotation == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://workbench.example/claims/7/",
        "type": "Annotation",
        "motivation": "assessing",
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": "Mostly true",
                "format": "text/plain",
            },
            {"type": "TextualBody", "purpose": "tagging", "value": "mostly-true"},
        ],
        "target": {
            "source": "https://journal.example/article/3",
            "selector": [
                {"type": "TextPositionSelector", "start": 120, "end": 151},
                {
                    "type": "TextQuoteSelector",
                    "exact": "« le chômage a baissé de 12 % »",
                    "prefix": "Lors du débat, le ministre a dit ",
                    "suffix": " avant de quitter la salle.",
                },
            ],
        },
        "created": "2024-05-02T09:15:30+00:00",
    }


def test_it_writes_nothing_for_no_rows() -> None:
    assert written() == []


def test_it_only_highlights_a_claim_without_a_verdict() -> None:
    [annotation] = written(
        make_claim(verdict_slug=None, verdict_name=None, verdict_value=None, reviewed_at=None)
    )
    assert annotation["motivation"] == "highlighting"
    assert "body" not in annotation
    assert "created" not in annotation
    assert annotation["target"]["selector"][0] == {
        "type": "TextPositionSelector",
        "start": 120,
        "end": 151,
    }


def test_it_targets_the_workbench_page_of_an_article_without_a_url() -> None:
    [annotation] = written(make_claim(article_url="", article_id=9))
    assert annotation["target"]["source"] == "https://workbench.example/articles/9/"


def test_it_keeps_one_annotation_a_line() -> None:
    lines = written(*(make_claim(claim_id=i) for i in range(500)))
    assert [line["id"] for line in lines] == [
        f"https://workbench.example/claims/{i}/" for i in range(500)
    ]
