"""The Claim admin's "export the selection" action: a streamed CSV of exactly what was ticked."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.models import User
from django.http import StreamingHttpResponse
from django.test import Client

from tests.export_desk import Desk, streamed


def test_it_streams_the_selected_claims_as_csv(desk: Desk) -> None:
    admin = User.objects.create_superuser("root", password="root-password-1")
    client = Client()
    client.force_login(admin)
    # Any status: the open claim and the disputed one are exported too.
    chosen = [desk.open.pk, desk.unemployment.pk, desk.disputed.pk]
    response = client.post(
        "/admin/annotations/claim/",
        {"action": "export_selection_csv", "_selected_action": chosen},
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="claims-')
    text = streamed(response).decode()
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert [int(r["claim_id"]) for r in records] == sorted(chosen)
    by_id = {int(r["claim_id"]): r for r in records}
    assert by_id[desk.open.pk]["status"] == "open"
    assert by_id[desk.open.pk]["verdict"] == ""
    assert by_id[desk.unemployment.pk]["verdict"] == "mostly-true"
    assert by_id[desk.unemployment.pk]["adjudicator"] == "dave"


def test_it_offers_the_action_to_staff_only(desk: Desk, alice: User) -> None:
    client = Client()
    client.force_login(alice)  # an editor of the workspace, but not staff
    response = client.post(
        "/admin/annotations/claim/",
        {"action": "export_selection_csv", "_selected_action": [desk.open.pk]},
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
