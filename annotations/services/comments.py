"""Comments on a claim: notes and one level of replies by the members of its workspace.

Any member may comment on a claim they can read; only its author edits a comment; its author or an
editor deletes it (the row stays in its place in the thread, its body blanked). Editors and
adjudicators may mark a comment as an `instruction`, a note for everyone that blind review never
hides (who sees which comment is annotations.policy.comments_visible's rule).

`@username` in a body mentions that person when they are a member of the claim's workspace; any
other name stays plain text. Mentions are stored as references to the users, re-read on each edit;
each person mentioned is notified once per comment (services.notifications).
Writing (a new comment or an edit) is rate-limited per person (COMMENT_RATE, counted in the cache:
Redis when REDIS_URL is set).

Comments are not claim history: they change nothing the claim says, so they write no ClaimEvent
(and a claim's `version` and `updated_at` do not move); each keeps its own `created_at`,
`edited_at` and `deleted_at`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy
from annotations.access import require_role
from annotations.errors import Conflict, RateLimited
from annotations.models import (
    COMMENT_BODY_MAX,
    Claim,
    Comment,
    LiveEvent,
    Membership,
    Notification,
    Role,
)
from annotations.services.limits import counted
from annotations.services.live import live_event
from annotations.services.notifications import notify_mentions
from annotations.text import mentioned_names, normalise_text


@dataclass(frozen=True, slots=True)
class CommentWrite:
    """A comment as written, with who it mentions (usernames) and, of those, who cannot read it
    yet (blind review: their own verdict is not in). `waiting` is told only to authors who see all
    of the workspace's review work; to anyone else it would say who has not given a verdict."""

    comment: Comment
    mentioned: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


def _clean_body(body: str) -> str:
    text = normalise_text(body).strip()
    if not text:
        raise ValidationError({"body": [_("Write something: the comment is empty.")]})
    if len(text) > COMMENT_BODY_MAX:
        raise ValidationError(
            {
                "body": [
                    _("A comment holds at most %(max)d characters (this one has %(n)d).")
                    % {"max": COMMENT_BODY_MAX, "n": len(text)}
                ]
            }
        )
    return text


def _throttle(user: User) -> None:
    """Refuse a write past COMMENT_RATE (count, seconds) per person. Fails open when the cache is
    down: a comment is worth more than the limit."""
    count, period = settings.COMMENT_RATE
    made = counted(f"comment-writes:{user.pk}", period)
    if made is not None and made > count:
        raise RateLimited(
            _(
                "You have written %(n)d comments in a short time: wait a minute before writing "
                "another."
            )
            % {"n": count}
        )


def _sight(user: User, workspace_id: int) -> policy.Sight:
    return policy.sight_of(user).only(workspace_id)


def _parent(*, user: User, claim: Claim, parent_id: int) -> Comment:
    """The comment a reply answers: one of this claim's that the author may read, not deleted.
    A reply to a reply joins the thread of the comment that one answers (one level deep)."""
    parent = (
        Comment.objects.filter(pk=parent_id, claim_id=claim.pk)
        .filter(policy.comments_visible(_sight(user, claim.workspace_id)))
        .select_related("parent")
        .first()
    )
    if parent is None:
        raise ValidationError(
            {"parent": [_("No comment %(id)d on this claim.") % {"id": parent_id}]}
        )
    root = parent.parent if parent.parent is not None else parent
    if root is not parent and not (
        Comment.objects.filter(pk=root.pk)
        .filter(policy.comments_visible(_sight(user, claim.workspace_id)))
        .exists()
    ):
        # The thread's first comment is hidden from this reader: as if it did not exist.
        raise ValidationError(
            {"parent": [_("No comment %(id)d on this claim.") % {"id": parent_id}]}
        )
    if root.deleted_at is not None or parent.deleted_at is not None:
        raise ValidationError(
            {"parent": [_("That comment was deleted: there is nothing to answer.")]}
        )
    return root


def _mention(*, author: User, comment: Comment) -> CommentWrite:
    """Store whom the body mentions (members of the claim's workspace only), and who of them may
    not read the comment yet."""
    workspace_id = comment.claim.workspace_id
    names = mentioned_names(comment.body)
    members = {
        user.username: user
        for user in User.objects.filter(
            username__in=names,
            pk__in=Membership.objects.filter(workspace_id=workspace_id).values("user_id"),
        )
    }
    # A name read both ways ("bob." and "bob") counts once, as the member it is.
    chosen: dict[int, User] = {}
    for name in names:
        user = members.get(name)
        if user is not None and user.pk not in chosen:
            chosen[user.pk] = user
    mentioned = list(chosen.values())
    comment.mentions.set(mentioned)
    # A name an edit took out no longer tells that person they were mentioned.
    Notification.objects.filter(comment_id=comment.pk, kind=Notification.Kind.MENTIONED).exclude(
        recipient_id__in=[user.pk for user in mentioned]
    ).delete()
    notify_mentions(comment=comment, mentioned=mentioned, actor=author)
    _tell_pages(comment, author)
    waiting: list[str] = []
    if _sight(author, workspace_id).sees_all(workspace_id):
        for user in mentioned:
            readable = Comment.objects.filter(pk=comment.pk).filter(
                policy.comments_visible(_sight(user, workspace_id))
            )
            if not readable.exists():
                waiting.append(user.username)
    return CommentWrite(comment, [user.username for user in mentioned], waiting)


def _tell_pages(comment: Comment, actor: User) -> None:
    """The comment's place in its article's live feed (services.live)."""
    live_event(
        article_id=comment.claim.article_id,
        kind=LiveEvent.Kind.COMMENT,
        claim_id=comment.claim_id,
        comment=comment,
        actor=actor,
    )


def comment_create(
    *,
    user: User,
    claim: Claim,
    body: str,
    parent: int | None = None,
    instruction: bool = False,
) -> CommentWrite:
    """A new comment on `claim` (read through selectors.claim_get, so the user may see it), or a
    reply to the comment `parent` of the same claim."""
    role = require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    if instruction and role < Role.ADJUDICATOR:
        raise PermissionDenied(
            _("Only adjudicators and editors may mark a comment as an instruction.")
        )
    text = _clean_body(body)
    root = _parent(user=user, claim=claim, parent_id=parent) if parent is not None else None
    _throttle(user)
    with transaction.atomic():
        comment = Comment.objects.create(
            claim=claim, author=user, parent=root, body=text, instruction=instruction
        )
        return _mention(author=user, comment=comment)


def check_may_edit(*, user: User, comment: Comment) -> None:
    """Only its author, still a member, edits a comment: the API asks before it reads the body."""
    require_role(user=user, workspace_id=comment.claim.workspace_id, role=Role.ANNOTATOR)
    if comment.author_id != user.pk:
        raise PermissionDenied(_("Only its author may edit a comment."))


def comment_update(*, user: User, comment: Comment, body: str) -> CommentWrite:
    """Its author changes a comment's body (the mentions follow the new text)."""
    check_may_edit(user=user, comment=comment)
    if comment.deleted_at is not None:
        raise Conflict(_("This comment was deleted: it cannot be edited."), field="body")
    text = _clean_body(body)
    _throttle(user)
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
            body=text, edited_at=timezone.now()
        )
        if not changed:  # deleted meanwhile
            raise Conflict(_("This comment was deleted: it cannot be edited."), field="body")
        comment.refresh_from_db()
        return _mention(author=user, comment=comment)


def comment_delete(*, user: User, comment: Comment) -> Comment:
    """Its author, or an editor of the workspace, deletes a comment: it stays in its thread as
    deleted, with no body and no mentions. Deleting it again changes nothing."""
    role = require_role(user=user, workspace_id=comment.claim.workspace_id, role=Role.ANNOTATOR)
    if comment.author_id != user.pk and role < Role.EDITOR:
        raise PermissionDenied(_("Only its author or an editor may delete a comment."))
    if comment.deleted_at is not None:
        return comment
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
            body="", deleted_at=timezone.now(), deleted_by=user
        )
        comment.mentions.clear()
        # What it said is gone: so are the mentions it made.
        Notification.objects.filter(comment_id=comment.pk).delete()
        _tell_pages(comment, user)
    comment.refresh_from_db()
    return comment
