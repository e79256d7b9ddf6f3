"""Score sentences for check-worthiness: one sentence a line in, `score<TAB>kinds` a line out."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from annotations.extraction.language import detect_language, normalise_language
from annotations.extraction.pipeline import default_scorer, score_sentences
from annotations.text import normalise_text

from ._claim_cli import add_model_argument, checked_language, load_scorer, read_text


class Command(BaseCommand):
    help = (
        "Read one sentence a line (a file, or - for standard input) and write, for each line, its "
        "check-worthiness score (0 to 1), a tab, and its kinds, comma-separated. A blank line "
        "gets 0.0000 and no kinds, so output lines stay aligned with input lines."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The sentences, one a line; - reads standard input.")
        parser.add_argument(
            "--language",
            help="ISO 639-1 code (en, fr, ...); default: detected from the whole input.",
        )
        add_model_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        language = checked_language(options["language"])
        scorer = load_scorer(options["model"]) or default_scorer()
        lines = [normalise_text(line) for line in read_text(options["file"]).splitlines()]
        lang = normalise_language(language) or detect_language("\n".join(lines))
        filled = [index for index, line in enumerate(lines) if line.strip()]
        scores = score_sentences(scorer, [lines[index].strip() for index in filled], lang)
        results = dict(zip(filled, scores, strict=True))
        for index in range(len(lines)):
            result = results.get(index)
            if result is None:
                self.stdout.write("0.0000\t")
            else:
                self.stdout.write(f"{result.score:.4f}\t{','.join(result.kinds)}")
