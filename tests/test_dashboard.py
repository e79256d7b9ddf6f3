"""A workspace's dashboard: who may open it, what it counts, how it reconstructs the claims'
statuses over time, and that its cost in queries does not grow with the claims."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.dashboard import (
    ClaimLife,
    StatusChange,
    agreement_by_month,
    claims_timeline,
    months_between,
    status_now,
    status_timeline,
    timeline_days,
)
from annotations.models import Article, Assessment, Assignment, Claim, ClaimEvent, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.assignments import article_assign
from annotations.services.claims import claim_create
from annotations.services.publishing import claim_publish
from annotations.services.withdrawals import claim_withdraw
from annotations.services.workspaces import workspace_update

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_STYLE = re.compile(r"\sstyle=|<style")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(workspace: Workspace) -> str:
    return f"/workspaces/{workspace.pk}/dashboard/"


def count(page: str, name: str, member: str | None = None) -> int:
    """The number in `data-count="name"`, in the row of `member` when given."""
    if member is not None:
        row = re.search(rf'<tr data-member="{member}">(.*?)</tr>', page, re.S)
        assert row, f"no row for {member}"
        page = row.group(1)
    found = re.search(rf'data-count="{name}">(?:<span[^>]*>)?(\d+)', page)
    assert found, f"no count {name}"
    return int(found.group(1))


def claim_on(article: Article, user: User, phrase: str) -> Claim:
    start = article.text.index(phrase)
    return claim_create(user=user, article=article, start=start, end=start + len(phrase)).claim


@pytest.fixture
def reviewed(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
) -> dict[str, Claim]:
    """Three claims: `agreed` (bob and carol agree: resolved by consensus), `published`
    (they disagree, dave settles it, alice publishes it) and `open` (erin's, no verdict).
    bob's assignment is overdue, carol's is not."""
    agreed = claim_on(article, bob, "Le chômage a reculé de 0,3 point")
    published = claim_on(article, bob, "« Nous avons créé plus de 40 000 emplois »")
    untouched = claim_on(article, erin, "Une trentaine de départements")
    assessment_create(user=bob, claim=agreed, verdict="true")
    assessment_create(user=carol, claim=agreed, verdict="true")
    assessment_create(user=bob, claim=published, verdict="false")
    assessment_create(user=carol, claim=published, verdict="true")
    adjudication_create(user=dave, claim=published, verdict="mostly-false", note="Insee")
    published.refresh_from_db()
    claim_publish(user=alice, claim=published)
    article_assign(user=alice, article=article, usernames=["bob", "carol"])
    Assignment.objects.filter(user=bob).update(due_at=timezone.now() - timedelta(days=3))
    return {"agreed": agreed, "published": published, "open": untouched}


# --- Who may open it -------------------------------------------------------------------------------


def test_it_opens_for_editors_and_adjudicators(
    workspace: Workspace, reviewed: dict[str, Claim], alice: User, dave: User
) -> None:
    for user in (alice, dave):
        response = signed_in(user).get(url(workspace))
        assert response.status_code == 200, user
        page = response.content.decode()
        assert "Claims by status over time" in page
        assert 'role="img"' in page
        assert not INLINE_SCRIPT.search(page)
        assert not INLINE_STYLE.search(page)


def test_it_refuses_reviewers_annotators_outsiders_and_strangers(
    workspace: Workspace, bob: User, erin: User, mallory: User
) -> None:
    assert signed_in(bob).get(url(workspace)).status_code == 403
    assert signed_in(erin).get(url(workspace)).status_code == 403
    assert signed_in(mallory).get(url(workspace)).status_code == 404
    assert signed_in(mallory).get("/workspaces/999999/dashboard/").status_code == 404
    anonymous = Client().get(url(workspace))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")


def test_it_tells_a_blind_reviewer_why_and_shows_nothing(
    workspace: Workspace, reviewed: dict[str, Claim], alice: User, carol: User, dave: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    response = signed_in(carol).get(url(workspace))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Under blind review the dashboard is for adjudicators and editors" in page
    assert "<svg" not in page and "bob" not in page
    # Editors and adjudicators still see everything.
    assert signed_in(alice).get(url(workspace)).status_code == 200
    assert signed_in(dave).get(url(workspace)).status_code == 200


def test_it_answers_a_blind_reviewer_in_french(
    workspace: Workspace, alice: User, carol: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    response = signed_in(carol).get(url(workspace), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert '<html lang="fr">' in response.content.decode()


# --- What it counts --------------------------------------------------------------------------------


def test_it_counts_claims_work_and_overdue_assignments(
    workspace: Workspace, reviewed: dict[str, Claim], alice: User
) -> None:
    page = signed_in(alice).get(url(workspace)).content.decode()

    assert count(page, "claims") == 3
    assert count(page, "open") == 1
    assert count(page, "assessed") == 0
    assert count(page, "disputed") == 0
    assert count(page, "resolved") == 1
    assert count(page, "published") == 1
    assert count(page, "open-assignments") == 2
    assert count(page, "overdue") == 1

    assert count(page, "verdicts", "bob") == 2
    assert count(page, "verdicts", "carol") == 2
    assert count(page, "recent", "bob") == 2
    assert count(page, "highlights", "bob") == 2
    assert count(page, "highlights", "erin") == 1
    assert count(page, "adjudications", "dave") == 1
    assert count(page, "open", "bob") == 1
    assert count(page, "overdue", "bob") == 1
    assert count(page, "overdue", "carol") == 0
    # The overdue list names bob's assignment, not carol's.
    overdue = re.search(r'data-figure="overdue">(.*?)</table>', page, re.S)
    assert overdue and "<td>bob</td>" in overdue.group(1) and "carol" not in overdue.group(1)


def test_it_shows_agreement_with_its_reading_aid(
    workspace: Workspace, reviewed: dict[str, Claim], alice: User
) -> None:
    page = signed_in(alice).get(url(workspace)).content.decode()
    assert "a negative alpha means they disagree more often than chance would" in page
    assert 'data-pair="bob·carol"' in page
    assert 'id="chart-alpha"' in page
    # One month of verdicts: a single point on each line, and its figures in the hidden table.
    lines = re.search(r'id="chart-alpha".*?<g class="lines">(.*?)</g>', page, re.S)
    assert lines and lines.group(1).count('class="marker series-nominal') == 1
    assert lines.group(1).count('class="marker series-ordinal') == 1


def test_it_gives_alpha_month_by_month_and_marks_a_month_worse_than_chance(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User
) -> None:
    # Last month bob and carol said the opposite of each other on two claims; this month they
    # agree on two others.
    phrases = [
        "Le chômage a reculé de 0,3 point",
        "« Nous avons créé plus de 40 000 emplois »",
        "L'opposition affirme",
        "Une trentaine de départements",
    ]
    claims = [claim_on(article, alice, phrase) for phrase in phrases]
    for claim, (first, second) in zip(
        claims,
        [("true", "false"), ("false", "true"), ("true", "true"), ("false", "false")],
        strict=True,
    ):
        assessment_create(user=bob, claim=claim, verdict=first)
        assessment_create(user=carol, claim=claim, verdict=second)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    when = timezone.make_aware(datetime.combine(last_month, datetime.min.time()))
    Assessment.objects.filter(claim__in=claims[:2]).update(created_at=when)

    months = agreement_by_month(user=alice, workspace_id=workspace.pk, today=today)

    assert [m.month for m in months] == [last_month.replace(day=1), today.replace(day=1)]
    assert [m.units for m in months] == [2, 2]
    assert months[0].nominal is not None and months[0].nominal < 0
    assert months[1].nominal == 1
    page = signed_in(alice).get(url(workspace)).content.decode()
    chart = re.search(r'id="chart-alpha".*?</svg>', page, re.S)
    assert chart and 'class="band-negative"' in chart.group(0)
    assert chart.group(0).count(' negative"') == 2  # the nominal and the ordinal points
    assert "worse than chance" in page


def test_it_leaves_withdrawn_claims_out_of_the_counts_but_not_out_of_the_past(
    workspace: Workspace, article: Article, alice: User, erin: User
) -> None:
    kept = claim_on(article, erin, "Le chômage a reculé")
    gone = claim_on(article, erin, "Une trentaine de départements")
    claim_withdraw(user=alice, claim=gone)
    assert status_now(workspace_id=workspace.pk)["open"] == 1
    # Two days ago both existed; yesterday the second was withdrawn.
    two_days = timezone.now() - timedelta(days=2)
    Claim.all_objects.filter(pk__in=[kept.pk, gone.pk]).update(created_at=two_days)
    Claim.all_objects.filter(pk=gone.pk).update(withdrawn_at=two_days + timedelta(days=1))
    timeline = claims_timeline(workspace_id=workspace.pk, today=timezone.localdate())
    assert timeline.counts["open"] == [2, 1, 1]


def test_it_rebuilds_the_statuses_day_by_day_from_the_history(
    workspace: Workspace, reviewed: dict[str, Claim]
) -> None:
    # Move the story back in time: each claim created 5 days ago, each status change d days ago
    # for the d-th change, so that the days differ.
    now = timezone.now()
    Claim.all_objects.filter(workspace=workspace).update(created_at=now - timedelta(days=5))
    events = ClaimEvent.objects.filter(kind="status_changed").order_by("created_at", "id")
    changes = list(events.values_list("pk", "claim_id", "after__status"))
    for back, (pk, _claim, _status) in zip([4, 3, 3, 2, 1], changes, strict=False):
        ClaimEvent.objects.filter(pk=pk).update(created_at=now - timedelta(days=back))
    for pk, _claim, _status in changes[5:]:
        ClaimEvent.objects.filter(pk=pk).update(created_at=now - timedelta(days=1))

    timeline = claims_timeline(workspace_id=workspace.pk, today=timezone.localdate())

    assert timeline.step == "day"
    assert len(timeline.days) == 6
    totals = [sum(timeline.counts[s][i] for s in timeline.counts) for i in range(6)]
    assert totals == [3, 3, 3, 3, 3, 3]
    assert timeline.counts["open"][0] == 3  # before any verdict
    last = {status: values[-1] for status, values in timeline.counts.items()}
    assert last == status_now(workspace_id=workspace.pk)


# --- The cost ---------------------------------------------------------------------------------------


def _long_article(workspace: Workspace, user: User, sentences: int) -> Article:
    text = " ".join(f"Le taux numéro {i} a augmenté de {i} %." for i in range(sentences))
    return article_create(user=user, workspace=workspace, text=text, language="fr")


def _claims_with_verdicts(article: Article, numbers: range, bob: User, carol: User) -> None:
    for i in numbers:
        claim = claim_on(article, bob, f"Le taux numéro {i} a augmenté de {i} %.")
        assessment_create(user=bob, claim=claim, verdict="true")
        assessment_create(user=carol, claim=claim, verdict="true" if i % 3 else "false")


def _queries(client: Client, workspace: Workspace) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(workspace)).status_code == 200
    return len(queries)


def test_its_queries_do_not_grow_with_the_claims(
    workspace: Workspace, alice: User, bob: User, carol: User
) -> None:
    article = _long_article(workspace, alice, 30)
    article_assign(user=alice, article=article, usernames=["bob", "carol"])
    client = signed_in(alice)
    _claims_with_verdicts(article, range(3), bob, carol)
    few = _queries(client, workspace)
    _claims_with_verdicts(article, range(3, 30), bob, carol)
    many = _queries(client, workspace)
    assert few == many, (few, many)
    assert many <= 30


# --- The pure parts -------------------------------------------------------------------------------


T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_it_folds_creations_changes_and_withdrawals_in_time_order() -> None:
    claims = {
        1: ClaimLife(at(0)),
        2: ClaimLife(at(1)),
        3: ClaimLife(at(1), withdrawn_at=at(2.5)),
    }
    changes = [  # out of order on purpose
        StatusChange(1, at(3.2), "published"),
        StatusChange(1, at(1.5), "assessed"),
        StatusChange(2, at(2.2), "disputed"),
        StatusChange(1, at(2.1), "resolved"),
        StatusChange(3, at(3.0), "assessed"),  # after its withdrawal: ignored
        StatusChange(9, at(1.0), "assessed"),  # not a claim of these: ignored
    ]
    moments = [at(d) for d in (0.5, 1.7, 2.7, 4)]
    series = status_timeline(claims, changes, moments)
    assert series["open"] == [1, 2, 0, 0]
    assert series["assessed"] == [0, 1, 0, 0]
    assert series["resolved"] == [0, 0, 1, 0]
    assert series["disputed"] == [0, 0, 1, 1]
    assert series["published"] == [0, 0, 0, 1]


def test_it_starts_a_claim_in_a_status_its_merged_history_gave_it_before_it_existed() -> None:
    claims = {1: ClaimLife(at(2))}
    series = status_timeline(claims, [StatusChange(1, at(1), "assessed")], [at(1.5), at(3)])
    assert series["assessed"] == [0, 1]
    assert series["open"] == [0, 0]


def test_it_counts_nothing_before_the_first_claim_and_handles_no_claims() -> None:
    assert status_timeline({}, [], [at(1)])["open"] == [0]
    assert status_timeline({1: ClaimLife(at(2))}, [], [at(1), at(3)])["open"] == [0, 1]


def test_it_steps_by_day_then_week_then_month() -> None:
    step, days = timeline_days(date(2026, 3, 1), date(2026, 3, 1))
    assert (step, days) == ("day", [date(2026, 3, 1)])
    step, days = timeline_days(date(2026, 1, 1), date(2026, 3, 31))
    assert step == "day" and len(days) == 90
    step, days = timeline_days(date(2025, 1, 1), date(2026, 3, 31))
    assert step == "week" and days[-1] == date(2026, 3, 31)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(days))
    assert days[0] >= date(2025, 1, 1) and (days[0] - date(2025, 1, 1)).days < 7
    step, days = timeline_days(date(2020, 1, 15), date(2026, 3, 10))
    assert step == "month"
    assert days[0] == date(2020, 1, 31) and days[-2] == date(2026, 2, 28)
    assert days[-1] == date(2026, 3, 10)
    # A first day after the last (clocks): one point.
    assert timeline_days(date(2026, 3, 2), date(2026, 3, 1)) == ("day", [date(2026, 3, 1)])


def test_it_lists_months_across_a_new_year() -> None:
    assert months_between(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
