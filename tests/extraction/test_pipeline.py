"""extract_candidates: offsets, threshold, language, claimants in context, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from annotations.extraction.evaluation import read_clef_tsv
from annotations.extraction.pipeline import DEFAULT_THRESHOLD, extract_candidates
from annotations.extraction.scoring import SentenceScore

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (
    "Le taux de chômage a reculé à 7,1 % au troisième trimestre, selon l'Insee. "
    "La nouvelle était attendue au ministère.\n\n"
    "« Nous avons créé plus de 400 000 emplois en deux ans », a déclaré la ministre du Travail, "
    "Claire Fontanel, à Rouen. « Je suis venue écouter les salariés », a-t-elle expliqué. "
    "« Le chômage passera sous les 6 % en 2027 », a-t-elle ajouté. Le député Pierre Caradec "
    "ne partage pas cet optimisme. Selon lui, la moitié des emplois créés durent moins d'un mois. "
    "« Les chiffres ne reflètent rien », a assuré Mme Fontanel 😐."
)


def test_it_returns_candidates_whose_offsets_point_into_the_text() -> None:
    result = extract_candidates(ARTICLE)
    assert result.candidates
    for candidate in result.candidates:
        assert ARTICLE[candidate.start : candidate.end] == candidate.text


def test_it_keeps_exactly_the_sentences_at_or_above_the_threshold() -> None:
    everything = extract_candidates(ARTICLE, threshold=0.0)
    default = extract_candidates(ARTICLE)
    assert len(everything.candidates) == everything.sentence_count == 8
    assert 0 < len(default.candidates) < everything.sentence_count
    assert all(c.score >= DEFAULT_THRESHOLD for c in default.candidates)
    assert extract_candidates(ARTICLE, threshold=1.01).candidates == []


def test_it_detects_the_language_unless_given_one() -> None:
    assert extract_candidates(ARTICLE).language == "fr"
    assert extract_candidates(ARTICLE, language="fr-FR").language == "fr"
    assert extract_candidates("Prices rose 3% in May, the agency said.").language == "en"


def test_it_resolves_pronouns_and_surnames_to_the_named_claimant() -> None:
    claimants = {
        candidate.text[:30]: candidate.claimant
        for candidate in extract_candidates(ARTICLE, threshold=0.0).candidates
    }
    assert claimants["Le taux de chômage a reculé à "] == "Insee"
    assert claimants["« Le chômage passera sous les "] == "Claire Fontanel"
    assert claimants["Selon lui, la moitié des emplo"] == "Pierre Caradec"
    assert claimants["« Les chiffres ne reflètent ri"] == "Claire Fontanel"


def test_it_records_which_scorer_made_the_candidates() -> None:
    class EveryNumber:
        name = "stub-1"

        def score(self, sentence: str, language: str) -> SentenceScore:
            hit = any(char.isdigit() for char in sentence)
            return SentenceScore(1.0 if hit else 0.0, ("quantity",) if hit else (), ())

    result = extract_candidates(ARTICLE, scorer=EveryNumber(), threshold=0.5)
    assert result.scorer == "stub-1"
    assert [c.text[:12] for c in result.candidates] == [
        "Le taux de c",
        "« Nous avons",
        "« Le chômage",
    ]
    assert extract_candidates(ARTICLE).scorer == "embed-1"


def test_it_scores_a_whole_article_in_one_call_when_the_scorer_can_batch() -> None:
    calls: list[int] = []

    class Batching:
        name = "batch-1"

        def score(self, sentence: str, language: str) -> SentenceScore:
            raise AssertionError("score_many should have been used")

        def score_many(self, sentences: Sequence[str], language: str) -> list[SentenceScore]:
            calls.append(len(sentences))
            return [SentenceScore(0.9, (), ()) for _ in sentences]

    result = extract_candidates(ARTICLE, scorer=Batching())
    assert calls == [8]
    assert len(result.candidates) == 8


def test_it_handles_empty_and_blank_text() -> None:
    for text in ("", "   \n\n  "):
        result = extract_candidates(text)
        assert result.candidates == []
        assert result.sentence_count == 0
        assert result.language == "und"


def test_it_gives_the_same_output_in_processes_with_different_hash_seeds() -> None:
    code = (
        "import sys\n"
        "from annotations.extraction import extract_candidates\n"
        "print(repr(extract_candidates(sys.stdin.read())))\n"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(
            subprocess.run(  # noqa: S603 - our own interpreter running fixed code
                [sys.executable, "-c", code],
                cwd=ROOT,
                input=ARTICLE,
                capture_output=True,
                text=True,
                check=True,
                env=environment,
            ).stdout
        )
    assert len(outputs) == 1
    assert "Claire Fontanel" in outputs.pop()


def test_it_finds_most_check_worthy_sentences_of_a_news_article() -> None:
    lines = read_clef_tsv(ROOT / "bench" / "data" / "fr" / "fr_04_logement.tsv")
    text = "\n".join(
        " ".join(line.text for line in lines[i : i + 3]) for i in range(0, len(lines), 3)
    )
    chosen = {candidate.text for candidate in extract_candidates(text).candidates}
    worthy = {line.text for line in lines if line.label}
    assert len(worthy & chosen) / len(worthy) >= 0.8
    assert len(worthy & chosen) / len(chosen) >= 0.7
