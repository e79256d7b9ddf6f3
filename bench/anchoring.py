"""Time re-anchoring 1,000 highlights on a 20,000-character article after ~20 small edits.

Run from the repository root: .venv/bin/python bench/anchoring.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

# The script is run by path, which puts bench/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.anchoring import reanchor_all, selector_for

TEXT_LENGTH = 20_000
HIGHLIGHTS = 1_000
EDITS = 20
REPEATS = 7

# Words rather than random characters, so that quotes repeat and near-duplicates exist as in prose.
PROSE = (
    "le la les des une un taux chômage hausse baisse « » été 🙂 pour cent gouvernement "
    "ministre a dit que selon l'Insee premier trimestre déficit public milliards d'euros "
    "en 2024 contre 3,1 % 5,5 % — n'a jamais été aussi élevé, affirme-t-il.\n"
)
WORDS = PROSE.split(" ")


def article(rng: random.Random) -> str:
    words: list[str] = []
    length = 0
    while length < TEXT_LENGTH:
        words.append(rng.choice(WORDS))
        length += len(words[-1]) + 1
    return " ".join(words)[:TEXT_LENGTH]


def edited(rng: random.Random, text: str) -> str:
    for _ in range(EDITS):
        position = rng.randrange(len(text))
        removed = rng.randint(0, 8)
        inserted = rng.choice(["", rng.choice(WORDS), "é🙂«"[: rng.randint(1, 3)]])
        text = text[:position] + inserted + text[position + removed :]
    return text


def main() -> None:
    rng = random.Random(20_000)
    old_text = article(rng)
    selectors = []
    for _ in range(HIGHLIGHTS):
        start = rng.randrange(len(old_text) - 200)
        selectors.append(selector_for(old_text, start, start + rng.randint(5, 150)))
    new_text = edited(rng, old_text)

    timings = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        anchors = reanchor_all(old_text, new_text, selectors)
        timings.append(time.perf_counter() - began)

    methods = Counter(anchor.method for anchor in anchors)
    print(
        f"{HIGHLIGHTS} highlights, {len(old_text)} -> {len(new_text)} chars, {EDITS} edits: "
        f"median {statistics.median(timings) * 1000:.1f} ms, best {min(timings) * 1000:.1f} ms "
        f"over {REPEATS} runs"
    )
    print("methods:", dict(sorted(methods.items())))


if __name__ == "__main__":
    main()
