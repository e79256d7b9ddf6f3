"""The Django admin writes nothing for staff who are not superusers: each of the probe's attacks
(a staff member with every annotations and auth permission) is refused and changes nothing, so
that the product's pages and services (roles, the membership trail and its rate limit, the rules
of the scale, the claim's history) stay the only way to change a desk. Superusers (ops) still
edit, but do not leave a workspace without an editor. The bulk actions still work for an editor
and are refused to anyone else; the user list shows only the people of one's own desks."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.http import StreamingHttpResponse
from django.test import Client

from annotations.models import (
    Article,
    Assessment,
    Assignment,
    Claim,
    ClaimEvent,
    MemberEvent,
    Membership,
    Role,
    VerdictLabel,
    Workspace,
)
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import member_add, used_verdict_slugs, workspace_create
from tests.export_desk import Desk, streamed

PROBE_APPS = ("annotations", "auth")


def staff(user: User, *, superuser: bool = False, apps: tuple[str, ...] = PROBE_APPS) -> Client:
    """A staff member with every permission of the given apps, as the probe had."""
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
    client = Client()
    client.force_login(user)
    return client


def _value(field: Any) -> Any:
    value = field.value()
    if value is None:
        return ""
    return value


def change_form(client: Client, url: str) -> dict[str, Any]:
    """The POST data of an admin change page as it stands (a superuser's: every field)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    forms = [context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name])
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = _value(form[name])
            if value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def membership(workspace: Workspace, user: User) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def inline_row(data: dict[str, Any], prefix: str, pk: int) -> str:
    """The form prefix ("memberships-2") of an inline row, found by its id."""
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and str(value) == str(pk):
            return key.removesuffix("-id")
    raise AssertionError(f"no row {pk} in {prefix}")


def snapshot() -> dict[str, list[Any]]:
    """Everything the attacks aim at."""
    return {
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "user", "role")),
        "member_events": list(MemberEvent.objects.values_list("pk", flat=True)),
        "claims": list(
            Claim.all_objects.order_by("pk").values_list(
                "pk", "claimant", "normalised_text", "status", "version"
            )
        ),
        "events": list(ClaimEvent.objects.values_list("pk", flat=True)),
        "assessments": list(
            Assessment.objects.order_by("pk").values_list("pk", "rationale", "confidence")
        ),
        "labels": list(VerdictLabel.objects.order_by("pk").values_list("pk", "slug", "value")),
        "workspaces": list(Workspace.objects.values_list("pk", "name")),
    }


# --- The probe's attacks, by staff who are not superusers ----------------------------------------


@pytest.mark.parametrize("who", ["erin", "alice"])
def test_no_staff_member_writes_anything_through_the_admin(
    desk: Desk, who: str, mallory: User
) -> None:
    """erin annotates a desk without blind review (she sees everything); alice is its editor.
    Neither changes anything here: editors have the product's pages for that."""
    client = staff(User.objects.get(username=who))
    ws = desk.workspace
    alice, erin, bob = (User.objects.get(username=name) for name in ("alice", "erin", "bob"))
    published = desk.jobs
    assert published.status == "published"
    assessment = desk.unemployment.assessments.get(reviewer=bob)
    used = VerdictLabel.objects.get(workspace=ws, slug="false")
    assert used.slug in used_verdict_slugs(workspace=ws)
    before = snapshot()

    attacks: list[tuple[str, dict[str, Any]]] = [
        # A staff annotator promotes herself to editor.
        (
            f"/admin/annotations/membership/{membership(ws, erin).pk}/change/",
            {"role": Role.EDITOR},
        ),
        # A published claim's claimant and wording rewritten, without a version or an event.
        (
            f"/admin/annotations/claim/{published.pk}/change/",
            {"claimant": "PROBE-claimant", "normalised_text": "PROBE-wording"},
        ),
        # Another reviewer's rationale and confidence.
        (
            f"/admin/annotations/assessment/{assessment.pk}/change/",
            {"rationale": "PROBE-rationale", "confidence": "0.01"},
        ),
        # A used verdict's value.
        (
            f"/admin/annotations/verdictlabel/{used.pk}/change/",
            {"name": used.name, "slug": used.slug, "value": "99", "position": used.position},
        ),
        # Anyone added through the Workspace page's inline (and ids probed), the only editor
        # demoted through it.
        (
            f"/admin/annotations/workspace/{ws.pk}/change/",
            {
                "name": ws.name,
                "reviewers_per_claim": "2",
                "memberships-TOTAL_FORMS": "2",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": membership(ws, alice).pk,
                "memberships-0-workspace": ws.pk,
                "memberships-0-user": alice.pk,
                "memberships-0-role": Role.REVIEWER,
                "memberships-1-workspace": ws.pk,
                "memberships-1-user": mallory.pk + 1000,
                "memberships-1-role": Role.EDITOR,
                "verdicts-TOTAL_FORMS": "1",
                "verdicts-INITIAL_FORMS": "1",
                "verdicts-0-id": used.pk,
                "verdicts-0-workspace": ws.pk,
                "verdicts-0-value": "99",
            },
        ),
        # A workspace with no member and no scale.
        ("/admin/annotations/workspace/add/", {"name": "PROBE-workspace"}),
        # Save as new, deletions.
        (f"/admin/annotations/claim/{published.pk}/change/", {"_saveasnew": "1"}),
        (f"/admin/annotations/membership/{membership(ws, alice).pk}/delete/", {"post": "yes"}),
        (f"/admin/annotations/claim/{published.pk}/delete/", {"post": "yes"}),
    ]
    for url, data in attacks:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Select a valid choice" not in response.content.decode()
    for url in ("/admin/annotations/workspace/add/", "/admin/annotations/membership/add/"):
        assert client.get(url).status_code == 403
    assert snapshot() == before


def test_the_admin_shows_a_staff_member_their_desk_read_only(desk: Desk, alice: User) -> None:
    client = staff(alice)
    page = client.get(f"/admin/annotations/workspace/{desk.workspace.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "View workspace" in html and 'name="_save"' not in html
    assert 'name="memberships-0-role"' not in html and 'name="verdicts-0-value"' not in html
    # No row to add, none to delete.
    for prefix in ("memberships", "verdicts"):
        assert f'name="{prefix}-MAX_NUM_FORMS" value="0"' in html, prefix
        assert f'name="{prefix}-0-DELETE"' not in html, prefix
    claim = client.get(f"/admin/annotations/claim/{desk.jobs.pk}/change/").content.decode()
    assert 'name="claimant"' not in claim
    listing = client.get("/admin/annotations/claim/").content.decode()
    assert "delete_selected" not in listing
    # No "add" buttons either.
    assert "/admin/annotations/workspace/add/" not in client.get("/admin/").content.decode()


def test_members_scale_and_settings_are_shown_only_where_one_is_the_editor(
    desk: Desk, erin: User, dave: User
) -> None:
    """erin and dave see the desk's review work (no blind review), not its configuration."""
    for user in (erin, dave):
        client = staff(user)
        assert "Chômage" in client.get("/admin/annotations/article/").content.decode()
        for model in ("workspace", "membership", "verdictlabel", "exportjob", "datasetrelease"):
            listing = client.get(f"/admin/annotations/{model}/").content.decode()
            assert desk.workspace.name not in listing, model
        label = VerdictLabel.objects.filter(workspace=desk.workspace).first()
        assert label is not None
        opened = client.get(f"/admin/annotations/verdictlabel/{label.pk}/change/")
        assert opened.status_code == 302


# --- Superusers still edit, keeping an editor ----------------------------------------------------


def test_a_superuser_still_edits_but_keeps_an_editor(
    desk: Desk, alice: User, bob: User, mallory: User
) -> None:
    root = staff(User.objects.create_user("root", password="root-password-1"), superuser=True)
    ws = desk.workspace

    url = f"/admin/annotations/claim/{desk.open.pk}/change/"
    data = change_form(root, url)
    data["claimant"] = "Edited by ops"
    assert root.post(url, data).status_code == 302
    assert Claim.objects.get(pk=desk.open.pk).claimant == "Edited by ops"

    url = f"/admin/annotations/membership/{membership(ws, bob).pk}/change/"
    assert root.post(url, {"role": Role.ADJUDICATOR}).status_code == 302
    assert membership(ws, bob).role == Role.ADJUDICATOR

    # The only editor is neither demoted nor removed.
    editor = membership(ws, alice)
    url = f"/admin/annotations/membership/{editor.pk}/change/"
    refused = root.post(url, {"role": Role.REVIEWER})
    assert refused.status_code == 200
    assert "A workspace must keep at least one editor." in refused.content.decode()
    removed = root.post(f"/admin/annotations/membership/{editor.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    assert "A workspace must keep at least one editor." in root.get(url).content.decode()
    assert membership(ws, alice).role == Role.EDITOR

    # Nor through the Workspace page's inline...
    url = f"/admin/annotations/workspace/{ws.pk}/change/"
    data = change_form(root, url)
    row = inline_row(data, "memberships", editor.pk)
    data[f"{row}-role"] = Role.REVIEWER
    refused = root.post(url, data)
    assert refused.status_code == 200
    assert "A workspace must keep at least one editor." in refused.content.decode()
    assert membership(ws, alice).role == Role.EDITOR
    data[f"{row}-role"] = Role.EDITOR
    data[f"{row}-DELETE"] = "on"
    assert root.post(url, data).status_code == 200
    assert membership(ws, alice).role == Role.EDITOR
    # ...but handing over to another editor at once is fine.
    del data[f"{row}-DELETE"]
    data[f"{row}-role"] = Role.REVIEWER
    data[f"{inline_row(data, 'memberships', membership(ws, bob).pk)}-role"] = Role.EDITOR
    assert root.post(url, data).status_code == 302
    assert membership(ws, alice).role == Role.REVIEWER
    assert membership(ws, bob).role == Role.EDITOR

    # A used verdict keeps its value; an unused one may change.
    used = VerdictLabel.objects.get(workspace=ws, slug="false")
    url = f"/admin/annotations/verdictlabel/{used.pk}/change/"
    data = change_form(root, url)
    data["value"] = "99"
    refused = root.post(url, data)
    assert refused.status_code == 200
    assert "is used by verdicts already" in refused.content.decode()
    assert VerdictLabel.objects.get(pk=used.pk).value == used.value
    unused = VerdictLabel.objects.exclude(slug__in=used_verdict_slugs(workspace=ws)).filter(
        workspace=ws
    )[0]
    url = f"/admin/annotations/verdictlabel/{unused.pk}/change/"
    data = change_form(root, url)
    data["value"] = "0.5"
    assert root.post(url, data).status_code == 302
    assert VerdictLabel.objects.get(pk=unused.pk).value == 0.5

    # A workspace added here needs an editor.
    add = change_form(root, "/admin/annotations/workspace/add/")
    add["name"] = "Ops desk"
    refused = root.post("/admin/annotations/workspace/add/", add)
    assert refused.status_code == 200
    assert not Workspace.objects.filter(name="Ops desk").exists()
    add.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": mallory.pk,
            "memberships-0-role": Role.EDITOR,
        }
    )
    assert root.post("/admin/annotations/workspace/add/", add).status_code == 302
    created = Workspace.objects.get(name="Ops desk")
    assert membership(created, mallory).role == Role.EDITOR


# --- The bulk actions: the editor's, through the services ----------------------------------------


def _other_desk(alice: User, mallory: User) -> Claim:
    """A claim of mallory's desk, where alice adjudicates (she sees everything there)."""
    other = workspace_create(user=mallory, name="Other desk")
    member_add(actor=mallory, workspace=other, username=alice.username, role=Role.ADJUDICATOR)
    article = article_create(user=mallory, workspace=other, text="The mayor said so.", title="M")
    return claim_create(user=mallory, article=article, start=0, end=9).claim


def test_an_editor_still_publishes_and_exports_from_the_admin(
    desk: Desk, alice: User, mallory: User
) -> None:
    client = staff(alice)
    listing = client.get("/admin/annotations/claim/").content.decode()
    assert "mark_published" in listing and "export_selection_csv" in listing
    assert "assign_articles" in client.get("/admin/annotations/article/").content.decode()
    assigned = client.post(
        "/admin/annotations/article/",
        {"action": "assign_articles", "_selected_action": [desk.english.pk], "apply": "1"},
        follow=True,
    )
    assert "assignment(s) made on 1 article(s)." in assigned.content.decode()
    assert Assignment.objects.filter(article=desk.english).exists()

    done = client.post(
        "/admin/annotations/claim/",
        {"action": "mark_published", "_selected_action": [desk.unemployment.pk, desk.open.pk]},
        follow=True,
    )
    assert "1 claim(s) published." in done.content.decode()
    assert Claim.objects.get(pk=desk.unemployment.pk).status == "published"

    response = client.post(
        "/admin/annotations/claim/",
        {"action": "export_selection_csv", "_selected_action": [desk.open.pk, desk.jobs.pk]},
    )
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.DictReader(io.StringIO(streamed(response).decode(), newline="")))
    assert sorted(int(row["claim_id"]) for row in rows) == sorted([desk.open.pk, desk.jobs.pk])

    # A selection reaching into a desk where she is not the editor: refused, nothing done.
    theirs = _other_desk(alice, mallory)
    assert str(theirs.exact) in client.get("/admin/annotations/claim/").content.decode()
    before = snapshot()
    for action in ("mark_published", "export_selection_csv"):
        refused = client.post(
            "/admin/annotations/claim/",
            {"action": action, "_selected_action": [desk.opposition.pk, theirs.pk]},
            follow=True,
        )
        assert not isinstance(refused, StreamingHttpResponse)
        assert "editor" in refused.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("who", ["dave", "erin"])
def test_the_bulk_actions_are_refused_to_a_staff_member_who_is_no_editor(
    desk: Desk, who: str
) -> None:
    client = staff(User.objects.get(username=who))
    listing = client.get("/admin/annotations/claim/").content.decode()
    assert desk.unemployment.exact in listing  # she sees the claims...
    assert "mark_published" not in listing and "export_selection_csv" not in listing
    before = snapshot()
    requested = Article.objects.get(pk=desk.french.pk).extraction_requested_at
    for url, action, pk in (
        ("/admin/annotations/claim/", "mark_published", desk.unemployment.pk),
        ("/admin/annotations/claim/", "export_selection_csv", desk.unemployment.pk),
        ("/admin/annotations/article/", "assign_articles", desk.french.pk),
        ("/admin/annotations/article/", "rerun_extraction", desk.french.pk),
    ):
        response = client.post(
            url, {"action": action, "_selected_action": [pk], "apply": "1"}, follow=True
        )
        # Not offered, the action is not run: the list is shown again, nothing done.
        assert response.status_code == 200 and response.redirect_chain == [], action
        assert not isinstance(response, StreamingHttpResponse), action
        page = response.content.decode()
        assert "claim(s) published" not in page and "made on" not in page, action
        assert "Extraction queued" not in page, action
    assert snapshot() == before
    assert not Assignment.objects.exists()
    assert Article.objects.get(pk=desk.french.pk).extraction_requested_at == requested
    assert Claim.objects.get(pk=desk.unemployment.pk).status == "resolved"


# --- Users ---------------------------------------------------------------------------------------


def test_a_staff_member_lists_only_the_people_of_their_own_desks(
    workspace: Workspace, alice: User, erin: User, mallory: User
) -> None:
    User.objects.create_user("zz-outsider", email="outsider@example.org")
    client = staff(alice, apps=(*PROBE_APPS, "authtoken"))
    listing = client.get("/admin/auth/user/").content.decode()
    for name in ("alice", "bob", "carol", "dave", "erin"):
        assert f">{name}<" in listing, name
    assert "zz-outsider" not in listing and ">mallory<" not in listing
    assert "0 users" in client.get("/admin/auth/user/", {"q": "zz"}).content.decode()
    assert client.get(f"/admin/auth/user/{mallory.pk}/change/").status_code == 302
    # Nor through an autocomplete.
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "annotations", "model_name": "membership", "field_name": "user", "term": "z"},
    )
    assert found.status_code == 200 and found.json()["results"] == []
    # She cannot make herself a superuser, nor read anyone's API token.
    escalate = client.post(
        f"/admin/auth/user/{alice.pk}/change/",
        {"username": "alice", "is_staff": "on", "is_superuser": "on", "is_active": "on"},
    )
    assert escalate.status_code == 403
    assert not User.objects.get(pk=alice.pk).is_superuser
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 403

    # A staff member who is nobody's editor sees herself only.
    own = staff(erin).get("/admin/auth/user/").content.decode()
    assert ">erin<" in own and ">alice<" not in own


def test_a_superusers_change_of_an_articles_details_bumps_its_version(desk: Desk) -> None:
    root = staff(User.objects.create_user("root", password="root-password-1"), superuser=True)
    before = Article.objects.get(pk=desk.french.pk).version
    url = f"/admin/annotations/article/{desk.french.pk}/change/"
    data = change_form(root, url)
    data["title"] = "Titre corrigé"
    assert root.post(url, data).status_code == 302
    article = Article.objects.get(pk=desk.french.pk)
    # An editor's correction based on the version they loaded before is refused (412).
    assert (article.title, article.version) == ("Titre corrigé", before + 1)
