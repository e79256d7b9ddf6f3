"""The workbench's entities and the invariants the database itself enforces.

Rules that need more than one row (a verdict belongs to the claim's workspace, a span lies inside
the article's text) live in the services, which run them inside a transaction; everything that a
single row can say about itself is a constraint here, so no code path can break it.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

# The extractor's own default (chosen on the French news set), so that a new desk starts with it.
from annotations.extraction.pipeline import DEFAULT_THRESHOLD

_M = TypeVar("_M", bound=models.Model)


class LiveManager(models.Manager[_M]):
    """The default manager of what can be withdrawn: withdrawn rows are kept (with their history)
    but no read sees them; `all_objects` reaches them (the admin, the history)."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Role(models.IntegerChoices):
    """Workspace roles, ordered: each can do what the ones before it can."""

    ANNOTATOR = 10, _("Annotator")
    REVIEWER = 20, _("Reviewer")
    ADJUDICATOR = 30, _("Adjudicator")
    EDITOR = 40, _("Editor")


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text=_("Published as the author of ClaimReview exports.")
    )
    organisation_url = models.URLField(blank=True)
    organisation_logo = models.URLField(
        blank=True, help_text=_("The address of the organisation's logo (ClaimReview author).")
    )
    public_claim_pages = models.BooleanField(
        default=False,
        help_text=_(
            "Published claims have a page anyone can read, without signing in, carrying their "
            "ClaimReview markup."
        ),
    )
    blind_review = models.BooleanField(
        default=False,
        help_text=_(
            "Until a reviewer's own verdict on a claim is in, nothing shows them the other "
            "reviewers' work on it (annotations.policy)."
        ),
    )
    independent_highlighting = models.BooleanField(
        default=False,
        help_text=_(
            "With blind review: claims only other reviewers highlighted stay hidden from a reviewer "
            "until they submit the article, for span-agreement studies."
        ),
    )
    allow_self_adjudication = models.BooleanField(
        default=False,
        help_text=_("Let an adjudicator settle a claim they assessed themselves."),
    )
    reviewers_per_claim = models.PositiveSmallIntegerField(default=2)
    candidate_threshold = models.FloatField(
        default=DEFAULT_THRESHOLD,
        help_text=_("Extracted sentences scoring at least this become candidates."),
    )
    dispute_distance = models.FloatField(
        null=True,
        blank=True,
        help_text=_(
            "On an ordinal scale, verdicts further apart than this (in scale values) make a claim "
            "disputed; empty: any two different verdicts do."
        ),
    )
    consensus_resolves = models.BooleanField(
        default=True,
        help_text=_("Resolve a claim without adjudication when enough reviewers agree."),
    )
    assignment_due_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Days a reviewer has for an assigned article before it is overdue.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("name", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(reviewers_per_claim__gte=1, reviewers_per_claim__lte=20),
                name="workspace_reviewers_per_claim_range",
            ),
            models.CheckConstraint(
                condition=Q(candidate_threshold__gte=0, candidate_threshold__lte=1),
                name="workspace_candidate_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("workspace_id", "-role", "user_id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("workspace", "user"), name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.workspace}"


class VerdictLabel(models.Model):
    """One step of a workspace's ordered verdict scale.

    `value` feeds ClaimReview's ratingValue and ordinal/interval agreement; a label without one
    (e.g. "Unverifiable") still counts for nominal agreement.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="verdicts")
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    value = models.FloatField(null=True, blank=True)
    position = models.PositiveSmallIntegerField()
    # A label no longer offered for new verdicts; the verdicts that used it keep it, with its
    # value and position, so that agreement and published ratings keep their meaning.
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ("workspace_id", "position")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("workspace", "slug"), name="verdict_unique_slug"),
            models.UniqueConstraint(
                fields=("workspace", "position"), name="verdict_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(
        max_length=8, blank=True, help_text=_("ISO 639-1 code; detected when left empty.")
    )
    # Normalised once on import (annotations.text.normalise_text); changed only by a revision that
    # re-anchors the claims, never edited in place under them.
    text = models.TextField(blank=True)
    checksum = models.CharField(max_length=64, blank=True, db_index=True)
    # annotations.text.fingerprint of the text: how a second import of the same article is noticed.
    fingerprint = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(default=1)
    # Optimistic concurrency, as on claims (services.versioning): bumped by every change to the
    # text or the metadata, so a correction based on an older read is refused with 412 instead of
    # silently replacing a colleague's; extraction applies its result only at the version it read.
    version = models.PositiveIntegerField(default=1)
    # For articles imported from a URL: the fetch runs in a worker before extraction.
    fetch_status = models.CharField(max_length=10, choices=Status.choices, blank=True, default="")
    fetch_error = models.TextField(blank=True)
    extraction_status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    extraction_error = models.TextField(blank=True)
    extraction_requested_at = models.DateTimeField(null=True, blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=("workspace", "-created_at"), name="article_ws_created"),
            models.Index(fields=("extraction_status",), name="article_extraction_status"),
            models.Index(
                fields=("workspace", "fingerprint"),
                condition=~Q(fingerprint=""),
                name="article_ws_fingerprint",
            ),
        ]
        constraints: ClassVar = [
            # Importing the same page twice into a desk is almost always a mistake.
            models.UniqueConstraint(
                fields=("workspace", "url"), condition=~Q(url=""), name="article_unique_url"
            ),
            models.CheckConstraint(
                condition=Q(
                    fetch_status__in=["", "pending", "queued", "running", "done", "failed"]
                ),
                name="article_fetch_status",
            ),
            models.CheckConstraint(
                condition=Q(
                    extraction_status__in=["pending", "queued", "running", "done", "failed"]
                ),
                name="article_extraction_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or f"Article {self.pk}"


class Claim(models.Model):
    """The unit that gets checked: a span of an article, with who said it and its status."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSESSED = "assessed", _("Assessed")
        DISPUTED = "disputed", _("Disputed")
        RESOLVED = "resolved", _("Resolved")
        PUBLISHED = "published", _("Published")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Manual")
        EXTRACTED = "extracted", _("Extracted candidate")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="claims")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    # The canonical span: the first highlight's, until an adjudicator settles a span disagreement.
    # Both empty when a text revision could not place the quote again (orphaned).
    start = models.PositiveIntegerField(null=True)
    end = models.PositiveIntegerField(null=True)
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    orphaned = models.BooleanField(default=False)
    claimant = models.CharField(max_length=300, blank=True)
    normalised_text = models.TextField(
        blank=True, help_text=_("The claim rewritten as a standalone checkable sentence.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    # The tag another tool gave the span (doccano's or Label Studio's label), kept from an import.
    tag = models.CharField(max_length=100, blank=True)
    final_verdict = models.ForeignKey(
        VerdictLabel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When its final verdict was set (by consensus or adjudication), and when the desk published
    # it; the desk's own article about it (ClaimReview `url` and `datePublished` when set) and the
    # date of a public correction of its verdict (`dateModified`).
    settled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    review_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text=_("Where the desk published its fact-check of this claim."),
    )
    review_published_at = models.DateField(null=True, blank=True)
    review_modified_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change to what a claim says (span, claimant, wording), never by the verdicts
    # around it: a write carrying an older version is refused, and a colleague's verdict does not
    # move it (blind review).
    version = models.PositiveIntegerField(default=1)
    # Withdrawn (undone) by its author or an editor: kept, never shown (LiveManager).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The same claim in other articles (annotations.services.clusters): grouped from the registry's
    # matches, or by an editor. None: not grouped with any other claim yet. Always a cluster of the
    # claim's own workspace (a rule across two tables: the service keeps it).
    cluster = models.ForeignKey(
        "ClaimCluster", on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff takes LiveManager() for a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ("article_id", "start", "end", "id")
        indexes: ClassVar = [
            models.Index(fields=("article", "start"), name="claim_article_start"),
            models.Index(fields=("workspace", "status"), name="claim_ws_status"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(orphaned=False, start__isnull=False, start__lt=F("end")))
                | Q(orphaned=True, start__isnull=True, end__isnull=True),
                name="claim_span_or_orphan",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "assessed", "disputed", "resolved", "published"]),
                name="claim_status",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=["manual", "extracted"]), name="claim_origin"
            ),
            # A resolved or published claim always has its final verdict.
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "published"]) | Q(final_verdict__isnull=False),
                name="claim_final_verdict_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return self.exact[:80]


class Highlight(models.Model):
    """One reviewer's own span for a claim; overlapping highlights merge into one claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="highlights")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="highlights")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="highlights"
    )
    start = models.PositiveIntegerField(null=True)
    end = models.PositiveIntegerField(null=True)
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    # Set when a text revision could not place the quote again: kept and shown, never dropped.
    orphaned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Withdrawn (undone) by its author or an editor: kept, never shown (LiveManager).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff takes LiveManager() for a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ("claim_id", "created_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("claim", "user"),
                condition=Q(withdrawn_at__isnull=True),
                name="highlight_one_live_per_user",
            ),
            models.CheckConstraint(
                condition=(Q(orphaned=False, start__isnull=False, start__lt=F("end")))
                | Q(orphaned=True, start__isnull=True, end__isnull=True),
                name="highlight_span_or_orphan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on claim {self.claim_id}"


class Assessment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="assessments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    verdict = models.ForeignKey(VerdictLabel, on_delete=models.PROTECT, related_name="+")
    # The verdict as first given, never changed: in a blind workspace, given before seeing anyone
    # else's. Agreement figures use it; later revisions are in the claim's history.
    initial_verdict = models.ForeignKey(VerdictLabel, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True, help_text=_("From 0 to 1."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("claim_id", "created_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("claim", "reviewer"), name="assessment_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="assessment_confidence_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.verdict} on claim {self.claim_id}"


class Source(models.Model):
    """A piece of evidence, shared by the claims of a workspace that cite it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=2000)
    normalised_url = models.CharField(max_length=2000, editable=False)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_at = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("workspace_id", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("workspace", "normalised_url"), name="source_unique_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class ClaimSource(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", _("Supports")
        REFUTES = "refutes", _("Refutes")
        CONTEXT = "context", _("Context")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="source_links")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claim_links")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    quote = models.TextField(blank=True, help_text=_("The passage of the source that matters."))
    # What the person who linked it gave of the source: the URL as they typed it, its title,
    # publisher and date. The shared Source row (one per normalised URL, for the exports) is never
    # shown through a link, so that one reviewer's link does not show another's (blind review).
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_at = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Withdrawn (undone) by its author or an editor: kept, never shown (LiveManager).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff takes LiveManager() for a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ("claim_id", "created_at", "id")
        constraints: ClassVar = [
            # Each reviewer links a source once per claim, with their own reading of its stance.
            models.UniqueConstraint(
                fields=("claim", "source", "added_by"),
                condition=Q(withdrawn_at__isnull=True),
                name="claim_source_one_live",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=["supports", "refutes", "context"]),
                name="claim_source_stance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.stance} claim {self.claim_id}"


class Adjudication(models.Model):
    """A final verdict by an adjudicator. Rows are never updated: the newest is the current one."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="adjudications")
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="adjudications"
    )
    verdict = models.ForeignKey(VerdictLabel, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("claim_id", "-created_at", "-id")
        get_latest_by = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.verdict} on claim {self.claim_id} by {self.adjudicator}"


class CandidateClaim(models.Model):
    """A sentence the extractor proposes; a reviewer accepts (it becomes a claim) or dismisses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="candidates")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    score = models.FloatField()
    kinds = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    claimant_guess = models.CharField(max_length=300, blank=True)
    scorer = models.CharField(max_length=100, help_text=_("Which scorer and version proposed it."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("article_id", "-score", "start")
        constraints: ClassVar = [
            # The extraction task upserts on this key, so running it twice changes nothing.
            models.UniqueConstraint(
                fields=("article", "start", "end"), name="candidate_unique_span"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="candidate_start_before_end"
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="candidate_score"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "dismissed"]),
                name="candidate_status",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="candidate_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ArticleRevision(models.Model):
    """A text as it was: every correction keeps the text it replaced."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    checksum = models.CharField(max_length=64)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("article_id", "-number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("article", "number"), name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article} r{self.number}"


class ScorerModel(models.Model):
    """A trained check-worthiness scorer, versioned; a workspace extracts with its active one."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="scorer_models", null=True, blank=True
    )
    version = models.CharField(max_length=100, unique=True)
    trained_from = models.CharField(max_length=200, help_text=_("What it was trained on."))
    n_examples = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict, blank=True)
    data = models.BinaryField(editable=False)
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("workspace",),
                condition=Q(is_active=True),
                name="scorer_one_active_per_workspace",
            ),
        ]

    def __str__(self) -> str:
        return self.version


class ReferenceClaim(models.Model):
    """An outside fact-check in a workspace's reference corpus (imported ClaimReview).

    Matched like the workspace's own checked claims; its rating is the publisher's, with the
    workspace's verdict it maps onto when it can be mapped (offered for reuse, never applied).
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="reference_claims"
    )
    # The fact-check's page: what makes two imports the same fact-check.
    url = models.URLField(max_length=2000)
    claim_text = models.TextField()
    claimant = models.CharField(max_length=300, blank=True)
    claim_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=12, blank=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    publisher_site = models.CharField(max_length=300, blank=True)
    review_date = models.DateField(null=True, blank=True)
    rating = models.CharField(max_length=300, blank=True, help_text=_("The publisher's rating."))
    rating_value = models.FloatField(null=True, blank=True)
    rating_best = models.FloatField(null=True, blank=True)
    rating_worst = models.FloatField(null=True, blank=True)
    verdict = models.ForeignKey(
        VerdictLabel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin = models.CharField(max_length=30)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("workspace_id", "-review_date", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("workspace", "url"), name="reference_unique_url"),
        ]

    def __str__(self) -> str:
        return self.claim_text[:80]


class TextVector(models.Model):
    """The sentence embedding of a claim, a candidate or an outside fact-check, by a worker.

    One per owner; `digest` says which text and `model` which embedder it was computed from, so a
    changed text or another model makes it stale.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="vector"
    )
    candidate = models.OneToOneField(
        CandidateClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="vector"
    )
    reference = models.OneToOneField(
        ReferenceClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="vector"
    )
    model = models.CharField(max_length=80)
    digest = models.CharField(max_length=32)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=("workspace", "model"), name="vector_ws_model"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, candidate__isnull=True, reference__isnull=True)
                | Q(claim__isnull=True, candidate__isnull=False, reference__isnull=True)
                | Q(claim__isnull=True, candidate__isnull=True, reference__isnull=False),
                name="vector_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"vector {self.model} ({self.pk})"


class ClaimMatch(models.Model):
    """An already-checked claim, the workspace's own or an outside fact-check, that says the same
    as a new candidate or claim."""

    candidate = models.ForeignKey(
        CandidateClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="matches"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="matches"
    )
    matched_claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    matched_reference = models.ForeignKey(
        ReferenceClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField()
    method = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-score", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(candidate__isnull=False, claim__isnull=True)
                | Q(candidate__isnull=True, claim__isnull=False),
                name="match_for_candidate_or_claim",
            ),
            models.CheckConstraint(
                condition=Q(matched_claim__isnull=False, matched_reference__isnull=True)
                | Q(matched_claim__isnull=True, matched_reference__isnull=False),
                name="match_of_claim_or_reference",
            ),
            models.UniqueConstraint(
                fields=("candidate", "matched_claim"), name="match_unique_candidate"
            ),
            models.UniqueConstraint(fields=("claim", "matched_claim"), name="match_unique_claim"),
            models.UniqueConstraint(
                fields=("candidate", "matched_reference"), name="match_unique_candidate_ref"
            ),
            models.UniqueConstraint(
                fields=("claim", "matched_reference"), name="match_unique_claim_ref"
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="match_score"),
        ]

    def __str__(self) -> str:
        target = self.matched_claim_id or f"ref {self.matched_reference_id}"
        return f"match {target} ({self.score:.2f})"


class ClaimCluster(models.Model):
    """The same claim as it appears in several articles of a workspace: its claims point here
    (Claim.cluster). Formed from the registry's matches and by editors, who merge and split."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"cluster {self.pk}"


class ClaimKeptApart(models.Model):
    """Two claims an editor split apart: no automatic grouping puts them in one cluster again
    (only an editor's merge does, which removes the pair). Stored once, lower id first."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("claim_id", "other_id")
        indexes: ClassVar = [
            models.Index(fields=("other",), name="kept_apart_other"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("claim", "other"), name="kept_apart_unique"),
            models.CheckConstraint(condition=Q(claim__lt=F("other")), name="kept_apart_ordered"),
        ]

    def __str__(self) -> str:
        return f"claims {self.claim_id} and {self.other_id} kept apart"


class Assignment(models.Model):
    """An article given to a reviewer; its claims then wait for that reviewer's verdict."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="assignments")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("due_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("article", "user"), name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article} -> {self.user}"


class Disagreement(models.Model):
    """Where reviewers differ on a claim: kept after it is resolved."""

    class Kind(models.TextChoices):
        VERDICT = "verdict", _("Verdict")
        SPAN = "span", _("Span")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="disagreements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    details = models.JSONField(default=dict, help_text=_("Who said what: verdicts or spans."))
    detected_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-detected_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind__in=["verdict", "span"]), name="disagreement_kind"
            ),
            # At most one open disagreement of each kind per claim.
            models.UniqueConstraint(
                fields=("claim", "kind"),
                condition=Q(resolved_at__isnull=True),
                name="disagreement_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} disagreement on claim {self.claim_id}"


class ClaimEvent(models.Model):
    """The history of a claim: who changed what, when, from what to what. Never deleted."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("claim_id", "created_at", "id")

    def __str__(self) -> str:
        return f"{self.kind} on claim {self.claim_id}"


# The longest comment on a claim, in characters.
COMMENT_BODY_MAX = 5000


class Comment(models.Model):
    """A note on a claim by a member of its workspace, or a reply to one (one level deep: a reply
    to a reply joins the same thread). Read through annotations.policy (blind review hides the
    others' comments from a reviewer until their own verdict is in, but for instructions).

    Deleting keeps the row in its place in the thread, its body blanked (`deleted_at`)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The comment this one answers: always a top-level comment of the same claim (a rule across
    # two rows, kept by annotations.services.comments).
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(max_length=COMMENT_BODY_MAX, blank=True)
    # A note from an editor or adjudicator for everyone on the claim: blind review never hides it.
    instruction = models.BooleanField(default=False)
    # The workspace members the body names as @username (resolved when written or edited).
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("claim_id", "created_at", "id")
        indexes: ClassVar = [
            models.Index(fields=("claim", "created_at"), name="comment_claim_created"),
        ]
        constraints: ClassVar = [
            # A live comment says something, within the limit; a deleted one says nothing and
            # records who deleted it.
            models.CheckConstraint(
                condition=(
                    Q(deleted_at__isnull=True, deleted_by__isnull=True)
                    & ~Q(body="")
                    & LessThanOrEqual(Length("body"), COMMENT_BODY_MAX)
                )
                | Q(deleted_at__isnull=False, deleted_by__isnull=False, body=""),
                name="comment_body_unless_deleted",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on claim {self.claim_id}"


class LiveFeed(models.Model):
    """The counter of an article's live events: one row per article, locked for the instant a
    write takes the next number, so that numbers follow the order writes commit in."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="live_feed"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"live feed of article {self.article_id} at {self.last_seq}"


class LiveEvent(models.Model):
    """Something changed on an article, numbered in its feed (annotations.services.live): the open
    pages are told over their WebSocket, and a page that reconnects, or polls, asks for what came
    after the last number it saw. An event names what changed, never its content: the page reads
    that again through the API. Read through annotations.policy.live_events_visible."""

    class Kind(models.TextChoices):
        CLAIM = "claim", _("a claim changed")
        COMMENT = "comment", _("a comment changed")
        ARTICLE = "article", _("the article's fetch, extraction or candidates changed")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What it is about, as far as blind review needs to know to decide who may be told.
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    claim_event = models.ForeignKey(
        ClaimEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The browser tab the change came from (its X-Workbench-Tab header; empty for any other
    # writer): that tab shows its own change as it makes it and skips the event, while the same
    # person's other tabs apply it.
    origin = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("article_id", "seq")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("article", "seq"), name="live_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} on article {self.article_id}"


class Presence(models.Model):
    """Someone with an article's page open, and the claim they have open on it: one row per open
    socket (annotations.consumers), gone when the socket closes. A row whose page stopped
    answering (a server killed) is ignored after PRESENCE_TIMEOUT seconds without news."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seen_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [models.Index(fields=("article", "seen_at"), name="presence_article")]

    def __str__(self) -> str:
        return f"{self.user_id} on article {self.article_id}"


class Notification(models.Model):
    """Something a member is told about: a mention, an assignment, a dispute, a due date, a claim
    they worked on settled. Written in the transaction of the change it tells about
    (annotations.services.notifications), read through annotations.policy: a mention in a comment
    blind review hides from its recipient reaches them once they may read it."""

    class Kind(models.TextChoices):
        MENTIONED = "mentioned", _("mentioned you")
        ASSIGNED = "assigned", _("assigned you an article")
        DISPUTED = "disputed", _("claim disputed")
        DUE_SOON = "due_soon", _("article due soon")
        OVERDUE = "overdue", _("article overdue")
        RESOLVED = "resolved", _("claim resolved")
        PUBLISHED = "published", _("claim published")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Who caused it (None for the clock: due dates).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    assignment = models.ForeignKey(
        "Assignment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=("recipient", "read_at", "created_at"), name="notification_inbox"),
        ]
        constraints: ClassVar = [
            # One mention per comment and person (an edit that keeps a name tells nobody twice);
            # one reminder of each kind per assignment.
            models.UniqueConstraint(
                fields=("recipient", "comment"),
                condition=Q(kind="mentioned"),
                name="notification_one_mention",
            ),
            models.UniqueConstraint(
                fields=("recipient", "kind", "assignment"),
                condition=Q(kind__in=("due_soon", "overdue")),
                name="notification_one_reminder",
            ),
            models.CheckConstraint(
                condition=~Q(kind="mentioned") | Q(comment__isnull=False, claim__isnull=False),
                name="notification_mention_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationSettings(models.Model):
    """How a person wants notifications by e-mail (everyone gets them in the pages)."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("at once")
        DAILY = "daily", _("once a day, in a digest")
        OFF = "off", _("never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"


class JobStatus(models.TextChoices):
    """Where a job run by a worker is (export and import jobs)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A long export run by a worker; the file is kept for download."""

    Status = JobStatus

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="export_jobs")
    format = models.CharField(max_length=30)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="exports/", blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="export_job_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.format} export of {self.workspace} ({self.status})"


class ImportJob(models.Model):
    """A file of articles (and what people marked on them) read into a workspace by a worker,
    with a report record by record (annotations.services.imports)."""

    Status = JobStatus

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="import_jobs")
    format = models.CharField(max_length=30)
    options = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The uploaded file, or (source_url set, file empty until fetched) the address to fetch it from.
    file = models.FileField(upload_to="imports/", blank=True, max_length=200)
    file_name = models.CharField(max_length=255, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # Records read so far, and how each ended: created, skipped (already there), failed.
    records = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Rows written (or, in a dry run, that would be): articles, claims, highlights, ...
    counts = models.JSONField(default=dict, blank=True)
    # One entry per record: {"place", "outcome", "article", "message", "field"}.
    report = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="import_job_status",
            ),
            # A job still to run has its file or the address of one; a finished job's file is
            # deleted (services.imports), its report kept.
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed"]) | ~Q(file="") | ~Q(source_url=""),
                name="import_job_has_input",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.format} import into {self.workspace} ({self.status})"


class DatasetRelease(models.Model):
    """A frozen, versioned dataset: its files are written once and never change."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    filters = models.JSONField(default=dict, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    claim_ids = models.JSONField(default=list, blank=True, help_text=_("The exact rows frozen."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("workspace", "name", "version"), name="release_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class ReleaseFile(models.Model):
    release = models.ForeignKey(DatasetRelease, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=30)
    file = models.FileField(upload_to="releases/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ("release_id", "format")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("release", "format"), name="release_file_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.format}"


class MemberEvent(models.Model):
    """The workspace's membership trail: who added, invited, changed or removed whom, and when.
    Editors read it; additions are also rate-limited per person (services.workspaces)."""

    class Kind(models.TextChoices):
        ADDED = "added", _("added")
        INVITED = "invited", _("invited")
        JOINED = "joined", _("joined by invitation")
        ROLE_CHANGED = "role_changed", _("role changed")
        REMOVED = "removed", _("removed")
        REFUSED = "refused", _("refused: no such user")
        REVOKED = "revoked", _("invitation revoked")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="member_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Who it was about, as given: a username or an e-mail address (kept even when refused).
    subject = models.CharField(max_length=254)
    role = models.PositiveSmallIntegerField(choices=Role.choices, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "added",
                        "invited",
                        "joined",
                        "role_changed",
                        "removed",
                        "refused",
                        "revoked",
                    ]
                ),
                name="member_event_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} in {self.workspace_id}"


class Invitation(models.Model):
    """An invitation by e-mail to join a workspace with a role; its link holds a random token."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.PositiveSmallIntegerField(choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role"),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace_id}"


class TaskOutbox(models.Model):
    """A task a write asked for, recorded in the write's own transaction (the transactional outbox).

    The row exists exactly when the write committed; it is published after commit and again by the
    sweep until the task has run, so a broker outage delays work but never drops it. The running
    task holds a lease (`heartbeat_at`, renewed while it runs): a live task is never sent twice,
    a killed worker's lease runs out and the sweep sends the task again. After
    OUTBOX_MAX_ATTEMPTS runs without finishing, the row is stopped with its error for staff to
    read, and the work it stood for (an export, a release, an article) says it failed.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last published successfully (null: the broker never took it).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started it (a killed worker counts: it started).
    attempts = models.PositiveIntegerField(default=0)
    # Set by the running task and renewed while it runs; null when nobody runs it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [
            # The sweep reads only the rows still to do, oldest first: a small partial index.
            models.Index(
                fields=("created_at",),
                condition=Q(done_at__isnull=True, stopped_at__isnull=True),
                name="outbox_pending",
            ),
            # Pruning reads the finished rows by age.
            models.Index(
                fields=("done_at",), condition=Q(done_at__isnull=False), name="outbox_done"
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(task=""), name="outbox_task_named"),
            # Finished or stopped, never both.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(stopped_at__isnull=True),
                name="outbox_done_or_stopped",
            ),
            # A finished or stopped row is nobody's lease any more.
            models.CheckConstraint(
                condition=Q(heartbeat_at__isnull=True)
                | Q(done_at__isnull=True, stopped_at__isnull=True),
                name="outbox_no_lease_when_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"


class Webhook(models.Model):
    """An outside system told of a workspace's events (its CMS, a chat bridge), set up by an editor.

    Each delivery's JSON body is signed with HMAC-SHA256 under `secret`, which the editor sees once,
    when the webhook is made or its secret renewed (services.webhooks); nothing shows it again.
    """

    class Event(models.TextChoices):
        CLAIM_PUBLISHED = "claim.published", _("A claim is published")
        CLAIM_RESOLVED = "claim.resolved", _("A claim gets its final verdict")
        CLAIM_DISPUTED = "claim.disputed", _("A claim is disputed")
        CLAIM_UNPUBLISHED = "claim.unpublished", _("A published claim is unpublished")
        ARTICLE_EXTRACTED = "article.extracted", _("An article's candidate claims are extracted")
        IMPORT_FINISHED = "import.finished", _("An import of articles has finished")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # The Event values it is sent (a list of strings, at least one).
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(secret=""), name="webhook_has_secret"),
            models.CheckConstraint(condition=~Q(url=""), name="webhook_has_url"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one webhook: the exact body that is signed, and how it went.

    `pending`: waiting for a worker to send it; `retrying`: the last attempt failed and the sweep
    sends it again at `next_attempt_at` (backing off exponentially); `delivered`: the target
    answered 2xx; `failed`: it had all its attempts, or the webhook was turned off or is refused.
    A redelivery by hand is a new row with the same body (`redelivery_of`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Will retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # Sent as X-Workbench-Delivery: a receiver drops a delivery it has seen already.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "webhook deliveries"
        indexes: ClassVar = [
            # The sweep reads the deliveries whose retry is due.
            models.Index(
                fields=("next_attempt_at",),
                condition=Q(status="retrying"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=("webhook", "-created_at"), name="webhook_delivery_log"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "retrying", "delivered", "failed"]),
                name="webhook_delivery_status_known",
            ),
            # A retry has its time; nothing else waits for one.
            models.CheckConstraint(
                condition=Q(status="retrying", next_attempt_at__isnull=False)
                | (~Q(status="retrying") & Q(next_attempt_at__isnull=True)),
                name="webhook_delivery_retry_timed",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivery_delivered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"
