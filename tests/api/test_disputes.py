"""Disagreements between reviewers, consensus, adjudication and publication, through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Adjudication, Article, Claim, ClaimEvent, Disagreement, Workspace
from annotations.services.claims import claim_create
from tests.conftest import results

Api = Callable[[User | None], APIClient]


def assess(api: Api, user: User, claim: Claim, verdict: str, **extra: Any) -> dict[str, Any]:
    response = api(user).post(
        f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": verdict, **extra}
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def status_of(claim: Claim) -> str:
    return Claim.objects.values_list("status", flat=True).get(pk=claim.pk)


def history(api: Api, user: User, claim: Claim) -> list[dict[str, Any]]:
    response = api(user).get(f"/api/v1/claims/{claim.pk}/history/", {"page_size": 1000})
    assert response.status_code == 200, response.content
    return results(response)


def test_it_takes_two_disagreeing_verdicts_all_the_way_to_a_published_claim(
    claim: Claim, alice: User, bob: User, carol: User, dave: User, api: Api
) -> None:
    assess(api, bob, claim, "true", rationale="Insee confirms it.")
    api(bob).post(
        f"/api/v1/claims/{claim.pk}/sources/",
        {"url": "https://www.insee.fr/chomage-t3", "stance": "supports"},
    )
    assess(api, carol, claim, "false", rationale="Wrong quarter.")
    assert status_of(claim) == "disputed"
    opened = Disagreement.objects.get(claim=claim)
    assert opened.kind == "verdict" and opened.resolved_at is None
    assert [(a["reviewer"], a["verdict"]) for a in opened.details["assessments"]] == [
        ("bob", "true"),
        ("carol", "false"),
    ]

    context = api(dave).get(f"/api/v1/claims/{claim.pk}/adjudication/context/")
    assert context.status_code == 200, context.content
    side_by_side = {a["reviewer"]: a for a in context.json()["assessments"]}
    assert side_by_side["bob"]["rationale"] == "Insee confirms it."
    assert side_by_side["bob"]["sources"][0]["source"]["url"] == "https://www.insee.fr/chomage-t3"
    assert side_by_side["carol"]["verdict"] == "false" and side_by_side["carol"]["sources"] == []
    assert context.json()["disagreements"][0]["kind"] == "verdict"

    decided = api(dave).post(
        f"/api/v1/claims/{claim.pk}/adjudication/",
        {"verdict": "mostly-true", "note": "Seasonally adjusted series."},
    )
    assert decided.status_code == 201, decided.content
    assert status_of(claim) == "resolved"
    published = api(alice).post(f"/api/v1/claims/{claim.pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"

    kept = Disagreement.objects.get(pk=opened.pk)
    assert kept.resolved_at is not None and kept.resolved_by == dave
    assert kept.details["resolution"]["how"] == "adjudicated"
    events = history(api, alice, claim)
    statuses = [
        (e["before"]["status"], e["after"]["status"], e["after"]["reason"])
        for e in events
        if e["kind"] == "status_changed"
    ]
    assert statuses == [
        ("open", "assessed", "assessments"),
        ("assessed", "disputed", "verdict_disagreement"),
        ("disputed", "resolved", "adjudication"),
        ("resolved", "published", "published"),
    ]
    adjudicated = next(e for e in events if e["kind"] == "adjudicated")
    assert adjudicated["actor"] == "dave"
    assert adjudicated["after"]["note"] == "Seasonally adjusted series."
    assert {"disagreement_opened", "disagreement_resolved"} <= {e["kind"] for e in events}


def test_it_resolves_a_claim_by_consensus_without_an_adjudicator(
    claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    assess(api, bob, claim, "mostly-true")
    assert status_of(claim) == "assessed"  # one of the two reviewers the desk wants
    assess(api, carol, claim, "mostly-true")
    stored = Claim.objects.select_related("final_verdict").get(pk=claim.pk)
    assert stored.status == "resolved"
    assert stored.final_verdict is not None and stored.final_verdict.slug == "mostly-true"
    assert not Adjudication.objects.exists()
    last = history(api, alice, claim)[-1]
    assert last["kind"] == "status_changed"
    assert last["after"] == {
        "status": "resolved",
        "final_verdict": "mostly-true",
        "reason": "consensus",
    }
    assert api(alice).post(f"/api/v1/claims/{claim.pk}/publish/").status_code == 200


def test_it_leaves_agreeing_verdicts_to_an_adjudicator_when_consensus_does_not_resolve(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    api(alice).patch(f"/api/v1/workspaces/{workspace.pk}/", {"consensus_resolves": False})
    assess(api, bob, claim, "true")
    assess(api, carol, claim, "true")
    assert status_of(claim) == "assessed"
    waiting = results(api(alice).get("/api/v1/queues/disputed/"))
    assert [(c["id"], c["waiting_because"]) for c in waiting] == [(claim.pk, "no_consensus")]


def test_it_reopens_a_consensus_when_a_reviewer_changes_their_mind(
    claim: Claim, bob: User, carol: User, api: Api
) -> None:
    mine = assess(api, bob, claim, "true")
    assess(api, carol, claim, "true")
    assert status_of(claim) == "resolved"
    changed = api(bob).patch(
        f"/api/v1/assessments/{mine['id']}/", {"verdict": "false", "version": mine["version"]}
    )
    assert changed.status_code == 200
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.status == "disputed" and stored.final_verdict is None
    event = ClaimEvent.objects.filter(claim=claim, kind="assessment_updated").get()
    assert event.before is not None and event.after is not None
    assert (event.before["verdict"], event.after["verdict"]) == ("true", "false")


def test_it_resolves_a_disagreement_as_converged_when_the_reviewers_agree_again(
    claim: Claim, bob: User, carol: User, api: Api
) -> None:
    assess(api, bob, claim, "true")
    theirs = assess(api, carol, claim, "false")
    api(carol).patch(
        f"/api/v1/assessments/{theirs['id']}/", {"verdict": "true", "version": theirs["version"]}
    )
    disagreement = Disagreement.objects.get(claim=claim)
    assert disagreement.resolved_by == carol
    assert disagreement.details["resolution"] == {"how": "converged"}
    assert status_of(claim) == "resolved"


@pytest.mark.parametrize(
    ("distance", "first", "second", "expected"),
    [
        (None, "true", "mostly-true", "disputed"),  # no threshold: any difference
        (1, "true", "mostly-true", "assessed"),  # 5 and 4: within the threshold
        (1, "true", "half-true", "disputed"),  # 5 and 3: over it
        (1.5, "mostly-false", "half-true", "assessed"),
        (10, "true", "unverifiable", "disputed"),  # no value: never "close"
        (10, "unverifiable", "unverifiable", "resolved"),
    ],
)
def test_it_disputes_ordinal_verdicts_only_beyond_the_workspace_distance(
    distance: float | None,
    first: str,
    second: str,
    expected: str,
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
) -> None:
    patched = api(alice).patch(
        f"/api/v1/workspaces/{workspace.pk}/", {"dispute_distance": distance}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["dispute_distance"] == distance
    assess(api, bob, claim, first)
    assess(api, carol, claim, second)
    assert status_of(claim) == expected
    assert Disagreement.objects.filter(claim=claim).exists() == (expected == "disputed")


def test_it_refuses_a_negative_dispute_distance(
    workspace: Workspace, alice: User, api: Api
) -> None:
    response = api(alice).patch(f"/api/v1/workspaces/{workspace.pk}/", {"dispute_distance": -1})
    assert response.status_code == 400 and "dispute_distance" in response.json()


def _wider_highlight(api: Api, user: User, article: Article, claim: Claim) -> dict[str, Any]:
    # "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee": the same sentence
    # with its attribution, which overlaps bob's highlight enough to join his claim.
    assert claim.start is not None
    end = article.text.index(".\n") + 1
    response = api(user).post(
        "/api/v1/claims/", {"article": article.pk, "start": claim.start, "end": end}
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_it_tracks_a_span_disagreement_and_lets_the_adjudicator_set_the_canonical_span(
    article: Article, claim: Claim, bob: User, carol: User, dave: User, api: Api
) -> None:
    joined = _wider_highlight(api, carol, article, claim)
    assert joined["id"] == claim.pk and len(joined["highlights"]) == 2
    span = Disagreement.objects.get(claim=claim)
    assert span.kind == "span"
    assert sorted(s["reviewer"] for s in span.details["spans"]) == ["bob", "carol"]
    assert status_of(claim) == "open"  # tracked; the verdicts are not in yet

    assess(api, bob, claim, "true")
    assess(api, carol, claim, "true")
    # Same verdict, but not the same claim: consensus does not resolve it.
    assert status_of(claim) == "disputed"

    url = f"/api/v1/claims/{claim.pk}/adjudication/"
    without_span = api(dave).post(url, {"verdict": "true"})
    assert without_span.status_code == 400 and "start" in without_span.json()
    end = article.text.index(".\n") + 1
    decided = api(dave).post(
        url, {"verdict": "true", "start": claim.start, "end": end, "note": "With its source."}
    )
    assert decided.status_code == 201, decided.content
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.start, stored.end, stored.status) == (claim.start, end, "resolved")
    assert stored.exact == article.text[claim.start : end]
    span.refresh_from_db()
    assert span.resolved_by == dave
    moved = ClaimEvent.objects.get(claim=claim, kind="span_changed")
    assert moved.before is not None and moved.after is not None
    assert moved.before["end"] == claim.end and moved.after["end"] == end


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": 0, "end": 100_000}, "end"),
        ({"start": 5, "end": 3}, "end"),
        ({"start": 0}, "end"),
        ({"end": 10}, "start"),
        ({"start": 0, "end": 10, "exact": "not the text"}, "exact"),
        ({"start": "zero", "end": 10}, "start"),
    ],
)
def test_it_checks_the_canonical_span_against_the_text(
    body: dict[str, Any], field: str, claim: Claim, dave: User, api: Api
) -> None:
    response = api(dave).post(
        f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "true", **body}
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Adjudication.objects.exists()
    assert status_of(claim) == "open"


def test_it_keeps_an_adjudicated_claim_settled_when_a_late_verdict_arrives(
    claim: Claim, bob: User, carol: User, dave: User, api: Api
) -> None:
    assess(api, bob, claim, "true")
    api(dave).post(f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "true"})
    assess(api, carol, claim, "false")
    assert status_of(claim) == "resolved"
    assert ClaimEvent.objects.filter(claim=claim, kind="assessment_created").count() == 2


def test_it_shows_the_adjudication_context_to_adjudicators_only(
    claim: Claim, bob: User, mallory: User, api: Api
) -> None:
    url = f"/api/v1/claims/{claim.pk}/adjudication/context/"
    assert api(bob).get(url).status_code == 403
    assert api(mallory).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    assert (
        api(bob).post(f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "true"}).status_code
        == 403
    )


def test_it_applies_a_changed_rule_to_the_claims_waiting_at_once(
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(consensus_resolves=False)
    assess(api, bob, claim, "true")
    assess(api, carol, claim, "true")
    assert status_of(claim) == "assessed"
    with django_capture_on_commit_callbacks(execute=True):
        api(alice).patch(f"/api/v1/workspaces/{workspace.pk}/", {"consensus_resolves": True})
    assert status_of(claim) == "resolved"
    with django_capture_on_commit_callbacks(execute=True):
        api(alice).patch(f"/api/v1/workspaces/{workspace.pk}/", {"reviewers_per_claim": 3})
    assert status_of(claim) == "assessed"  # a third reviewer is now wanted


def test_it_leaves_a_claim_an_adjudicator_assessed_to_another_unless_the_desk_allows_it(
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    api(dave).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"})
    api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    url = f"/api/v1/claims/{claim.pk}/adjudication/"

    refused = api(dave).post(url, {"verdict": "false"})
    queue = api(dave).get("/api/v1/queues/disputed/").json()["results"]
    assert refused.status_code == 403 and "another adjudicator" in refused.json()["detail"]
    assert queue == []
    assert [c["id"] for c in api(alice).get("/api/v1/queues/disputed/").json()["results"]] == [
        claim.pk
    ]

    api(alice).patch(f"/api/v1/workspaces/{workspace.pk}/", {"allow_self_adjudication": True})
    assert api(dave).post(url, {"verdict": "false"}).status_code == 201


def test_it_records_whose_extent_the_adjudicator_chose(
    article: Article,
    claim: Claim,
    bob: User,
    carol: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    start, end = claim.start or 0, (claim.end or 0) - 6
    claim_create(user=carol, article=article, start=start, end=end)
    url = f"/api/v1/claims/{claim.pk}/adjudication/"
    wrong = api(dave).post(
        url, {"verdict": "false", "start": start, "end": end, "span_from": "bob"}
    )
    chosen = api(dave).post(
        url, {"verdict": "false", "start": start, "end": end, "span_from": "carol"}
    )

    assert wrong.status_code == 400 and "span_from" in wrong.json()
    assert chosen.status_code == 201
    history = api(dave).get(f"/api/v1/claims/{claim.pk}/history/").json()["results"]
    adjudicated = next(e for e in history if e["kind"] == "adjudicated")
    assert adjudicated["after"]["span"] == {"start": start, "end": end, "from": "carol"}
    assert "carol's extent" in adjudicated["summary"]
