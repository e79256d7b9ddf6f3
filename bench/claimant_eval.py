"""Claimant attribution on the news2 set: how often the guessed speaker is wrong, how often any.

bench/data/news2/{fr,en}/{dev,test}/*.tsv (invented articles, CLEF format, ``speaker`` column =
who a reader would credit with the sentence; a blank line ends a paragraph, see
bench/data/news2/README.md). Each article's text is rebuilt with its sentences joined by a space
and its paragraphs by "\\n\\n", then attributed by the pipeline's own code
(``attribute_sentences``, the path ``extract_candidates`` takes for ``Candidate.claimant``) on
every sentence, not only the check-worthy ones. Each line takes the claimant of the pipeline
sentence that contains its first character.

Scoring, for lines whose gold speaker is non-empty or whose guess is non-empty:

- a guess that is not the gold speaker is *wrong* (a guess on a line with no gold speaker too);
- no guess where the line has a speaker is a *miss*;
- names are compared leniently: case, accents, punctuation, a leading "the"/"le"/"la"/"l'",
  and a surname alone matching the full name ("Dupont" for "Claire Dupont").

Printed per language: guesses made, right, wrong, misses, wrong-rate (wrong / guesses) and
coverage (right / lines with a speaker).

    .venv/bin/python bench/claimant_eval.py [--split dev|test|old] [--show-errors]

``--split old`` scores the first news set (bench/data/fr, bench/data/en: no paragraph breaks, so
each article is one paragraph). ``--show-errors`` lists the wrong guesses and misses, and is
refused on the test split: its errors are not looked at.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.extraction.evaluation import ClefLine, read_clef_tsv  # noqa: E402
from annotations.extraction.pipeline import attribute_sentences  # noqa: E402

DATA = ROOT / "bench" / "data"
LANGUAGES = ("fr", "en")
_LEADING_ARTICLE = re.compile(r"^(?:the|le|la|les|l)\s+")


@dataclass(frozen=True, slots=True)
class Article:
    name: str
    paragraphs: list[list[ClefLine]]


@dataclass
class Tally:
    guesses: int = 0
    right: int = 0
    wrong: int = 0
    misses: int = 0
    expected: int = 0

    def line(self) -> str:
        rate = self.wrong / self.guesses if self.guesses else 0.0
        coverage = self.right / self.expected if self.expected else 0.0
        return (
            f"guesses={self.guesses} right={self.right} wrong={self.wrong} "
            f"misses={self.misses} (lines with a speaker: {self.expected}) "
            f"wrong-rate={rate:.3f} coverage={coverage:.3f}"
        )


def read_paragraphs(path: Path) -> list[list[ClefLine]]:
    """The lines of a CLEF file grouped by paragraph (a blank line ends one). Lines are parsed
    by ``read_clef_tsv`` itself; the raw file only tells where the blank lines fall."""
    lines = iter(read_clef_tsv(path))
    paragraphs: list[list[ClefLine]] = [[]]
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            paragraphs[-1].append(next(lines))
        elif paragraphs[-1]:
            paragraphs.append([])
    return [paragraph for paragraph in paragraphs if paragraph]


def load(language: str, split: str) -> list[Article]:
    folder = DATA / language if split == "old" else DATA / "news2" / language / split
    return [Article(path.stem, read_paragraphs(path)) for path in sorted(folder.glob("*.tsv"))]


def article_text(article: Article) -> tuple[str, list[tuple[int, ClefLine]]]:
    """The article's text and each line with the offset of its first character."""
    parts: list[str] = []
    starts: list[tuple[int, ClefLine]] = []
    offset = 0
    for number, paragraph in enumerate(article.paragraphs):
        if number:
            parts.append("\n\n")
            offset += 2
        for position, line in enumerate(paragraph):
            if position:
                parts.append(" ")
                offset += 1
            starts.append((offset, line))
            parts.append(line.text)
            offset += len(line.text)
    return "".join(parts), starts


def normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'").lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"[^\w\s]", " ", plain)
    plain = " ".join(plain.split())
    return _LEADING_ARTICLE.sub("", plain)


def same_speaker(guess: str, gold: str) -> bool:
    left, right = normalise(guess), normalise(gold)
    if not left or not right:
        return False
    if left == right:
        return True
    short, full = sorted((left.split(), right.split()), key=len)
    return len(short) == 1 and len(full) > 1 and short[0] == full[-1]


def score_article(
    article: Article, language: str, tally: Tally, errors: list[str] | None = None
) -> None:
    text, starts = article_text(article)
    attributed = attribute_sentences(text, language)
    cursor = 0
    for offset, line in starts:
        while cursor + 1 < len(attributed) and attributed[cursor + 1][0] <= offset:
            cursor += 1
        guess = attributed[cursor][2]
        gold = line.speaker
        if gold:
            tally.expected += 1
        if guess:
            tally.guesses += 1
            if gold and same_speaker(guess, gold):
                tally.right += 1
                continue
            tally.wrong += 1
            verdict = "WRONG"
        elif gold:
            tally.misses += 1
            verdict = "MISS"
        else:
            continue
        if errors is not None:
            errors.append(
                f"  {verdict:5} {article.name}:{line.line_number} gold={gold!r} "
                f"guess={guess!r}\n        {line.text}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "old"), default="dev")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--language", choices=LANGUAGES)
    args = parser.parse_args(argv)
    if args.show_errors and args.split == "test":
        parser.error("--show-errors is refused on the test split: its errors are not looked at")
    for language in (args.language,) if args.language else LANGUAGES:
        articles = load(language, args.split)
        tally = Tally()
        errors: list[str] | None = [] if args.show_errors else None
        for article in articles:
            score_article(article, language, tally, errors)
        lines = sum(len(p) for article in articles for p in article.paragraphs)
        print(f"{language} {args.split}: {len(articles)} articles, {lines} lines")
        print(f"  {tally.line()}")
        if errors:
            print("\n".join(errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
