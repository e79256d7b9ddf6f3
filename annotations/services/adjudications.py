"""Final verdicts set by adjudicators. Every decision is a new row: the history stays."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from annotations.access import require_role
from annotations.models import Adjudication, Claim, Role
from annotations.services.assessments import verdict_by_slug


@transaction.atomic
def adjudication_create(*, user: User, claim: Claim, verdict: str, note: str = "") -> Adjudication:
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.ADJUDICATOR)
    label = verdict_by_slug(workspace_id=claim.workspace_id, slug=verdict)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    adjudication = Adjudication.objects.create(
        claim=claim, adjudicator=user, verdict=label, note=note
    )
    claim.final_verdict = label
    if claim.status != Claim.Status.PUBLISHED:
        claim.status = Claim.Status.RESOLVED
    claim.version = F("version") + 1
    claim.save(update_fields=["final_verdict", "status", "version", "updated_at"])
    return adjudication
