"""Reading a workspace's webhooks and their delivery logs: editors only (annotations.access)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from annotations.access import require_role
from annotations.models import Role, Webhook, WebhookDelivery
from annotations.services.webhooks import webhook_get


def webhook_list(*, user: User, workspace_id: int) -> QuerySet[Webhook]:
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    return (
        Webhook.objects.filter(workspace_id=workspace_id)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def delivery_list(*, user: User, webhook_id: int) -> QuerySet[WebhookDelivery]:
    webhook = webhook_get(user=user, webhook_id=webhook_id)
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")


def recent_deliveries(*, user: User, workspace_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The workspace's latest deliveries, all webhooks together (the webhooks page's log)."""
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    return list(
        WebhookDelivery.objects.filter(webhook__workspace_id=workspace_id)
        .select_related("webhook")
        .order_by("-created_at", "-pk")[:limit]
    )


def delivery_in_workspace(*, delivery_id: int, workspace_id: int) -> bool:
    """Whether a delivery is one of that workspace's (a page acts only on its own)."""
    return WebhookDelivery.objects.filter(
        pk=delivery_id, webhook__workspace_id=workspace_id
    ).exists()
