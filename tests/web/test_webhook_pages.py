"""The editor's webhooks page (server side): add one and see its secret once, errors shown on the
form with what was typed, the delivery log, sending again, turning off, other roles kept out."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from annotations.models import Webhook, WebhookDelivery, Workspace
from tests.conftest import Receiver


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_adds_a_webhook_sees_its_secret_once_and_reads_the_log(
    workspace: Workspace,
    alice: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = _client(alice)
    page = f"/workspaces/{workspace.pk}/webhooks/"
    assert (
        'href="' + page + '"'
        in client.get(f"/workspaces/{workspace.pk}/settings/").content.decode()
    )
    added = client.post(
        page,
        {
            "action": "create",
            "hook-url": receiver.url,
            "hook-description": "Our CMS",
            "hook-events": ["claim.published", "article.extracted"],
        },
    )
    assert added.status_code == 302
    hook = Webhook.objects.get()
    assert hook.events == ["claim.published", "article.extracted"]
    shown = client.get(page).content.decode()
    assert f'value="{hook.secret}"' in shown and "shown this once" in shown
    assert hook.secret not in client.get(page).content.decode()  # once

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page, {"action": "ping", "webhook_id": hook.pk}).status_code == 302
    log = client.get(page).content.decode()
    row = re.search(r'<tr data-delivery="(\d+)" data-status="delivered" data-event="ping">', log)
    assert row, log
    assert [r["headers"]["X-Workbench-Event"] for r in receiver.received] == ["ping"]

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(page, {"action": "redeliver", "delivery_id": row.group(1)})
    assert again.status_code == 302
    assert WebhookDelivery.objects.count() == 2 and len(receiver.received) == 2

    assert (
        client.post(page, {"action": "toggle", "webhook_id": hook.pk, "active": "0"}).status_code
        == 302
    )
    assert "Turn on" in client.get(page).content.decode()
    assert Webhook.objects.get().active is False


def test_a_refused_target_is_said_on_the_form_with_what_was_typed(
    workspace: Workspace, alice: User
) -> None:
    answer = _client(alice).post(
        f"/workspaces/{workspace.pk}/webhooks/",
        {"action": "create", "hook-url": "http://10.0.0.7/cms", "hook-events": ["claim.published"]},
    )
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "non-public address (10.0.0.7)" in html
    assert 'value="http://10.0.0.7/cms"' in html
    assert not Webhook.objects.exists()
    none = _client(alice).post(
        f"/workspaces/{workspace.pk}/webhooks/",
        {"action": "create", "hook-url": "https://cms.example.org/hook"},
    )
    assert none.status_code == 400 and "This field is required." in none.content.decode()


def test_only_editors_reach_the_page(workspace: Workspace, bob: User, mallory: User) -> None:
    assert _client(bob).get(f"/workspaces/{workspace.pk}/webhooks/").status_code == 403
    assert _client(mallory).get(f"/workspaces/{workspace.pk}/webhooks/").status_code == 404
