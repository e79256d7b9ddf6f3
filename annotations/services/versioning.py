"""Optimistic concurrency: a write carries the version it was based on."""

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
        raise StaleVersion(stale_message % {"v": current}, current_version=current)
