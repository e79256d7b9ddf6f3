"""Accessibility checks in the browser tests: axe-core, as shipped by the axe-playwright-python
package (its axe.min.js is read from the installed package; nothing is fetched at run time).

`axe_problems(page, label)` runs every axe-core rule (none disabled) on the page as it is and
describes each serious or critical violation: rule, impact, the first few elements it found (CSS
selector and a short piece of their HTML) and what axe says to fix, so that a developer can act
on the message alone.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

BLOCKING = ("serious", "critical")
NODES_SHOWN = 3
SNIPPET_CHARS = 160


@cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def _run_once(page: Page) -> list[dict[str, Any]]:
    # Playwright evaluates through the DevTools protocol, so the page's Content-Security-Policy
    # does not apply to the injected script (and no violation report is raised by it).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const results = await window.axe.run(document, { resultTypes: ["violations"] });
          return results.violations;
        }"""
    )
    return violations


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (injected once per document)."""
    try:
        return _run_once(page)
    except PlaywrightError as error:
        # A navigation started by the step before (a form submitted, a redirect) replaced the
        # document under axe: check the page it arrived at.
        if "context was destroyed" not in str(error):
            raise
        page.wait_for_load_state()
        return _run_once(page)


def _snippet(html: str) -> str:
    flat = " ".join(html.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


def describe(violation: dict[str, Any], label: str) -> str:
    nodes = violation["nodes"]
    lines = [
        f"accessibility ({label}): {violation['id']} [{violation['impact']}] "
        f"{violation['help']} — {len(nodes)} element(s); {violation['helpUrl']}"
    ]
    for node in nodes[:NODES_SHOWN]:
        target = " >> ".join(str(part) for part in node["target"])
        lines.append(f"    at {target}: {_snippet(node.get('html', ''))}")
        summary = " ".join((node.get("failureSummary") or "").split())
        if summary:
            lines.append(f"      {summary[:300]}")
    if len(nodes) > NODES_SHOWN:
        lines.append(f"    … and {len(nodes) - NODES_SHOWN} more")
    return "\n".join(lines)


def axe_problems(page: Page, label: str) -> list[str]:
    """One message per serious or critical axe-core violation on the page."""
    return [describe(v, label) for v in run_axe(page) if v.get("impact") in BLOCKING]
