"""The editor's webhooks page: set one up (its secret shown once), turn it off or on, ping it, renew
its secret, delete it, read the delivery log and send a delivery again.

Plain forms that post back to the page; the rules are annotations.services.webhooks'. A secret is
shown on the page the creation or renewal leads to, once: it is kept in the session only until
that page is shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from annotations import selectors, selectors_webhooks
from annotations.errors import Conflict
from annotations.models import Role, Webhook
from annotations.services import webhooks
from annotations.web.articles import _me
from annotations.web.desk import _errors_into, _number

_SHOWN_ONCE = "webhook_shown_once"
ACTIONS = ("create", "toggle", "ping", "secret", "delete", "redeliver")


class WebhookForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("Target URL"), max_length=2000)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=Webhook.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Webhook.Event.CLAIM_PUBLISHED],
    )


@never_cache  # it shows a secret once: no copy kept by the browser
@login_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = selectors.workspace_get(
        user=request.user, workspace_id=workspace_id, role=Role.EDITOR
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = WebhookForm(request.POST if action == "create" else None, prefix="hook")
    status = 200
    back = reverse("desk-webhooks", args=[workspace.pk])
    if request.method == "POST":
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            status = 400
        else:
            try:
                done = _carry_out(request, workspace.pk, action, form)
            except ValidationError as error:
                _errors(request, form if action == "create" else None, error)
                status = 400
            except Conflict as error:
                messages.error(request, error.message)
                status = 409
            except Http404:
                messages.error(request, _("This webhook or delivery is gone: deleted meanwhile."))
                status = 404
            else:
                if done is None:
                    status = 400
                else:
                    messages.success(request, done)
                    return redirect(back)
    secret = None
    if request.method == "GET":
        kept = request.session.get(_SHOWN_ONCE)
        # Shown on this workspace's page only (the one the creation led to), then forgotten.
        if isinstance(kept, dict) and kept.get("workspace") == workspace.pk:
            secret = request.session.pop(_SHOWN_ONCE)
    hooks = list(selectors_webhooks.webhook_list(user=_me(request), workspace_id=workspace.pk))
    context: dict[str, Any] = {
        "workspace": workspace,
        "form": form,
        "hooks": hooks,
        "labels": dict(Webhook.Event.choices),
        "deliveries": selectors_webhooks.recent_deliveries(
            user=_me(request), workspace_id=workspace.pk
        ),
        "secret": secret,
        "signature_header": webhooks.SIGNATURE_HEADER,
    }
    return render(request, "annotations/workspace_webhooks.html", context, status=status)


def _errors(request: HttpRequest, form: forms.Form | None, error: ValidationError) -> None:
    if form is None:
        for message in error.messages:
            messages.error(request, message)
        return
    _errors_into(form, error)


def _carry_out(
    request: HttpRequest, workspace_id: int, action: str, form: WebhookForm
) -> str | None:
    """The posted action's message once done; None when the form shows what is wrong."""
    user = _me(request)
    if action == "create":
        if not form.is_valid():
            return None
        data = form.cleaned_data
        webhook, secret = webhooks.webhook_create(
            user=user,
            workspace_id=workspace_id,
            url=data["url"],
            events=list(data["events"]),
            description=data["description"],
        )
        request.session[_SHOWN_ONCE] = {
            "workspace": workspace_id,
            "webhook": webhook.pk,
            "url": webhook.url,
            "secret": secret,
        }
        return _("Webhook added. Copy its secret now: it is not shown again.")
    if action == "redeliver":
        delivery_id = _number(request.POST.get("delivery_id"))
        if not selectors_webhooks.delivery_in_workspace(
            delivery_id=delivery_id, workspace_id=workspace_id
        ):
            raise Http404(_("Not found."))
        webhooks.delivery_redeliver(user=user, delivery_id=delivery_id)
        return _("Sent again.")
    return _on_webhook(request, user, workspace_id, action)


def _on_webhook(request: HttpRequest, user: User, workspace_id: int, action: str) -> str:
    """An action of a webhook's row: turn off or on, ping, new secret, delete."""
    hook = webhooks.webhook_get(user=user, webhook_id=_number(request.POST.get("webhook_id")))
    _same_workspace(hook.workspace_id, workspace_id)
    if action == "toggle":
        hook = webhooks.webhook_update(
            user=user, webhook_id=hook.pk, changes={"active": request.POST.get("active") == "1"}
        )
        return _("Webhook turned on.") if hook.active else _("Webhook turned off.")
    if action == "ping":
        webhooks.webhook_ping(user=user, webhook_id=hook.pk)
        return _("Ping sent: see the delivery log.")
    if action == "secret":
        secret = webhooks.webhook_renew_secret(user=user, webhook_id=hook.pk)
        request.session[_SHOWN_ONCE] = {
            "workspace": workspace_id,
            "webhook": hook.pk,
            "url": hook.url,
            "secret": secret,
        }
        return _("New secret made. Copy it now: it is not shown again.")
    webhooks.webhook_delete(user=user, webhook_id=hook.pk)
    return _("Webhook deleted.")


def _same_workspace(found: int, page: int) -> None:
    # A form of one workspace's page never acts on another workspace's webhook.
    if found != page:
        raise Http404(_("Not found."))
