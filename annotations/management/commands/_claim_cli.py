"""What the claim-scoring commands share: reading input, loading a model file, checking options.

(Django skips command modules whose name starts with an underscore.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from annotations.extraction.scoring import SentenceScorer

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


def read_text(path: str) -> str:
    """The file's text (UTF-8), or standard input for ``-``."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path} is not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None


def checked_language(value: str | None) -> str | None:
    if value is None:
        return None
    if not _LANGUAGE.match(value):
        raise CommandError(f"--language: {value!r} is not a language code such as en or fr")
    return value


def checked_threshold(value: float) -> float:
    if not 0 <= value <= 1:
        raise CommandError(f"--threshold must be between 0 and 1, not {value}")
    return value


def load_scorer(path: str | None) -> SentenceScorer | None:
    """The model in a file written by `train_claim_scorer --output`, or None for the default.

    An n-gram model's file is a pickle: load only models you (or your desk) trained. An
    embedding model's (``--features embeddings``) is JSON, numbers only.
    """
    if path is None:
        return None
    from annotations.extraction.learned import LearnedScorer

    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CommandError(f"--model: no such file: {path}") from None
    except OSError as error:
        raise CommandError(f"--model: cannot read {path}: {error.strerror}") from None
    try:
        return LearnedScorer.loads(data)
    except Exception as error:  # a damaged file fails in zlib or pickle with many classes
        raise CommandError(f"--model: {path} is not a claim scorer model ({error})") from None


def add_model_argument(parser: Any) -> None:
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="A model file written by train_claim_scorer --output (default: the shipped model, "
        "or the rules when no embedder loads).",
    )
