"""Publishing verified claims, and what may happen to them afterwards.

- **Publish** a resolved claim (one or many), optionally with the address and date of the desk's
  own article about it, which ClaimReview then gives as its `url` and `datePublished`.
- **Correct** a published verdict: a new final verdict with a public note; the claim stays
  published and gets a `dateModified` (as signatories of the IFCN code of principles do).
- **Unpublish** with a reason: the claim is resolved again, off the public pages and the feed.

Only editors do any of this, and once a claim is published only editors change it. Each change is
an event in the claim's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.models import Adjudication, Claim, Role
from annotations.services.assessments import verdict_by_slug
from annotations.services.history import record_event
from annotations.services.matching import claim_settled_later
from annotations.services.sources import url_problem
from annotations.webfetch import UnsafeURL, check_url_syntax


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(no_key=True, of=("self",))
        .select_related("final_verdict")
        .get(pk=claim.pk)
    )


def _checked_review_url(review_url: str) -> str:
    if not review_url:
        return ""
    try:
        return check_url_syntax(review_url)
    except UnsafeURL as exc:
        raise ValidationError({"review_url": [url_problem(exc)]}) from None


@transaction.atomic
def claim_publish(
    *,
    user: User,
    claim: Claim,
    review_url: str = "",
    review_published_at: date | None = None,
) -> Claim:
    """Publish a resolved claim; `review_url` and `review_published_at` name the desk's article."""
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.EDITOR)
    review_url = _checked_review_url(review_url)
    claim = _locked(claim)
    if claim.status != Claim.Status.RESOLVED:
        raise ValidationError(
            {
                "status": [
                    _("Only a resolved claim can be published; this one is %(s)s.")
                    % {"s": str(Claim.Status(claim.status).label).lower()}
                ]
            }
        )
    verdict = claim.final_verdict.slug if claim.final_verdict else None
    # Not a change to what the claim says: its version and updated_at stay (see Claim.version).
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.PUBLISHED,
        published_at=timezone.now(),
        review_url=review_url or claim.review_url,
        review_published_at=review_published_at or claim.review_published_at,
    )
    claim.refresh_from_db()
    claim_settled_later(claim.pk)
    record_event(
        claim=claim,
        actor=user,
        kind="status_changed",
        before={"status": Claim.Status.RESOLVED, "final_verdict": verdict},
        after={
            "status": Claim.Status.PUBLISHED,
            "final_verdict": verdict,
            "reason": "published",
            "review_url": claim.review_url,
        },
    )
    return claim


@transaction.atomic
@transaction.atomic
def claim_publish_many(
    *,
    user: User,
    claims: Iterable[Claim],
    review_url: str = "",
    review_published_at: date | None = None,
) -> tuple[list[Claim], list[Claim]]:
    """Publish every resolved claim of a selection; return (published, skipped as not resolved).

    The editor's role is checked in each claim's workspace first: one refusal publishes nothing.
    """
    selected = list(claims)
    for workspace_id in {claim.workspace_id for claim in selected}:
        require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    published: list[Claim] = []
    skipped: list[Claim] = []
    for claim in selected:
        current = Claim.objects.only("status").get(pk=claim.pk)
        if current.status == Claim.Status.RESOLVED:
            published.append(
                claim_publish(
                    user=user,
                    claim=claim,
                    review_url=review_url,
                    review_published_at=review_published_at,
                )
            )
        else:
            skipped.append(claim)
    return published, skipped


@transaction.atomic
def claim_review_set(
    *,
    user: User,
    claim: Claim,
    review_url: str,
    review_published_at: date | None,
) -> Claim:
    """Set (or clear) the desk's article about a resolved or published claim."""
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.EDITOR)
    review_url = _checked_review_url(review_url)
    claim = _locked(claim)
    if claim.status not in (Claim.Status.RESOLVED, Claim.Status.PUBLISHED):
        raise ValidationError(
            {"review_url": [_("Only a resolved or published claim has a fact-check article.")]}
        )
    before = {"review_url": claim.review_url, "review_published_at": _day(claim)}
    Claim.objects.filter(pk=claim.pk).update(
        review_url=review_url, review_published_at=review_published_at
    )
    claim.refresh_from_db()
    after = {"review_url": claim.review_url, "review_published_at": _day(claim)}
    if before != after:
        record_event(claim=claim, actor=user, kind="review_set", before=before, after=after)
    return claim


def _day(claim: Claim) -> str | None:
    return claim.review_published_at.isoformat() if claim.review_published_at else None


@transaction.atomic
def claim_correct(*, user: User, claim: Claim, verdict: str, note: str) -> Claim:
    """Correct the verdict of a published claim, with a public note: it stays published, with
    the new verdict and the date of the correction (ClaimReview `dateModified`)."""
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.EDITOR)
    if not note.strip():
        raise ValidationError({"note": [_("Say what was corrected and why: readers see it.")]})
    label = verdict_by_slug(workspace_id=claim.workspace_id, slug=verdict)
    claim = _locked(claim)
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError(
            {"status": [_("Only a published claim is corrected; adjudicate it instead.")]}
        )
    old = claim.final_verdict.slug if claim.final_verdict else None
    now = timezone.now()
    adjudication = Adjudication.objects.create(
        claim=claim, adjudicator=user, verdict=label, note=note
    )
    Claim.objects.filter(pk=claim.pk).update(final_verdict=label, review_modified_at=now)
    claim.refresh_from_db()
    record_event(
        claim=claim,
        actor=user,
        kind="corrected",
        before={"final_verdict": old},
        after={"final_verdict": label.slug, "note": note, "adjudication": adjudication.pk},
    )
    return claim


@transaction.atomic
def claim_unpublish(*, user: User, claim: Claim, reason: str) -> Claim:
    """Take a claim off the public pages and the feed, with a reason: it is resolved again."""
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.EDITOR)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the claim is unpublished.")]})
    claim = _locked(claim)
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError({"status": [_("This claim is not published.")]})
    verdict = claim.final_verdict.slug if claim.final_verdict else None
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.RESOLVED, published_at=None)
    claim.refresh_from_db()
    record_event(
        claim=claim,
        actor=user,
        kind="status_changed",
        before={"status": Claim.Status.PUBLISHED, "final_verdict": verdict},
        after={
            "status": Claim.Status.RESOLVED,
            "final_verdict": verdict,
            "reason": "unpublished",
            "note": reason,
        },
    )
    return claim
