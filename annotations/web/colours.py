"""The workbench's one colour language for claims, shared by the pages (this module) and the
article page's script (render.js `claimColour`, which follows the same rule).

A claim is coloured by where it stands in review until it has a final verdict, then by that
verdict on the workspace's scale:

- `st-open`: waiting for verdicts (also what a blind reviewer sees before giving theirs);
- `st-assessed`: verdicts are coming in;
- `st-disputed`: the reviewers disagree;
- `v-0` … `v-4`: resolved or published, from the false end of the scale to the true end;
  `v-none`: a verdict without a value (Unverifiable). Published claims add `published`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from annotations.models import VerdictLabel

STATUS_LABELS = {
    "open": _("Open"),
    "awaiting_verdict": _("Awaiting your verdict"),
    "assessed": _("Assessed"),
    "disputed": _("Disputed"),
    "resolved": _("Resolved"),
    "published": _("Published"),
}


def verdict_colour(slug: str | None, scale: Sequence[VerdictLabel]) -> str:
    verdict = next((label for label in scale if label.slug == slug), None)
    values = [label.value for label in scale if label.value is not None]
    if verdict is None or verdict.value is None or len(values) < 2:
        return "v-none"
    low, high = min(values), max(values)
    bucket = round((verdict.value - low) / ((high - low) or 1) * 4)
    return f"v-{max(0, min(4, bucket))}"


def claim_colour(status: str, final_verdict: str | None, scale: Sequence[VerdictLabel]) -> str:
    """The colour classes of a claim as the reader sees it (its shown status and verdict)."""
    if status in ("resolved", "published") and final_verdict:
        colour = verdict_colour(final_verdict, scale)
        return f"{colour} published" if status == "published" else colour
    if status == "awaiting_verdict":
        return "st-open"
    return f"st-{status}"
