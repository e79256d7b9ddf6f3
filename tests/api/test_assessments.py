from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Assessment, Claim, Workspace
from tests.conftest import results


def test_it_records_a_verdict_on_the_workspace_scale(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(bob).post(
        f"/api/v1/claims/{claim.pk}/assessments/",
        {"verdict": "mostly-true", "rationale": "Insee, série CVS.", "confidence": 0.8},
    )
    assert response.status_code == 201, response.content
    assert response.json()["verdict"] == "mostly-true"
    assert response.json()["verdict_name"] == "Mostly true"
    assert Claim.objects.get(pk=claim.pk).status == "assessed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "pants-on-fire"}, "verdict"),
        ({}, "verdict"),
        ({"verdict": "true", "confidence": 1.5}, "confidence"),
        ({"verdict": "true", "confidence": "very"}, "confidence"),
    ],
)
def test_it_names_what_is_wrong_with_an_assessment(
    body: dict[str, object],
    field: str,
    claim: Claim,
    bob: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Assessment.objects.exists()


def test_it_lists_the_scale_when_the_verdict_is_unknown(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(bob).post(
        f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "pants-on-fire"}
    )
    assert "mostly-false" in response.json()["verdict"][0]


def test_it_refuses_a_second_assessment_and_points_at_the_first(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    first = api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    second = api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"})
    assert second.status_code == 409
    assert second.json()["existing"]["id"] == first.json()["id"]
    assert Assessment.objects.get().verdict.slug == "true"


def test_it_marks_a_claim_disputed_when_reviewers_differ(
    claim: Claim, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    api(carol).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"})
    assert Claim.objects.get(pk=claim.pk).status == "disputed"


def test_it_lets_a_reviewer_change_their_verdict_with_the_version(
    claim: Claim, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    created = api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"}).json()
    api(carol).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"})
    changed = api(bob).patch(
        f"/api/v1/assessments/{created['id']}/", {"verdict": "false", "version": created["version"]}
    )
    assert changed.status_code == 200
    # Both reviewers now agree and the desk needs two: consensus resolves the claim.
    assert Claim.objects.get(pk=claim.pk).status == "resolved"
    stale = api(bob).patch(
        f"/api/v1/assessments/{created['id']}/", {"verdict": "true", "version": created["version"]}
    )
    assert stale.status_code == 412


def test_it_does_not_let_a_reviewer_change_anothers_assessment(
    claim: Claim, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    created = api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"}).json()
    response = api(carol).patch(
        f"/api/v1/assessments/{created['id']}/", {"verdict": "false", "version": created["version"]}
    )
    assert response.status_code == 400 and "reviewer" in response.json()


def test_it_hides_other_verdicts_in_blind_mode_until_one_has_assessed(
    workspace: Workspace,
    claim: Claim,
    bob: User,
    carol: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    workspace.blind_review = True
    workspace.save()
    api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    # carol highlights the same sentence: the claim is hers too, bob's verdict still hidden.
    api(carol).post(
        "/api/v1/claims/", {"article": claim.article_id, "start": claim.start, "end": claim.end}
    )
    url = f"/api/v1/claims/{claim.pk}/assessments/"
    assert results(api(carol).get(url)) == []
    assert [a["reviewer"] for a in results(api(dave).get(url))] == ["bob"]
    api(carol).post(url, {"verdict": "false"})
    assert sorted(a["reviewer"] for a in results(api(carol).get(url))) == ["bob", "carol"]
