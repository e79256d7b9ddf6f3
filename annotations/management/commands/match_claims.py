"""Match claims against already-checked ones, across languages: JSON lines in, JSON lines out."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from annotations.extraction.claim_matching import match_texts
from annotations.extraction.similarity import FUZZY_MIN_SCORE, rank_similar
from annotations.services.embedding import current_embedder, match_threshold
from annotations.text import normalise_text

from ._claim_cli import read_text

logger = logging.getLogger(__name__)


def read_claims(path: str, *, with_id: bool) -> list[tuple[Any, str]]:
    """(id, text) for each line of a JSON-lines file; a bad line stops with its file and line."""
    rows: list[tuple[Any, str]] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise CommandError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise CommandError(f"{where}: expected a JSON object")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise CommandError(f"{where}: 'text' must be a non-empty string")
        language = item.get("language")
        if language is not None and not isinstance(language, str):
            raise CommandError(f"{where}: 'language' must be a string")
        if with_id and ("id" not in item or item["id"] is None):
            raise CommandError(f"{where}: 'id' is missing")
        rows.append((item.get("id"), normalise_text(text).strip()))
    return rows


class Command(BaseCommand):
    help = (
        "Match each claim of QUERIES (JSON lines with text and language) against the checked "
        "claims of --against (JSON lines with id, text and language), across languages. Prints "
        'one line per query, in input order: {"matches": [{"id": ..., "score": ...}, ...]}, best '
        "first, scores from 0 to 1, only the matches the default threshold accepts. The language "
        "is a hint, never a filter. Logs go to standard error."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("queries", help="JSON lines: {text, language}; - reads standard input.")
        parser.add_argument(
            "--against",
            required=True,
            metavar="CHECKED",
            help="JSON lines: {id, text, language}, the claims already checked.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["against"] == "-" and options["queries"] == "-":
            raise CommandError("only one of QUERIES and --against can be - (standard input)")
        checked = read_claims(options["against"], with_id=True)
        queries = read_claims(options["queries"], with_id=False)
        ids = [identifier for identifier, _text in checked]
        embedder = current_embedder()
        if embedder is not None:
            found = match_texts(
                embedder.embed,
                [text for _id, text in queries],
                [text for _id, text in checked],
                threshold=match_threshold(embedder),
            )
            method = embedder.name
        else:
            choices = list(enumerate(text for _id, text in checked))
            found = [rank_similar(text, choices, min_score=FUZZY_MIN_SCORE) for _, text in queries]
            method = "rapidfuzz"
        print(
            f"match_claims: {len(queries)} queries against {len(checked)} checked claims "
            f"({method})",
            file=sys.stderr,
        )
        for matches in found:
            line = {"matches": [{"id": ids[row], "score": score} for row, score in matches]}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
