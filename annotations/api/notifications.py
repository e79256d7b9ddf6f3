"""API of a person's notifications: the list (all, or unread), marking read, and how they want
them by e-mail (annotations.services.notifications). Registered in annotations.api.urls."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors_notifications
from annotations.api.views import _valid, me
from annotations.models import Notification, NotificationSettings
from annotations.services import notifications

BIGINT = 2**63 - 1


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk", read_only=True)
    kind = serializers.ChoiceField(choices=Notification.Kind.choices, read_only=True)
    actor = serializers.SerializerMethodField(help_text="Who caused it (null: the clock).")
    workspace = serializers.IntegerField(source="workspace_id", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True, allow_null=True)
    claim = serializers.IntegerField(source="claim_id", read_only=True, allow_null=True)
    comment = serializers.IntegerField(source="comment_id", read_only=True, allow_null=True)
    text = serializers.SerializerMethodField(help_text="One sentence saying what happened.")
    link = serializers.SerializerMethodField(help_text="Where it leads in the pages (a path).")
    created_at = serializers.DateTimeField(read_only=True)
    read = serializers.SerializerMethodField()
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_actor(self, notification: Notification) -> str | None:
        return notification.actor.get_username() if notification.actor else None

    def get_text(self, notification: Notification) -> str:
        return notifications.describe(notification)

    def get_link(self, notification: Notification) -> str:
        return notifications.link(notification)

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkReadSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read.",
    )
    all = serializers.BooleanField(required=False, default=False, help_text="Mark every one read.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError(
                {"ids": ['Give the ids to mark read, or "all": true.']}
            )
        return attrs


class MarkedSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="How many stay unread.")


class SettingsSerializer(serializers.Serializer[Any]):
    email = serializers.ChoiceField(
        choices=NotificationSettings.Email.choices,
        help_text="E-mail: at once (immediate), a daily digest (daily), or never (off).",
    )


class NotificationListView(GenericAPIView[Any]):
    filter_backends: list[Any] = []
    queryset = Notification.objects.none()  # for the schema and the browsable API only
    serializer_class = NotificationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="Only the unread ones."),
        ],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Your notifications, newest first: mentions, assignments, disputes (adjudicators and
        editors), due dates, claims you worked on resolved or published. Under blind review a
        mention or a dispute shows once you may see what it is about."""
        unread = request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        found = selectors_notifications.notification_list(user=me(request), unread=unread)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationsReadView(APIView):
    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    def post(self, request: Request) -> Response:
        """Mark some notifications read (`ids`), or all of them (`"all": true`)."""
        data = _valid(MarkReadSerializer, request.data)
        ids = None if data.get("all") else data["ids"]
        marked = notifications.notifications_mark_read(user=me(request), ids=ids)
        unread = selectors_notifications.unread_count(user=me(request))
        return Response({"marked": marked, "unread": unread})


class NotificationSettingsView(APIView):
    @extend_schema(responses=SettingsSerializer)
    def get(self, request: Request) -> Response:
        """How you get notifications by e-mail."""
        return Response({"email": notifications.email_mode(me(request).pk)})

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def put(self, request: Request) -> Response:
        """Choose how you get notifications by e-mail."""
        data = _valid(SettingsSerializer, request.data)
        chosen = notifications.notification_settings_update(user=me(request), email=data["email"])
        return Response({"email": chosen.email})
