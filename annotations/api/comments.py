"""API of the comments on a claim: the thread as blind review lets the reader see it, a new
comment or reply, its author's edit, and deletion (annotations.services.comments). Registered in
annotations.api.urls."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors, selectors_comments
from annotations.api.schema import RATE_LIMITED
from annotations.api.views import _valid, me
from annotations.models import COMMENT_BODY_MAX, Comment
from annotations.services import comments
from annotations.services.comments import CommentWrite

BIGINT = 2**63 - 1


class CommentSerializer(serializers.Serializer[Any]):
    """A comment as its reader may see it."""

    id = serializers.IntegerField(source="pk", read_only=True)
    claim = serializers.IntegerField(source="claim_id", read_only=True)
    parent = serializers.IntegerField(  # type: ignore[assignment]  # DRF pops declared fields
        source="shown_parent",
        read_only=True,
        allow_null=True,
        help_text="The comment this one answers; null for a comment of its own (or when the one "
        "it answers is hidden from you).",
    )
    author = serializers.CharField(source="author.username", read_only=True)
    body = serializers.CharField(read_only=True, help_text="Empty once the comment is deleted.")
    instruction = serializers.BooleanField(
        read_only=True,
        help_text="A note from an editor or adjudicator for everyone: blind review never hides it.",
    )
    mentions = serializers.SerializerMethodField(
        help_text="The workspace members the body names as @username."
    )
    deleted = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    deleted_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_mentions(self, comment: Comment) -> list[str]:
        return [user.username for user in comment.mentions.all()]

    def get_deleted(self, comment: Comment) -> bool:
        return comment.deleted_at is not None


class CommentWrittenSerializer(CommentSerializer):
    """A comment just written, with whom it mentions that cannot read it yet."""

    mentions_waiting = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Of the people mentioned, those blind review keeps it from until their own "
        "verdict on the claim is in. Only told to editors and adjudicators (to anyone else it "
        "would say who has not given a verdict): empty otherwise.",
    )


class CommentCreateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        max_length=COMMENT_BODY_MAX,
        help_text="The comment; @username mentions a member of the claim's workspace.",
    )
    parent = serializers.IntegerField(  # type: ignore[assignment]  # DRF pops declared fields
        min_value=1,
        max_value=BIGINT,
        required=False,
        allow_null=True,
        default=None,
        help_text="Answer this comment of the same claim (a reply to a reply joins its thread).",
    )
    instruction = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A note for everyone, which blind review never hides: editors and "
        "adjudicators only.",
    )


class CommentUpdateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=COMMENT_BODY_MAX)


def _written(done: CommentWrite) -> dict[str, Any]:
    comment = selectors_comments.comment_get(user=done.comment.author, comment_id=done.comment.pk)
    data = dict(CommentWrittenSerializer(comment).data)
    data["mentions_waiting"] = done.waiting
    return data


class ClaimCommentsView(GenericAPIView[Any]):
    filter_backends: list[Any] = []
    queryset = Comment.objects.none()  # for the schema and the browsable API only
    serializer_class = CommentSerializer

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: Request, claim_id: int) -> Response:
        """The claim's comments, oldest first, as blind review lets you see them: in a blind
        workspace a reviewer sees the others' comments once their own verdict is in, and
        instructions always. Deleted comments keep their place, with no body."""
        claim = selectors.claim_get(user=me(request), claim_id=claim_id)
        thread = selectors_comments.claim_comments(user=me(request), claim=claim)
        page = self.paginate_queryset(thread)  # type: ignore[arg-type]  # DRF pages lists too
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        request=CommentCreateSerializer,
        responses={201: CommentWrittenSerializer, 429: RATE_LIMITED},
    )
    def post(self, request: Request, claim_id: int) -> Response:
        """Comment on the claim, or answer one of its comments (`parent`)."""
        claim = selectors.claim_get(user=me(request), claim_id=claim_id)
        data = _valid(CommentCreateSerializer, request.data)
        done = comments.comment_create(user=me(request), claim=claim, **data)
        return Response(_written(done), status=status.HTTP_201_CREATED)


class CommentView(APIView):
    """One comment: its author edits it; its author or an editor deletes it."""

    @extend_schema(request=CommentUpdateSerializer, responses=CommentWrittenSerializer)
    def patch(self, request: Request, comment_id: int) -> Response:
        """Change the body of your own comment (its mentions follow the new text)."""
        comment = selectors_comments.comment_get(user=me(request), comment_id=comment_id)
        comments.check_may_edit(user=me(request), comment=comment)
        data = _valid(CommentUpdateSerializer, request.data)
        done = comments.comment_update(user=me(request), comment=comment, body=data["body"])
        return Response(_written(done))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        """Delete your own comment (editors: any comment). It stays in its thread as deleted."""
        comment = selectors_comments.comment_get(user=me(request), comment_id=comment_id)
        comments.comment_delete(user=me(request), comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
