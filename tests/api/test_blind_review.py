"""Blind review through the API, rule by rule (annotations.policy): a reviewer sees every claim
and none of the others' work on it until their own verdict; an annotator sees statuses but not
verdicts until publication; adjudicators and editors see everything; independent highlighting
also hides claims only other reviewers highlighted until the article is submitted.

tests/test_blind_review_routes.py checks every read route and page at once; these tests say, one
rule at a time, what a reviewer sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, Role, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create, assessment_update
from annotations.services.candidates import candidate_accept
from annotations.services.claims import claim_create
from annotations.services.publishing import claim_publish, claim_review_set
from annotations.services.sources import claim_source_link
from annotations.services.workspaces import member_change_role, member_remove, workspace_update
from tests.conftest import FRENCH_TEXT, article_claims, results

Api = Callable[[User | None], APIClient]
MINISTER = "« Nous avons créé plus de 40 000 emplois »"
DEPARTMENTS = "Une trentaine de départements"
WIDER = "Une trentaine de départements restent"


def _highlight(article: Article, user: User, quote: str) -> int:
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim.pk


def _blind(workspace: Workspace, alice: User, **settings: Any) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True, **settings)


def _claims(client: APIClient, article: Article) -> dict[str, dict[str, Any]]:
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    return {c["exact"]: c for c in article_claims(body)}


def _names(claim: dict[str, Any]) -> list[str]:
    return sorted(h["username"] for h in claim["highlights"])


def test_it_shows_a_reviewer_every_claim_but_none_of_the_others_work_until_their_verdict(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    prepared = _highlight(article, erin, MINISTER)  # an annotator's preparation
    theirs = _highlight(article, bob, DEPARTMENTS)  # another reviewer's own claim
    start = article.text.index(WIDER)
    claim_create(user=carol, article=article, start=start, end=start + len(WIDER))  # joins it
    assessment_create(user=bob, claim=Claim.objects.get(pk=prepared), verdict="false")

    seen = _claims(api(carol), article)

    # Both claims are there, with their canonical spans; neither says what anyone else did.
    assert set(seen) == {MINISTER, DEPARTMENTS}
    for claim in seen.values():
        assert claim["status"] == "awaiting_verdict"
        assert claim["final_verdict"] is None
        assert claim["assessment_count"] is None
    assert _names(seen[MINISTER]) == ["erin"]  # preparation is visible, with its author
    assert _names(seen[DEPARTMENTS]) == ["carol"]  # bob's extent and name are not
    assert seen[DEPARTMENTS]["created_by"] is None
    assert results(api(carol).get(f"/api/v1/claims/{prepared}/assessments/")) == []

    # Her own verdict unlocks that claim for her, and only that one.
    api(carol).post(f"/api/v1/claims/{prepared}/assessments/", {"verdict": "true"})
    seen = _claims(api(carol), article)
    assert seen[MINISTER]["status"] == "disputed"
    assert seen[MINISTER]["assessment_count"] == 2
    verdicts = results(api(carol).get(f"/api/v1/claims/{prepared}/assessments/"))
    assert sorted(a["reviewer"] for a in verdicts) == ["bob", "carol"]
    assert seen[DEPARTMENTS]["status"] == "awaiting_verdict"
    assert theirs == seen[DEPARTMENTS]["id"]


def test_it_answers_a_new_highlight_the_same_whether_or_not_a_colleague_was_there_first(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice)
    _highlight(article, bob, MINISTER)
    start = article.text.index(MINISTER)
    joined = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(MINISTER)}
    )
    start = article.text.index(DEPARTMENTS)
    fresh = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(DEPARTMENTS)}
    )

    assert joined.status_code == fresh.status_code == 201
    assert _names(joined.json()) == ["carol"]
    assert joined.json()["status"] == fresh.json()["status"] == "awaiting_verdict"

    # Where the others' work is visible, joining says so (200).
    workspace_update(user=alice, workspace=workspace, blind_review=False)
    start = article.text.index(DEPARTMENTS)
    again = api(bob).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(DEPARTMENTS)}
    )
    assert again.status_code == 200


def test_it_moves_no_version_date_or_etag_of_a_claim_when_a_colleague_assesses_it(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    url = f"/api/v1/claims/{claim.pk}/"
    before = api(carol).get(url)
    assessment_create(user=bob, claim=claim, verdict="false")
    claim_create(user=dave, article=article, start=claim.start or 0, end=(claim.end or 0) + 2)
    adjudication_create(
        user=dave,
        claim=claim,
        verdict="mostly-false",
        note="Insee",
        start=claim.start,
        end=claim.end,
    )
    after = api(carol).get(url)

    assert after.json() == before.json()
    assert after.headers["ETag"] == before.headers["ETag"]
    # The version still guards her edits of what the claim says.
    edit = api(carol).patch(url, {"claimant": "Insee", "version": before.json()["version"]})
    assert edit.status_code == 200


def test_it_filters_claims_by_what_the_reader_is_shown(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    assessment_create(user=bob, claim=claim, verdict="false")
    adjudication_create(user=dave, claim=claim, verdict="false")

    def listed(user: User, **params: str) -> list[int]:
        body = api(user).get("/api/v1/claims/", {"article": str(article.pk), **params})
        return [c["id"] for c in results(body)]

    for status in ("resolved", "assessed", "open", "disputed"):
        assert listed(carol, status=status) == []
    assert listed(carol, verdict="false") == []
    assert listed(carol, status="awaiting_verdict") == [claim.pk]
    assert listed(dave, status="resolved") == listed(dave, verdict="false") == [claim.pk]
    assessment_create(user=carol, claim=claim, verdict="true")
    assert listed(carol, status="resolved") == [claim.pk]


def test_it_keeps_a_colleagues_title_and_stance_out_of_a_shared_source(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice)
    url = "https://www.insee.fr/fr/statistiques/chomage"
    claim_source_link(user=carol, claim=claim, url=url, stance="context")
    claim_source_link(
        user=bob, claim=claim, url=url, stance="refutes", title="Chômage au T3 (Insee)"
    )

    [mine] = results(api(carol).get(f"/api/v1/claims/{claim.pk}/sources/"))
    assert (mine["added_by"], mine["stance"], mine["source"]["title"]) == ("carol", "context", "")
    assessment_create(user=carol, claim=claim, verdict="true")
    links = results(api(carol).get(f"/api/v1/claims/{claim.pk}/sources/"))
    assert {(s["added_by"], s["stance"], s["source"]["title"]) for s in links} == {
        ("carol", "context", ""),
        ("bob", "refutes", "Chômage au T3 (Insee)"),
    }


def test_it_tells_a_blind_reviewer_nothing_of_the_others_in_the_history_and_the_adjudication(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    # The editor reviews too: her change of the claimant shows in the claim itself, but the event,
    # with her name, is hidden with the rest of the others' work.
    api(alice).patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant": "l'Insee", "version": claim.version}
    )
    assessment_create(user=bob, claim=claim, verdict="false")
    assessment_create(user=dave, claim=claim, verdict="true")
    adjudication_create(user=alice, claim=claim, verdict="false", note="Insee T3")

    client = api(carol)
    kinds = [e["kind"] for e in results(client.get(f"/api/v1/claims/{claim.pk}/history/"))]
    adjudication = client.get(f"/api/v1/claims/{claim.pk}/adjudication/").json()

    assert kinds == []
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["claimant"] == "l'Insee"
    assert adjudication == {"current": None, "history": []}
    client.post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "half-true"})
    events = results(client.get(f"/api/v1/claims/{claim.pk}/history/"))
    assert {"assessment_created", "adjudicated", "edited"} <= {e["kind"] for e in events}
    assert all(e["summary"] for e in events)
    assert client.get(f"/api/v1/claims/{claim.pk}/adjudication/").json()["current"]["note"] == (
        "Insee T3"
    )


def test_it_hides_who_decided_a_candidate_from_a_blind_reviewer(
    workspace: Workspace,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(user=erin, workspace=workspace, text=FRENCH_TEXT, language="fr")
    by_bob, by_erin = CandidateClaim.objects.filter(article=article).order_by("start")[:2]
    candidate_accept(user=bob, candidate=by_bob)
    candidate_accept(user=erin, candidate=by_erin)

    listed = {
        c["id"]: c["decided_by"]
        for c in results(api(carol).get(f"/api/v1/articles/{article.pk}/candidates/"))
    }
    assert (listed[by_bob.pk], listed[by_erin.pk]) == (None, "erin")
    assert api(alice).get(f"/api/v1/candidates/{by_bob.pk}/").json()["decided_by"] == "bob"


def test_it_counts_an_articles_progress_as_the_reader_may_see_it(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    other = Claim.objects.get(pk=_highlight(article, bob, DEPARTMENTS))
    assessment_create(user=bob, claim=claim, verdict="false")
    assessment_create(user=carol, claim=claim, verdict="true")  # disputed, and hers
    assessment_create(user=bob, claim=other, verdict="false")

    def counts(user: User) -> tuple[int, int, int]:
        [row] = results(api(user).get("/api/v1/articles/", {"workspace": workspace.pk}))
        return row["claim_count"], row["assessed_count"], row["disputed_count"]

    assert counts(carol) == (2, 1, 1)  # bob's verdict on the other claim is not hers to count
    assert counts(alice) == (2, 2, 1)


def test_it_shows_an_annotator_statuses_and_the_verdicts_only_once_published(
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    api: Api,
) -> None:
    _blind(workspace, alice)
    assessment_create(user=bob, claim=claim, verdict="false")
    assessment_create(user=carol, claim=claim, verdict="true")
    adjudication_create(user=dave, claim=claim, verdict="false", note="Insee")
    client = api(erin)

    read = client.get(f"/api/v1/claims/{claim.pk}/").json()
    assert (read["status"], read["final_verdict"], read["assessment_count"]) == (
        "resolved",
        None,
        2,
    )
    assert results(client.get(f"/api/v1/claims/{claim.pk}/assessments/")) == []
    history = results(client.get(f"/api/v1/claims/{claim.pk}/history/"))
    assert "status_changed" in {e["kind"] for e in history}
    assert all(e["after"].get("final_verdict") is None for e in history if e["after"])

    claim_publish(user=alice, claim=claim)
    read = client.get(f"/api/v1/claims/{claim.pk}/").json()
    assert (read["status"], read["final_verdict"]) == ("published", "false")
    assert len(results(client.get(f"/api/v1/claims/{claim.pk}/assessments/"))) == 2


def test_it_shows_adjudicators_and_editors_everything_and_open_workspaces_to_all(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Api,
) -> None:
    _highlight(article, bob, DEPARTMENTS)
    assert _names(_claims(api(carol), article)[DEPARTMENTS]) == ["bob"]
    _blind(workspace, alice)
    for user in (alice, dave):
        assert _names(_claims(api(user), article)[DEPARTMENTS]) == ["bob"]
    assert _names(_claims(api(carol), article)[DEPARTMENTS]) == []


def test_it_measures_agreement_on_the_first_blind_verdicts_and_keeps_revisions_in_the_history(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice)
    first = assessment_create(user=bob, claim=claim, verdict="false")
    assessment_create(user=carol, claim=claim, verdict="true")
    # Having seen carol's verdict, bob comes round to it.
    assessment_update(user=bob, assessment=first, version=first.version, verdict="true")

    figures = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/agreement/").json()
    assert figures["percent_agreement"] == 0.0
    kinds = [e["kind"] for e in results(api(alice).get(f"/api/v1/claims/{claim.pk}/history/"))]
    assert kinds.count("assessment_updated") == 1
    assert api(carol).get(f"/api/v1/workspaces/{workspace.pk}/agreement/").status_code == 403


def test_it_reads_a_blind_article_in_a_fixed_number_of_queries(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice, independent_highlighting=True)
    client = api(carol)
    counts = []
    for quote in (MINISTER, DEPARTMENTS, "Le chômage a reculé"):
        _highlight(article, bob, quote)
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/api/v1/articles/{article.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] <= 9


def test_it_submits_once_and_only_for_members(
    article: Article, bob: User, mallory: User, api: Api
) -> None:
    url = f"/api/v1/articles/{article.pk}/submit/"
    first = api(bob).post(url)
    again = api(bob).post(url)

    assert first.status_code == again.status_code == 200
    assert first.json()["submitted_at"] == again.json()["submitted_at"]
    assert api(mallory).post(url).status_code == 404


def test_it_shows_a_reviewer_the_address_she_typed_not_a_colleagues_spelling_of_it(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice)
    theirs = "https://www.insee.fr/fr/statistiques/chomage/?utm_source=BOB-Q7"
    claim_source_link(user=bob, claim=claim, url=theirs, stance="refutes", title="Bob's")
    mine = "https://insee.fr/fr/statistiques/chomage?utm_source=BOB-Q7"
    linked = api(carol).post(
        f"/api/v1/claims/{claim.pk}/sources/", {"url": mine, "stance": "context"}
    )

    assert linked.status_code == 201
    assert linked.json()["source"] == {
        "url": mine,
        "title": "",
        "publisher": "",
        "published_at": None,
    }
    history = api(carol).get(f"/api/v1/claims/{claim.pk}/history/").json()["results"]
    assert [e["after"]["url"] for e in history] == [mine]
    assert "www.insee.fr" not in api(carol).get(f"/claims/{claim.pk}/").content.decode()


def test_it_keeps_hidden_the_work_of_a_reviewer_who_left_or_was_demoted(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, dave: User, api: Api
) -> None:
    _blind(workspace, alice)
    claim_source_link(user=bob, claim=claim, url="https://example.org/bob", stance="refutes")
    assessment_create(user=bob, claim=claim, verdict="false")
    claim_source_link(user=dave, claim=claim, url="https://example.org/dave", stance="refutes")
    member_change_role(
        actor=alice, membership=workspace.memberships.get(user=bob), role=Role.ANNOTATOR
    )
    member_remove(actor=alice, membership=workspace.memberships.get(user=dave))

    assert results(api(carol).get(f"/api/v1/claims/{claim.pk}/sources/")) == []
    seen = api(carol).get(f"/api/v1/claims/{claim.pk}/").json()
    assert [h["username"] for h in seen["highlights"]] == []


def test_it_answers_a_hidden_claim_as_missing_whatever_the_role_a_route_needs(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice, independent_highlighting=True)
    hidden = _highlight(article, bob, MINISTER)
    visible = _highlight(article, carol, DEPARTMENTS)

    assert api(carol).get(f"/api/v1/claims/{hidden}/adjudication/context/").status_code == 404
    page = Client()
    page.force_login(carol)
    assert page.get(f"/claims/{hidden}/curate/").status_code == 404
    assert api(carol).get(f"/api/v1/claims/{visible}/adjudication/context/").status_code == 403
    assert api(carol).get("/api/v1/claims/999999/adjudication/context/").status_code == 404


def test_it_lets_a_blind_reviewer_withdraw_her_highlight_but_never_a_claim(
    workspace: Workspace, article: Article, alice: User, carol: User, api: Api
) -> None:
    _blind(workspace, alice)
    mine = _highlight(article, carol, DEPARTMENTS)
    refused = api(carol).delete(f"/api/v1/claims/{mine}/")  # nobody else is on it: still refused
    assert refused.status_code == 403 and "editor" in refused.json()["detail"]
    assert api(carol).delete(f"/api/v1/claims/{mine}/highlights/mine/").status_code == 200


def test_it_hides_the_desks_fact_check_address_until_the_reviewers_own_verdict(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, dave: User, api: Api
) -> None:
    _blind(workspace, alice)
    assessment_create(user=bob, claim=claim, verdict="false")
    adjudication_create(user=dave, claim=claim, verdict="false")
    claim_review_set(
        user=alice, claim=claim, review_url="https://verif.example/q7", review_published_at=None
    )
    seen = api(carol).get(f"/api/v1/claims/{claim.pk}/").json()
    assert seen["review_url"] == "" and seen["status"] == "awaiting_verdict"
    assert api(dave).get(f"/api/v1/claims/{claim.pk}/").json()["review_url"] == (
        "https://verif.example/q7"
    )
