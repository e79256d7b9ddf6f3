"""Optimistic concurrency: a write carries the version it was based on.

The one rule, for claims, assessments and articles alike: a write names the version it edited;
the row at another version refuses it with StaleVersion (412, with the current version), so a
colleague's change made meanwhile is never silently replaced. The API reads that version from the
body's `version` or an If-Match header, and answers 428 when neither is sent
(api.views._expected_version).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils import timezone

from annotations.errors import StaleVersion


def update_if_current(
    model: type[Model], *, pk: int, version: int, fields: dict[str, Any], stale_message: str
) -> None:
    """Apply `fields` and bump the version, only if the row is still at `version`.

    The compare-and-set is the UPDATE itself, so two concurrent saves cannot both win; the loser
    gets StaleVersion with the current version. `stale_message` takes %(v)d, that version.
    The model's auto_now fields (updated_at) are set too: .update() does not apply them.
    """
    now = timezone.now()
    touched = {
        field.name: now
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in fields
    }
    updated = model._default_manager.filter(pk=pk, version=version).update(
        **fields, **touched, version=F("version") + 1
    )
    if not updated:
        current = model._default_manager.values_list("version", flat=True).get(pk=pk)
        require_version(current=current, expected=version, stale_message=stale_message)


def require_version(*, current: int, expected: int, stale_message: str) -> None:
    """Refuse a write based on `expected` when the row (read under its lock) is at `current`.

    For writes that must hold the row locked for more than one UPDATE (an article's text
    correction re-anchors its claims): they check the role, lock, call this, then bump the
    version themselves.
    """
    if current != expected:
        raise StaleVersion(stale_message % {"v": current}, current_version=current)
