"""Print the candidate claims of a plain-text article as JSON lines."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from annotations.extraction.pipeline import DEFAULT_THRESHOLD, extract_candidates
from annotations.text import normalise_text

from ._claim_cli import (
    add_model_argument,
    checked_language,
    checked_threshold,
    load_scorer,
    read_text,
)


class Command(BaseCommand):
    help = (
        "Split a plain-text article (a file, or - for standard input) into sentences and print "
        "those scoring at least the threshold, one JSON object a line: start, end (code points "
        "into the text as the workbench stores it: NFC, newlines folded to \\n), text, score, "
        "kinds, claimant (null when nobody is quoted) and reasons."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The article's text; - reads standard input.")
        parser.add_argument(
            "--language", help="ISO 639-1 code (fr, en, ...); default: detected from the text."
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"Lowest score printed (default {DEFAULT_THRESHOLD}).",
        )
        add_model_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        language = checked_language(options["language"])
        threshold = checked_threshold(options["threshold"])
        scorer = load_scorer(options["model"])
        text = normalise_text(read_text(options["file"]))
        result = extract_candidates(text, language=language, scorer=scorer, threshold=threshold)
        for candidate in result.candidates:
            line = {
                "start": candidate.start,
                "end": candidate.end,
                "text": candidate.text,
                "score": candidate.score,
                "kinds": list(candidate.kinds),
                "claimant": candidate.claimant,
                "reasons": list(candidate.reasons),
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
