"""The queues and agreement pages, and the queues and bulk actions of the Django admin."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from annotations.models import Article, Assignment, Claim, Workspace
from annotations.services.assessments import assessment_create
from annotations.services.assignments import article_assign
from annotations.services.claims import claim_create

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(user: User) -> Client:
    user.is_staff = user.is_superuser = True
    user.save()
    return signed_in(user)


def test_it_shows_my_queues_with_their_counts_and_items(
    workspace: Workspace, article: Article, claim: Claim, alice: User, bob: User
) -> None:
    article_assign(user=alice, article=article, usernames=["bob"])
    response = signed_in(bob).get("/queues/", {"queue": "to_assess"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Desk" in page and "To assess" in page
    assert f'data-item="{claim.pk}"' in page
    assert "Le chômage a reculé" in page
    assert not INLINE_SCRIPT.search(page)
    articles = signed_in(bob).get("/queues/", {"queue": "to_annotate"}).content.decode()
    assert f'data-item="{article.pk}"' in articles


def test_it_refuses_a_bad_queue_request_with_a_clear_page(bob: User, workspace: Workspace) -> None:
    client = signed_in(bob)
    assert client.get("/queues/", {"ordering": "sideways"}).status_code == 400
    assert client.get("/queues/", {"queue": "disputed"}).status_code == 403


def test_it_shows_the_agreement_figures_of_a_workspace(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, mallory: User
) -> None:
    assessment_create(user=bob, claim=claim, verdict="true")
    assessment_create(user=carol, claim=claim, verdict="false")
    url = f"/workspaces/{workspace.pk}/agreement/"
    page = signed_in(alice).get(url).content.decode()
    assert "Krippendorff" in page and "bob · carol" in page
    assert not INLINE_SCRIPT.search(page)
    filtered = signed_in(alice).get(url, {"reviewer": "bob", "date_from": "2001-01-01"})
    assert filtered.status_code == 200
    assert signed_in(alice).get(url, {"date_from": "soon"}).status_code == 400
    assert signed_in(mallory).get(url).status_code == 404


def test_it_filters_the_admin_by_my_queues_with_counts(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User
) -> None:
    assessment_create(user=bob, claim=claim, verdict="true")
    assessment_create(user=carol, claim=claim, verdict="true")
    client = staff(alice)
    listing = client.get("/admin/annotations/claim/").content.decode()
    assert "Ready to publish (1)" in listing
    ready = client.get("/admin/annotations/claim/", {"queue": "ready_to_publish"})
    assert ready.status_code == 200 and "1 claim" in ready.content.decode()
    articles = client.get("/admin/annotations/article/").content.decode()
    assert "Unassigned (1)" in articles


def test_it_assigns_many_articles_at_once_from_the_admin(
    workspace: Workspace, article: Article, alice: User
) -> None:
    client = staff(alice)
    url = "/admin/annotations/article/"
    form = client.post(url, {"action": "assign_articles", "_selected_action": [article.pk]})
    assert form.status_code == 200 and "Automatically" in form.content.decode()
    done = client.post(
        url,
        {"action": "assign_articles", "_selected_action": [article.pk], "apply": "1"},
        follow=True,
    )
    assert "2 assignment(s) made on 1 article(s)." in done.content.decode()
    assert sorted(Assignment.objects.values_list("user__username", flat=True)) == ["bob", "carol"]
    client.post(
        url,
        {
            "action": "assign_articles",
            "_selected_action": [article.pk],
            "apply": "1",
            "reviewer": "erin",
        },
    )
    assert Assignment.objects.filter(user__username="erin").exists()


def test_it_refuses_admin_actions_to_a_staff_member_who_is_not_the_desks_editor(
    workspace: Workspace, article: Article, dave: User
) -> None:
    client = staff(dave)
    done = client.post(
        "/admin/annotations/article/",
        {"action": "assign_articles", "_selected_action": [article.pk], "apply": "1"},
        follow=True,
    )
    assert "editor" in done.content.decode()
    assert not Assignment.objects.exists()


def test_it_reruns_extraction_and_publishes_resolved_claims_from_the_admin(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = staff(alice)
    Article.objects.filter(pk=article.pk).update(extraction_status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/annotations/article/",
            {"action": "rerun_extraction", "_selected_action": [article.pk]},
        )
    # Tasks run in-process after commit in the tests: the extraction has run again.
    assert Article.objects.get(pk=article.pk).extraction_status == "done"

    assessment_create(user=bob, claim=claim, verdict="true")
    assessment_create(user=carol, claim=claim, verdict="true")
    other = Claim.objects.create(
        workspace=workspace, article=article, start=0, end=2, exact="Le", created_by=bob
    )
    done = client.post(
        "/admin/annotations/claim/",
        {"action": "mark_published", "_selected_action": [claim.pk, other.pk]},
        follow=True,
    )
    assert "1 claim(s) published. 1 not resolved yet were left alone." in done.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "published"
    assert Claim.objects.get(pk=other.pk).status == "open"


def test_it_says_what_each_agreement_figure_means_and_warns_of_a_negative_one(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User
) -> None:
    # bob and carol disagree on every claim, crosswise: worse than chance.
    claims = [
        claim_create(user=bob, article=article, start=start, end=start + 10).claim
        for start in (0, 20, 40, 60)
    ]
    for claim, (mine, hers) in zip(claims, [("true", "false"), ("false", "true")] * 2, strict=True):
        assessment_create(user=bob, claim=claim, verdict=mine)
        assessment_create(user=carol, claim=claim, verdict=hers)
    page = signed_in(alice).get(f"/workspaces/{workspace.pk}/agreement/").content.decode()
    assert "a negative alpha means they disagree more often than chance" in page
    assert 'data-level="nominal" class="band-negative"' in page
    assert "worse than chance: check the scale and the instructions" in page
    assert f'href="/workspaces/{workspace.pk}/dashboard/"' in page
