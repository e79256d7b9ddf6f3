"""Hypothesis's own anchoring code reads the workbench's W3C Web Annotation export (issue 14).

    .venv/bin/python bench/hypothesis_anchoring.py [--cache /tmp/wb-hypothesis]

Hypothesis's client counts positions in UTF-16 code units, as JavaScript strings do; the
workbench counts code points. After an emoji the two differ, and a client reading code points
lands on the wrong text; only its quote fallback saves it. With `utf16=1` the export adds a
second TextPositionSelector counted in UTF-16 units, last in the list. This bench runs the
client's anchoring as Hypothesis ships it, in Chromium, on the export:

1. In a scratch directory (`--cache`, made once; never a dependency of the project), npm installs
   the `hypothesis` client package (HYPOTHESIS_VERSION), `approx-string-match` and `esbuild`. The
   client's anchoring modules (src/annotator/anchoring/: html.ts, types.ts, text-range.ts,
   match-quote.ts, trim-range.ts, xpath.ts) are taken from the source map the package publishes
   beside its annotator bundle (sourcesContent), unchanged, and bundled by esbuild with an entry
   that exposes their `anchor(root, selectors)` to the page.
2. A workbench on its embedded defaults (bench/scratch_desk.py) imports articles whose claims sit
   after emoji, around them and on plain text, and writes its Web Annotation export twice:
   as it is, and with `--utf16`.
3. Debian's Chromium (Playwright) opens a page whose body's text is each article's text, and
   anchors every annotation three ways: with all its selectors as exported with `--utf16` (what
   the client does with the file), with the UTF-16 position alone (no quote to fall back on), and
   with the code-point position alone (the default export without its quote).

Prints the counts of annotations whose anchored range's text is exactly the quote, then one JSON
line. Exit 1 unless every annotation anchors exactly with its selectors and with the UTF-16
position alone; 2 when the scratch tools cannot be had.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HYPOTHESIS_VERSION = "1.1766.0"
PACKAGES = (f"hypothesis@{HYPOTHESIS_VERSION}", "approx-string-match@2.0.0", "esbuild@0.25.12")
MODULES = ("html", "types", "text-range", "match-quote", "trim-range", "xpath")
CHROMIUM = "/usr/bin/chromium"
ENTRY = """import { anchor } from './src/annotator/anchoring/html';
(window as any).hypothesisAnchor = async (selectors: any[]) => {
  try {
    const range = await anchor(document.body, selectors);
    return range.toString();
  } catch (error) {
    return null;
  }
};
"""
# Articles: claims after emoji, with an emoji inside, and on text with none before them.
ARTICLES = (
    "🙂 Le ministre a déclaré : « Le chômage a baissé de 12 % en 2025. » Puis il est parti.",
    "Plain text first. The mayor said the tram cost 40 million euros 🚋 in 2024. Then 🎉 the "
    "council said the budget 👍 rose by 3 % last year.",
    "Rien avant. La région compte 5 000 emplois de plus qu'en 2020, selon le préfet.",
)
CLAIMS = (
    ("« Le chômage a baissé de 12 % en 2025. »",),
    ("the tram cost 40 million euros 🚋 in 2024", "the budget 👍 rose by 3 % last year"),
    ("La région compte 5 000 emplois de plus qu'en 2020",),
)


def scratch_tools(cache: Path) -> Path:
    """The bundled anchoring code (made once in `cache`)."""
    bundle = cache / "anchor.js"
    if bundle.exists():
        return bundle
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(cache),
            *PACKAGES,
        ],
        check=True,
        timeout=600,
    )
    source_map = cache / "node_modules/hypothesis/build/scripts/annotator.bundle.js.map"
    mapped = json.loads(source_map.read_text(encoding="utf-8"))
    sources = dict(zip(mapped["sources"], mapped["sourcesContent"], strict=True))
    for name, text in sources.items():  # the client's own sources; esbuild takes what it needs
        if name.startswith("app:///src/") and text is not None:
            target = cache / name.removeprefix("app:///")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for module in MODULES:
        if f"app:///src/annotator/anchoring/{module}.ts" not in sources:
            raise KeyError(f"the source map has no anchoring/{module}.ts")
    (cache / "entry.ts").write_text(ENTRY, encoding="utf-8")
    subprocess.run(
        [
            str(cache / "node_modules/.bin/esbuild"),
            str(cache / "entry.ts"),
            "--bundle",
            "--format=iife",
            f"--outfile={bundle}",
            "--log-level=warning",
        ],
        check=True,
        timeout=120,
        cwd=cache,
    )
    return bundle


def records() -> list[dict[str, Any]]:
    lines = []
    for index, (text, quotes) in enumerate(zip(ARTICLES, CLAIMS, strict=True)):
        claims = []
        for quote in quotes:
            start = text.index(quote)
            claims.append(
                {
                    "start": start,
                    "end": start + len(quote),
                    "exact": quote,
                    "creator": "bob",
                    "highlights": [
                        {"start": start, "end": start + len(quote), "creator": "bob"},
                        {"start": start + 1, "end": start + len(quote) - 1, "creator": "carol"},
                    ],
                    # Settled (exports carry verified claims): dave's adjudication.
                    "adjudications": [{"creator": "dave", "verdict": "false"}],
                }
            )
        lines.append({"url": f"https://news.example.org/{index}", "text": text, "claims": claims})
    return lines


def selectors(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    return list(annotation["target"]["selector"])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "wb-hypothesis")
    args = parser.parse_args()
    try:
        bundle = scratch_tools(args.cache)
    except (OSError, subprocess.SubprocessError, KeyError) as exc:
        print(f"bench: the scratch tools could not be had: {exc}", file=sys.stderr)
        return 2
    print(f"hypothesis {HYPOTHESIS_VERSION} anchoring bundled at {bundle}")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scratch_desk import export, import_records, open_desk

    workspace, scratch = open_desk()
    import_records(workspace, scratch, records())
    texts = {
        article.url: article.text
        for article in workspace.articles.all()  # the stored (normalised) texts
    }
    plain = export(workspace, scratch, "webannotation")
    utf16 = export(workspace, scratch, "webannotation", "--utf16")
    read = [
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in (plain, utf16)
    ]

    from playwright.sync_api import sync_playwright

    counts = {"annotations": 0, "all_selectors": 0, "utf16_position_alone": 0}
    counts["code_point_position_alone"] = 0
    counts["astral_before_or_inside"] = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><html><head></head><body></body></html>")
        page.add_script_tag(path=str(bundle))
        for default, refined in zip(*read, strict=True):
            text = texts[default["target"]["source"]]
            page.evaluate("text => { document.body.textContent = text; }", text)
            exact = next(s["exact"] for s in selectors(default) if s["type"] == "TextQuoteSelector")
            positions = [s for s in selectors(refined) if s["type"] == "TextPositionSelector"]
            code_points = next(s for s in selectors(default) if s["type"] == "TextPositionSelector")
            counts["annotations"] += 1
            counts["astral_before_or_inside"] += int(len(positions) > 1)
            tries = {
                "all_selectors": selectors(refined),
                "utf16_position_alone": [positions[-1]],
                "code_point_position_alone": [code_points],
            }
            for name, given in tries.items():
                found = page.evaluate("given => window.hypothesisAnchor(given)", given)
                counts[name] += int(found == exact)
        browser.close()
    for name, value in counts.items():
        print(f"{name:<28} {value}")
    print(json.dumps({"client": f"hypothesis {HYPOTHESIS_VERSION}", **counts}))
    whole = counts["annotations"]
    ok = counts["all_selectors"] == whole and counts["utf16_position_alone"] == whole
    return 0 if ok and whole > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
