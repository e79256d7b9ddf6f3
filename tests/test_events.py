"""A claim's history in words (annotations.events): every kind the services record reads as a
sentence in English and in French, with the verdicts' names, never as a code."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from annotations.events import describe_event
from annotations.models import ClaimEvent

NAMES = {"false": "Wrong", "mostly-false": "Rather wrong"}
SPAN = {"start": 0, "end": 12, "exact": "Le chômage"}
KINDS: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {
    "highlight_added": (None, {"reviewer": "carol", **SPAN}),
    "highlight_withdrawn": ({"reviewer": "carol", "start": 0, "end": 12}, None),
    "assessment_created": (None, {"verdict": "false", "rationale": "", "confidence": None}),
    "assessment_updated": ({"verdict": "false"}, {"verdict": "mostly-false"}),
    "adjudicated": (
        {"final_verdict": None},
        {"final_verdict": "false", "note": "Insee", "span": {**SPAN, "from": "carol"}},
    ),
    "span_changed": (SPAN, SPAN),
    "reanchored": (SPAN, {**SPAN, "method": "exact", "revision": 2}),
    "edited": ({"claimant": ""}, {"claimant": "l'Insee"}),
    "status_changed": (
        {"status": "disputed", "final_verdict": None},
        {"status": "resolved", "final_verdict": "false", "reason": "adjudication"},
    ),
    "disagreement_opened": (
        None,
        {"kind": "verdict", "assessments": [{"reviewer": "bob", "verdict": "false"}]},
    ),
    "disagreement_resolved": (None, {"how": "adjudicated"}),
    "withdrawn": (SPAN, None),
    "merged": (None, {"claim": 7, **SPAN}),
    "source_linked": (None, {"url": "https://insee.fr", "stance": "refutes", "title": ""}),
    "source_removed": ({"url": "https://insee.fr", "stance": "refutes"}, None),
    "corrected": (
        {"final_verdict": "mostly-false"},
        {"final_verdict": "false", "note": "Insee", "adjudication": 3},
    ),
    "review_set": (
        {"review_url": "", "review_published_at": None},
        {"review_url": "https://desk.example/1", "review_published_at": "2026-12-01"},
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_it_tells_every_kind_of_event_in_a_sentence(kind: str, language: str, db: None) -> None:
    before, after = KINDS[kind]
    event = ClaimEvent(kind=kind, actor=User(username="dave"), before=before, after=after)
    with translation.override(language):
        sentence = describe_event(event, verdicts=NAMES)

    assert f": {kind}." not in sentence  # not the fallback for an unknown kind
    assert "_" not in sentence  # no event code
    assert "false" not in sentence  # slugs become the scale's names
    if kind not in ("reanchored", "disagreement_opened", "status_changed", "merged"):
        assert "dave" in sentence
    if language == "fr":
        assert "highlighted" not in sentence and "verdict " not in sentence[:3]


def test_it_names_whose_extent_an_adjudicator_chose_in_french(db: None) -> None:
    before, after = KINDS["adjudicated"]
    event = ClaimEvent(kind="adjudicated", actor=User(username="dave"), before=before, after=after)
    with translation.override("fr"):
        sentence = describe_event(event, verdicts=NAMES)
    # French quotation marks, with the no-break spaces French typography puts inside them.
    assert "carol" in sentence and "«\u00a0Insee\u00a0»" in sentence


def test_it_tells_why_a_claim_was_unpublished_and_what_a_correction_changed(db: None) -> None:
    unpublished = ClaimEvent(
        kind="status_changed",
        actor=User(username="alice"),
        before={"status": "published", "final_verdict": "false"},
        after={
            "status": "resolved",
            "final_verdict": "false",
            "reason": "unpublished",
            "note": "The source retracted its figure",
        },
    )
    corrected = ClaimEvent(
        kind="corrected",
        actor=User(username="alice"),
        before={"final_verdict": "false"},
        after={"final_verdict": "mostly-false", "note": "New figures", "adjudication": 4},
    )
    assert "unpublished" in describe_event(unpublished, verdicts=NAMES)
    assert "The source retracted its figure" in describe_event(unpublished, verdicts=NAMES)
    sentence = describe_event(corrected, verdicts=NAMES)
    assert "from Wrong to Rather wrong" in sentence and "New figures" in sentence
