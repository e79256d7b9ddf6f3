"""Blind review has one home: annotations.policy. This test fails when code elsewhere reads the
setting, which is how the rule came to leak in six places before."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "annotations"
SETTINGS = re.compile(r"\b(blind_review|independent_highlighting)\b")
# Modules that store, edit or display the settings themselves, not decide what a reader sees.
SETTINGS_PLUMBING = {
    "policy.py",  # the rule
    "models.py",  # the columns
    "services/workspaces.py",  # the editor changes them
    "api/serializers.py",  # the workspace's settings in and out
    "api/views.py",  # the workspace list filtered by the setting's value
    "admin.py",  # the workspace admin's columns
    "web/desk.py",  # the settings page's form
}


def test_it_reads_the_blind_review_settings_only_in_the_policy() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("migrations/") or relative in SETTINGS_PLUMBING:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SETTINGS.search(line):
                offenders.append(f"annotations/{relative}:{number}: {line.strip()}")
    assert not offenders, (
        "Only annotations.policy decides what blind review hides; ask it instead of reading "
        "the setting:\n" + "\n".join(offenders)
    )
