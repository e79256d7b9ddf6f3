"""The desk's rules the services keep whatever page or request comes in: a published verdict
changes only by a public correction; two editors stepping down at once leave one; names fit on one
line; the scale's values stay computable and its names distinct."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from annotations.agreement import Rating, ScaleLabel, krippendorff_alpha
from annotations.models import Claim, ClaimEvent, Membership, Role, VerdictLabel, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.publishing import claim_correct, claim_publish
from annotations.services.workspaces import (
    LabelEdit,
    VerdictSpec,
    member_add,
    member_change_role,
    scale_update,
    workspace_create,
    workspace_update,
)


def _published(claim: Claim, alice: User, dave: User) -> Claim:
    adjudication_create(user=dave, claim=claim, verdict="mostly-true", note="first look")
    claim.refresh_from_db()
    return claim_publish(user=alice, claim=claim)


def test_an_adjudicator_cannot_change_a_published_verdict_behind_the_publics_back(
    claim: Claim, alice: User, dave: User, api: Callable[[User | None], APIClient]
) -> None:
    claim = _published(claim, alice, dave)
    answer = api(dave).post(
        f"/api/v1/claims/{claim.pk}/adjudication/",
        {"verdict": "false", "note": "quietly", "start": 0, "end": 5},
        format="json",
    )
    assert answer.status_code == 409
    assert "public correction" in answer.json()["verdict"][0]
    claim.refresh_from_db()
    assert (claim.status, claim.final_verdict and claim.final_verdict.slug) == (
        "published",
        "mostly-true",
    )
    assert not ClaimEvent.objects.filter(claim=claim, after__note="quietly").exists()
    # The open way still works, for an editor.
    corrected = claim_correct(user=alice, claim=claim, verdict="false", note="New figures")
    assert corrected.final_verdict is not None and corrected.final_verdict.slug == "false"
    assert ClaimEvent.objects.filter(claim=claim, kind="corrected").exists()


@pytest.mark.django_db(transaction=True)
def test_two_editors_stepping_down_at_once_leave_one_editor_and_no_server_error(
    alice: User, bob: User
) -> None:
    workspace = workspace_create(user=alice, name="Two editors")
    member_add(actor=alice, workspace=workspace, username=bob.username, role=Role.EDITOR)
    memberships = {m.user_id: m for m in Membership.objects.filter(workspace=workspace)}
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def step_down(user: User) -> None:
        try:
            start.wait(timeout=10)
            member_change_role(actor=user, membership=memberships[user.pk], role=Role.ANNOTATOR)
            outcomes.append("done")
        except ValidationError as error:
            outcomes.append("refused: " + " ".join(error.messages))
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(user,)) for user in (alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [
        "done",
        "refused: A workspace must keep at least one editor.",
    ], outcomes
    assert Membership.objects.filter(workspace=workspace, role=Role.EDITOR).count() == 1


@pytest.mark.parametrize("field", ["name", "organisation_name"])
def test_names_that_go_into_mail_subjects_fit_on_one_line(
    field: str, workspace: Workspace, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    with pytest.raises(ValidationError) as refused:
        workspace_update(user=alice, workspace=workspace, **{field: "Desk\nBcc: everyone"})
    assert field in refused.value.message_dict
    answer = api(alice).post("/api/v1/workspaces/", {"name": "Desk\r\nTwo"}, format="json")
    assert answer.status_code == 400 and "name" in answer.json()
    assert not Workspace.objects.filter(name__startswith="Desk\r").exists()


@pytest.mark.parametrize("value", [1e308, -1e6, float("inf")])
def test_a_verdict_value_stays_a_number_the_figures_can_use(
    value: float, workspace: Workspace, alice: User
) -> None:
    with pytest.raises(ValidationError, match="between -1000 and 1000"):
        scale_update(user=alice, workspace=workspace, labels=[LabelEdit("Huge", value)])
    with pytest.raises(ValidationError, match="between -1000 and 1000"):
        workspace_create(
            user=alice, name="Other", scale=[VerdictSpec("Low", 0), VerdictSpec("High", value)]
        )
    assert not VerdictLabel.objects.filter(name="Huge").exists()


def test_alpha_is_undefined_rather_than_infinite_on_values_that_overflow() -> None:
    ratings = [
        Rating(unit, coder, label)
        for unit, labels in enumerate([("low", "high"), ("high", "low"), ("low", "low")])
        for coder, label in zip(("bob", "carol"), labels, strict=True)
    ]
    scale = [ScaleLabel("low", -1e200), ScaleLabel("high", 1e200)]
    assert krippendorff_alpha(ratings, level="interval", scale=scale) is None


def test_two_verdicts_cannot_share_a_name(workspace: Workspace, alice: User) -> None:
    with pytest.raises(ValidationError, match="Two verdicts are called False"):
        scale_update(user=alice, workspace=workspace, labels=[LabelEdit("False", 5.0, "true")])
    assert VerdictLabel.objects.get(workspace=workspace, slug="true").name == "True"
