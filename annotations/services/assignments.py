"""Who works on which article. An assignment is done when its reviewer submits the article.

Editors assign articles (and so every claim in them) by hand or automatically; see article_assign.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy
from annotations.access import require_role
from annotations.models import (
    Article,
    Assignment,
    Claim,
    Highlight,
    Membership,
    Role,
    Workspace,
)
from annotations.services.merging import independent_claims_merge
from annotations.services.notifications import notify_assigned


@transaction.atomic
def article_submit(*, user: User, article: Article) -> Assignment:
    """Record that the user has submitted their work on the article.

    With independent highlighting this is what shows a reviewer the claims only others
    highlighted, and, once everyone who highlighted the same passage has submitted, what merges
    their separate claims of it (services.merging). An article nobody assigned to the user counts
    as self-assigned.
    """
    require_role(user=user, workspace_id=article.workspace_id, role=Role.ANNOTATOR)
    # The article first: submissions of one article merge its claims one after the other.
    article = (
        Article.objects.select_for_update(no_key=True).only("pk", "workspace_id").get(pk=article.pk)
    )
    assignment, _created = Assignment.objects.select_for_update().get_or_create(
        article=article,
        user=user,
        defaults={"workspace_id": article.workspace_id, "assigned_by": user},
    )
    if assignment.completed_at is None:
        assignment.completed_at = timezone.now()
        assignment.save(update_fields=["completed_at"])
        if policy.merges_at_submission(article.workspace_id):
            independent_claims_merge(article=article, actor=user)
    return assignment


@dataclass(frozen=True, slots=True)
class AssignmentOutcome:
    article: Article
    created: list[Assignment]
    # Every assignment of the article after the change, in the order they were made.
    assignments: list[Assignment]
    # Reviewers still missing for `reviewers_per_claim` (auto mode could not find enough).
    missing: int


def reviewer_assignment_count(*, article: Article) -> int:
    """Assignments of the article held by members with at least the reviewer role."""
    reviewers = Membership.objects.filter(
        workspace_id=article.workspace_id, role__gte=Role.REVIEWER
    ).values("user_id")
    return Assignment.objects.filter(article_id=article.pk, user_id__in=reviewers).count()


def pick_reviewers(
    candidates: Sequence[tuple[int, str]],
    *,
    count: int,
    load: Mapping[int, int],
    authors: Set[int],
) -> list[int]:
    """Choose `count` reviewers: non-authors before authors, then the least loaded, then by name.

    `candidates` are (user id, username); `load` is each one's open assignments; `authors` are the
    users who highlighted claims in the article, picked only when nobody else is left.
    """
    ranked = sorted(candidates, key=lambda c: (c[0] in authors, load.get(c[0], 0), c[1], c[0]))
    return [user_id for user_id, _name in ranked[: max(count, 0)]]


def _members_named(workspace_id: int, usernames: Sequence[str]) -> list[User]:
    wanted = list(dict.fromkeys(usernames))
    members = {
        m.user.username: m.user
        for m in Membership.objects.filter(
            workspace_id=workspace_id, user__username__in=wanted
        ).select_related("user")
    }
    missing = [name for name in wanted if name not in members]
    if missing:
        raise ValidationError(
            {
                "users": [
                    _("Not members of this workspace: %(names)s.") % {"names": ", ".join(missing)}
                ]
            }
        )
    return [members[name] for name in wanted]


def _auto_choice(article: Article, workspace: Workspace, taken: Set[int]) -> tuple[list[int], int]:
    need = workspace.reviewers_per_claim - reviewer_assignment_count(article=article)
    if need <= 0:
        return [], 0
    candidates = list(
        Membership.objects.filter(workspace_id=workspace.pk, role=Role.REVIEWER)
        .exclude(user_id__in=taken)
        .values_list("user_id", "user__username")
    )
    load = dict(
        Assignment.objects.filter(workspace_id=workspace.pk, completed_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    authors = set(
        Claim.objects.filter(article_id=article.pk).values_list("created_by_id", flat=True)
    ) | set(Highlight.objects.filter(article_id=article.pk).values_list("user_id", flat=True))
    chosen = pick_reviewers(candidates, count=need, load=load, authors=authors)
    return chosen, need - len(chosen)


@transaction.atomic
def article_assign(
    *,
    user: User,
    article: Article,
    usernames: Sequence[str] = (),
    auto: bool = False,
    due_at: datetime | None = None,
) -> AssignmentOutcome:
    """Assign an article to the named members, or automatically (editors only).

    Automatic assignment tops the article up to the workspace's `reviewers_per_claim` members with
    the reviewer role, least loaded first (open assignments in the workspace), avoiding those who
    highlighted its claims when others are available. A member already assigned keeps their
    assignment. Due `assignment_due_days` from now unless `due_at` is given.
    """
    require_role(user=user, workspace_id=article.workspace_id, role=Role.EDITOR)
    if auto and usernames:
        raise ValidationError({"users": [_("Name the reviewers or ask for auto, not both.")]})
    if not auto and not usernames:
        raise ValidationError(
            {"users": [_("Name at least one member, or ask for automatic assignment.")]}
        )
    now = timezone.now()
    if due_at is not None and due_at <= now:
        raise ValidationError({"due_at": [_("The due date must be in the future.")]})
    # One editor at a time per article: two automatic assignments must not pick the same slot.
    article = (
        Article.objects.select_for_update(no_key=True, of=("self",))
        .select_related("workspace")
        .get(pk=article.pk)
    )
    workspace = article.workspace
    taken = set(Assignment.objects.filter(article_id=article.pk).values_list("user_id", flat=True))
    missing = 0
    if auto:
        chosen, missing = _auto_choice(article, workspace, taken)
    else:
        chosen = [
            member.pk
            for member in _members_named(workspace.pk, usernames)
            if member.pk not in taken
        ]
    due = due_at or now + timedelta(days=workspace.assignment_due_days)
    created = Assignment.objects.bulk_create(
        Assignment(
            workspace_id=workspace.pk, article=article, user_id=uid, assigned_by=user, due_at=due
        )
        for uid in chosen
    )
    notify_assigned(assignments=created, actor=user)
    assignments = list(
        Assignment.objects.filter(article_id=article.pk)
        .select_related("user", "assigned_by")
        .order_by("created_at", "id")
    )
    return AssignmentOutcome(
        article=article, created=created, assignments=assignments, missing=missing
    )


@transaction.atomic
def articles_assign(
    *, user: User, articles: Iterable[Article], usernames: Sequence[str] = (), auto: bool = False
) -> list[AssignmentOutcome]:
    """Assign many articles at once (the admin's bulk action): all of them, or none on an error.

    Loads are counted again for each article, so an automatic assignment spreads the selection
    over the reviewers.
    """
    return [
        article_assign(user=user, article=article, usernames=usernames, auto=auto)
        for article in articles
    ]
