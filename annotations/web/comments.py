"""The comments section of a claim's page: the thread as the reader may see it, grouped under the
comments they answer, and its forms (comment or reply, edit one's own, delete). The rules are
annotations.services.comments's; what the reader sees is annotations.selectors_comments's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from annotations import selectors, selectors_comments
from annotations.errors import Conflict, RateLimited
from annotations.models import COMMENT_BODY_MAX, Claim, Comment, Role, Workspace
from annotations.services import comments

# The claim page's actions handled here (the `action` field of each form).
COMMENT_ACTIONS = ("comment", "comment_edit", "comment_delete")  # the keys of _FORMS


class CommentForm(forms.Form):
    """A new comment or a reply (the page's textareas are written in the template)."""

    # Not required here: the service says what an empty comment lacks.
    body = forms.CharField(max_length=COMMENT_BODY_MAX, required=False)
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    instruction = forms.BooleanField(required=False)


class CommentEditForm(forms.Form):
    comment = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    # Not required here: the service says what an empty comment lacks.
    body = forms.CharField(max_length=COMMENT_BODY_MAX, required=False)


class CommentDeleteForm(forms.Form):
    comment = forms.IntegerField(min_value=1, max_value=2**63 - 1)


_FORMS: dict[str, type[forms.Form]] = {
    "comment": CommentForm,
    "comment_edit": CommentEditForm,
    "comment_delete": CommentDeleteForm,
}


@dataclass(frozen=True, slots=True)
class Shown:
    """A comment on the page: its body cut into plain text and mentions, and what the reader may
    do with it."""

    comment: Comment
    pieces: list[tuple[str, bool]]
    replies: list[Shown]
    mine: bool
    may_delete: bool


def body_pieces(body: str, mentioned: set[str]) -> list[tuple[str, bool]]:
    """The body as (text, is_mention) pieces: "@bob" is a mention when bob is among `mentioned`
    (the members it was stored as naming), plain text otherwise."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in re.finditer(r"@([\w.@+-]+)", body):
        name = match.group(1)
        name = name if name in mentioned else name.rstrip(".")
        if name not in mentioned:
            continue
        end = match.start() + 1 + len(name)
        if match.start() > at:
            pieces.append((body[at : match.start()], False))
        pieces.append((body[match.start() : end], True))
        at = end
    if at < len(body):
        pieces.append((body[at:], False))
    return pieces


def thread_context(
    request: HttpRequest, claim: Claim, workspace: Workspace, role: Role
) -> dict[str, Any]:
    """What the template needs: the thread, the members to mention, who may write instructions."""
    user = request.user
    assert isinstance(user, User)
    thread = selectors_comments.claim_comments(user=user, claim=claim)
    shown: dict[int, Shown] = {}
    roots: list[Shown] = []
    for comment in thread:
        item = Shown(
            comment=comment,
            pieces=body_pieces(comment.body, {u.username for u in comment.mentions.all()}),
            replies=[],
            mine=comment.author_id == user.pk,
            may_delete=comment.deleted_at is None
            and (comment.author_id == user.pk or role >= Role.EDITOR),
        )
        shown[comment.pk] = item
        parent = shown.get(comment.shown_parent) if comment.shown_parent else None  # type: ignore[attr-defined]
        (parent.replies if parent is not None else roots).append(item)
    return {
        "comments": roots,
        "comment_count": len(thread),
        "members": selectors.member_usernames(workspace=workspace, but=user),
        "can_instruct": role >= Role.ADJUDICATOR,
    }


def comment_action(request: HttpRequest, claim: Claim, action: str) -> tuple[bool, Any]:
    """Do one of COMMENT_ACTIONS; (True, anchor) when done, (False, form with its errors) when
    not: the page shows the form again with what was typed, and says what is wrong."""
    user = request.user
    assert isinstance(user, User)
    form = _FORMS[action](request.POST)
    if not form.is_valid():
        return False, form
    data = form.cleaned_data
    try:
        if action == "comment":
            done = comments.comment_create(
                user=user,
                claim=claim,
                body=data["body"],
                parent=data["parent"],
                instruction=data["instruction"],
            )
            _tell_waiting(request, done.waiting)
            return True, f"comment-{done.comment.pk}"
        comment = selectors_comments.comment_get(user=user, comment_id=data["comment"])
        if comment.claim_id != claim.pk:
            raise Http404
        if action == "comment_edit":
            done = comments.comment_update(user=user, comment=comment, body=data["body"])
            _tell_waiting(request, done.waiting)
            return True, f"comment-{comment.pk}"
        comments.comment_delete(user=user, comment=comment)
        messages.success(request, _("The comment is deleted."))
        return True, "comments"
    except Http404:
        form.add_error(None, _("That comment is no longer there: it may have been deleted."))
    except (PermissionDenied, RateLimited) as error:
        form.add_error(None, str(error.message if isinstance(error, RateLimited) else error))
    except Conflict as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for field, items in by_field.items():
            for message in items:
                form.add_error(field if field in form.fields else None, message)
    return False, form


def _tell_waiting(request: HttpRequest, waiting: list[str]) -> None:
    if waiting:
        messages.info(
            request,
            _(
                "%(names)s will see this comment, and your mention, once their own verdict on "
                "the claim is in (blind review)."
            )
            % {"names": ", ".join(waiting)},
        )


def failed_comment(form: forms.Form | None, action: str) -> dict[str, Any]:
    """Where the page puts back a comment that failed: `comment_failed` (the action),
    `comment_failed_on` (the comment replied to or edited, None for a new comment) and
    `comment_typed` (what was typed, never lost)."""
    if form is None:
        return {"comment_failed": "", "comment_failed_on": None, "comment_typed": ""}
    on = form.data.get("comment") or form.data.get("parent") or ""
    return {
        "comment_failed": action,
        "comment_failed_on": int(on) if str(on).isascii() and str(on).isdigit() else None,
        "comment_typed": form.data.get("body", ""),
    }
