"""API of a workspace's webhooks (editors): set one up (its secret is in that answer only), change,
delete, renew the secret, ping, read the delivery log and send a delivery again
(annotations.services.webhooks). Registered in annotations.api.urls."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors_webhooks
from annotations.api.views import _valid, me
from annotations.models import Webhook, WebhookDelivery
from annotations.services import webhooks

EVENTS_HELP = (
    "The events it is sent: claim.published, claim.resolved, claim.disputed, claim.unpublished, "
    "article.extracted, import.finished."
)


class WebhookSerializer(serializers.Serializer[Any]):
    """A webhook as its editors see it (never its secret)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    workspace = serializers.IntegerField(source="workspace_id", read_only=True)
    url = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)
    active = serializers.BooleanField(read_only=True)
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_created_by(self, webhook: Webhook) -> str | None:
        return webhook.created_by.get_username() if webhook.created_by else None


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The key of the signature (X-Workbench-Signature-256: sha256=HMAC-SHA256 of the "
        "body). Shown in this answer only: keep it.",
    )


class SecretSerializer(serializers.Serializer[Any]):
    secret = serializers.CharField(read_only=True, help_text="The new secret, shown this once.")


class WebhookWriteSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(
        max_length=2000,
        help_text="Where deliveries are POSTed: http or https, a public address unless its host "
        "is in WEBHOOK_ALLOWED_HOSTS.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.Event.choices),
        allow_empty=False,
        max_length=len(Webhook.Event.choices),
        help_text=EVENTS_HELP,
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    active = serializers.BooleanField(required=False, default=True)


class WebhookUpdateSerializer(WebhookWriteSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class DeliverySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk", read_only=True)
    webhook = serializers.IntegerField(source="webhook_id", read_only=True)
    uuid = serializers.UUIDField(
        read_only=True, help_text="Sent as X-Workbench-Delivery: a receiver drops one seen before."
    )
    event = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    response_code = serializers.IntegerField(read_only=True, allow_null=True)
    response_excerpt = serializers.CharField(
        read_only=True, help_text="The start of the target's answer."
    )
    error = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_attempt_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it is sent again (status retrying)."
    )
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    redelivery_of = serializers.IntegerField(
        source="redelivery_of_id", read_only=True, allow_null=True
    )
    body = serializers.CharField(read_only=True, help_text="The exact JSON body that was signed.")


class WorkspaceWebhooksView(GenericAPIView[Any]):
    filter_backends: list[Any] = []
    queryset = Webhook.objects.none()  # for the schema and the browsable API only
    serializer_class = WebhookSerializer

    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request: Request, workspace_id: int) -> Response:
        """The workspace's webhooks (editors)."""
        found = selectors_webhooks.webhook_list(user=me(request), workspace_id=workspace_id)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(WebhookSerializer(page, many=True).data)

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookWithSecretSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Set up a webhook (editors). The answer carries its secret, which is never shown again."""
        data = _valid(WebhookWriteSerializer, request.data)
        webhook, secret = webhooks.webhook_create(
            user=me(request), workspace_id=workspace_id, **data
        )
        answer = dict(WebhookSerializer(webhook).data)
        answer["secret"] = secret
        return Response(answer, status=status.HTTP_201_CREATED)


class WebhookView(APIView):
    @extend_schema(responses=WebhookSerializer)
    def get(self, request: Request, webhook_id: int) -> Response:
        """One webhook (editors)."""
        webhook = webhooks.webhook_get(user=me(request), webhook_id=webhook_id)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(request=WebhookUpdateSerializer, responses=WebhookSerializer)
    def patch(self, request: Request, webhook_id: int) -> Response:
        """Change its address, events, description, or turn it off and on (editors)."""
        webhooks.webhook_get(user=me(request), webhook_id=webhook_id)
        data = _valid(WebhookUpdateSerializer, request.data, partial=True)
        webhook = webhooks.webhook_update(user=me(request), webhook_id=webhook_id, changes=data)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, webhook_id: int) -> Response:
        """Delete it, with its delivery log (editors)."""
        webhooks.webhook_delete(user=me(request), webhook_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretView(APIView):
    @extend_schema(request=None, responses=SecretSerializer)
    def post(self, request: Request, webhook_id: int) -> Response:
        """Give the webhook a new secret (editors), shown in this answer only."""
        secret = webhooks.webhook_renew_secret(user=me(request), webhook_id=webhook_id)
        return Response({"secret": secret})


class WebhookPingView(APIView):
    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, webhook_id: int) -> Response:
        """Send a `ping` event to try the target and the signature (editors)."""
        delivery = webhooks.webhook_ping(user=me(request), webhook_id=webhook_id)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveriesView(GenericAPIView[Any]):
    filter_backends: list[Any] = []
    queryset = WebhookDelivery.objects.none()  # for the schema and the browsable API only
    serializer_class = DeliverySerializer

    @extend_schema(responses=DeliverySerializer(many=True))
    def get(self, request: Request, webhook_id: int) -> Response:
        """The webhook's delivery log, newest first (editors)."""
        found = selectors_webhooks.delivery_list(user=me(request), webhook_id=webhook_id)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class RedeliverView(APIView):
    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, delivery_id: int) -> Response:
        """Send a delivery again (editors): a new delivery with the same body."""
        delivery = webhooks.delivery_redeliver(user=me(request), delivery_id=delivery_id)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
