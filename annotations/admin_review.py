"""The review queues and bulk actions in the Django admin.

The queues are the signed-in staff member's own, as in the web UI and the API (annotations.queues):
a list filter with each queue's size. The actions go through the services, so the workspace roles
apply here too (an editor's role is needed to assign, re-run extraction or publish), and a refusal
changes nothing. Each declares the "editor" permission: the admin offers it to superusers and to
staff who are the editor of some workspace (`has_editor_permission`), even though the admin is
otherwise read-only for them; the role is then checked in every workspace selected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annotations import queues
from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Article, Claim, Membership, Role, WebhookDelivery
from annotations.services.articles import article_request_extraction
from annotations.services.assignments import articles_assign
from annotations.services.publishing import claim_publish_many
from annotations.services.webhooks import delivery_redeliver

REFUSALS = (ValidationError, PermissionDenied, Http404)


def require_editor(*, user: Any, workspace_ids: Iterable[int]) -> None:
    """Refuse (403/404) unless the user is the editor of every workspace given."""
    for workspace_id in sorted(set(workspace_ids)):
        require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)


def refusal_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You do not have the editor's role in every workspace selected.")


class QueueFilter(admin.SimpleListFilter):
    """One of my queues, with the number of items waiting in each."""

    title = gettext_lazy("my queue")
    parameter_name = "queue"
    subject = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user = request.user
        rows = queues.queue_counts(user=user)
        choices = []
        for name, queue in queues.QUEUES.items():
            if queue.subject != self.subject:
                continue
            sizes = [row["counts"][name] for row in rows if row["counts"][name] is not None]
            if sizes:
                choices.append((name, f"{queue.label} ({sum(sizes)})"))
        if self.subject == "article":
            overdue = [row["overdue"] for row in rows if row["overdue"] is not None]
            if overdue:
                choices.append(("overdue", f"{_('Overdue')} ({sum(overdue)})"))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        name = self.value()
        if not name:
            return queryset
        user: Any = request.user
        if name == "overdue":
            editor_of = Membership.objects.filter(user_id=user.pk, role__gte=Role.EDITOR).values(
                "workspace_id"
            )
            late = queues.overdue_assignments(workspaces=editor_of).values("article_id")
            return queryset.filter(pk__in=late)
        if name not in queues.QUEUES or queues.QUEUES[name].subject != self.subject:
            return queryset.none()
        try:
            items = queues.queue_items(user=user, name=name)
        except REFUSALS:
            return queryset.none()
        return queryset.filter(pk__in=items.values("pk"))


class ArticleQueueFilter(QueueFilter):
    subject = "article"


class ClaimQueueFilter(QueueFilter):
    subject = "claim"


class AssignForm(forms.Form):
    reviewer = forms.ChoiceField(
        label=gettext_lazy("Assign to"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty to assign automatically: the workspace's number of reviewers per claim, "
            "least loaded first, avoiding those who highlighted the article's claims."
        ),
    )

    def __init__(self, *args: Any, members: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Automatically")), *((name, name) for name in members)]


@admin.action(
    description=gettext_lazy("Assign to a reviewer, or automatically"), permissions=("editor",)
)
def assign_articles(
    modeladmin: admin.ModelAdmin[Article], request: HttpRequest, queryset: QuerySet[Article]
) -> HttpResponse | None:
    articles = list(queryset.defer("text").order_by("pk"))
    workspaces = {article.workspace_id for article in articles}
    members = sorted(
        set(
            Membership.objects.filter(workspace_id__in=workspaces).values_list(
                "user__username", flat=True
            )
        )
    )
    form = AssignForm(request.POST if "apply" in request.POST else None, members=members)
    if "apply" in request.POST and form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        user: Any = request.user
        try:
            outcomes = articles_assign(
                user=user,
                articles=articles,
                usernames=[reviewer] if reviewer else (),
                auto=not reviewer,
            )
        except REFUSALS as error:
            modeladmin.message_user(request, refusal_message(error), messages.ERROR)
            return None
        made = sum(len(outcome.created) for outcome in outcomes)
        missing = sum(outcome.missing for outcome in outcomes)
        text = _("%(made)d assignment(s) made on %(articles)d article(s).") % {
            "made": made,
            "articles": len(outcomes),
        }
        if missing:
            text += " " + _("%(n)d reviewer(s) still missing: the desk is too small.") % {
                "n": missing
            }
        modeladmin.message_user(request, text, messages.WARNING if missing else messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "admin/annotations/assign.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Assign articles"),
            "articles": articles,
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


@admin.action(description=gettext_lazy("Re-run extraction"), permissions=("editor",))
def rerun_extraction(
    modeladmin: admin.ModelAdmin[Article], request: HttpRequest, queryset: QuerySet[Article]
) -> None:
    user: Any = request.user
    ids = list(queryset.order_by("pk").values_list("pk", "workspace_id"))
    try:
        with transaction.atomic():
            require_editor(user=user, workspace_ids=(workspace_id for _pk, workspace_id in ids))
            queued = sum(article_request_extraction(article_id=pk) for pk, _ws in ids)
    except REFUSALS as error:
        modeladmin.message_user(request, refusal_message(error), messages.ERROR)
        return
    text = _("Extraction queued for %(n)d article(s).") % {"n": queued}
    if queued < len(ids):
        text += " " + _("%(n)d without text yet were left alone.") % {"n": len(ids) - queued}
    modeladmin.message_user(request, text, messages.SUCCESS)


@admin.action(description=gettext_lazy("Mark published"), permissions=("editor",))
def mark_published(
    modeladmin: admin.ModelAdmin[Claim], request: HttpRequest, queryset: QuerySet[Claim]
) -> None:
    user: User | Any = request.user
    try:
        published, skipped = claim_publish_many(user=user, claims=queryset.order_by("pk"))
    except REFUSALS as error:
        modeladmin.message_user(request, refusal_message(error), messages.ERROR)
        return
    text = _("%(n)d claim(s) published.") % {"n": len(published)}
    if skipped:
        text += " " + _("%(n)d not resolved yet were left alone.") % {"n": len(skipped)}
    modeladmin.message_user(request, text, messages.WARNING if skipped else messages.SUCCESS)


@admin.action(description=gettext_lazy("Send again"), permissions=("editor",))
def redeliver_webhook(
    modeladmin: admin.ModelAdmin[WebhookDelivery],
    request: HttpRequest,
    queryset: QuerySet[WebhookDelivery],
) -> None:
    user: Any = request.user
    ids = list(queryset.order_by("pk").values_list("pk", "webhook__workspace_id"))
    try:
        with transaction.atomic():
            require_editor(user=user, workspace_ids=(workspace_id for _pk, workspace_id in ids))
            for pk, _ws in ids:
                delivery_redeliver(user=user, delivery_id=pk)
    except REFUSALS as error:
        modeladmin.message_user(request, refusal_message(error), messages.ERROR)
        return
    except Conflict as error:  # a webhook turned off
        modeladmin.message_user(request, error.message, messages.ERROR)
        return
    text = _("%(n)d delivery(ies) sent again.") % {"n": len(ids)}
    modeladmin.message_user(request, text, messages.SUCCESS)
