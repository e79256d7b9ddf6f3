"""The raw writer (one article a line, everything on it), pseudonyms, and each reviewer's
highlight in Web Annotation, on plain rows."""

from __future__ import annotations

from annotations.exports.raw import write_raw_jsonl
from annotations.exports.rows import Pseudonyms
from annotations.exports.webannotation import write_web_annotations
from tests.exports.factories import (
    ARTICLE_TEXT,
    json_lines,
    make_claim,
    make_ctx,
    make_highlight,
    make_raw_article,
)


def test_it_writes_an_article_line_field_by_field() -> None:
    [record] = json_lines(write_raw_jsonl(iter([make_raw_article()]), make_ctx()))
    start, end = ARTICLE_TEXT.index("«"), ARTICLE_TEXT.index("»") + 1
    assert record == {
        "id": 3,
        "url": "https://journal.example/article/3",
        "title": "Le débat budgétaire",
        "publisher": "Le Journal",
        "author": "A. Martin",
        "language": "fr",
        "published_at": "2024-04-30T18:00:00+00:00",
        "text": ARTICLE_TEXT,
        "revision": 2,
        "checksum": "ab" * 32,
        "claims": [
            {
                "id": 7,
                "start": start,
                "end": end,
                "exact": ARTICLE_TEXT[start:end],
                "claimant": "Jean Dupont",
                "normalised_text": "Le chômage a baissé de 12 %.",
                "status": "resolved",
                "final_verdict": "mostly-true",
                "creator": "bob",
                "tag": "",
                "highlights": [
                    {
                        "start": start,
                        "end": end,
                        "exact": ARTICLE_TEXT[start:end],
                        "creator": "bob",
                    },
                    {
                        "start": start + 2,
                        "end": end - 2,
                        "exact": ARTICLE_TEXT[start + 2 : end - 2],
                        "creator": "carol",
                    },
                ],
                "assessments": [
                    {
                        "creator": "bob",
                        "verdict": "mostly-true",
                        "initial_verdict": "mostly-true",
                        "confidence": 0.8,
                        "rationale": "INSEE",
                    },
                    {
                        "creator": "carol",
                        "verdict": "true",
                        "initial_verdict": "half-true",
                        "confidence": None,
                        "rationale": "",
                    },
                ],
                "sources": [
                    {
                        "url": "https://stats.example/a",
                        "stance": "supports",
                        "quote": "le taux a baissé",
                        "title": "Emploi",
                        "publisher": "INSEE",
                        "published_at": "2024-04-01",
                        "creator": "carol",
                    }
                ],
                "adjudications": [
                    {
                        "creator": "dave",
                        "verdict": "mostly-true",
                        "note": "Chiffres INSEE",
                        "created_at": "2024-05-02T09:15:30+00:00",
                    }
                ],
            }
        ],
    }
    # Code points: the emoji before the claim counts as one character.
    claim = record["claims"][0]
    assert record["text"][claim["start"] : claim["end"]] == claim["exact"]


def test_it_gives_each_person_one_pseudonym_in_order_of_appearance() -> None:
    ctx = make_ctx(pseudonyms=Pseudonyms())
    [record] = json_lines(write_raw_jsonl(iter([make_raw_article()]), ctx))
    claim = record["claims"][0]
    assert claim["creator"] == "reviewer-1"
    assert [h["creator"] for h in claim["highlights"]] == ["reviewer-1", "reviewer-2"]
    assert [a["creator"] for a in claim["assessments"]] == ["reviewer-1", "reviewer-2"]
    assert claim["sources"][0]["creator"] == "reviewer-2"
    assert claim["adjudications"][0]["creator"] == "reviewer-3"
    names = Pseudonyms()
    assert [names(n) for n in ("x", "y", "x", "")] == ["reviewer-1", "reviewer-2", "reviewer-1", ""]


def test_web_annotation_writes_each_highlight_after_its_claim() -> None:
    row = make_claim(
        highlights=(make_highlight(), make_highlight(highlight_id=32, creator="carol", start=121))
    )
    claim, bob, carol = json_lines(write_web_annotations(iter([row]), make_ctx()))
    assert claim["id"] == "https://workbench.example/claims/7/"
    assert bob == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://workbench.example/claims/7/#highlight-31",
        "type": "Annotation",
        "motivation": "highlighting",
        "creator": {"type": "Person", "nickname": "bob"},
        "body": {
            "type": "SpecificResource",
            "source": "https://workbench.example/claims/7/",
            "purpose": "linking",
        },
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
    assert carol["creator"]["nickname"] == "carol"
    assert carol["target"]["selector"][0]["start"] == 121
    [_, hidden, _] = json_lines(
        write_web_annotations(iter([row]), make_ctx(pseudonyms=Pseudonyms()))
    )
    assert hidden["creator"] == {"type": "Person", "nickname": "reviewer-1"}


def test_web_annotation_adds_a_utf16_position_only_where_it_differs() -> None:
    shifted = make_claim(start_utf16=121, end_utf16=152)
    same = make_claim(claim_id=8, start_utf16=120, end_utf16=151)
    first, second = json_lines(write_web_annotations(iter([shifted, same]), make_ctx(utf16=True)))
    assert first["target"]["selector"][-1] == {
        "type": "TextPositionSelector",
        "start": 121,
        "end": 152,
        "unit": "utf-16",
    }
    assert len(second["target"]["selector"]) == 2
    # Not asked for: never written.
    [plain] = json_lines(write_web_annotations(iter([shifted]), make_ctx()))
    assert len(plain["target"]["selector"]) == 2
