"""The 403 and 404 pages: the workbench's layout, in the reader's language, with the reason the
refusal gave and a way back home; and no link on the queues page to a page that would refuse."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.http import Http404
from django.test import Client, RequestFactory
from django.views.defaults import page_not_found

from annotations.models import Workspace
from annotations.services.workspaces import workspace_update

REASON = re.compile(r"<p class=\"alert error\" data-reason>(.*?)</p>")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "This needs the editor role in this workspace."),
        ("fr", "Il faut le rôle éditeur en chef dans cet espace de travail."),
    ],
)
def test_a_refusal_shows_its_reason_in_the_pages_layout_with_a_way_home(
    workspace: Workspace, bob: User, language: str, reason: str
) -> None:
    response = signed_in(bob).get(
        f"/workspaces/{workspace.pk}/settings/", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert REASON.findall(html) == [reason]
    assert 'class="topbar"' in html and "bob" in html  # the layout, signed in
    assert 'href="/"' in html


def test_a_page_not_found_is_the_layouts_with_a_way_home(
    workspace: Workspace, mallory: User
) -> None:
    for path in (f"/workspaces/{workspace.pk}/", "/no/such/page/"):
        response = signed_in(mallory).get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Not found</h1>" in html and 'class="topbar"' in html
        assert 'class="button" href="/"' in html
        # Nothing said beyond "not found": neither "Not found." again nor a class name.
        assert REASON.findall(html) == []
        assert "Http404" not in html and "Resolver404" not in html


def test_a_page_not_found_shows_the_reason_it_was_given(rf: RequestFactory, alice: User) -> None:
    request = rf.get("/somewhere/")
    request.user = alice
    response = page_not_found(request, Http404("No queue is called sideways."))
    assert response.status_code == 404
    assert REASON.findall(response.content.decode()) == ["No queue is called sideways."]


@pytest.mark.parametrize("blind", [True, False])
def test_the_queues_page_links_the_agreement_only_for_those_who_may_read_it(
    workspace: Workspace,
    alice: User,
    bob: User,
    dave: User,
    erin: User,
    blind: bool,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=blind)
    link = f'href="/workspaces/{workspace.pk}/agreement/"'
    for user in (alice, bob, dave, erin):
        linked = link in signed_in(user).get("/queues/").content.decode()
        opens = signed_in(user).get(f"/workspaces/{workspace.pk}/agreement/").status_code == 200
        assert linked == opens, user.username
        assert linked == (not blind or user in (alice, dave)), user.username
