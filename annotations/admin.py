"""The Django admin: every model with useful columns, filters and search.

Fields that claims point into (an article's text, a claim's span) are read-only here: changing
them in place would silently move every highlight. Text corrections go through a revision.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from annotations import policy
from annotations.admin_review import (
    ArticleQueueFilter,
    ClaimQueueFilter,
    assign_articles,
    mark_published,
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
    ReleaseFile,
    ScorerModel,
    Source,
    VerdictLabel,
    Workspace,
)
from annotations.services.exports import selection_csv

_M = TypeVar("_M", bound=Model)


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


class ScopedAdmin(admin.ModelAdmin[_M]):
    """An admin page limited to the workspaces where the staff user sees everything (the policy's
    clear sight: adjudicators and editors, or any member of a workspace without blind review);
    superusers see every workspace. `workspace_field` leads from the model to its workspace."""

    workspace_field = "workspace"

    def _workspaces(self, request: HttpRequest) -> frozenset[int] | None:
        return policy.admin_workspaces(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[_M]:
        queryset = super().get_queryset(request)
        workspaces = self._workspaces(request)
        if workspaces is None:
            return queryset
        return queryset.filter(**{f"{self.workspace_field}__in": sorted(workspaces)})

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


class MembershipInline(admin.TabularInline[Membership, Workspace]):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class VerdictLabelInline(admin.TabularInline[VerdictLabel, Workspace]):
    model = VerdictLabel
    extra = 0
    ordering = ("position",)


@admin.register(Workspace)
class WorkspaceAdmin(ScopedAdmin[Workspace]):
    workspace_field = "pk"
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
    list_display = ("user", "workspace", "role", "created_at")
    list_filter = ("role", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "workspace__name")
    autocomplete_fields = ("user", "workspace")


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
    )
    list_select_related = ("workspace",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).defer("text").annotate(claim_count=Count("claims"))

    @admin.display(ordering="claim_count", description="claims")
    def claim_count(self, obj: Any) -> int:
        return int(obj.claim_count)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Imports normalise and queue extraction: they go through the API or the web page.
        return False


class HighlightInline(admin.TabularInline[Highlight, Claim]):
    model = Highlight
    extra = 0
    fields = ("user", "start", "end", "exact", "orphaned", "created_at")
    readonly_fields = fields
    can_delete = False


class AssessmentInline(admin.TabularInline[Assessment, Claim]):
    model = Assessment
    extra = 0
    fields = ("reviewer", "verdict", "confidence", "rationale", "updated_at")
    readonly_fields = fields
    can_delete = False


@admin.action(description="Export the selection (CSV)", permissions=("view",))
def export_selection_csv(
    modeladmin: admin.ModelAdmin[Claim], request: HttpRequest, queryset: QuerySet[Claim]
) -> StreamingHttpResponse:
    """Stream the selected claims as the CSV export, whatever their status (the API's export
    takes only verified ones)."""
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
    workspace_field = "matched_claim__workspace"
    list_display = ("matched_claim", "claim", "candidate", "score", "method", "created_at")
    list_filter = ("method",)
    list_select_related = ("matched_claim", "claim", "candidate")


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


class ReleaseFileInline(admin.TabularInline[ReleaseFile, DatasetRelease]):
    model = ReleaseFile
    extra = 0
    can_delete = False
    readonly_fields = ("format", "file", "sha256", "size", "rows")


@admin.register(DatasetRelease)
class DatasetReleaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "workspace", "created_by", "created_at")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "version")
    inlines = (ReleaseFileInline,)
    exclude = ("claim_ids",)


@admin.register(ReleaseFile)
class ReleaseFileAdmin(ReadOnlyAdmin):
    workspace_field = "release__workspace"
    list_display = ("release", "format", "rows", "size", "sha256")
    list_select_related = ("release",)
