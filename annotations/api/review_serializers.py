"""Serializers of the review routes: queues, assignments, history, adjudication context and
agreement figures. Query parameters are validated here too, so that a bad one is a 400 naming it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from annotations.api.filters import MomentOutOfRange, moment_in_utc
from annotations.api.serializers import (
    AdjudicationSerializer,
    ClaimSerializer,
    ClaimSourceSerializer,
    HighlightSerializer,
    RoleField,
    VerdictLabelSerializer,
)
from annotations.events import describe_event
from annotations.models import Assessment, Assignment, ClaimEvent, Disagreement
from annotations.queues import QUEUES

# --- Query parameters ---------------------------------------------------------------------------


class DayOrDateTimeField(serializers.Field):  # type: ignore[type-arg]
    """A date (2026-11-24: the whole day) or an ISO 8601 date and time.

    As an upper bound (`end_of_day`) a plain date means up to the end of that day; the last day
    there is (9999-12-31) has no day after, so it means no upper bound (None), as on the agreement
    page (annotations.web.review._date_bounds).
    """

    default_error_messages = {
        "invalid": _(
            "Give a date (2026-11-24) or a date and time in ISO 8601 (2026-11-24T09:30:00Z)."
        )
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> datetime | None:
        text = str(data).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                if self.end_of_day:
                    if day == date.max:
                        return None  # up to the end of time
                    day += timedelta(days=1)
                return timezone.make_aware(datetime.combine(day, time()))
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            self.fail("invalid")
        assert moment is not None
        try:
            return moment_in_utc(moment, given=text)
        except MomentOutOfRange as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None

    def to_representation(self, value: Any) -> str:
        return value.isoformat()  # type: ignore[no-any-return]


AgreementQuerySerializer = type(
    "AgreementQuerySerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Filters of the agreement figures.",
        "article": serializers.IntegerField(required=False, min_value=1),
        "reviewer": serializers.CharField(required=False, max_length=150),
        # `from` and `to` are Python keywords: the fields are declared through the class dict.
        "from": DayOrDateTimeField(required=False, help_text="Assessments made from (inclusive)."),
        "to": DayOrDateTimeField(
            required=False, end_of_day=True, help_text="Assessments made up to (a date: inclusive)."
        ),
    },
)

ORDERINGS = ("waiting_since", "-waiting_since", "created_at", "-created_at", "due_at", "-due_at")


class QueueQuerySerializer(serializers.Serializer[Any]):
    workspace = serializers.IntegerField(required=False, min_value=1)
    article = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(
        choices=Disagreement.Kind.choices,
        required=False,
        help_text="disputed: only claims with an open disagreement of this kind.",
    )
    reviewer = serializers.CharField(
        required=False, max_length=150, help_text="Claims this reviewer assessed (username)."
    )
    verdict = serializers.SlugField(required=False, help_text="ready_to_publish: final verdict.")
    language = serializers.CharField(required=False, max_length=8)
    overdue = serializers.BooleanField(required=False, help_text="to_annotate: only overdue ones.")
    ordering = serializers.ChoiceField(
        choices=ORDERINGS,
        required=False,
        default="waiting_since",
        help_text="By age: waiting_since (oldest first, the default) or -waiting_since; due_at "
        "for to_annotate.",
    )


class AssignmentQuerySerializer(serializers.Serializer[Any]):
    overdue = serializers.BooleanField(required=False)
    completed = serializers.BooleanField(required=False)
    user = serializers.CharField(required=False, max_length=150)
    article = serializers.IntegerField(required=False, min_value=1)


class AssignInputSerializer(serializers.Serializer[Any]):
    users = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        max_length=50,
        help_text="Usernames of members to assign.",
    )
    auto = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Pick reviewers_per_claim reviewers, least loaded first, avoiding the claims' "
        "authors.",
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- Assignments --------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    user = serializers.CharField(source="user.username", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True)
    article_title = serializers.CharField(source="article.title", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = (
            "id",
            "workspace",
            "article",
            "article_title",
            "user",
            "assigned_by",
            "due_at",
            "overdue",
            "completed_at",
            "created_at",
        )
        read_only_fields = fields

    def get_overdue(self, assignment: Assignment) -> bool:
        return bool(
            assignment.completed_at is None
            and assignment.due_at is not None
            and assignment.due_at < timezone.now()
        )


class AssignmentOutcomeSerializer(serializers.Serializer[Any]):
    created = AssignmentSerializer(many=True, help_text="The assignments this request made.")
    assignments = AssignmentSerializer(many=True, help_text="All of the article's assignments.")
    missing = serializers.IntegerField(
        help_text="Reviewers still missing for reviewers_per_claim (auto found too few)."
    )


# --- History, disagreements, adjudication -------------------------------------------------------


class ClaimEventSerializer(serializers.ModelSerializer[ClaimEvent]):
    """One event of a claim's history; `summary` says it in a sentence, in the request's
    language (context `verdicts`: the workspace's verdict names by slug)."""

    actor = serializers.CharField(source="actor.username", read_only=True, default=None)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = ClaimEvent
        fields = ("id", "claim", "kind", "actor", "summary", "before", "after", "created_at")
        read_only_fields = fields

    def get_summary(self, event: ClaimEvent) -> str:
        return describe_event(event, verdicts=self.context.get("verdicts", {}))


class DisagreementSerializer(serializers.ModelSerializer[Disagreement]):
    resolved_by = serializers.CharField(
        source="resolved_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Disagreement
        fields = ("id", "claim", "kind", "details", "detected_at", "resolved_at", "resolved_by")
        read_only_fields = fields


class ContextAssessmentSerializer(serializers.ModelSerializer[Assessment]):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    verdict = serializers.CharField(source="verdict.slug", read_only=True)
    verdict_name = serializers.CharField(source="verdict.name", read_only=True)
    verdict_value = serializers.FloatField(source="verdict.value", read_only=True, allow_null=True)
    sources = ClaimSourceSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = (
            "id",
            "reviewer",
            "verdict",
            "verdict_name",
            "verdict_value",
            "rationale",
            "confidence",
            "sources",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class AdjudicationContextSerializer(serializers.Serializer[Any]):
    claim = ClaimSerializer()
    article_title = serializers.CharField()
    assessments = ContextAssessmentSerializer(
        many=True, help_text="Every reviewer's verdict, rationale and the sources they linked."
    )
    sources = ClaimSourceSerializer(many=True, help_text="Every source linked to the claim.")
    highlights = HighlightSerializer(many=True, help_text="Each reviewer's own span.")
    disagreements = DisagreementSerializer(many=True, help_text="Open and resolved, oldest first.")
    adjudications = AdjudicationSerializer(many=True, help_text="Newest first.")
    scale = VerdictLabelSerializer(many=True)


# --- Queues -------------------------------------------------------------------------------------


class QueueCountsSerializer(serializers.Serializer[Any]):
    workspace = serializers.IntegerField()
    name = serializers.CharField()
    role = RoleField()
    counts = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text=f"Items in each queue ({', '.join(QUEUES)}); null where the role does not "
        "reach the queue.",
    )
    overdue = serializers.IntegerField(
        allow_null=True, help_text="Overdue assignments (editors; null for other roles)."
    )


# The queues' overview is one object on a list route: never a page of a list.
@extend_schema_serializer(many=False)
class QueueOverviewSerializer(serializers.Serializer[Any]):
    workspaces = QueueCountsSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class _QueueItemBase(serializers.Serializer[Any]):
    type = serializers.CharField()
    id = serializers.IntegerField()
    workspace = serializers.IntegerField()
    waiting_since = serializers.DateTimeField(help_text="The item's age: what queues sort by.")
    created_at = serializers.DateTimeField()


class ArticleQueueItemSchema(_QueueItemBase):
    """An article waiting (to_annotate, unassigned): for the schema; see QueueItemSerializer."""

    title = serializers.CharField()
    url = serializers.CharField()
    language = serializers.CharField()
    claim_count = serializers.IntegerField()
    due_at = serializers.DateTimeField(required=False, allow_null=True, help_text="to_annotate")
    overdue = serializers.BooleanField(required=False, help_text="to_annotate")
    assigned = serializers.IntegerField(required=False, help_text="unassigned: reviewers so far")
    needed = serializers.IntegerField(required=False, help_text="unassigned: reviewers_per_claim")


class ClaimQueueItemSchema(_QueueItemBase):
    """A claim waiting (to_assess, disputed, ready_to_publish): for the schema."""

    article = serializers.IntegerField()
    article_title = serializers.CharField()
    exact = serializers.CharField()
    claimant = serializers.CharField()
    status = serializers.CharField(help_text="As the reader may see it (awaiting_verdict).")
    final_verdict = serializers.CharField(allow_null=True)
    assessment_count = serializers.IntegerField(allow_null=True)
    reviewers_needed = serializers.IntegerField()
    url = serializers.CharField(help_text="The claim's page.")
    waiting_because = serializers.ChoiceField(
        choices=["disputed", "no_consensus"], required=False, help_text="disputed"
    )
    open_disagreements = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="disputed: verdict, span"
    )
    resolved_by = serializers.ChoiceField(
        choices=["adjudication", "consensus"], required=False, help_text="ready_to_publish"
    )


QUEUE_ITEM_SCHEMA = PolymorphicProxySerializer(
    component_name="QueueItem",
    serializers={"article": ArticleQueueItemSchema, "claim": ClaimQueueItemSchema},
    resource_type_field_name="type",
    many=True,
)


class QueueItemSerializer(serializers.Serializer[Any]):
    """One item of a queue: an article (to_annotate, unassigned) or a claim (the others)."""

    type = serializers.SerializerMethodField()
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    waiting_since = serializers.DateTimeField()
    created_at = serializers.DateTimeField()

    def get_type(self, item: Any) -> str:
        return "article" if hasattr(item, "claim_count") else "claim"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if hasattr(instance, "claim_count"):
            data.update(
                title=instance.title,
                url=instance.url,
                language=instance.language,
                claim_count=instance.claim_count,
            )
            if hasattr(instance, "due_at"):
                due = instance.due_at
                data["due_at"] = serializers.DateTimeField().to_representation(due) if due else None
                data["overdue"] = bool(due and due < timezone.now())
            if hasattr(instance, "assigned"):
                data.update(assigned=instance.assigned, needed=instance.needed)
            return data
        shown = instance.shown  # the claim as annotations.policy presents it to this reader
        data.update(
            article=instance.article_id,
            article_title=instance.article_title,
            exact=shown.exact,
            claimant=instance.claimant,
            status=shown.status,
            final_verdict=shown.final_verdict,
            assessment_count=shown.assessment_count,
            reviewers_needed=instance.needed,
            url=reverse("claim", args=[instance.pk]),
        )
        if hasattr(instance, "waiting_because"):
            data.update(
                waiting_because=instance.waiting_because,
                open_disagreements=[
                    kind
                    for kind in ("verdict", "span")
                    if getattr(instance, f"{kind}_disagreement")
                ],
            )
        if hasattr(instance, "adjudicated"):
            data["resolved_by"] = "adjudication" if instance.adjudicated else "consensus"
        return data


# --- Agreement ----------------------------------------------------------------------------------


class AlphaSerializer(serializers.Serializer[Any]):
    nominal = serializers.FloatField(allow_null=True)
    ordinal = serializers.FloatField(allow_null=True)
    interval = serializers.FloatField(
        allow_null=True, help_text="null when no label of the scale has a value."
    )


class KappaPairSerializer(serializers.Serializer[Any]):
    reviewer_a = serializers.CharField()
    reviewer_b = serializers.CharField()
    kappa = serializers.FloatField(allow_null=True)
    shared_claims = serializers.IntegerField()
    percent_agreement = serializers.FloatField(allow_null=True)


class SpanPairSerializer(serializers.Serializer[Any]):
    reviewer_a = serializers.CharField()
    reviewer_b = serializers.CharField()
    shared_articles = serializers.IntegerField()
    spans_a = serializers.IntegerField()
    spans_b = serializers.IntegerField()
    exact_matches = serializers.IntegerField()
    overlap_matches = serializers.IntegerField()
    exact_f1 = serializers.FloatField(allow_null=True)
    overlap_f1 = serializers.FloatField(allow_null=True)


class SpanAgreementSerializer(serializers.Serializer[Any]):
    exact_f1 = serializers.FloatField(allow_null=True)
    overlap_f1 = serializers.FloatField(allow_null=True)
    pairs = SpanPairSerializer(many=True)
    spans = serializers.IntegerField()


class AgreementSerializer(serializers.Serializer[Any]):
    """The agreement figures; these names are kept stable for outside tools."""

    workspace = serializers.IntegerField()
    units = serializers.IntegerField(help_text="Claims assessed by at least two reviewers.")
    assessments = serializers.IntegerField(help_text="Assessments of those claims.")
    coders = serializers.IntegerField(help_text="Reviewers who gave them.")
    krippendorff_alpha = AlphaSerializer()
    cohen_kappa = KappaPairSerializer(many=True)
    percent_agreement = serializers.FloatField(allow_null=True)
    span_agreement = SpanAgreementSerializer()
    filters = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "article": {"type": "integer", "nullable": True},
                "reviewer": {"type": "string", "nullable": True},
                "from": {"type": "string", "format": "date-time", "nullable": True},
                "to": {"type": "string", "format": "date-time", "nullable": True},
            },
        }
    )
    def get_filters(self, figures: dict[str, Any]) -> dict[str, Any]:
        filters = dict(figures["filters"])
        for key in ("from", "to"):
            if filters.get(key) is not None:
                filters[key] = filters[key].isoformat()
        return filters
