"""What the two hot writes cost in queries, counted to the very end of the request.

`POST /claims/` and `POST /claims/{id}/assessments/` are counted with CaptureQueriesContext around
the whole request in transactional tests (`django_db(transaction=True)`): nothing wraps the test
in a transaction, so the request's own transaction really begins and commits. BEGIN and COMMIT
are therefore counted, and so is everything run on commit: tests run tasks in-process after
commit (CELERY_TASK_ALWAYS_EAGER, the embedded setting), so the claim registry's matching of a new
claim, when it is asked for, runs inside the counted request (a test that asserts it is counted
is below). In a test wrapped in a transaction (pytest-django's default), the request's commit is
only a savepoint release and on-commit work never runs: the count would leave it out.

The counts are those of bench/api.py (`make bench-api`) on the same routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations.models import (
    Article,
    Claim,
    ClaimEvent,
    ClaimMatch,
    LiveEvent,
    Notification,
    Role,
    TaskOutbox,
    Workspace,
)
from annotations.services.adjudications import adjudication_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import member_add, workspace_update

Api = Callable[[User | None], APIClient]
CHECKED = "Le chômage a reculé de 0,3 point au troisième trimestre"
MINISTER = "« Nous avons créé plus de 40 000 emplois »"

# What the writes cost (issue 15, "Fast under load", asked for at most 8 and about 10): BEGIN, the
# article locked with the writer's sight, the overlapping claims, the claim, the highlight, the
# live event, COMMIT; and for a verdict, the claim with the writer's sight, BEGIN, the claim locked
# with the role and the label, the assessment, the rule's facts, the status, the history, the
# live events, COMMIT.
NEW_CLAIM_QUERIES = 7
ASSESSMENT_QUERIES = 9


def _span(article: Article, quote: str) -> dict[str, int]:
    start = article.text.index(quote)
    return {"article": article.pk, "start": start, "end": start + len(quote)}


def _made(user: User, article: Article, quote: str) -> Claim:
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim


def _sql(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_a_new_claim_costs_seven_queries_commit_included(
    article: Article, bob: User, api: Api
) -> None:
    client = api(bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/claims/", _span(article, MINISTER), format="json")

    assert response.status_code == 201, response.content
    sql = _sql(queries)
    # The request's own transaction, begun and committed inside the count.
    assert sql[0] == "BEGIN" and sql[-1] == "COMMIT", sql
    assert len(sql) <= NEW_CLAIM_QUERIES, "\n".join(sql)
    claim = Claim.objects.get(pk=response.json()["id"])
    # Its highlight and its live event were written; nothing was checked in the workspace, so
    # there was nothing to match it with.
    assert [h.user_id for h in claim.highlights.all()] == [bob.pk]
    assert LiveEvent.objects.filter(claim=claim, kind="claim").count() == 1
    assert not ClaimMatch.objects.filter(claim=claim).exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_claims_matching_run_on_commit_is_counted_with_it(
    article: Article, bob: User, carol: User, dave: User, api: Api
) -> None:
    """With something checked in the workspace, the new claim is matched after commit, inside
    the request (tasks in-process): its queries are in the request's count."""
    checked = _made(carol, article, CHECKED)
    adjudication_create(user=dave, claim=checked, verdict="mostly-true", note="Vérifié.")
    again = Article.objects.create(
        workspace_id=article.workspace_id,
        title="Reprise",
        language="fr",
        text=f"Selon la ministre, {CHECKED.lower()}, d'après l'Insee.",
        created_by=bob,
    )
    quote = CHECKED.lower()

    with CaptureQueriesContext(connection) as queries:
        response = api(bob).post("/api/v1/claims/", _span(again, quote), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [match["claim"] for match in body["similar"]] == [checked.pk]
    sql = _sql(queries)
    commit = sql.index("COMMIT")
    # The matching task took its outbox row's lease after the request's commit: counted.
    assert any("annotations_taskoutbox" in q and "heartbeat_at" in q for q in sql[commit:])
    assert ClaimMatch.objects.filter(claim_id=body["id"], matched_claim=checked).exists()
    assert len(sql) > NEW_CLAIM_QUERIES


@pytest.mark.django_db(transaction=True)
def test_an_assessment_costs_nine_queries_with_its_history_in_one_insert(
    claim: Claim, bob: User, api: Api
) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = api(bob).post(
            f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"}, format="json"
        )

    assert response.status_code == 201, response.content
    sql = _sql(queries)
    assert sql[0] != "BEGIN" and "BEGIN" in sql and sql[-1] == "COMMIT", sql
    assert len(sql) <= ASSESSMENT_QUERIES, "\n".join(sql)
    # Its history (the verdict, the status it led to) in one insert, its two live events in one
    # statement, numbered one after the other.
    assert sum(q.startswith('INSERT INTO "annotations_claimevent"') for q in sql) == 1
    kinds = list(ClaimEvent.objects.filter(claim=claim).values_list("kind", flat=True))
    assert kinds == ["assessment_created", "status_changed"]
    seqs = list(
        LiveEvent.objects.filter(claim=claim, claim_event__isnull=False).values_list(
            "seq", flat=True
        )
    )
    assert len(seqs) == 2 and seqs[1] == seqs[0] + 1
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.ASSESSED
    assert response.json()["verdict"] == "false" and response.json()["reviewer"] == bob.username


@pytest.mark.django_db(transaction=True)
def test_a_second_verdict_that_agrees_resolves_the_claim_within_the_same_rule(
    claim: Claim, bob: User, carol: User, api: Api
) -> None:
    """Not a count: the write that resolves a claim (more work) keeps every side effect."""
    for reviewer in (bob, carol):
        response = api(reviewer).post(
            f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"}, format="json"
        )
        assert response.status_code == 201, response.content
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RESOLVED and claim.final_verdict is not None
    assert claim.final_verdict.slug == "false"
    changed = [
        event.after or {}
        for event in ClaimEvent.objects.filter(claim=claim, kind="status_changed").order_by("pk")
    ]
    assert [after["status"] for after in changed] == ["assessed", "resolved"]
    assert changed[-1]["final_verdict"] == "false"
    # Whoever worked on it is told it is resolved (bob highlighted and assessed it), but the
    # reviewer whose verdict resolved it.
    told = Notification.objects.filter(claim=claim, kind="resolved")
    assert list(told.values_list("recipient__username", flat=True)) == ["bob"]


# --- A new claim is shown as a read of it shows it -------------------------------------------


READERS = {
    "reviewer, open desk": ({}, Role.REVIEWER),
    "reviewer, blind review": ({"blind_review": True}, Role.REVIEWER),
    "reviewer, independent highlighting": (
        {"blind_review": True, "independent_highlighting": True},
        Role.REVIEWER,
    ),
    "annotator, blind review": ({"blind_review": True}, Role.ANNOTATOR),
    "adjudicator, blind review": ({"blind_review": True}, Role.ADJUDICATOR),
    "editor, blind review": ({"blind_review": True}, Role.EDITOR),
}


@pytest.mark.parametrize("reader", READERS)
def test_a_new_claim_is_answered_as_a_read_of_it_shows_it(
    reader: str,
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    make_user: Callable[[str], User],
    api: Api,
) -> None:
    """The answer to a new claim is presented without reading the claim back
    (policy.present_new_claim): it must be what GET /claims/{id}/ shows the same reader, for every
    kind of reader blind review tells apart. Others' work elsewhere on the article (a verdict on
    another claim) must change nothing."""
    settings, role = READERS[reader]
    if settings:
        workspace_update(user=alice, workspace=workspace, **settings)
    other = _made(bob, article, CHECKED)
    api(bob).post(f"/api/v1/claims/{other.pk}/assessments/", {"verdict": "true"}, format="json")
    writer = make_user("writer")
    if role == Role.EDITOR:
        writer = alice
    else:
        member_add(actor=alice, workspace=workspace, username=writer.username, role=role)
    client = api(writer)

    made = client.post("/api/v1/claims/", _span(article, MINISTER), format="json")

    assert made.status_code == 201, made.content
    # Nothing checked in the workspace: no matching asked for, the claim shown as made.
    assert not TaskOutbox.objects.filter(task="annotations.match_claim").exists()
    read = client.get(f"/api/v1/claims/{made.json()['id']}/")
    assert read.status_code == 200
    assert made.json() == read.json()
    assert made.headers["ETag"] == read.headers["ETag"]


def test_a_highlight_joining_a_claim_still_answers_with_the_claim_read_back(
    article: Article, bob: User, carol: User, api: Api
) -> None:
    """Joining is not making: the claim carries others' work, and is read back through the
    policy (200 to a reader who may see the others' work on it)."""
    first = api(bob).post("/api/v1/claims/", _span(article, MINISTER), format="json").json()
    joined = api(carol).post("/api/v1/claims/", _span(article, MINISTER), format="json")
    assert joined.status_code == 200
    body: dict[str, Any] = joined.json()
    assert body["id"] == first["id"]
    assert sorted(h["username"] for h in body["highlights"]) == ["bob", "carol"]
    assert body == api(carol).get(f"/api/v1/claims/{first['id']}/").json()


def test_a_claim_hidden_by_independent_highlighting_takes_no_verdict_from_whom_it_hides(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    """The assessment route reads the claim with the writer's sight in one query; where
    independent highlighting may hide it, it asks the policy: hidden is a 404, as for a claim
    that does not exist, and nothing is written."""
    workspace_update(
        user=alice, workspace=workspace, blind_review=True, independent_highlighting=True
    )
    theirs = _made(bob, article, MINISTER)
    hidden = api(carol).post(
        f"/api/v1/claims/{theirs.pk}/assessments/", {"verdict": "true"}, format="json"
    )
    assert hidden.status_code == 404
    assert not theirs.assessments.exists()
    # Their own claim of the same passage takes their verdict.
    mine = api(carol).post("/api/v1/claims/", _span(article, MINISTER), format="json").json()
    assert mine["id"] != theirs.pk
    done = api(carol).post(
        f"/api/v1/claims/{mine['id']}/assessments/", {"verdict": "true"}, format="json"
    )
    assert done.status_code == 201
