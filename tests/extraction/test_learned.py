"""The learned scorer: training, kinds from the rules, serialisation round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotations.extraction.learned import (
    LearnedScorer,
    examples_from_clef,
    read_clef_tsv,
    train_scorer,
)
from annotations.extraction.pipeline import extract_candidates

CLAIMS = [
    "Unemployment fell to {n} percent last quarter.",
    "The city spent ${n} million on roads in 2023.",
    "Le chômage a baissé de {n} % en un an.",
    "Le budget atteint {n} milliards d'euros.",
]
CHATTER = [
    "Thank you all for coming tonight, it is great to be here number {n}.",
    "Let me say this again to everyone watching, friend {n}.",
    "Merci à vous tous d'être venus ce soir, ami {n}.",
    "Quelle belle soirée, vraiment, encore merci {n}.",
]


def synthetic(count: int) -> list[tuple[str, str, int]]:
    examples = []
    for n in range(count):
        for template in CLAIMS:
            language = "fr" if "Le " in template else "en"
            examples.append((template.format(n=n + 3), language, 1))
        for template in CHATTER:
            language = "fr" if any(w in template for w in ("Merci", "Quelle")) else "en"
            examples.append((template.format(n=n + 3), language, 0))
    return examples


@pytest.fixture(scope="module")
def scorer() -> LearnedScorer:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return train_scorer(synthetic(6), version="learned-test-1", trained_at=moment)


def test_it_learns_to_rank_claims_above_chatter(scorer: LearnedScorer) -> None:
    claim = scorer.score("Inflation rose to 9 percent, the highest in decades.", "en")
    chatter = scorer.score("Thank you, it is great to be here with all of you.", "en")
    assert claim.score > 0.5 > chatter.score


def test_it_takes_kinds_from_the_rules_and_explains_with_n_grams(scorer: LearnedScorer) -> None:
    result = scorer.score("Le chômage a baissé de 2 % en un an, selon l'Insee.", "fr")
    assert "quantity" in result.kinds
    assert result.reasons[0].startswith("model learned-test-1:")
    assert any(reason.startswith("learned n-gram:") for reason in result.reasons)
    assert any(reason.startswith("percentage") for reason in result.reasons)


def test_it_gives_the_same_scores_after_a_dumps_loads_round_trip(scorer: LearnedScorer) -> None:
    sentences = ["Taxes went up 4 percent.", "Merci à tous.", "Le déficit atteint 5 %."]
    restored = LearnedScorer.loads(scorer.dumps())
    assert restored.metadata == scorer.metadata
    assert restored.name == "learned-test-1"
    assert [restored.score(s, "fr") for s in sentences] == [
        scorer.score(s, "fr") for s in sentences
    ]


def test_it_records_training_metadata(scorer: LearnedScorer) -> None:
    assert scorer.metadata.trained_at == "2026-01-02T03:04:05+00:00"
    assert scorer.metadata.n_examples == 48
    assert scorer.metadata.n_positive == 24
    assert scorer.metadata.languages == ("en", "fr")
    assert scorer.metadata.rules_version == "rules-1"


def test_it_trains_the_same_model_twice_from_the_same_examples() -> None:
    first = train_scorer(synthetic(3), version="a")
    second = train_scorer(synthetic(3), version="a")
    sentence = "Prices rose 7 percent in a year."
    assert first.score(sentence, "en").score == second.score(sentence, "en").score


def test_it_plugs_into_extract_candidates_and_names_itself(scorer: LearnedScorer) -> None:
    result = extract_candidates(
        "Unemployment fell to 4 percent last quarter. Thank you all for coming tonight.",
        scorer=scorer,
        threshold=0.5,
    )
    assert result.scorer == "learned-test-1"
    assert [c.text for c in result.candidates] == ["Unemployment fell to 4 percent last quarter."]


def test_it_refuses_to_train_on_a_single_class() -> None:
    with pytest.raises(ValueError, match="both"):
        train_scorer([("Prices rose 3%.", "en", 1), ("Taxes fell 2%.", "en", 1)], version="x")


def test_it_refuses_bytes_that_are_not_a_saved_scorer() -> None:
    with pytest.raises(ValueError, match="not a serialised"):
        LearnedScorer.loads(b"\x80\x04garbage")


def test_it_trains_from_clef_format_files(tmp_path: Path) -> None:
    path = tmp_path / "debate.tsv"
    rows = [
        f"{i + 1}\tSPEAKER\t{text}\t{label}\n" for i, (text, _, label) in enumerate(synthetic(4))
    ]
    path.write_text("".join(rows), encoding="utf-8")
    model = train_scorer(examples_from_clef(read_clef_tsv(path), "en"), version="clef-test")
    assert model.metadata.n_examples == 32
    assert model.score("Spending rose to $9 million.", "en").score > 0.5
