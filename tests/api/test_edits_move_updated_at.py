"""An edit of what a claim says (claimant, wording) or of an assessment moves its updated_at, though
the versioned write is one UPDATE (services.versioning.update_if_current), which does not apply
auto_now fields by itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from annotations.models import Assessment, Claim
from annotations.services.assessments import assessment_create

Api = Callable[[User | None], APIClient]


def _moment(text: str) -> datetime:
    moment = parse_datetime(text)
    assert moment is not None
    return moment


@pytest.mark.parametrize(
    "change", [{"claimant": "La ministre du Travail"}, {"normalised_text": "Le chômage a reculé."}]
)
def test_a_claim_edit_moves_updated_at(
    change: dict[str, str], claim: Claim, bob: User, api: Api
) -> None:
    long_ago = timezone.now() - timedelta(days=30)
    Claim.objects.filter(pk=claim.pk).update(updated_at=long_ago)
    before = timezone.now()

    response = api(bob).patch(
        f"/api/v1/claims/{claim.pk}/", {**change, "version": claim.version}, format="json"
    )

    assert response.status_code == 200, response.content
    shown = _moment(response.json()["updated_at"])
    assert shown >= before
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.updated_at == shown and stored.version == claim.version + 1
    listed = api(bob).get("/api/v1/claims/", {"ordering": "-updated_at"}).json()["results"]
    assert listed[0]["id"] == claim.pk


def test_a_stale_edit_leaves_updated_at_alone(claim: Claim, bob: User, api: Api) -> None:
    long_ago = timezone.now() - timedelta(days=30)
    Claim.objects.filter(pk=claim.pk).update(updated_at=long_ago)

    response = api(bob).patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant": "X", "version": claim.version + 5}
    )

    assert response.status_code == 412
    assert Claim.objects.get(pk=claim.pk).updated_at == long_ago


def test_an_assessment_edit_moves_updated_at(claim: Claim, carol: User, api: Api) -> None:
    assessment = assessment_create(user=carol, claim=claim, verdict="true")
    long_ago = timezone.now() - timedelta(days=30)
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=long_ago)
    before = timezone.now()

    response = api(carol).patch(
        f"/api/v1/assessments/{assessment.pk}/",
        {"rationale": "Selon l'Insee.", "version": assessment.version},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert _moment(response.json()["updated_at"]) >= before
