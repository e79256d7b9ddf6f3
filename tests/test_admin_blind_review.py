"""The Django admin asks the blind-review policy too: a staff member sees there only the
workspaces where they may see everything (editors and adjudicators; any member of a workspace
without blind review); superusers see all."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.test import Client

from annotations.models import (
    Claim,
    ClaimEvent,
    ClaimSource,
    Membership,
    VerdictLabel,
    Workspace,
)
from annotations.services.assessments import assessment_create
from annotations.services.sources import claim_source_link
from annotations.services.workspaces import VerdictSpec, workspace_create, workspace_update
from tests.export_desk import Desk

SECRET = "RATIONALE-admin-Q7"


def _staff(user: User) -> Client:
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_a_staff_reviewer_nothing_of_a_blind_workspace_in_the_admin(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    assessment_create(user=bob, claim=claim, verdict="false", rationale=SECRET)
    claim_source_link(user=bob, claim=claim, url="https://example.org/q7", stance="refutes")
    reviewer = _staff(carol)
    editor = _staff(alice)

    pages = [
        "/admin/annotations/assessment/",
        "/admin/annotations/claimsource/",
        "/admin/annotations/claimevent/",
        "/admin/annotations/claim/",
        f"/admin/annotations/assessment/{claim.assessments.get().pk}/change/",
    ]
    seen = [reviewer.get(page) for page in pages]
    assert all(SECRET not in page.content.decode() for page in seen)
    assert seen[-1].status_code == 302  # not found among what she may see: back to the index
    assert "0 assessments" in seen[0].content.decode()
    # The verdict filter lists the labels of what she may see, not another desk's scale.
    other = workspace_create(
        user=alice,
        name="Other desk",
        scale=[VerdictSpec("Q7-other", 1), VerdictSpec("Q7-label", 2)],
    )
    assert other.pk != workspace.pk
    assert "q7-other" not in reviewer.get(pages[0]).content.decode().lower()
    assert SECRET in editor.get(pages[-1]).content.decode()

    # Without blind review she is a member like any other.
    workspace_update(user=alice, workspace=workspace, blind_review=False)
    assert SECRET in reviewer.get(pages[-1]).content.decode()


def test_a_staff_member_sees_only_their_own_workspaces_in_the_admin(
    desk: Desk, mallory: User, alice: User
) -> None:
    """mallory runs another desk: with every view permission she reads nothing of this one,
    listed or opened by its id; a superuser reads both."""
    theirs = workspace_create(user=mallory, name="MALLORY-DESK-Q7")
    outsider = _staff(mallory)
    secret = desk.unemployment.assessments.first()
    assert secret is not None
    pages = {
        "workspace": desk.workspace.pk,
        "article": desk.french.pk,
        "claim": desk.unemployment.pk,
        "assessment": secret.pk,
        "claimsource": ClaimSource.objects.filter(claim__workspace=desk.workspace).first(),
        "claimevent": ClaimEvent.objects.filter(claim__workspace=desk.workspace).first(),
        "membership": Membership.objects.filter(workspace=desk.workspace).first(),
        "verdictlabel": VerdictLabel.objects.filter(workspace=desk.workspace).first(),
    }
    for model, obj in pages.items():
        pk = obj if isinstance(obj, int) else getattr(obj, "pk", None)
        assert pk is not None, model
        listing = outsider.get(f"/admin/annotations/{model}/").content.decode()
        assert desk.workspace.name not in listing and desk.french.title not in listing, model
        # Opened by its id, it is not found: back to the admin's index, nothing shown.
        opened = outsider.get(f"/admin/annotations/{model}/{pk}/change/")
        assert opened.status_code == 302, model
    assert theirs.name in outsider.get("/admin/annotations/workspace/").content.decode()

    alice.is_superuser = True
    superuser = _staff(alice)
    everything = superuser.get("/admin/annotations/workspace/").content.decode()
    assert desk.workspace.name in everything and theirs.name in everything
    # What the outsider's pages lacked is there for whoever may see it.
    assert desk.french.title in superuser.get("/admin/annotations/article/").content.decode()
