"""Input serializers validate the shape of a request; output serializers shape the answer.
Business rules stay in the services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations.models import (
    Adjudication,
    Article,
    ArticleRevision,
    Assessment,
    Assignment,
    CandidateClaim,
    Claim,
    ClaimMatch,
    ClaimSource,
    Highlight,
    Membership,
    Role,
    VerdictLabel,
    Workspace,
)
from annotations.policy import SHOWN_STATUSES
from annotations.services.sources import url_problem
from annotations.webfetch import UnsafeURL, check_url_syntax

ROLE_SLUGS = {role.name.lower(): role for role in Role}
ROLE_CHOICES = [(slug, slug) for slug in ROLE_SLUGS]


def checked_address(value: str) -> str:
    """An address the workbench may link to, publish or fetch (annotations.webfetch's rules),
    refused with the reason in the reader's language; blank stays blank."""
    if not value:
        return value
    try:
        check_url_syntax(value)
    except UnsafeURL as exc:
        raise serializers.ValidationError(url_problem(exc)) from None
    return value


class EchoSafeChoiceField(serializers.ChoiceField):
    """DRF's ChoiceField, whose refusal quotes the input with any character that cannot be
    written as UTF-8 (a lone surrogate, which JSON lets through as \\ud800) escaped: quoted as
    it was, the answer itself could not be written (a 500)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not _encodable(data):
            self.fail("invalid_choice", input=data.encode("utf-8", "backslashreplace").decode())
        return super().to_internal_value(data)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class RoleField(EchoSafeChoiceField):
    """Roles travel as words ("reviewer"), not as their stored ranks."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ROLE_CHOICES, **kwargs)

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return Role(value).name.lower() if value is not None else None

    def to_internal_value(self, data: Any) -> Role:  # type: ignore[override]
        return ROLE_SLUGS[super().to_internal_value(data)]


# --- Workspaces ---------------------------------------------------------------------------------


class VerdictLabelSerializer(serializers.ModelSerializer[VerdictLabel]):
    class Meta:
        model = VerdictLabel
        fields = ("slug", "name", "value", "position", "retired")
        # Retiring a label is the settings page's (annotations.services.workspaces.scale_update).
        read_only_fields = ("retired",)


class VerdictSpecSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50, required=False, default="")
    value = serializers.FloatField(required=False, allow_null=True, default=None)


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
    verdict_scale = VerdictLabelSerializer(source="verdicts", many=True, read_only=True)
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = (
            "id",
            "name",
            "organisation_name",
            "organisation_url",
            "organisation_logo",
            "public_claim_pages",
            "blind_review",
            "independent_highlighting",
            "allow_self_adjudication",
            "reviewers_per_claim",
            "candidate_threshold",
            "dispute_distance",
            "consensus_resolves",
            "assignment_due_days",
            "verdict_scale",
            "my_role",
            "created_at",
        )

    @extend_schema_field(serializers.ChoiceField(choices=ROLE_CHOICES, allow_null=True))
    def get_my_role(self, workspace: Workspace) -> str | None:
        role = getattr(workspace, "my_role", None)
        return Role(role).name.lower() if role is not None else None


class WorkspaceInputSerializer(serializers.ModelSerializer[Workspace]):
    verdicts = VerdictSpecSerializer(many=True, required=False, write_only=True)
    reviewers_per_claim = serializers.IntegerField(min_value=1, max_value=20, required=False)
    candidate_threshold = serializers.FloatField(min_value=0, max_value=1, required=False)
    dispute_distance = serializers.FloatField(min_value=0, required=False, allow_null=True)
    assignment_due_days = serializers.IntegerField(min_value=1, max_value=365, required=False)

    class Meta:
        model = Workspace
        fields = (
            "name",
            "organisation_name",
            "organisation_url",
            "organisation_logo",
            "public_claim_pages",
            "blind_review",
            "independent_highlighting",
            "allow_self_adjudication",
            "reviewers_per_claim",
            "candidate_threshold",
            "dispute_distance",
            "consensus_resolves",
            "assignment_due_days",
            "verdicts",
        )


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    role = RoleField()

    class Meta:
        model = Membership
        fields = ("user_id", "username", "role", "created_at")


class MemberAddSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    role = RoleField()


class MemberRoleSerializer(serializers.Serializer[Any]):
    role = RoleField()


# --- Articles -----------------------------------------------------------------------------------


class ArticleSerializer(serializers.ModelSerializer[Article]):
    # None where blind review hides the figure from the reader (annotations.policy).
    claim_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    assessed_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    disputed_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    # Blank for an article that was never fetched (pasted or uploaded).
    fetch_status = serializers.ChoiceField(
        choices=Article.Status.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Article
        fields = (
            "id",
            "workspace",
            "title",
            "url",
            "publisher",
            "author",
            "published_at",
            "language",
            "checksum",
            "revision",
            "version",
            "fetch_status",
            "fetch_error",
            "extraction_status",
            "extraction_error",
            "claim_count",
            "assessed_count",
            "disputed_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ArticleCreateSerializer(serializers.Serializer[Any]):
    workspace = serializers.IntegerField()
    text = serializers.CharField(required=False, trim_whitespace=False, allow_blank=True)
    html = serializers.CharField(required=False, trim_whitespace=False, allow_blank=True)
    url = serializers.URLField(required=False, max_length=2000, default="")
    title = serializers.CharField(required=False, max_length=500, allow_blank=True)
    publisher = serializers.CharField(required=False, max_length=200, allow_blank=True)
    author = serializers.CharField(required=False, max_length=300, allow_blank=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    language = serializers.CharField(required=False, max_length=8, allow_blank=True)
    allow_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Import even when the same text (whatever its spacing or case) is already in "
        "the workspace; otherwise that is a 409 naming the existing article.",
    )

    def validate_url(self, value: str) -> str:
        return checked_address(value)


class ArticleUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you edited (or send it as If-Match): a change saved since is a "
        "412 with the current version. Without it the fields given are written as they are.",
    )
    url = serializers.URLField(required=False, max_length=2000, allow_blank=True)
    title = serializers.CharField(required=False, max_length=500, allow_blank=True)
    publisher = serializers.CharField(required=False, max_length=200, allow_blank=True)
    author = serializers.CharField(required=False, max_length=300, allow_blank=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    language = serializers.CharField(required=False, max_length=8, allow_blank=True)

    def validate_url(self, value: str) -> str:
        return checked_address(value)


class SentenceSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField(help_text="Code point offset, inclusive.")
    end = serializers.IntegerField(help_text="Code point offset, exclusive.")


class SubmissionSerializer(serializers.ModelSerializer[Assignment]):
    """A reviewer's submission of their work on an article (their assignment, completed)."""

    username = serializers.CharField(source="user.username", read_only=True)
    submitted_at = serializers.DateTimeField(source="completed_at", read_only=True)

    class Meta:
        model = Assignment
        fields = ("article", "username", "submitted_at")
        read_only_fields = fields


class ArticleRevisionSerializer(serializers.ModelSerializer[ArticleRevision]):
    """A text as it was before a correction (`number` is the revision it was)."""

    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = ArticleRevision
        fields = ("id", "article", "number", "note", "checksum", "text", "created_by", "created_at")
        read_only_fields = fields


class ArticleReviseSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The article's version you corrected (its `version`); or send it as If-Match. "
        "Required: a correction saved since is a 412 with the current version, none a 428.",
    )
    text = serializers.CharField(trim_whitespace=False)
    note = serializers.CharField(required=False, max_length=500, allow_blank=True, default="")


class RevisionOutcomeSerializer(serializers.Serializer[Any]):
    revision = ArticleRevisionSerializer()
    article = ArticleSerializer()
    claims = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many claims were placed by each method: position, shifted, exact, "
        "fuzzy, orphan.",
    )
    highlights = serializers.DictField(child=serializers.IntegerField())
    orphaned_claim_ids = serializers.ListField(child=serializers.IntegerField())


# --- Claims -------------------------------------------------------------------------------------


class HighlightSerializer(serializers.ModelSerializer[Highlight]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Highlight
        fields = ("id", "user", "username", "start", "end", "exact", "orphaned", "created_at")
        read_only_fields = fields


def claim_target(claim: Claim) -> dict[str, Any]:
    """The W3C Web Annotation target of a presented claim (annotations.policy.present_claim): the
    article and the span the reader sees, by position and by quote."""
    shown = claim.shown  # type: ignore[attr-defined]
    source = (
        getattr(claim, "article_url", "") or f"{settings.SITE_URL}/articles/{claim.article_id}/"
    )
    quote = {
        "type": "TextQuoteSelector",
        "exact": shown.exact,
        "prefix": shown.prefix,
        "suffix": shown.suffix,
    }
    if claim.orphaned:
        # The quote could not be placed in the corrected text: only the quote is known.
        return {"source": source, "selector": [quote]}
    position = {"type": "TextPositionSelector", "start": shown.start, "end": shown.end}
    return {"source": source, "selector": [position, quote]}


class SimilarClaimSerializer(serializers.ModelSerializer[ClaimMatch]):
    """An already-checked claim that says the same, the desk's own (`kind` claim) or an outside
    fact-check of its reference corpus (`kind` reference): its verdict can be reused after a
    look, never by itself."""

    kind = serializers.ChoiceField(
        choices=["claim", "reference"],
        read_only=True,
        help_text="The desk's claim or an outside fact-check.",
    )
    claim = serializers.IntegerField(read_only=True, allow_null=True)
    reference = serializers.IntegerField(read_only=True, allow_null=True)
    article = serializers.IntegerField(read_only=True, allow_null=True)
    exact = serializers.CharField(read_only=True)
    normalised_text = serializers.CharField(read_only=True)
    claimant = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, allow_null=True)
    language = serializers.CharField(read_only=True, allow_blank=True)
    verdict = serializers.CharField(read_only=True, allow_null=True)
    verdict_name = serializers.CharField(read_only=True, allow_null=True)
    url = serializers.CharField(
        read_only=True, allow_null=True, help_text="The outside fact-check's page."
    )
    publisher = serializers.CharField(read_only=True, allow_blank=True)
    rating = serializers.CharField(
        read_only=True, allow_blank=True, help_text="The outside publisher's own rating."
    )
    score = serializers.FloatField(read_only=True, help_text="Similarity from 0 to 1.")
    method = serializers.CharField(
        read_only=True,
        help_text="embedding (multilingual sentence embeddings), or without a model trigram "
        "(PostgreSQL pg_trgm) or rapidfuzz.",
    )

    class Meta:
        model = ClaimMatch
        fields = (
            "kind",
            "claim",
            "reference",
            "article",
            "exact",
            "normalised_text",
            "claimant",
            "status",
            "language",
            "verdict",
            "verdict_name",
            "url",
            "publisher",
            "rating",
            "score",
            "method",
        )
        read_only_fields = fields

    def to_representation(self, instance: ClaimMatch) -> dict[str, Any]:
        common = {"score": instance.score, "method": instance.method}
        reference = instance.matched_reference
        if reference is not None:
            verdict = reference.verdict
            return {
                "kind": "reference",
                "claim": None,
                "reference": reference.pk,
                "article": None,
                "exact": reference.claim_text,
                "normalised_text": "",
                "claimant": reference.claimant,
                "status": None,
                "language": reference.language,
                "verdict": verdict.slug if verdict else None,
                "verdict_name": verdict.name if verdict else None,
                "url": reference.url,
                "publisher": reference.publisher,
                "rating": reference.rating,
                **common,
            }
        claim = instance.matched_claim
        assert claim is not None  # the constraint match_of_claim_or_reference
        verdict = claim.final_verdict
        return {
            "kind": "claim",
            "claim": claim.pk,
            "reference": None,
            "article": claim.article_id,
            "exact": claim.exact,
            "normalised_text": claim.normalised_text,
            "claimant": claim.claimant,
            "status": claim.status,
            "language": claim.article.language,
            "verdict": verdict.slug if verdict else None,
            "verdict_name": verdict.name if verdict else None,
            "url": None,
            "publisher": "",
            "rating": "",
            **common,
        }


# One instance of each serializer `represent` was asked for, its fields built once.
_SHARED: dict[type[serializers.Serializer[Any]], serializers.Serializer[Any]] = {}


def represent(serializer_class: type[serializers.Serializer[Any]], instance: Any) -> dict[str, Any]:
    """What `serializer_class(instance).data` gives, from one instance of the serializer per
    process: DRF builds (deep-copies) a serializer's fields for every new instance, 1.2 ms of a
    new claim's 11 for ClaimSerializer, 0.08 ms once built. For the serializers of this module,
    which read no context (no request, no view) and keep nothing between calls."""
    shared = _SHARED.get(serializer_class)
    if shared is None:
        shared = _SHARED.setdefault(serializer_class, serializer_class())
    return dict(shared.to_representation(instance))


class ClaimSerializer(serializers.ModelSerializer[Claim]):
    """A claim as the reader sees it: the fields the blind-review policy may withhold are read
    from `claim.shown` (annotations.policy.present_claim), never from the stored row."""

    start = serializers.IntegerField(source="shown.start", read_only=True, allow_null=True)
    end = serializers.IntegerField(source="shown.end", read_only=True, allow_null=True)
    exact = serializers.CharField(source="shown.exact", read_only=True)
    prefix = serializers.CharField(source="shown.prefix", read_only=True)
    suffix = serializers.CharField(source="shown.suffix", read_only=True)
    target = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=SHOWN_STATUSES,
        source="shown.status",
        read_only=True,
        help_text="awaiting_verdict: blind review hides the status until your verdict is in.",
    )
    final_verdict = serializers.CharField(
        source="shown.final_verdict", read_only=True, allow_null=True
    )
    highlights = HighlightSerializer(
        source="shown.highlights",
        many=True,
        read_only=True,
        help_text="The highlights you may see: under blind review, not other reviewers' before "
        "your verdict.",
    )
    assessment_count = serializers.IntegerField(
        source="shown.assessment_count", read_only=True, allow_null=True
    )
    created_by = serializers.IntegerField(
        source="shown.created_by", read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField(help_text="The claim's page.")
    created_at = serializers.DateTimeField(source="shown.created_at", read_only=True)
    review_url = serializers.CharField(
        source="shown.review_url",
        read_only=True,
        help_text="Where the desk published its fact-check of the claim.",
    )
    review_published_at = serializers.DateField(
        source="shown.review_published_at", read_only=True, allow_null=True
    )
    review_modified_at = serializers.DateTimeField(
        source="shown.review_modified_at", read_only=True, allow_null=True
    )
    similar = SimilarClaimSerializer(
        source="shown.similar",
        many=True,
        read_only=True,
        help_text="Claims of the workspace with a final verdict that say the same, best first.",
    )

    class Meta:
        model = Claim
        fields = (
            "id",
            "workspace",
            "article",
            "start",
            "end",
            "exact",
            "prefix",
            "suffix",
            "target",
            "orphaned",
            "claimant",
            "normalised_text",
            "tag",
            "status",
            "origin",
            "final_verdict",
            "highlights",
            "assessment_count",
            "similar",
            "url",
            "review_url",
            "review_published_at",
            "review_modified_at",
            "published_at",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_target(self, claim: Claim) -> dict[str, Any]:
        return claim_target(claim)

    def get_url(self, claim: Claim) -> str:
        return reverse("claim", args=[claim.pk])


class CompactHighlightSerializer(serializers.Serializer[Mapping[str, Any]]):
    """A highlight inside an article's claim: its quote is the article's `text[start:end]`;
    `orphaned` and `exact` are given only for a highlight a text correction left unplaced."""

    id = serializers.IntegerField()
    user = serializers.IntegerField()
    username = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    orphaned = serializers.BooleanField(required=False, help_text="Given only when true.")
    exact = serializers.CharField(required=False, help_text="Given only when orphaned.")

    def to_representation(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        return compact_highlight(instance)


def compact_highlight(highlight: Mapping[str, Any]) -> dict[str, Any]:
    """A highlight row of annotations.selectors.present_claim_rows, compact."""
    row: dict[str, Any] = {
        "id": highlight["id"],
        "user": highlight["user_id"],
        "username": highlight["username"],
        "start": highlight["start"],
        "end": highlight["end"],
    }
    if highlight["orphaned"]:
        row["orphaned"] = True
        row["exact"] = highlight["exact"]
    return row


# A compact claim leaves out each of these fields while it holds the value given here.
COMPACT_DEFAULTS: dict[str, Any] = {
    "orphaned": False,
    "claimant": "",
    "normalised_text": "",
    "tag": "",
    "origin": Claim.Origin.MANUAL.value,
    "final_verdict": None,
    "highlights": [],
    "assessment_count": None,
    "similar": [],
    "review_url": "",
    "review_published_at": None,
    "review_modified_at": None,
    "published_at": None,
    "created_by": None,
}


class CompactClaimSerializer(serializers.Serializer[Mapping[str, Any]]):
    """A claim inside `GET /articles/{id}/`: each quote once. What the claim's own read
    (`GET /claims/{id}/`) also gives is derivable here: `workspace` and `article` are the
    article's; `url` is `/claims/{id}/`; `prefix` and `suffix` are the 32 characters of the
    article's `text` before `start` and after `end` (given only for an orphaned claim, whose span
    the corrected text no longer holds); `target` is the article's address with those selectors.
    A field at its default is left out (see each field's description)."""

    id = serializers.IntegerField()
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    exact = serializers.CharField()
    status = serializers.ChoiceField(choices=SHOWN_STATUSES)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    prefix = serializers.CharField(required=False, help_text="Given only for an orphaned claim.")
    suffix = serializers.CharField(required=False, help_text="Given only for an orphaned claim.")
    orphaned = serializers.BooleanField(required=False, help_text="Left out: false.")
    claimant = serializers.CharField(required=False, help_text='Left out: "".')
    normalised_text = serializers.CharField(required=False, help_text='Left out: "".')
    tag = serializers.CharField(required=False, help_text='Left out: "".')
    origin = serializers.ChoiceField(
        choices=Claim.Origin.choices, required=False, help_text="Left out: manual."
    )
    final_verdict = serializers.CharField(required=False, help_text="Left out: null.")
    highlights = CompactHighlightSerializer(
        many=True, required=False, help_text="Left out: none you may see."
    )
    assessment_count = serializers.IntegerField(
        required=False, help_text="Left out: null (hidden from you by blind review)."
    )
    similar = SimilarClaimSerializer(many=True, required=False, help_text="Left out: none.")
    review_url = serializers.CharField(required=False, help_text='Left out: "".')
    review_published_at = serializers.DateField(required=False, help_text="Left out: null.")
    review_modified_at = serializers.DateTimeField(required=False, help_text="Left out: null.")
    published_at = serializers.DateTimeField(required=False, help_text="Left out: null.")
    created_by = serializers.IntegerField(
        required=False, help_text="Left out: null (hidden from you by blind review)."
    )

    def to_representation(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        return compact_claim(instance)


def _when(value: datetime | str | None) -> str | None:
    """A moment written as DRF writes it (ISO 8601 in the current time zone, Z for UTC), without
    the cost of its field on each of thousands of values. Given as the database's text of a moment
    in UTC (annotations.selectors._moments: `2026-12-02 17:34:30.246484+00` from PostgreSQL, the
    same without `+00` from SQLite), it only rewrites the text."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace(" ", "T", 1).removesuffix("+00")
        whole, dot, fraction = text.partition(".")
        # PostgreSQL drops a fraction's trailing zeros; Python writes microseconds, six digits.
        return f"{whole}{dot}{fraction.ljust(6, '0') if dot else ''}Z"
    text = timezone.localtime(value).isoformat() if settings.USE_TZ else value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def compact_claim(row: Mapping[str, Any]) -> dict[str, Any]:
    """A claim row of annotations.selectors.present_claim_rows in the compact form, written by
    hand: on an article of 1,000 claims, DRF's field machinery cost more than the queries."""
    shown = row["shown"]
    compact: dict[str, Any] = {
        "id": row["id"],
        "start": shown.start,
        "end": shown.end,
        "exact": shown.exact,
        "status": shown.status,
        "version": row["version"],
        "created_at": _when(shown.created_at),
        "updated_at": _when(row["updated_at"]),
    }
    if row["orphaned"]:
        compact["prefix"] = shown.prefix
        compact["suffix"] = shown.suffix
    optional = {
        "orphaned": row["orphaned"],
        "claimant": row["claimant"],
        "normalised_text": row["normalised_text"],
        "tag": row["tag"],
        "origin": row["origin"],
        "final_verdict": shown.final_verdict,
        "assessment_count": shown.assessment_count,
        "review_url": shown.review_url,
        "review_published_at": (
            shown.review_published_at.isoformat() if shown.review_published_at else None
        ),
        "review_modified_at": _when(shown.review_modified_at),
        "published_at": _when(row["published_at"]),
        "created_by": shown.created_by,
    }
    for name, value in optional.items():
        if value != COMPACT_DEFAULTS[name]:
            compact[name] = value
    if shown.highlights:
        compact["highlights"] = [compact_highlight(h) for h in shown.highlights]
    if shown.similar:
        compact["similar"] = SimilarClaimSerializer(shown.similar, many=True).data
    return compact


class ArticleDetailSerializer(ArticleSerializer):
    text = serializers.CharField(read_only=True)
    claims = CompactClaimSerializer(
        source="claim_list",
        many=True,
        read_only=True,
        help_text="Every claim you may see, in the compact form (see the schema's "
        "CompactClaim): each quote once, fields at their default left out.",
    )
    others_hidden = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="Blind review applies to you here: other reviewers' verdicts, sources and "
        "highlights on a claim appear once your own verdict on it is in.",
    )
    claims_hidden_until_submitted = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="Independent highlighting: claims only other reviewers highlighted appear once "
        "you submit the article.",
    )
    submitted_at = serializers.DateTimeField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text="When you submitted your work on this article (null until you do).",
    )

    class Meta(ArticleSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *ArticleSerializer.Meta.fields,
            "text",
            "claims",
            "others_hidden",
            "claims_hidden_until_submitted",
            "submitted_at",
        )
        read_only_fields = fields  # type: ignore[assignment]


class PublishSerializer(serializers.Serializer[Any]):
    review_url = serializers.URLField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Where the desk published its fact-check (ClaimReview url).",
    )
    review_published_at = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it was published (ClaimReview datePublished).",
    )

    def validate_review_url(self, value: str) -> str:
        return checked_address(value)


class CorrectionSerializer(serializers.Serializer[Any]):
    verdict = serializers.CharField(max_length=50)
    note = serializers.CharField(help_text="What was corrected and why: public.")


class UnpublishSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class ClaimCreateSerializer(serializers.Serializer[Any]):
    article = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    exact = serializers.CharField(required=False, trim_whitespace=False)
    claimant = serializers.CharField(required=False, max_length=300, allow_blank=True, default="")
    normalised_text = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, help_text="The version you edited; or send it as If-Match."
    )
    claimant = serializers.CharField(required=False, max_length=300, allow_blank=True)
    normalised_text = serializers.CharField(required=False, allow_blank=True)


# --- Assessments, sources, adjudications, candidates --------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    verdict = serializers.CharField(source="verdict.slug", read_only=True)
    verdict_name = serializers.CharField(source="verdict.name", read_only=True)

    class Meta:
        model = Assessment
        fields = (
            "id",
            "claim",
            "reviewer",
            "verdict",
            "verdict_name",
            "rationale",
            "confidence",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    verdict = serializers.CharField(max_length=50)
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    confidence = serializers.FloatField(required=False, allow_null=True, default=None)


class AssessmentUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False)
    verdict = serializers.CharField(max_length=50, required=False)
    rationale = serializers.CharField(required=False, allow_blank=True)
    confidence = serializers.FloatField(required=False, allow_null=True)


class SourceSummarySerializer(serializers.Serializer[Any]):
    url = serializers.URLField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    published_at = serializers.DateField(allow_null=True)  # a source may have no date


class ClaimSourceSerializer(serializers.ModelSerializer[ClaimSource]):
    """A source linked to a claim, as the person who linked it gave it (URL, title, publisher,
    date): the workspace's shared source row, which another reviewer may have cited first, is
    never shown through a link."""

    # The field shares its name with Field.source in the stubs; at run time DRF allows it.
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    added_by = serializers.CharField(source="added_by.username", read_only=True)

    class Meta:
        model = ClaimSource
        fields = ("id", "claim", "source", "stance", "quote", "added_by", "created_at")
        read_only_fields = fields

    @extend_schema_field(SourceSummarySerializer)
    def get_source(self, link: ClaimSource) -> dict[str, Any]:
        return {
            "url": link.url,
            "title": link.title,
            "publisher": link.publisher,
            "published_at": link.published_at.isoformat() if link.published_at else None,
        }


class ClaimSourceCreateSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(max_length=2000)
    stance = EchoSafeChoiceField(choices=ClaimSource.Stance.choices)
    quote = serializers.CharField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, max_length=500, allow_blank=True, default="")
    publisher = serializers.CharField(required=False, max_length=200, allow_blank=True, default="")
    published_at = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_url(self, value: str) -> str:
        return checked_address(value)


class AdjudicationSerializer(serializers.ModelSerializer[Adjudication]):
    adjudicator = serializers.CharField(source="adjudicator.username", read_only=True)
    verdict = serializers.CharField(source="verdict.slug", read_only=True)
    verdict_name = serializers.CharField(source="verdict.name", read_only=True)

    class Meta:
        model = Adjudication
        fields = ("id", "claim", "adjudicator", "verdict", "verdict_name", "note", "created_at")
        read_only_fields = fields


class AdjudicationStateSerializer(serializers.Serializer[Any]):
    current = AdjudicationSerializer(allow_null=True)
    history = AdjudicationSerializer(many=True)


class AdjudicationCreateSerializer(serializers.Serializer[Any]):
    verdict = serializers.CharField(max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    start = serializers.IntegerField(
        required=False, help_text="The canonical span, required when the reviewers' spans differ."
    )
    end = serializers.IntegerField(required=False)
    exact = serializers.CharField(required=False, trim_whitespace=False)
    span_from = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=150,
        help_text="The reviewer (username) whose extent start and end are, for the history.",
    )


class CandidateSerializer(serializers.ModelSerializer[CandidateClaim]):
    """A candidate, read through selectors.candidate_list_for_article: who decided it and the claim
    it became are given where the blind-review policy shows them."""

    status = serializers.ChoiceField(
        choices=CandidateClaim.Status.choices, source="shown_status", read_only=True
    )
    decided_by = serializers.CharField(source="shown_decided_by", read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(
        source="shown_decided_at", read_only=True, allow_null=True
    )
    claim = serializers.IntegerField(source="shown_claim", read_only=True, allow_null=True)
    similar = SimilarClaimSerializer(
        source="matches",
        many=True,
        read_only=True,
        help_text="Claims of the workspace with a final verdict that say the same, best first.",
    )

    class Meta:
        model = CandidateClaim
        fields = (
            "id",
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
            "similar",
            "created_at",
        )
        read_only_fields = fields
