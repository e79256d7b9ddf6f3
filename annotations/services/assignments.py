"""Who works on which article. An assignment is done when its reviewer submits the article."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from annotations.access import require_role
from annotations.models import Article, Assignment, Role


@transaction.atomic
def article_submit(*, user: User, article: Article) -> Assignment:
    """Record that the user has submitted their work on the article.

    In a blind workspace this is what lets a reviewer see the others' highlights and verdicts on
    the article. An article nobody assigned to the user counts as self-assigned.
    """
    require_role(user=user, workspace_id=article.workspace_id, role=Role.ANNOTATOR)
    assignment, _created = Assignment.objects.select_for_update().get_or_create(
        article=article,
        user=user,
        defaults={"workspace_id": article.workspace_id, "assigned_by": user},
    )
    if assignment.completed_at is None:
        assignment.completed_at = timezone.now()
        assignment.save(update_fields=["completed_at"])
    return assignment
