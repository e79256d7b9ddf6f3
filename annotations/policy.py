"""Who may see what of a workspace's review work: the one home of the blind-review rule.

Roles (annotations.access) decide what a member may *do*; this module decides what each reader
*sees*. Every read asks it: the selectors and queues build their querysets with its filters and
annotations, and present each claim through `present_claim`, so that the API, the pages, the
counts, the filters, the history and the admin all show the same thing. No other module reads the
workspace's `blind_review` or `independent_highlighting` setting to decide what to show (a test
fails when one does).

The rule, by the reader's current role in the workspace:

- A workspace without blind review, and adjudicators and editors in any workspace, see everything
  (**clear** sight).
- In a blind workspace a **reviewer** sees every claim with its canonical span and can assess it.
  Until their own verdict on a claim is in, nothing shows them the other reviewers' work on that
  claim: verdicts, rationales, confidence, the number of assessments, a status that derives from
  them (they see `awaiting_verdict`), the final verdict and the adjudication, the source links other
  reviewers made, others' highlights of it (their extents and names), others' events in its
  history, who decided a candidate, and anything that would move because of that work. Their own
  verdict unlocks the claim for them; publication unlocks it for everyone.
- With **independent highlighting** too, a reviewer does not even see the claims that only other
  reviewers highlighted until they submit the article. Their own highlight never joins such a
  claim: it makes a claim of their own, and their decisions on candidates change nothing the
  others see. Claims of the same passage are merged once every reviewer who highlighted them has
  submitted the article (annotations.services.merging).
- In a blind workspace an **annotator** sees claims, highlights and statuses, and verdicts (with
  the sources reviewers linked) only once the claim is published.
- Comments on a claim are hidden like verdicts (`comments_visible`), but for the reader's own and
  for instructions, which editors and adjudicators write for everyone; a notification about a
  comment or a claim's status waits until its reader may see them (`notifications_visible`).

Work by members below the reviewer role (an annotator preparing claims, linking sources, accepting
candidates) is preparation, not review: it is visible to everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from annotations.access import role_column
from annotations.models import (
    Assessment,
    Assignment,
    CandidateClaim,
    Claim,
    ClaimEvent,
    ClaimMatch,
    Highlight,
    Membership,
    Role,
    Workspace,
)

AnyUser = User | AnonymousUser

# The status a blind reviewer sees on every claim they have not assessed yet: it says nothing
# about anyone else's work.
AWAITING_VERDICT = "awaiting_verdict"
SHOWN_STATUSES = (*Claim.Status.values, AWAITING_VERDICT)

# History events that carry a verdict, or who disagreed with whom: hidden until unlocked.
VERDICT_EVENTS = frozenset(
    {
        "assessment_created",
        "assessment_updated",
        "adjudicated",
        "disagreement_opened",
        "disagreement_resolved",
    }
)
# Events about what the claim says, which every reader of the claim sees anyway; shown to a blind
# reader when their author's work is visible (themselves, or someone preparing claims). Text
# corrections move every claim, whoever makes them.
CONTENT_EVENTS = frozenset(
    {
        "edited",
        "highlight_added",
        "highlight_withdrawn",
        "withdrawn",
        "source_linked",
        "source_removed",
    }
)
ALWAYS_SHOWN_EVENTS = frozenset({"reanchored"})
# A source link's stance is as telling as a verdict: a reviewer's are hidden like their verdicts.
SOURCE_EVENTS = frozenset({"source_linked", "source_removed"})


@dataclass(frozen=True, slots=True)
class Sight:
    """What one user may see, in every workspace they belong to (one query to build)."""

    user_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    # Workspaces where the user sees everything.
    clear: frozenset[int] = frozenset()
    # Blind workspaces where the user reviews (role reviewer) or annotates (role annotator).
    blind_reviewing: frozenset[int] = frozenset()
    blind_annotating: frozenset[int] = frozenset()
    # Of blind_reviewing: those with independent highlighting.
    independent: frozenset[int] = frozenset()

    @property
    def member(self) -> frozenset[int]:
        return frozenset(self.roles)

    @property
    def all_clear(self) -> bool:
        """Nothing is hidden from this reader: every filter below is then empty, which keeps
        the common case (editors, adjudicators, open workspaces) as cheap as no policy at all."""
        return not (self.blind_reviewing or self.blind_annotating)

    def only(self, workspace_id: int) -> Sight:
        """The same reader, seen in one workspace: what a read of one article or claim needs."""
        keep = frozenset({workspace_id})
        return Sight(
            user_id=self.user_id,
            roles={k: v for k, v in self.roles.items() if k == workspace_id},
            clear=self.clear & keep,
            blind_reviewing=self.blind_reviewing & keep,
            blind_annotating=self.blind_annotating & keep,
            independent=self.independent & keep,
        )

    def sees_all(self, workspace_id: int) -> bool:
        return workspace_id in self.clear

    def is_blind(self, workspace_id: int) -> bool:
        return workspace_id in self.blind_reviewing or workspace_id in self.blind_annotating


def sight_of(user: AnyUser) -> Sight:
    if not user.is_authenticated:
        return Sight(user_id=0)
    rows = Membership.objects.filter(user_id=user.pk).values_list(
        "workspace_id", "role", "workspace__blind_review", "workspace__independent_highlighting"
    )
    return _sight(int(user.pk), rows)


def _sight(user_id: int, rows: Iterable[tuple[int, int, bool, bool]]) -> Sight:
    """A Sight from the reader's memberships: (workspace, role, blind review, independent
    highlighting) each."""
    roles: dict[int, Role] = {}
    clear: set[int] = set()
    reviewing: set[int] = set()
    annotating: set[int] = set()
    independent: set[int] = set()
    for workspace_id, role, blind, separate in rows:
        roles[workspace_id] = Role(role)
        if not blind or role >= Role.ADJUDICATOR:
            clear.add(workspace_id)
        elif role == Role.REVIEWER:
            reviewing.add(workspace_id)
            if separate:
                independent.add(workspace_id)
        else:
            annotating.add(workspace_id)
    return Sight(
        user_id=user_id,
        roles=roles,
        clear=frozenset(clear),
        blind_reviewing=frozenset(reviewing),
        blind_annotating=frozenset(annotating),
        independent=frozenset(independent),
    )


def sight_columns(user: AnyUser, workspace: str = "workspace") -> dict[str, Any]:
    """Columns that read, with each row of a query that reaches its workspace through the
    relation `workspace` (an article's, a claim's), what `sight_in_row` needs to know of the
    reader there: their role (NULL when they are not a member) and the workspace's review
    settings. A write that locks its row learns its writer's sight in the same statement."""
    return {
        "sight_role": role_column(user=user, workspace_ref=f"{workspace}_id"),
        "sight_blind": F(f"{workspace}__blind_review"),
        "sight_independent": F(f"{workspace}__independent_highlighting"),
    }


def sight_in_row(user: AnyUser, workspace_id: int, row: Any) -> Sight:
    """The reader's sight in one workspace, from a row read with `sight_columns`: what
    `sight_of(user).only(workspace_id)` gives, without a query of its own (no role there: a
    Sight of nothing)."""
    role = getattr(row, "sight_role", None)
    if role is None or not user.is_authenticated:
        return Sight(user_id=int(user.pk or 0))
    return _sight(int(user.pk), [(workspace_id, role, row.sight_blind, row.sight_independent)])


# --- Filters: Q objects over the rows each read returns ------------------------------------------
#
# `path` reaches the claim from the rows being filtered: "" for claims, "claim__" for highlights,
# assessments, source links and events, "matched_claim__" for similar-claim matches.


def _everything() -> Q:
    """A condition every row meets. Not Q(): an empty Q vanishes from an OR (Q(a) | Q() is Q(a)),
    which would turn "mine, or everything" into "mine"."""
    return Q(pk__isnull=False)


def _claim_ref(path: str) -> str:
    return path[:-2] + "_id" if path else "pk"


def _in(path: str, workspaces: frozenset[int]) -> Q:
    return Q(**{f"{path}workspace_id__in": sorted(workspaces)})


def _reviews(user_ref: str, workspace_ref: str) -> Q:
    """Whether the author of a row did it as a reviewer: their work is review work, which blind
    review hides; a current member below that role who never gave a verdict there prepares claims,
    which it does not. Erring towards hiding: someone no longer a member, or demoted after giving
    verdicts, still counts as a reviewer, so that leaving the desk never reveals their work."""
    members = Membership.objects.filter(
        workspace_id=OuterRef(workspace_ref), user_id=OuterRef(user_ref)
    )
    gave_verdicts = Assessment.objects.filter(
        reviewer_id=OuterRef(user_ref), claim__workspace_id=OuterRef(workspace_ref)
    )
    return (
        Q(Exists(members.filter(role__gte=Role.REVIEWER)))
        | ~Q(Exists(members))
        | Q(Exists(gave_verdicts))
    )


def verdicts_visible(sight: Sight, path: str = "") -> Q:
    """Claims whose verdicts, adjudication and reviewers' work this user may see."""
    if sight.all_clear:
        return _everything()
    visible = _in(path, sight.clear) | Q(**{f"{path}status": Claim.Status.PUBLISHED})
    if sight.blind_reviewing:
        mine = Assessment.objects.filter(
            claim_id=OuterRef(_claim_ref(path)), reviewer_id=sight.user_id
        )
        visible |= _in(path, sight.blind_reviewing) & Q(Exists(mine))
    return visible


def status_visible(sight: Sight, path: str = "") -> Q:
    """Claims whose true status (and number of assessments) this user may see."""
    if sight.all_clear:
        return _everything()
    return verdicts_visible(sight, path) | _in(path, sight.blind_annotating)


def claims_listed(sight: Sight, path: str = "") -> Q:
    """Claims this user may know exist: every claim of their workspaces, except, with independent
    highlighting, those only other reviewers highlighted in an article they have not submitted."""
    listed = _in(path, sight.member)
    if not sight.independent:
        return listed
    ref = OuterRef(_claim_ref(path))
    highlights = Highlight.objects.filter(claim_id=ref)
    submitted = Assignment.objects.filter(
        article_id=OuterRef(f"{path}article_id"),
        user_id=sight.user_id,
        completed_at__isnull=False,
    )
    seen = (
        Q(Exists(highlights.filter(user_id=sight.user_id)))
        | Q(Exists(highlights.exclude(_reviews("user_id", "article__workspace_id"))))
        | ~Q(Exists(highlights))
        | Q(Exists(submitted))
        | verdicts_visible(sight, path)
    )
    return listed & (~_in(path, sight.independent) | seen)


def listed_by_membership(sight: Sight) -> bool:
    """Whether `claims_listed` is the reader's membership alone (no independent highlighting
    hides others' claims from them): a claim of their workspaces is then listed without asking
    the database."""
    return not sight.independent


def highlights_visible(sight: Sight) -> Q:
    """Highlights (each a person's own extent of a claim) this user may see."""
    if sight.all_clear:
        return _everything()
    return (
        Q(article__workspace_id__in=sorted(sight.clear | sight.blind_annotating))
        | Q(user_id=sight.user_id)
        | ~(_reviews("user_id", "article__workspace_id"))
        | verdicts_visible(sight, "claim__")
    )


def source_links_visible(sight: Sight) -> Q:
    """Source links this user may see: a stance gives a verdict away, so a reviewer's links are
    hidden like their verdicts."""
    if sight.all_clear:
        return _everything()
    return (
        Q(claim__workspace_id__in=sorted(sight.clear))
        | Q(added_by_id=sight.user_id)
        | ~(_reviews("added_by_id", "claim__workspace_id"))
        | verdicts_visible(sight, "claim__")
    )


def assessments_visible(sight: Sight) -> Q:
    return Q(reviewer_id=sight.user_id) | verdicts_visible(sight, "claim__")


def adjudications_visible(sight: Sight) -> Q:
    return verdicts_visible(sight, "claim__")


def matches_visible(sight: Sight) -> Q:
    """Already-checked look-alikes this user may see: an outside fact-check of the workspace's
    reference corpus (public work, seen by every member), or a claim still checked (final
    verdict, not withdrawn) whose verdict the user may see."""
    checked = Q(
        matched_claim__withdrawn_at__isnull=True,
        matched_claim__status__in=[Claim.Status.RESOLVED, Claim.Status.PUBLISHED],
    )
    if sight.all_clear:
        return Q(matched_reference__isnull=False) | checked
    return Q(matched_reference__workspace_id__in=sorted(sight.member)) | (
        checked
        & verdicts_visible(sight, "matched_claim__")
        & claims_listed(sight, "matched_claim__")
    )


def events_visible(sight: Sight) -> Q:
    """A claim's history as this user may see it: everything once the claim is unlocked for them;
    before, what an annotator may see (no verdicts), or for a blind reviewer only text corrections
    and what they or the claim's preparers did to what the claim says."""
    if sight.all_clear:
        return _everything()
    preparer = Q(actor__isnull=True) | ~(_reviews("actor_id", "claim__workspace_id"))
    reviewers_sources = Q(kind__in=SOURCE_EVENTS) & ~preparer
    return (
        verdicts_visible(sight, "claim__")
        | (
            _in("claim__", sight.blind_annotating)
            & ~Q(kind__in=VERDICT_EVENTS)
            & ~reviewers_sources
        )
        | Q(kind__in=ALWAYS_SHOWN_EVENTS)
        | (Q(kind__in=CONTENT_EVENTS) & (Q(actor_id=sight.user_id) | preparer))
    )


def comments_visible(sight: Sight, path: str = "") -> Q:
    """Comments on claims this user may see (the claim itself is checked by `claims_listed`).

    A comment can say what its author thinks of the claim as plainly as a verdict: in a blind
    workspace it is hidden like one, until the claim is unlocked for the reader (their own verdict,
    or publication), whoever wrote it. Always shown: the reader's own comments, and instructions
    (notes editors and adjudicators mark for everyone). A blind annotator, who gives no verdict,
    sees the others' comments once the claim is published."""
    if sight.all_clear:
        return _everything()
    return (
        Q(**{f"{path}author_id": sight.user_id})
        | Q(**{f"{path}instruction": True})
        | verdicts_visible(sight, f"{path}claim__")
    )


# Notifications that say something of a claim's status (blind review hides it like a verdict).
_STATUS_NOTIFICATIONS = ("disputed", "resolved")


def notifications_visible(sight: Sight) -> Q:
    """Of the notifications addressed to this user, those they may read now: in a workspace they
    are still in, about a claim they may know exists; a mention once they may read its comment
    (blind review: after their own verdict), a dispute or resolution once they may see the
    claim's status. Hidden ones are not lost: they show when the rule lets them."""
    visible = Q(recipient_id=sight.user_id) & _in("", sight.member)
    visible &= Q(claim__isnull=True) | claims_listed(sight, "claim__")
    if sight.all_clear:
        return visible
    visible &= Q(comment__isnull=True) | comments_visible(sight, "comment__")
    return visible & (~Q(kind__in=_STATUS_NOTIFICATIONS) | status_visible(sight, "claim__"))


def sees_where_others_are(sight: Sight, workspace_id: int) -> bool:
    """Whether the reader is shown which claim the others on an article have open. Under blind
    review a reviewer (or annotator) sees that colleagues are on the article, not on which claim:
    that would say who is assessing what."""
    return not sight.is_blind(workspace_id)


def live_events_visible(sight: Sight) -> Q:
    """An article's live events (annotations.services.live) this user may be told of: about a
    claim they may know exists, a comment they may read, a history event they may see. A
    reviewer under blind review is therefore never told that a colleague gave a verdict, linked
    a source, highlighted or commented on a claim before their own verdict on it."""
    visible = _in("article__", sight.member)
    visible &= Q(claim__isnull=True) | claims_listed(sight, "claim__")
    if sight.all_clear:
        return visible
    visible &= Q(comment__isnull=True) | comments_visible(sight, "comment__")
    seen = ClaimEvent.objects.filter(events_visible(sight)).values("pk")
    return visible & (Q(claim_event__isnull=True) | Q(claim_event__in=seen))


def decides_privately(sight: Sight, workspace_id: int) -> bool:
    """With independent highlighting a reviewer's decisions on candidates are theirs alone: they
    change nothing the others could see (accepting makes their own claim; dismissing hides the
    candidate from their page only)."""
    return workspace_id in sight.independent


def merges_at_submission(workspace_id: int) -> bool:
    """Whether the reviewers' separate claims of the same passage are merged once all of them
    have submitted the article (independent highlighting), rather than joined as they are made."""
    return Workspace.objects.filter(pk=workspace_id, independent_highlighting=True).exists()


def candidate_decision_hidden(sight: Sight) -> Q:
    """Candidates another reviewer decided, in a workspace with independent highlighting: shown
    to this reader as pending (a decision made before the setting was turned on, or by a reviewer
    of another workspace role)."""
    if not sight.independent:
        return Q(pk__in=[])
    return (
        Q(article__workspace_id__in=sorted(sight.independent))
        & ~Q(status="pending")
        & ~Q(decided_by_id=sight.user_id)
        & _reviews("decided_by_id", "article__workspace_id")
    )


def annotate_candidates(
    queryset: QuerySet[CandidateClaim], sight: Sight
) -> QuerySet[CandidateClaim]:
    """Candidates with what the reader may see of their decision: `shown_status`,
    `shown_decided_by` (a username), `shown_decided_at`, `shown_claim` (the claim's id)."""
    if sight.all_clear:
        return queryset.annotate(
            shown_status=F("status"),
            shown_decided_by=F("decided_by__username"),
            shown_decided_at=F("decided_at"),
            shown_claim=F("claim_id"),
        )
    hidden = candidate_decision_hidden(sight)
    listed_claim = Exists(
        Claim.objects.filter(pk=OuterRef("claim_id")).filter(claims_listed(sight))
    )
    return queryset.annotate(
        shown_status=Case(
            When(hidden, then=Value("pending")), default=F("status"), output_field=CharField()
        ),
        shown_decided_by=Case(
            When(~hidden & decider_visible(sight), then=F("decided_by__username")),
            default=Value(None),
            output_field=CharField(null=True),
        ),
        shown_decided_at=Case(
            When(~hidden & decider_visible(sight), then=F("decided_at")),
            default=Value(None),
            output_field=DateTimeField(null=True),
        ),
        shown_claim=Case(
            When(~hidden & Q(claim__isnull=False) & Q(listed_claim), then=F("claim_id")),
            default=Value(None),
            output_field=IntegerField(null=True),
        ),
    )


def decider_visible(sight: Sight) -> Q:
    """Candidates whose decider this user may see (a reviewer's triage is review work)."""
    if sight.all_clear:
        return _everything()
    return (
        Q(article__workspace_id__in=sorted(sight.clear | sight.blind_annotating))
        | Q(decided_by_id=sight.user_id)
        | Q(decided_by__isnull=True)
        | ~(_reviews("decided_by_id", "article__workspace_id"))
    )


def publicly_visible() -> Q:
    """Claims anyone may read, signed in or not: published ones, in a workspace whose editor
    turned public claim pages on. Nothing unpublished is ever public."""
    return Q(status=Claim.Status.PUBLISHED, workspace__public_claim_pages=True)


def agreement_visible(sight: Sight, workspace_id: int) -> bool:
    """Figures over a small selection would tell a blind reader how the others voted."""
    return sight.sees_all(workspace_id)


def admin_workspaces(user: AnyUser, *, editor: bool = False) -> frozenset[int] | None:
    """Workspaces a staff user may browse in the Django admin (None: every one, for superusers):
    those where they see everything; with `editor` (a workspace's settings, members, scale,
    exports and releases), only those where they are its editor."""
    if user.is_superuser:
        return None
    sight = sight_of(user)
    if editor:
        return frozenset(pk for pk, role in sight.roles.items() if role >= Role.EDITOR)
    return sight.clear


# --- Annotations and presentation ---------------------------------------------------------------


def _flag(condition: Q) -> ExpressionWrapper[Q]:
    return ExpressionWrapper(condition, output_field=BooleanField())


def annotate_claims(queryset: QuerySet[Claim], sight: Sight) -> QuerySet[Claim]:
    """Claims the user may know of, each with what `present_claim` needs (`shown_status`,
    `shown_verdict` also serve the filters, so that a filter never selects by what is hidden)."""
    if sight.all_clear:
        return queryset.filter(workspace_id__in=sorted(sight.member)).annotate(
            v_verdicts=Value(True, output_field=BooleanField()),
            v_status=Value(True, output_field=BooleanField()),
            v_creator=Value(True, output_field=BooleanField()),
            shown_status=F("status"),
            shown_verdict=F("final_verdict__slug"),
        )
    verdicts = verdicts_visible(sight)
    status = status_visible(sight)
    queryset = queryset.filter(claims_listed(sight)).annotate(
        v_verdicts=_flag(verdicts),
        v_status=_flag(status),
        v_creator=_flag(
            _in("", sight.clear | sight.blind_annotating)
            | Q(created_by_id=sight.user_id)
            | ~(_reviews("created_by_id", "workspace_id"))
            | verdicts
        ),
        shown_status=Case(
            When(status, then=F("status")),
            default=Value(AWAITING_VERDICT),
            output_field=CharField(),
        ),
        shown_verdict=Case(
            When(verdicts, then=F("final_verdict__slug")),
            default=Value(None),
            output_field=CharField(null=True),
        ),
    )
    return queryset


def visible_highlights(sight: Sight) -> QuerySet[Highlight]:
    return Highlight.objects.filter(highlights_visible(sight)).select_related("user")


@dataclass(slots=True)
class ShownClaim:
    """A claim as one reader sees it: what the serializers and pages print."""

    status: str
    final_verdict: str | None
    assessment_count: int | None
    created_by: int | None
    start: int | None
    end: int | None
    exact: str
    prefix: str
    suffix: str
    # Highlight rows as read through `visible_highlights`: models, or mappings of their values on
    # the article's compact read.
    highlights: list[Any]
    similar: list[ClaimMatch]
    verdicts_visible: bool
    # On the compact read of an article, in UTC, the database's text of it
    # (annotations.selectors._moments).
    created_at: datetime | str
    # The desk's article about the claim: set once it is resolved, so as telling as a verdict.
    review_url: str
    review_published_at: date | None
    review_modified_at: datetime | None


def shown_claim(
    value_of: Callable[[str], Any],
    *,
    highlights: list[Any],
    similar: list[ClaimMatch],
) -> ShownClaim:
    """What a reader sees of a claim of `annotate_claims`, read field by field through `value_of` (a
    model's attributes or a row of its values, by attribute name)."""
    verdicts = bool(value_of("v_verdicts"))
    status_ok = bool(value_of("v_status"))
    status = value_of("shown_status")
    return ShownClaim(
        status=value_of("status") if status is None else status,
        final_verdict=value_of("shown_verdict"),
        assessment_count=value_of("assessment_count") if status_ok else None,
        created_by=value_of("created_by_id") if value_of("v_creator") else None,
        created_at=value_of("created_at"),
        start=value_of("start"),
        end=value_of("end"),
        exact=value_of("exact"),
        prefix=value_of("prefix"),
        suffix=value_of("suffix"),
        highlights=highlights,
        similar=similar,
        verdicts_visible=verdicts,
        review_url=value_of("review_url") if verdicts else "",
        review_published_at=value_of("review_published_at") if verdicts else None,
        review_modified_at=value_of("review_modified_at") if verdicts else None,
    )


def present_claim(
    claim: Claim,
    sight: Sight,
    *,
    highlights: list[Highlight],
    similar: list[ClaimMatch],
) -> Claim:
    """Attach `claim.shown` to a claim of `annotate_claims`, given its highlights read through
    `visible_highlights` and its look-alikes through `matches_visible`. The model's own fields
    keep the stored truth, for the services: nothing masked is ever saved."""
    claim.shown = shown_claim(  # type: ignore[attr-defined]
        lambda name: getattr(claim, name, None), highlights=highlights, similar=similar
    )
    return claim


def present_new_claim(claim: Claim, sight: Sight, *, highlight: Highlight) -> Claim:
    """Present a claim the reader has just made (a highlight that started a new claim), without
    reading it back: what `annotate_claims` and `present_claim` would show them of it.

    Such a claim holds nothing but the reader's own work: their highlight (shown to them), no
    assessment (a count of 0), no final verdict, adjudication or look-alike, status open. So the
    rule shows its status, verdicts and the desk's review of it exactly when their sight shows
    those of every claim of the workspace (clear sight; a blind annotator sees statuses), and its
    creator, themselves. tests/api/test_write_queries.py holds this to a read of the same claim
    through `annotate_claims` for every kind of reader."""
    if claim.created_by_id != sight.user_id or claim.status != Claim.Status.OPEN:
        raise ValueError("present_new_claim presents a claim its reader has just made")
    workspace_id = claim.workspace_id
    verdicts = sight.sees_all(workspace_id)
    status_ok = verdicts or workspace_id in sight.blind_annotating
    claim.v_verdicts = verdicts  # type: ignore[attr-defined]
    claim.v_status = status_ok  # type: ignore[attr-defined]
    claim.v_creator = True  # type: ignore[attr-defined]
    claim.shown_status = claim.status if status_ok else AWAITING_VERDICT  # type: ignore[attr-defined]
    claim.shown_verdict = None  # type: ignore[attr-defined]
    claim.assessment_count = 0  # type: ignore[attr-defined]
    return present_claim(claim, sight, highlights=[highlight], similar=[])


def present_event(event: ClaimEvent, *, verdicts: bool) -> ClaimEvent:
    """A history event as a reader may see it: one who may not see the claim's verdicts yet (an
    annotator before publication) sees status changes without the verdict they carry."""
    if verdicts:
        return event
    for side in ("before", "after"):
        value = getattr(event, side)
        if isinstance(value, dict) and "final_verdict" in value:
            setattr(event, side, {**value, "final_verdict": None})
    return event


def blind_for_article(sight: Sight, workspace_id: int) -> dict[str, bool]:
    """What the article page tells a reader about blind review."""
    return {
        "blind": sight.is_blind(workspace_id),
        "independent": workspace_id in sight.independent,
    }
