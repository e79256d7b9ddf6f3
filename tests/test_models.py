"""The invariants the database enforces by itself, whatever code writes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError, transaction

from annotations.models import (
    Assessment,
    CandidateClaim,
    Claim,
    Highlight,
    Membership,
    Role,
    Workspace,
)


def _violates(**create: object) -> None:
    model = create.pop("model")
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**create)  # type: ignore[attr-defined]


def test_it_refuses_a_claim_whose_end_is_not_after_its_start(claim: Claim) -> None:
    _violates(
        model=Claim,
        workspace=claim.workspace,
        article=claim.article,
        start=10,
        end=10,
        exact="",
        created_by=claim.created_by,
    )


def test_it_refuses_a_negative_offset(claim: Claim) -> None:
    _violates(
        model=Claim,
        workspace=claim.workspace,
        article=claim.article,
        start=-1,
        end=3,
        exact="x",
        created_by=claim.created_by,
    )


def test_it_refuses_a_second_assessment_by_the_same_reviewer(claim: Claim, bob: User) -> None:
    verdict = claim.workspace.verdicts.get(slug="true")
    Assessment.objects.create(claim=claim, reviewer=bob, verdict=verdict, initial_verdict=verdict)
    _violates(model=Assessment, claim=claim, reviewer=bob, verdict=verdict)


def test_it_refuses_a_confidence_outside_zero_to_one(claim: Claim, bob: User) -> None:
    _violates(
        model=Assessment,
        claim=claim,
        reviewer=bob,
        verdict=claim.workspace.verdicts.first(),
        confidence=1.2,
    )


def test_it_refuses_a_resolved_claim_without_a_final_verdict(claim: Claim) -> None:
    claim.status = Claim.Status.RESOLVED
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_it_refuses_a_second_highlight_of_one_reviewer_on_a_claim(claim: Claim, bob: User) -> None:
    _violates(
        model=Highlight, claim=claim, article=claim.article, user=bob, start=0, end=4, exact="Le c"
    )


def test_it_refuses_a_highlight_with_no_span_that_is_not_an_orphan(
    claim: Claim, carol: User
) -> None:
    _violates(
        model=Highlight,
        claim=claim,
        article=claim.article,
        user=carol,
        start=None,
        end=None,
        exact="x",
    )


def test_it_refuses_a_decided_candidate_without_who_decided(claim: Claim) -> None:
    _violates(
        model=CandidateClaim,
        article=claim.article,
        start=0,
        end=4,
        text="Le c",
        score=0.5,
        scorer="t",
        status="accepted",
    )


def test_it_refuses_an_unknown_role_and_a_double_membership(
    workspace: Workspace, bob: User
) -> None:
    _violates(model=Membership, workspace=workspace, user=bob, role=Role.EDITOR)
    _violates(
        model=Membership, workspace=workspace, user=User.objects.create(username="z"), role=99
    )


def test_it_has_migrations_for_every_model_change(db: None) -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
