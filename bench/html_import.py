"""Time reading an HTML page into an article (annotations.importing.page_from_html) with the bounds
an import someone waits for gets (importing.IN_REQUEST), on hostile pages and on pages at the
bounds: each must be refused or read well within 2 s.

Run from the repository root: .venv/bin/python bench/html_import.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

# The script is run by path, which puts bench/ rather than the repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.importing import IN_REQUEST, HtmlTooComplex, html_shape, page_from_html

random.seed(7)
PROSE = (
    "le la les un une des chômage reculé point trimestre selon Insee France ministre travail "
    "emplois opposition chiffres départements restent dessus"
)
WORDS = PROSE.split()


def paragraph(number: int, words: int = 15) -> str:
    return "<p>" + " ".join(random.choice(WORDS) for _ in range(words)) + f" {number}.</p>\n"


def deep_stacks(depth: int, stacks: int) -> str:
    return ("<div>" * depth + "<p>Un paragraphe assez long.</p>" + "</div>" * depth) * stacks


PAGES = {
    # Refused before any parser sees them (they took 41.6 s and over 120 s unbounded).
    "nested <div>, 1.1 MB": "<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000,
    "nested <div>, 3.85 MB": "<html><body>" + "<div>" * 350_000 + "x" + "</div>" * 350_000,
    "350,000 sibling <div>": "<div></div>" * 350_000,
    # At or near the bounds: read.
    "200 deep x 7 (nesting 142,100)": deep_stacks(200, 7),
    "100 deep x 14 + 8,400 short <p>": deep_stacks(100, 14) + "<p>fin</p>" * 8_400,
    "9,900 short <p>": "<p>fin</p>" * 9_900,
    "10,000 <span> with text": "".join(f"<span>mot {n}</span>" for n in range(10_000)),
    "0.9 MB article in 5,000 <p>": "<html><body><article>"
    + "".join(paragraph(n, 25) for n in range(5_000))
    + "</article></body></html>",
    "4 MB of script + 50 <p>": "<html><head><script>"
    + "var x = '<div>';\n" * 240_000
    + "</script></head><body><article>"
    + "".join(paragraph(n) for n in range(50))
    + "</article></body></html>",
}


def main() -> None:
    print(f"bounds: {IN_REQUEST}")
    slowest = 0.0
    for label, html in PAGES.items():
        started = time.perf_counter()
        try:
            outcome = f"read, {len(page_from_html(html, limits=IN_REQUEST).text):,} characters"
        except HtmlTooComplex as refused:
            outcome = f"refused: {refused}"
        elapsed = time.perf_counter() - started
        slowest = max(slowest, elapsed)
        shape = html_shape(html, IN_REQUEST)
        print(
            f"{label:36} {len(html) / 1e6:5.2f} MB  depth {shape.depth:>6}  "
            f"{elapsed:5.2f} s  {outcome[:90]}"
        )
    print(f"slowest: {slowest:.2f} s")


if __name__ == "__main__":
    main()
