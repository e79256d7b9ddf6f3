"""A deployer's own sentence-transformers model (EMBEDDING_MODEL=/path, the embeddings-st extra),
with a tiny model this test builds itself: nothing comes from a model hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from annotations.extraction import embeddings

WORDS = [
    "the",
    "crime",
    "has",
    "doubled",
    "since",
    "2020",
    "la",
    "criminalité",
    "a",
    "doublé",
    "depuis",
    "unemployment",
    "fell",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch  # the dev install has torch's CPU build: a missing one fails here, loudly
    from sentence_transformers import SentenceTransformer
    from sentence_transformers import models as st_models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-st")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(WORDS))]
    (folder / "vocab.txt").write_text("\n".join(vocab))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder / "bert")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder / "bert")
    word = st_models.Transformer(str(folder / "bert"), max_seq_length=32)
    pooling = st_models.Pooling(word.get_word_embedding_dimension())
    SentenceTransformer(modules=[word, pooling]).save(str(folder / "model"))
    return folder / "model"


def test_a_deployers_model_directory_embeds_offline(tiny_model: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = embeddings.build_embedder(str(tiny_model))
    assert model is not None and model.dimension == 16
    assert model.name.startswith("st:model:")
    vectors = model.embed(["the crime has doubled since 2020", "unemployment fell"])
    assert vectors.shape == (2, 16) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_match_claims_uses_the_configured_model(
    tiny_model: Path, tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.EMBEDDING_MODEL = str(tiny_model)
    settings.EMBEDDING_MATCH_THRESHOLD = 0.99
    checked = tmp_path / "checked.jsonl"
    checked.write_text(json.dumps({"id": 1, "text": "the crime has doubled since 2020"}) + "\n")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"text": "the crime has doubled since 2020"}) + "\n")
    call_command("match_claims", str(queries), against=str(checked))
    out = capsys.readouterr()
    assert [json.loads(line) for line in out.out.splitlines()] == [
        {"matches": [{"id": 1, "score": 1.0}]}
    ]
    assert "st:model:" in out.err


def test_a_missing_model_directory_leaves_the_rules(tmp_path: Path) -> None:
    assert embeddings.load_embedder(str(tmp_path / "nowhere")) is None
