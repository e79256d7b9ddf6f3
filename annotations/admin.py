"""The Django admin: every model with useful columns, filters and search.

Only superusers (ops) write here. For other staff the admin is a read-only view, scoped by
annotations.policy: review work in the workspaces where they see everything, and a workspace's
own configuration and output (its settings, members, verdict scale, exports and releases) only in
the workspaces where they are its editor. Editors change all that on the product's pages, which go
through annotations.services (roles, the membership trail and its rate limit, the rules of the
scale, the claim's history). The bulk actions (assign, re-run extraction, publish, export the
selection) go through the services too and are offered to the editors (`has_editor_permission`),
who must hold the role in every workspace selected. The user list is scoped the same way.

Fields that claims point into (an article's text, a claim's span) are read-only here: changing
them in place would silently move every highlight. Text corrections go through a revision.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from annotations import policy
from annotations.admin_review import (
    REFUSALS,
    ArticleQueueFilter,
    ClaimQueueFilter,
    assign_articles,
    mark_published,
    redeliver_webhook,
    refusal_message,
    require_editor,
    rerun_extraction,
)
from annotations.exports import FORMATS
from annotations.models import (
    Adjudication,
    Article,
    ArticleRevision,
    Assessment,
    Assignment,
    CandidateClaim,
    Claim,
    ClaimEvent,
    ClaimMatch,
    ClaimSource,
    DatasetRelease,
    Disagreement,
    ExportJob,
    Highlight,
    Membership,
    ReferenceClaim,
    ReleaseFile,
    Role,
    ScorerModel,
    Source,
    TaskOutbox,
    VerdictLabel,
    Webhook,
    WebhookDelivery,
    Workspace,
)
from annotations.services.exports import selection_csv
from annotations.services.workspaces import used_verdict_slugs

_M = TypeVar("_M", bound=Model)
_P = TypeVar("_P", bound=Model)

# The services' own words for the same refusal.
LAST_EDITOR = gettext_lazy("A workspace must keep at least one editor.")


def is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


# How a model that a form may point at reaches its workspace.
RELATED_WORKSPACE: dict[Any, str] = {
    Workspace: "pk",
    Article: "workspace",
    Claim: "workspace",
    VerdictLabel: "workspace",
    Source: "workspace",
    CandidateClaim: "article__workspace",
    Highlight: "article__workspace",
    Assessment: "claim__workspace",
    DatasetRelease: "workspace",
    User: "memberships__workspace",
}


class SuperuserWrites(admin.ModelAdmin[_M]):
    """Adding, changing and deleting are for superusers; other staff get view-only pages (when
    their Django permissions let them view). A refused POST is a 403 before any validation."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_delete_permission(request, obj)


class ScopedAdmin(SuperuserWrites[_M]):
    """An admin page limited to the workspaces where the staff user sees everything (the policy's
    clear sight: adjudicators and editors, or any member of a workspace without blind review);
    with `editors_only`, to those where they are the editor; superusers see every workspace.
    `workspace_field` leads from the model to its workspace."""

    workspace_field = "workspace"
    # A workspace's configuration or output (settings, members, scale, exports, releases): the
    # editor's business.
    editors_only = False

    def _workspaces(self, request: HttpRequest) -> frozenset[int] | None:
        return policy.admin_workspaces(request.user, editor=self.editors_only)

    def get_queryset(self, request: HttpRequest) -> QuerySet[_M]:
        queryset = super().get_queryset(request)
        workspaces = self._workspaces(request)
        if workspaces is None:
            return queryset
        return queryset.filter(**{f"{self.workspace_field}__in": sorted(workspaces)})

    def has_editor_permission(self, request: HttpRequest) -> bool:
        """Whether the bulk actions that need the editor's role are offered: to superusers and to
        the editors of some workspace. Each action checks the role in every workspace selected."""
        return is_superuser(request) or bool(policy.admin_workspaces(request.user, editor=True))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The choices of a form's foreign keys are scoped like the lists: an assignment's article
        # or user, an assessment's verdict, never another desk's.
        workspaces = self._workspaces(request)
        path = RELATED_WORKSPACE.get(db_field.related_model)
        if path is not None and workspaces is not None:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                **{f"{path}__in": sorted(workspaces)}
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StaffInline(admin.TabularInline[_M, _P]):
    """An inline whose rows only superusers add, change or delete."""

    extra = 0

    # (The stubs' own inline signatures differ from the model admin's the same way.)
    def has_add_permission(self, request: HttpRequest, obj: _P | None) -> bool:  # type: ignore[override]
        return is_superuser(request) and super().has_add_permission(request, obj)

    def has_change_permission(  # type: ignore[override]
        self, request: HttpRequest, obj: _P | None = None
    ) -> bool:
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(  # type: ignore[override]
        self, request: HttpRequest, obj: _P | None = None
    ) -> bool:
        return is_superuser(request) and super().has_delete_permission(request, obj)


# --- A superuser's edits keep the workspace's invariants -----------------------------------------


def _keeps_another_editor(membership: Membership) -> bool:
    return (
        Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.EDITOR)
        .exclude(pk=membership.pk)
        .exists()
    )


def _is_last_editor(membership: Membership) -> bool:
    return membership.role == Role.EDITOR and not _keeps_another_editor(membership)


class MembershipForm(forms.ModelForm[Membership]):
    """The Membership change page: the last editor is not demoted."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        # The instance still holds the stored values here (the form's are copied onto it later).
        current = self.instance
        role = self.cleaned_data.get("role")
        if (
            current.pk is not None
            and role is not None
            and int(role) != Role.EDITOR
            and _is_last_editor(current)
        ):
            raise ValidationError({"role": [LAST_EDITOR]})
        return self.cleaned_data


class ArticleAdminForm(forms.ModelForm[Article]):
    """An article's change page carries the version it was loaded at (hidden): a save from a page
    opened before a colleague's change (through the API, the desk or another admin page) is
    refused with a form error and writes nothing, instead of putting the old details back."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        loaded = self.cleaned_data.get("loaded_version")
        if self.instance.pk is None or loaded is None:
            return self.cleaned_data
        # Locked until the admin's transaction (around the whole change view) ends, so that the
        # version cannot move between this check and the save.
        with transaction.atomic():
            current = (
                Article.objects.select_for_update(no_key=True)
                .values_list("version", flat=True)
                .get(pk=self.instance.pk)
            )
        if current != loaded:
            raise ValidationError(
                _(
                    "The article's text or details were changed by someone else since you "
                    "loaded it (now version %(v)d)."
                )
                % {"v": current}
                + " "
                + _("Reload the page to see their change, then make yours again.")
            )
        return self.cleaned_data


class MembershipFormSet(BaseInlineFormSet[Membership, Workspace, forms.ModelForm[Membership]]):
    """The Workspace page's members: whatever the rows say once saved, an editor remains."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        editors = 0
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra row
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("role") == Role.EDITOR:
                editors += 1
        if not editors:
            raise ValidationError(LAST_EDITOR)


class VerdictLabelForm(forms.ModelForm[VerdictLabel]):
    """A label some verdict already uses keeps its value, as on the settings page."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        label = self.instance  # still the stored label
        if (
            label.pk is not None
            and "value" in self.changed_data
            and label.slug in used_verdict_slugs(workspace=label.workspace)
        ):
            raise ValidationError(
                {
                    "value": [
                        _(
                            "%(name)s is used by verdicts already: its value stays %(value)s, "
                            "so that they keep their meaning."
                        )
                        % {"name": label.name, "value": label.value}
                    ]
                }
            )
        return self.cleaned_data


class MembershipInline(StaffInline[Membership, Workspace]):
    model = Membership
    formset = MembershipFormSet
    autocomplete_fields = ("user",)


class VerdictLabelInline(StaffInline[VerdictLabel, Workspace]):
    model = VerdictLabel
    form = VerdictLabelForm
    ordering = ("position",)


@admin.register(Workspace)
class WorkspaceAdmin(ScopedAdmin[Workspace]):
    """Staff create workspaces on /workspaces/new/ (a superuser may add one here, with an
    editor)."""

    workspace_field = "pk"
    editors_only = True
    list_display = (
        "name",
        "organisation_name",
        "blind_review",
        "reviewers_per_claim",
        "member_count",
        "created_at",
    )
    list_filter = ("blind_review",)
    search_fields = ("name", "organisation_name")
    inlines = (VerdictLabelInline, MembershipInline)
    readonly_fields = ("created_at", "created_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workspace]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj: Any) -> int:
        return int(obj.member_count)

    def save_model(self, request: HttpRequest, obj: Workspace, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin[Membership]):
    editors_only = True
    form = MembershipForm
    list_display = ("user", "workspace", "role", "created_at")
    list_filter = ("role", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "workspace__name")
    autocomplete_fields = ("user", "workspace")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A membership is not moved to another person or workspace: add one, remove the other.
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "workspace", "user") if obj is not None else fields

    def get_actions(self, request: HttpRequest) -> Any:
        # Memberships are removed one by one, so that the last editor's removal can be refused.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        membership = self.get_object(request, unquote(object_id))
        if (
            membership is not None
            and self.has_delete_permission(request, membership)
            and _is_last_editor(membership)
        ):
            self.message_user(request, str(LAST_EDITOR), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:annotations_membership_change", args=[membership.pk])
            )
        return super().delete_view(request, object_id, extra_context)


@admin.register(Article)
class ArticleAdmin(ScopedAdmin[Article]):
    list_display = (
        "__str__",
        "workspace",
        "language",
        "publisher",
        "extraction_status",
        "fetch_status",
        "claim_count",
        "created_at",
    )
    list_filter = (
        ArticleQueueFilter,
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "language",
        "extraction_status",
        "fetch_status",
    )
    actions = (assign_articles, rerun_extraction)
    search_fields = ("title", "url", "publisher", "author")
    date_hierarchy = "created_at"
    readonly_fields = (
        "text",
        "checksum",
        "fetch_status",
        "fetch_error",
        "extraction_status",
        "extraction_error",
        "extraction_requested_at",
        "extracted_at",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    )
    list_select_related = ("workspace",)
    form = ArticleAdminForm

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        # A superuser's change of the details is a change like any other: it bumps the version,
        # so a correction of the text based on the version before it is refused. Only the fields
        # changed are written (the row is locked and at the loaded version: ArticleAdminForm), so
        # a column written meanwhile by a task (extraction status, fetch) is left alone.
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = [name for name in form.changed_data if name != "loaded_version"]
        if not changed:
            return
        obj.version = form.cleaned_data["loaded_version"] + 1
        obj.save(update_fields=[*changed, "version", "updated_at"])

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).defer("text").annotate(claim_count=Count("claims"))

    @admin.display(ordering="claim_count", description="claims")
    def claim_count(self, obj: Any) -> int:
        return int(obj.claim_count)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Imports normalise and queue extraction: they go through the API or the web page.
        return False


class HighlightInline(StaffInline[Highlight, Claim]):
    model = Highlight
    fields = ("user", "start", "end", "exact", "orphaned", "created_at")
    readonly_fields = fields
    can_delete = False


class AssessmentInline(StaffInline[Assessment, Claim]):
    model = Assessment
    fields = ("reviewer", "verdict", "confidence", "rationale", "updated_at")
    readonly_fields = fields
    can_delete = False


@admin.action(description="Export the selection (CSV)", permissions=("editor",))
def export_selection_csv(
    modeladmin: admin.ModelAdmin[Claim], request: HttpRequest, queryset: QuerySet[Claim]
) -> StreamingHttpResponse | None:
    """Stream the selected claims as the CSV export, whatever their status (the API's export
    takes only verified ones). Exports are the editor's: staff need the role in every workspace
    selected (superusers, ops, export anything)."""
    if not is_superuser(request):
        try:
            require_editor(
                user=request.user,
                workspace_ids=queryset.order_by().values_list("workspace_id", flat=True).distinct(),
            )
        except REFUSALS as error:
            modeladmin.message_user(request, refusal_message(error), messages.ERROR)
            return None
    response = StreamingHttpResponse(
        selection_csv(queryset), content_type=FORMATS["csv"].media_type
    )
    filename = f"claims-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin[Claim]):
    list_display = (
        "__str__",
        "workspace",
        "status",
        "origin",
        "final_verdict",
        "claimant",
        "created_at",
    )
    list_filter = (
        ClaimQueueFilter,
        "status",
        "origin",
        ("workspace", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("exact", "normalised_text", "claimant")
    date_hierarchy = "created_at"
    list_select_related = ("workspace", "final_verdict")
    readonly_fields = (
        "workspace",
        "article",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "status",
        "final_verdict",
        "origin",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    )
    fields = (
        "workspace",
        "article",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "claimant",
        "normalised_text",
        "status",
        "final_verdict",
        "origin",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    )
    inlines = (HighlightInline, AssessmentInline)
    actions = (export_selection_csv, mark_published)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Highlight)
class HighlightAdmin(ScopedAdmin[Highlight]):
    workspace_field = "article__workspace"
    list_display = ("__str__", "claim", "start", "end", "orphaned", "created_at")
    list_filter = ("orphaned",)
    search_fields = ("exact", "user__username")
    readonly_fields = (
        "claim",
        "article",
        "user",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "orphaned",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ScopedAdmin[Assessment]):
    workspace_field = "claim__workspace"
    list_display = ("claim", "reviewer", "verdict", "confidence", "updated_at")
    # Related-only filters list what the scoped rows hold, never another desk's labels.
    list_filter = (
        ("verdict", admin.RelatedOnlyFieldListFilter),
        ("claim__workspace", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("reviewer__username", "rationale", "claim__exact")
    list_select_related = ("claim", "reviewer", "verdict")
    readonly_fields = (
        "claim",
        "reviewer",
        "verdict",
        "initial_verdict",
        "created_at",
        "updated_at",
        "version",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(VerdictLabel)
class VerdictLabelAdmin(ScopedAdmin[VerdictLabel]):
    editors_only = True
    form = VerdictLabelForm
    list_display = ("name", "slug", "value", "position", "workspace")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")


@admin.register(Source)
class SourceAdmin(ScopedAdmin[Source]):
    list_display = ("__str__", "url", "publisher", "workspace", "created_at")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("url", "title", "publisher")
    readonly_fields = ("normalised_url", "created_by", "created_at")


@admin.register(ClaimSource)
class ClaimSourceAdmin(ScopedAdmin[ClaimSource]):
    workspace_field = "claim__workspace"
    list_display = ("claim", "source", "stance", "added_by", "created_at")
    list_filter = ("stance",)
    search_fields = ("source__url", "quote", "claim__exact")
    list_select_related = ("claim", "source", "added_by")
    readonly_fields = ("claim", "source", "added_by", "created_at")


@admin.register(Adjudication)
class AdjudicationAdmin(ScopedAdmin[Adjudication]):
    workspace_field = "claim__workspace"
    list_display = ("claim", "verdict", "adjudicator", "created_at")
    list_filter = (("verdict", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("note", "claim__exact", "adjudicator__username")
    list_select_related = ("claim", "verdict", "adjudicator")
    readonly_fields = ("claim", "adjudicator", "verdict", "note", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Adjudication | None = None) -> bool:
        # The history of final verdicts is kept whole.
        return False


@admin.register(CandidateClaim)
class CandidateClaimAdmin(ScopedAdmin[CandidateClaim]):
    workspace_field = "article__workspace"
    list_display = ("__str__", "article", "score", "status", "scorer", "decided_by", "decided_at")
    list_filter = ("status", "scorer")
    search_fields = ("text", "claimant_guess")
    list_select_related = ("article", "decided_by")
    readonly_fields = (
        "article",
        "start",
        "end",
        "text",
        "score",
        "kinds",
        "reasons",
        "claimant_guess",
        "scorer",
        "status",
        "claim",
        "decided_by",
        "decided_at",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyAdmin(ScopedAdmin[Any]):
    """For records written by the workbench itself: history, matches, releases."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(ReadOnlyAdmin):
    workspace_field = "article__workspace"
    list_display = ("article", "number", "created_by", "created_at")
    search_fields = ("article__title", "note")
    list_select_related = ("article", "created_by")


@admin.register(ScorerModel)
class ScorerModelAdmin(ScopedAdmin[ScorerModel]):
    list_display = ("version", "workspace", "trained_from", "n_examples", "is_active", "created_at")
    list_filter = ("is_active", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("version", "trained_from")
    readonly_fields = (
        "version",
        "workspace",
        "trained_from",
        "n_examples",
        "metrics",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ClaimMatch)
class ClaimMatchAdmin(ReadOnlyAdmin):
    # Scoped by the claim or candidate that was matched: a match of an outside fact-check has no
    # matched claim.
    list_display = (
        "claim",
        "candidate",
        "matched_claim",
        "matched_reference",
        "score",
        "method",
        "created_at",
    )
    list_filter = ("method",)
    list_select_related = ("matched_claim", "matched_reference", "claim", "candidate")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        workspaces = self._workspaces(request)
        if workspaces is None:
            return queryset
        return queryset.filter(
            Q(claim__workspace_id__in=sorted(workspaces))
            | Q(candidate__article__workspace_id__in=sorted(workspaces))
        )


@admin.register(ReferenceClaim)
class ReferenceClaimAdmin(ScopedAdmin[ReferenceClaim]):
    """The reference corpus: outside fact-checks imported with import_claimreview."""

    list_display = ("claim_text", "publisher", "rating", "verdict", "language", "review_date")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter), "language", "origin")
    search_fields = ("claim_text", "publisher", "url")
    list_select_related = ("verdict", "workspace")
    readonly_fields = ("imported_at", "updated_at")


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin[Assignment]):
    list_display = ("article", "user", "workspace", "due_at", "completed_at", "created_at")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter), "completed_at")
    search_fields = ("article__title", "user__username")
    list_select_related = ("article", "user", "workspace")
    readonly_fields = ("assigned_by", "created_at")


@admin.register(Disagreement)
class DisagreementAdmin(ReadOnlyAdmin):
    workspace_field = "claim__workspace"
    list_display = ("claim", "kind", "detected_at", "resolved_at", "resolved_by")
    list_filter = ("kind", "resolved_at")
    search_fields = ("claim__exact",)
    list_select_related = ("claim", "resolved_by")


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyAdmin):
    workspace_field = "claim__workspace"
    list_display = ("claim", "kind", "actor", "created_at")
    list_filter = ("kind",)
    search_fields = ("claim__exact", "actor__username")
    list_select_related = ("claim", "actor")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    editors_only = True
    list_display = (
        "workspace",
        "format",
        "status",
        "rows",
        "requested_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "format")
    list_select_related = ("workspace", "requested_by")


class ReleaseFileInline(StaffInline[ReleaseFile, DatasetRelease]):
    model = ReleaseFile
    can_delete = False
    readonly_fields = ("format", "file", "sha256", "size", "rows")


@admin.register(DatasetRelease)
class DatasetReleaseAdmin(ReadOnlyAdmin):
    editors_only = True
    list_display = ("name", "version", "workspace", "created_by", "created_at")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "version")
    inlines = (ReleaseFileInline,)
    exclude = ("claim_ids",)


@admin.register(ReleaseFile)
class ReleaseFileAdmin(ReadOnlyAdmin):
    workspace_field = "release__workspace"
    editors_only = True
    list_display = ("release", "format", "rows", "size", "sha256")
    list_select_related = ("release",)


# --- The task outbox -------------------------------------------------------------------------------


class OutboxStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("waiting", gettext_lazy("waiting or running")),
            ("stopped", gettext_lazy("stopped")),
            ("done", gettext_lazy("done")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        match self.value():
            case "waiting":
                return queryset.filter(done_at__isnull=True, stopped_at__isnull=True)
            case "stopped":
                return queryset.filter(stopped_at__isnull=False)
            case "done":
                return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(TaskOutbox)
class TaskOutboxAdmin(admin.ModelAdmin[TaskOutbox]):
    """The tasks the workbench recorded (annotations.services.outbox), for superusers: a row
    names ids of any desk. Stopped rows, with their error, are what needs a look."""

    list_display = (
        "task",
        "args",
        "attempts",
        "created_at",
        "dispatched_at",
        "done_at",
        "stopped_at",
        "last_error",
    )
    list_filter = (OutboxStateFilter, "task")
    readonly_fields = list_display
    date_hierarchy = "created_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)


# --- Users, groups and API tokens -----------------------------------------------------------------
#
# Django's own admins, made read-only for staff who are not superusers (with auth's "change user"
# permission they could otherwise make themselves superusers), and scoped: staff see themselves and
# the members of the workspaces where they are the editor, as on the members page, so that the user
# list, its search and every user autocomplete enumerate nobody else.


class StaffUserAdmin(SuperuserWrites[User], UserAdmin[User]):
    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if is_superuser(request):
            return queryset
        workspaces = policy.admin_workspaces(request.user, editor=True) or frozenset()
        members = Membership.objects.filter(workspace_id__in=sorted(workspaces))
        return queryset.filter(Q(pk=request.user.pk) | Q(pk__in=members.values("user_id")))


class StaffGroupAdmin(SuperuserWrites[Group], GroupAdmin):
    pass


class SuperuserTokenAdmin(TokenAdmin):
    """API tokens are credentials: superusers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)


for _model, _admin in (
    (User, StaffUserAdmin),
    (Group, StaffGroupAdmin),
    (TokenProxy, SuperuserTokenAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    """A workspace's webhooks, for its editors (never the secret: it was shown once)."""

    editors_only = True
    list_display = ("url", "workspace", "events", "active", "created_by", "created_at")
    list_filter = ("active", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("url", "description")
    exclude = ("secret",)
    readonly_fields = ("workspace", "url", "description", "events", "active", "created_by")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: status, response code and error of each delivery; an editor sends one
    again with the action (a new delivery with the same body)."""

    editors_only = True
    workspace_field = "webhook__workspace"
    list_display = (
        "created_at",
        "event",
        "webhook",
        "status",
        "attempts",
        "response_code",
        "error",
        "next_attempt_at",
    )
    list_filter = ("status", "event")
    list_select_related = ("webhook",)
    search_fields = ("webhook__url", "uuid")
    date_hierarchy = "created_at"
    actions = (redeliver_webhook,)
