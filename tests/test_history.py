"""A claim's history: who changed what, when, from what to what; shown on the claim."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, Claim, ClaimEvent, Workspace
from annotations.services.assessments import assessment_create, assessment_update
from annotations.services.assignments import article_submit
from annotations.services.claims import claim_create, claim_update
from annotations.services.history import record_event
from tests.conftest import results

Api = Callable[[User | None], APIClient]


def test_it_records_an_event_with_who_before_and_after(claim: Claim, bob: User) -> None:
    event = record_event(
        claim=claim, actor=bob, kind="edited", before={"claimant": ""}, after={"claimant": "X"}
    )
    stored = ClaimEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.kind, stored.before, stored.after) == (
        bob,
        "edited",
        {"claimant": ""},
        {"claimant": "X"},
    )
    assert stored.created_at is not None


def test_it_records_every_change_of_a_verdict_with_its_rationale(claim: Claim, bob: User) -> None:
    created = assessment_create(user=bob, claim=claim, verdict="true", rationale="Insee.")
    assessment_update(
        user=bob, assessment=created, version=created.version, verdict="half-true", confidence=0.6
    )
    kinds = list(
        ClaimEvent.objects.filter(claim=claim, kind__startswith="assessment").values_list(
            "kind", "before__verdict", "after__verdict", "after__confidence"
        )
    )
    assert kinds == [
        ("assessment_created", None, "true", None),
        ("assessment_updated", "true", "half-true", 0.6),
    ]


def test_it_records_a_wording_edit_but_not_an_edit_that_changes_nothing(
    claim: Claim, erin: User
) -> None:
    edited = claim_update(user=erin, claim=claim, version=claim.version, claimant="L'Insee")
    claim_update(user=erin, claim=edited, version=edited.version, claimant="L'Insee")
    event = ClaimEvent.objects.get(claim=claim, kind="edited")
    assert (event.actor, event.before, event.after) == (
        erin,
        {"claimant": ""},
        {"claimant": "L'Insee"},
    )


def test_it_serves_the_history_oldest_first_to_members_only(
    claim: Claim, bob: User, carol: User, erin: User, mallory: User, api: Api
) -> None:
    api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    api(carol).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"})
    url = f"/api/v1/claims/{claim.pk}/history/"
    events = results(api(erin).get(url))
    assert [e["kind"] for e in events][:3] == [
        "assessment_created",
        "status_changed",
        "assessment_created",
    ]
    assert events[0]["actor"] == "bob" and events[0]["after"]["verdict"] == "true"
    assert api(mallory).get(url).status_code == 404
    assert api(mallory).get("/api/v1/claims/999999/history/").status_code == 404


def test_it_hides_others_verdicts_in_the_history_of_a_blind_workspace_until_mine_is_in(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    bob: User,
    carol: User,
    dave: User,
    api: Api,
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(blind_review=True)
    assert claim.start is not None
    claim_create(user=carol, article=article, start=claim.start, end=(claim.end or 0) + 10)
    assessment_create(user=bob, claim=claim, verdict="false")
    url = f"/api/v1/claims/{claim.pk}/history/"

    def kinds(user: User) -> list[str]:
        return [e["kind"] for e in results(api(user).get(url))]

    assert "assessment_created" not in kinds(carol)
    assert "highlight_added" in kinds(carol)  # her own
    assert "assessment_created" in kinds(dave)
    article_submit(user=bob, article=article)
    assessment_create(user=carol, claim=claim, verdict="false")
    assert kinds(carol).count("assessment_created") == 2
