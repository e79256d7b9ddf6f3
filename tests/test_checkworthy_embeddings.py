"""Check-worthiness over the rules and the sentence embedding: the shipped model, the fallback to
the rules, training one with train_claim_scorer and scoring with it."""

from __future__ import annotations

import io
import json
import math
import pickle
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import Settings

from annotations.extraction.checkworthy import (
    DEFAULT_MODEL_PATH,
    EmbeddingScorer,
    feature_names,
)
from annotations.extraction.learned import LearnedScorer
from annotations.extraction.pipeline import DEFAULT_THRESHOLD, default_scorer, extract_candidates

BENCH = Path(__file__).resolve().parent.parent / "bench" / "data"
EN_FILES = sorted(str(path) for path in (BENCH / "en").glob("*.tsv"))
SENTENCES = {
    "fr": (
        "Le chômage a reculé à 7,1 % au troisième trimestre, son plus bas niveau depuis 2008, "
        "selon l'Insee.",
        "Les habitants se sont retrouvés sur la place du marché dans une ambiance détendue.",
    ),
    "en": (
        "The council spent £4.2 million on road repairs last year, twice as much as in 2019.",
        "Thank you all for coming tonight, it is lovely to see so many friendly faces.",
    ),
}


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_shipped_model_ranks_a_claim_above_chatter(language: str) -> None:
    scorer = default_scorer()
    assert scorer.name == "embed-1"
    claim, chatter = (scorer.score(text, language) for text in SENTENCES[language])
    assert claim.score >= DEFAULT_THRESHOLD > chatter.score
    assert claim.score > chatter.score + 0.5
    assert claim.reasons[0].startswith("model embed-1:") and "quantity" in claim.kinds


def test_extraction_uses_the_shipped_model_by_default() -> None:
    text = " ".join(SENTENCES["fr"])
    result = extract_candidates(text, language="fr")
    assert result.scorer == "embed-1"
    assert [candidate.text for candidate in result.candidates] == [SENTENCES["fr"][0]]


def test_without_an_embedder_the_default_is_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDDING_MODEL", "none")
    assert default_scorer().name == "rules-1"
    result = extract_candidates(" ".join(SENTENCES["en"]), language="en")
    assert result.scorer == "rules-1" and len(result.candidates) == 1
    # An embedding model read where no embedder loads scores with the rules, and says so.
    model = EmbeddingScorer.loads(DEFAULT_MODEL_PATH.read_bytes())
    assert not model.has_embedder
    scored = model.score(SENTENCES["en"][0], "en")
    assert "rules used" in scored.reasons[0] and scored.score >= DEFAULT_THRESHOLD


def test_the_shipped_file_is_small_json_not_a_pickle() -> None:
    data = DEFAULT_MODEL_PATH.read_bytes()
    assert DEFAULT_MODEL_PATH.parent.parent.name == "extraction" and len(data) < 100_000
    assert data.lstrip().startswith(b"{")
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)  # noqa: S301 (checking that it is not one)
    payload = json.loads(data)
    assert payload["format"] == "fcwb-checkworthy-linear" and payload["version"] == "embed-1"
    assert payload["features"] == feature_names(512) == feature_names(payload["dimension"])
    assert len(payload["coefficients"]) == len(payload["features"])
    assert all(math.isfinite(value) for value in [*payload["coefficients"], payload["intercept"]])
    trained_on = payload["details"]["trained_on"]
    assert trained_on and not any("test" in path or "clef" in path for path in trained_on)


def test_a_damaged_model_is_refused() -> None:
    payload = json.loads(DEFAULT_MODEL_PATH.read_bytes())
    payload["features"] = payload["features"][:-1]
    with pytest.raises(ValueError, match="inputs"):
        EmbeddingScorer.loads(json.dumps(payload).encode())
    with pytest.raises(ValueError, match="not a check-worthiness model"):
        EmbeddingScorer.loads(b'{"format": "something else"}')


def test_train_claim_scorer_with_embeddings_round_trips_through_score_sentences(
    tmp_path: Path,
) -> None:
    # No --features: with an embedder loaded, the embedding model is what trains by default.
    output = tmp_path / "model.json"
    out = run(
        "train_claim_scorer",
        "--from-tsv",
        *EN_FILES,
        "--folds",
        "2",
        "--version",
        "embed-test",
        "--output",
        str(output),
    )
    assert "model embed-test written to" in out and re.search(r"MAP 0\.\d{3}", out)
    data = output.read_bytes()
    assert json.loads(data)["version"] == "embed-test"
    model = LearnedScorer.loads(data)  # how a workspace's stored model is read
    assert isinstance(model, EmbeddingScorer) and model.has_embedder

    sentences = tmp_path / "sentences.txt"
    sentences.write_text("\n".join(SENTENCES["en"]) + "\n\n", encoding="utf-8")
    lines = run("score_sentences", str(sentences), "--model", str(output), "--language", "en")
    scores = [float(line.split("\t")[0]) for line in lines.splitlines()]
    assert len(scores) == 3 and scores[2] == 0.0
    assert scores[0] > scores[1]
    assert scores[:2] == [round(model.score(text, "en").score, 4) for text in SENTENCES["en"]]
    assert lines.splitlines()[0].split("\t")[1] == "quantity"


def test_train_claim_scorer_falls_back_to_ngrams_without_an_embedder(
    tmp_path: Path, settings: Settings
) -> None:
    settings.EMBEDDING_MODEL = "none"
    output = tmp_path / "model.bin"
    errors = io.StringIO()
    call_command(
        "train_claim_scorer",
        "--from-tsv",
        *EN_FILES,
        "--folds",
        "0",
        "--output",
        str(output),
        stdout=io.StringIO(),
        stderr=errors,
    )
    assert "no sentence embedder loaded" in errors.getvalue()
    assert "n-grams" in errors.getvalue()
    model = LearnedScorer.loads(output.read_bytes())
    assert not isinstance(model, EmbeddingScorer)
    with pytest.raises(CommandError, match="--features embeddings: no sentence embedder"):
        call_command(
            "train_claim_scorer",
            "--from-tsv",
            *EN_FILES,
            "--features",
            "embeddings",
            "--output",
            str(tmp_path / "other.json"),
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "other.json").exists()
