"""Blind review on the article page: a reviewer sees only their own highlights until they submit."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations.models import Article, Workspace
from annotations.services.claims import claim_create
from annotations.services.workspaces import workspace_update

MINISTER = "« Nous avons créé plus de 40 000 emplois »"
DEPARTMENTS = "Une trentaine de départements"


def _highlight(article: Article, user: User, quote: str) -> int:
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim.pk


def _seen(client: APIClient, article: Article) -> dict[str, list[str]]:
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    return {c["exact"]: sorted(h["username"] for h in c["highlights"]) for c in body["claims"]}


def _blind(workspace: Workspace, alice: User) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)


def test_it_hides_others_highlights_from_a_reviewer_until_they_submit(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    api: Callable[[User | None], APIClient],
) -> None:
    _blind(workspace, alice)
    _highlight(article, bob, MINISTER)
    _highlight(article, carol, MINISTER)  # joins bob's claim
    _highlight(article, bob, DEPARTMENTS)
    client = api(carol)

    before = client.get(f"/api/v1/articles/{article.pk}/").json()
    submitted = client.post(f"/api/v1/articles/{article.pk}/submit/")
    after = _seen(client, article)

    assert before["others_hidden"] is True
    assert before["submitted_at"] is None
    assert {c["exact"]: [h["username"] for h in c["highlights"]] for c in before["claims"]} == {
        MINISTER: ["carol"]
    }
    assert submitted.status_code == 200
    assert submitted.json()["username"] == "carol"
    assert after == {MINISTER: ["bob", "carol"], DEPARTMENTS: ["bob"]}
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    assert body["others_hidden"] is False
    assert body["submitted_at"] == submitted.json()["submitted_at"]


def test_it_shows_everything_to_adjudicators_editors_and_open_workspaces(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    _highlight(article, bob, DEPARTMENTS)
    assert _seen(api(carol), article) == {DEPARTMENTS: ["bob"]}

    _blind(workspace, alice)

    for user in (alice, dave):
        assert _seen(api(user), article) == {DEPARTMENTS: ["bob"]}
    assert _seen(api(carol), article) == {}


def test_it_submits_once_and_only_for_members(
    article: Article, bob: User, mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    url = f"/api/v1/articles/{article.pk}/submit/"
    first = api(bob).post(url)
    again = api(bob).post(url)

    assert first.status_code == again.status_code == 200
    assert first.json()["submitted_at"] == again.json()["submitted_at"]
    assert api(mallory).post(url).status_code == 404


def test_it_reads_a_blind_article_in_a_fixed_number_of_queries(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    api: Callable[[User | None], APIClient],
) -> None:
    _blind(workspace, alice)
    client = api(carol)
    counts = []
    for quote in (MINISTER, DEPARTMENTS, "Le chômage a reculé"):
        _highlight(article, bob, quote)
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/api/v1/articles/{article.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] <= 8


def test_it_shows_only_my_highlight_when_i_join_or_read_a_claim_in_blind_mode(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    _blind(workspace, alice)
    claim_id = _highlight(article, bob, MINISTER)
    start = article.text.index(MINISTER)
    client = api(carol)

    joined = client.post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": start + len(MINISTER)}
    )
    read = client.get(f"/api/v1/claims/{claim_id}/")
    client.post(f"/api/v1/articles/{article.pk}/submit/")
    after = client.get(f"/api/v1/claims/{claim_id}/")

    assert joined.status_code == 200
    assert [h["username"] for h in joined.json()["highlights"]] == ["carol"]
    assert [h["username"] for h in read.json()["highlights"]] == ["carol"]
    assert sorted(h["username"] for h in after.json()["highlights"]) == ["bob", "carol"]
    seen_by = {
        user.username: [
            h["username"] for h in api(user).get(f"/api/v1/claims/{claim_id}/").json()["highlights"]
        ]
        for user in (bob, dave)
    }
    assert seen_by == {"bob": ["bob"], "dave": ["bob", "carol"]}


def test_it_hides_others_claims_and_highlights_from_the_claim_list_until_one_submits(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    api: Callable[[User | None], APIClient],
) -> None:
    _blind(workspace, alice)
    _highlight(article, bob, MINISTER)
    _highlight(article, bob, DEPARTMENTS)
    _highlight(article, carol, DEPARTMENTS)  # joins bob's claim

    def listed(user: User) -> dict[str, list[str]]:
        body = api(user).get("/api/v1/claims/", {"article": str(article.pk)}).json()
        return {c["exact"]: sorted(h["username"] for h in c["highlights"]) for c in body["results"]}

    assert listed(carol) == {DEPARTMENTS: ["carol"]}
    assert listed(alice) == {MINISTER: ["bob"], DEPARTMENTS: ["bob", "carol"]}
    api(carol).post(f"/api/v1/articles/{article.pk}/submit/")
    assert listed(carol) == {MINISTER: ["bob"], DEPARTMENTS: ["bob", "carol"]}


def test_it_hides_a_claim_only_others_highlighted_and_their_sources(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    api: Callable[[User | None], APIClient],
) -> None:
    _blind(workspace, alice)
    theirs = _highlight(article, carol, MINISTER)
    api(carol).post(
        f"/api/v1/claims/{theirs}/sources/", {"url": "https://example.org/x", "stance": "refutes"}
    )
    assert api(bob).get(f"/api/v1/claims/{theirs}/").status_code == 404
    shared = _highlight(article, bob, DEPARTMENTS)
    _highlight(article, carol, DEPARTMENTS)
    api(carol).post(
        f"/api/v1/claims/{shared}/sources/", {"url": "https://example.org/y", "stance": "refutes"}
    )
    sources = api(bob).get(f"/api/v1/claims/{shared}/sources/").json()["results"]
    assert sources == []
    api(bob).post(f"/api/v1/claims/{shared}/assessments/", {"verdict": "true"})
    sources = api(bob).get(f"/api/v1/claims/{shared}/sources/").json()["results"]
    assert [s["stance"] for s in sources] == ["refutes"]
