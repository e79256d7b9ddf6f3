"""Independent highlighting (blind review's stricter setting, for span-agreement studies): a
reviewer never sees, nor joins, a claim only other reviewers highlighted until they submit the
article; their decisions on candidates are theirs alone; once everyone who highlighted the same
passage has submitted, their separate claims merge into one (annotations.services.merging)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, ClaimEvent, Workspace
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.assignments import article_submit
from annotations.services.candidates import candidate_accept, candidate_dismiss
from annotations.services.claims import claim_create
from annotations.services.workspaces import workspace_update
from tests.conftest import FRENCH_TEXT, results

Api = Callable[[User | None], APIClient]
MINISTER = "« Nous avons créé plus de 40 000 emplois »"
DEPARTMENTS = "Une trentaine de départements"
WIDER = "Une trentaine de départements restent"


def _independent(workspace: Workspace, alice: User) -> None:
    workspace_update(
        user=alice, workspace=workspace, blind_review=True, independent_highlighting=True
    )


def _highlight(article: Article, user: User, quote: str) -> Claim:
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim


def _seen(client: APIClient, article: Article) -> dict[str, dict[str, Any]]:
    return {c["exact"]: c for c in client.get(f"/api/v1/articles/{article.pk}/").json()["claims"]}


def test_it_keeps_each_reviewers_claims_apart_until_they_have_all_submitted(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
    api: Api,
) -> None:
    _independent(workspace, alice)
    _highlight(article, bob, MINISTER)  # only bob's
    bobs = _highlight(article, bob, DEPARTMENTS)
    start = article.text.index(WIDER)
    made = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(WIDER)}
    )
    _highlight(article, erin, "Le chômage a reculé")  # an annotator's: shown to everyone

    # Her highlight of the passage bob marked made a claim of her own: nothing told her of his.
    assert made.status_code == 201
    assert made.json()["id"] != bobs.pk
    assert [h["username"] for h in made.json()["highlights"]] == ["carol"]
    assert set(_seen(api(carol), article)) == {WIDER, "Le chômage a reculé"}
    assert api(carol).get(f"/api/v1/claims/{bobs.pk}/").status_code == 404
    assert api(carol).get(f"/api/v1/articles/{article.pk}/").json()["claims_hidden_until_submitted"]
    assessment_create(user=carol, claim=Claim.objects.get(pk=made.json()["id"]), verdict="true")
    assessment_create(user=bob, claim=bobs, verdict="false")

    # She submits: bob's claims appear, still apart (he has not submitted), his work still blind.
    article_submit(user=carol, article=article)
    seen = _seen(api(carol), article)
    assert set(seen) == {MINISTER, DEPARTMENTS, WIDER, "Le chômage a reculé"}
    assert seen[DEPARTMENTS]["status"] == "awaiting_verdict"
    assert Claim.objects.filter(article=article).count() == 4

    # He submits: the two claims of the passage become one, with both verdicts, now disputed.
    article_submit(user=bob, article=article)
    merged = Claim.objects.get(pk=bobs.pk)
    assert Claim.objects.filter(article=article).count() == 3
    assert sorted(merged.highlights.values_list("user__username", flat=True)) == ["bob", "carol"]
    assert sorted(merged.assessments.values_list("reviewer__username", flat=True)) == [
        "bob",
        "carol",
    ]
    assert merged.status == "disputed"
    assert Claim.all_objects.get(pk=made.json()["id"]).withdrawn_at is not None
    assert ClaimEvent.objects.filter(claim=merged, kind="merged").exists()
    seen = _seen(api(carol), article)
    assert seen[DEPARTMENTS]["status"] == "disputed"  # she gave her verdict on it: unlocked
    assert sorted(h["username"] for h in seen[DEPARTMENTS]["highlights"]) == ["bob", "carol"]


def test_it_keeps_a_reviewers_candidate_decisions_to_herself(
    workspace: Workspace,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
    api: Api,
) -> None:
    # A low threshold: every sentence of the text a candidate (the default model leaves out
    # the opposition's opinion).
    workspace_update(user=alice, workspace=workspace, blind_review=True, candidate_threshold=0.05)
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(user=erin, workspace=workspace, text=FRENCH_TEXT, language="fr")
    first, second, third, fourth = CandidateClaim.objects.filter(article=article).order_by("start")[
        :4
    ]
    # Decisions bob made before the setting was turned on are his, hidden from carol now.
    candidate_accept(user=bob, candidate=first)
    candidate_dismiss(user=bob, candidate=second)
    _independent(workspace, alice)
    client = api(carol)

    listed = {
        c["id"]: (c["status"], c["decided_by"], c["decided_at"], c["claim"])
        for c in results(client.get(f"/api/v1/articles/{article.pk}/candidates/"))
    }
    assert listed[first.pk] == listed[second.pk] == ("pending", None, None, None)
    assert client.post(f"/api/v1/candidates/{second.pk}/reopen/").status_code == 409

    # Her acceptance makes her own claim and leaves the candidate as the others see it.
    accepted = client.post(f"/api/v1/candidates/{first.pk}/accept/")
    fresh = client.post(f"/api/v1/candidates/{third.pk}/accept/")
    assert accepted.status_code == fresh.status_code == 201
    assert accepted.json()["id"] != first.claim_id
    third.refresh_from_db()
    assert third.status == "pending"
    # Her dismissal too: the answer is the same whatever bob did.
    for candidate in (second, fourth):
        dismissed = client.post(f"/api/v1/candidates/{candidate.pk}/dismiss/")
        assert dismissed.status_code == 200 and dismissed.json()["status"] == "pending"
    bulk = client.post(
        f"/api/v1/articles/{article.pk}/candidates/accept-all/", {"ids": [second.pk, fourth.pk]}
    )
    assert (bulk.json()["count"], bulk.json()["claims_created"]) == (2, 2)
    assert CandidateClaim.objects.get(pk=fourth.pk).status == "pending"


def test_it_never_lets_a_hidden_claim_decide_an_answer(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    _independent(workspace, alice)
    start = article.text.index(DEPARTMENTS)
    mine = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(WIDER)}
    )
    _highlight(article, bob, DEPARTMENTS)  # overlaps hers: hidden from her, and she from him
    again = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(DEPARTMENTS)}
    )
    # She has highlighted this claim already: the 409 says so, whatever bob did beside it.
    assert mine.status_code == 201 and again.status_code == 409
    withdrawn = api(carol).delete(f"/api/v1/claims/{mine.json()['id']}/highlights/mine/")
    assert withdrawn.status_code == 200
