"""Reads of the comments on a claim (annotations.services.comments), through annotations.policy
like every other read: a reader gets the comments `policy.comments_visible` lets them see, and a
comment they may not see does not exist for them (404), even asked for by its id."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from annotations import policy
from annotations.models import Claim, Comment


def _seen(sight: policy.Sight) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(policy.comments_visible(sight))
        .select_related("author", "deleted_by", "claim")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.order_by("username")))
    )


def claim_comments(*, user: User, claim: Claim) -> list[Comment]:
    """The thread of `claim` (read through selectors.claim_get) as this reader may see it, oldest
    first. Each comment carries `shown_parent`: the comment it answers, or None when that one is
    hidden from the reader (the reply then reads as a comment of its own)."""
    sight = policy.sight_of(user).only(claim.workspace_id)
    comments = list(_seen(sight).filter(claim_id=claim.pk).order_by("created_at", "id"))
    ids = {comment.pk for comment in comments}
    for comment in comments:
        comment.shown_parent = (  # type: ignore[attr-defined]
            comment.parent_id if comment.parent_id in ids else None
        )
    return comments


def comment_get(*, user: User, comment_id: int) -> Comment:
    """One comment, if the reader may see it and its claim; 404 otherwise (an outsider, a hidden
    comment and a missing one answer alike)."""
    workspace_id = (
        Comment.objects.filter(pk=comment_id).values_list("claim__workspace_id", flat=True).first()
    )
    sight = policy.sight_of(user)
    if workspace_id is None or workspace_id not in sight.roles:
        raise Http404(_("Not found."))
    seen = sight.only(workspace_id)
    listed = Claim.objects.filter(policy.claims_listed(seen)).values("pk")
    comment = _seen(seen).filter(pk=comment_id, claim_id__in=listed).first()
    if comment is None:
        raise Http404(_("Not found."))
    parent_seen = comment.parent_id is None or (_seen(seen).filter(pk=comment.parent_id).exists())
    comment.shown_parent = comment.parent_id if parent_seen else None  # type: ignore[attr-defined]
    return comment
