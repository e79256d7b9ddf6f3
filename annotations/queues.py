"""The review queues: reads of what waits for whom, scoped to the user's workspaces.

- `to_annotate` (any member): articles assigned to me that I have not submitted yet.
- `to_assess` (reviewers and up): claims waiting for my verdict. A claim is waiting for me when it
  is not resolved or published, I have not assessed it, and either its article is assigned to me,
  or its article is assigned to nobody and the claim still has fewer assessments than the
  workspace's `reviewers_per_claim` (unassigned work is open to every reviewer). Where blind
  review hides the others' work from me (annotations.policy), a claim waits for me until my own
  verdict is in or it is published, whatever the others did: it never drops out because they
  agreed or an adjudicator decided, and only claims the policy lets me know of are listed.
- `disputed` (adjudicators and up): claims waiting for an adjudicator: disputed ones, and assessed
  ones whose reviewers are all in (`reviewers_per_claim`) but that consensus did not resolve
  (verdicts within the dispute distance but not equal, or a workspace where consensus does not
  resolve); `waiting_because` says which. Claims I assessed are left to another adjudicator
  unless the workspace allows self-adjudication.
- `ready_to_publish` (editors): resolved claims waiting to be published.
- `unassigned` (editors): articles with fewer reviewers assigned than `reviewers_per_claim`.

Every queue is a single query (no per-item queries), with `waiting_since` as its age. Counts for
all queues and workspaces take one query per queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from annotations import policy
from annotations.access import require_role
from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Assignment,
    Claim,
    ClaimEvent,
    Disagreement,
    Membership,
    Role,
)
from annotations.selectors import count_of, present_claims

User = AuthUser | AnonymousUser
WAITING = (Claim.Status.OPEN, Claim.Status.ASSESSED, Claim.Status.DISPUTED)


@dataclass(frozen=True, slots=True)
class Queue:
    name: str
    label: Any  # a lazy translation
    role: Role
    subject: str  # "article" or "claim"
    build: Callable[[User, Any], QuerySet[Any]]


def _assessment_count() -> Coalesce:
    return count_of(Assessment.objects.filter(claim_id=OuterRef("pk")))


def _status_since() -> Coalesce:
    last_change = ClaimEvent.objects.filter(
        claim_id=OuterRef("pk"), kind="status_changed"
    ).order_by("-created_at", "-id")
    return Coalesce(Subquery(last_change.values("created_at")[:1]), F("created_at"))


def _claims(user: User, workspaces: Any) -> QuerySet[Claim]:
    """The claims of these workspaces this user may know of, ready for policy.present_claim."""
    sight = policy.sight_of(user)
    claims = (
        Claim.objects.filter(workspace_id__in=workspaces)
        .select_related("final_verdict")
        .annotate(
            article_title=F("article__title"),
            assessment_count=_assessment_count(),
            needed=F("workspace__reviewers_per_claim"),
        )
    )
    return policy.annotate_claims(claims, sight)


def _to_annotate(user: User, workspaces: Any) -> QuerySet[Article]:
    mine = Assignment.objects.filter(
        article_id=OuterRef("pk"), user_id=user.pk or 0, completed_at__isnull=True
    )
    listed = Claim.objects.filter(article_id=OuterRef("pk")).filter(
        policy.claims_listed(policy.sight_of(user))
    )
    return (
        Article.objects.filter(workspace_id__in=workspaces)
        .filter(Exists(mine))
        .defer("text")
        .annotate(
            waiting_since=Subquery(mine.values("created_at")[:1]),
            due_at=Subquery(mine.values("due_at")[:1]),
            claim_count=count_of(listed),
        )
    )


def _to_assess(user: User, workspaces: Any) -> QuerySet[Claim]:
    uid = user.pk or 0
    assigned_to_me = Assignment.objects.filter(article_id=OuterRef("article_id"), user_id=uid)
    anyone_assigned = Assignment.objects.filter(article_id=OuterRef("article_id"))
    # What the others did decides nothing where I may not see it: only publication does.
    blind = ~policy.verdicts_visible(policy.sight_of(user))
    return (
        _claims(user, workspaces)
        .filter(Q(status__in=WAITING) | (blind & ~Q(status=Claim.Status.PUBLISHED)))
        .exclude(Exists(Assessment.objects.filter(claim_id=OuterRef("pk"), reviewer_id=uid)))
        .filter(
            Q(Exists(assigned_to_me))
            | (~Q(Exists(anyone_assigned)) & (Q(assessment_count__lt=F("needed")) | blind))
        )
        .annotate(waiting_since=F("created_at"))
    )


def _open_disagreement(kind: str) -> Exists:
    return Exists(
        Disagreement.objects.filter(claim_id=OuterRef("pk"), kind=kind, resolved_at__isnull=True)
    )


def _disputed(user: User, workspaces: Any) -> QuerySet[Claim]:
    mine = Assessment.objects.filter(claim_id=OuterRef("pk"), reviewer_id=user.pk or 0)
    return (
        _claims(user, workspaces)
        .filter(
            Q(status=Claim.Status.DISPUTED)
            | Q(status=Claim.Status.ASSESSED, assessment_count__gte=F("needed"))
        )
        .exclude(Q(workspace__allow_self_adjudication=False) & Q(Exists(mine)))
        .annotate(
            waiting_since=_status_since(),
            waiting_because=Case(
                When(status=Claim.Status.DISPUTED, then=Value("disputed")),
                default=Value("no_consensus"),
                output_field=CharField(),
            ),
            verdict_disagreement=_open_disagreement("verdict"),
            span_disagreement=_open_disagreement("span"),
        )
    )


def _ready_to_publish(user: User, workspaces: Any) -> QuerySet[Claim]:
    return (
        _claims(user, workspaces)
        .filter(status=Claim.Status.RESOLVED)
        .annotate(
            waiting_since=_status_since(),
            adjudicated=Exists(Adjudication.objects.filter(claim_id=OuterRef("pk"))),
        )
    )


def _reviewer_assignments() -> Coalesce:
    reviewers = Membership.objects.filter(
        workspace_id=OuterRef(OuterRef("workspace_id")), role__gte=Role.REVIEWER
    ).values("user_id")
    return count_of(Assignment.objects.filter(article_id=OuterRef("pk"), user_id__in=reviewers))


def _unassigned(user: User, workspaces: Any) -> QuerySet[Article]:
    return (
        Article.objects.filter(workspace_id__in=workspaces)
        .defer("text")
        .annotate(
            assigned=_reviewer_assignments(),
            needed=F("workspace__reviewers_per_claim"),
            waiting_since=F("created_at"),
            claim_count=count_of(Claim.objects.filter(article_id=OuterRef("pk"))),
        )
        .filter(assigned__lt=F("needed"))
    )


QUEUES: dict[str, Queue] = {
    queue.name: queue
    for queue in (
        Queue("to_annotate", gettext_lazy("To annotate"), Role.ANNOTATOR, "article", _to_annotate),
        Queue("to_assess", gettext_lazy("To assess"), Role.REVIEWER, "claim", _to_assess),
        Queue("disputed", pgettext_lazy("queue", "Disputed"), Role.ADJUDICATOR, "claim", _disputed),
        Queue(
            "ready_to_publish",
            gettext_lazy("Ready to publish"),
            Role.EDITOR,
            "claim",
            _ready_to_publish,
        ),
        Queue("unassigned", gettext_lazy("Unassigned"), Role.EDITOR, "article", _unassigned),
    )
}


def get_queue(name: str) -> Queue:
    queue = QUEUES.get(name)
    if queue is None:
        raise Http404(_("No queue is called %(name)s.") % {"name": name})
    return queue


def _workspaces_for(user: User, role: Role, workspace_id: int | None) -> Any:
    if workspace_id is not None:
        require_role(user=user, workspace_id=workspace_id, role=role)
        return [workspace_id]
    reachable = Membership.objects.filter(user_id=user.pk or 0, role__gte=role)
    if not reachable.exists():
        raise PermissionDenied(
            _("This queue needs the %(role)s role in a workspace.") % {"role": role.label.lower()}
        )
    return reachable.values("workspace_id")


def queue_items(*, user: User, name: str, workspace_id: int | None = None) -> QuerySet[Any]:
    """The items of one queue for the user, in one workspace (404/403 as anywhere) or in all of
    theirs where their role reaches the queue (403 when none does). Not ordered: the caller
    orders by age."""
    queue = get_queue(name)
    return queue.build(user, _workspaces_for(user, queue.role, workspace_id))


def filter_queue(
    items: QuerySet[Any], name: str, query: dict[str, Any], *, user: User
) -> QuerySet[Any]:
    """Apply a queue's filters and its ordering (by age, oldest first unless asked otherwise).
    Filters select by what the policy shows this user: who assessed a claim and its final verdict
    only where they may see them."""
    claims = get_queue(name).subject == "claim"
    if "article" in query:
        items = items.filter(**{"article_id" if claims else "pk": query["article"]})
    if "language" in query:
        items = items.filter(**{"article__language" if claims else "language": query["language"]})
    if claims and "reviewer" in query:
        assessed = Assessment.objects.filter(
            claim_id=OuterRef("pk"), reviewer__username=query["reviewer"]
        )
        items = items.filter(Q(Exists(assessed)) & policy.verdicts_visible(policy.sight_of(user)))
    if claims and "verdict" in query:
        items = items.filter(shown_verdict=query["verdict"])
    if name == "disputed" and "kind" in query:
        items = items.filter(**{f"{query['kind']}_disagreement": True})
    if name == "to_annotate" and "overdue" in query:
        late = {"due_at__lt": timezone.now()}
        items = items.filter(**late) if query["overdue"] else items.exclude(**late)
    ordering = query.get("ordering", "waiting_since")
    if ordering.lstrip("-") == "due_at" and name != "to_annotate":
        ordering = "waiting_since"
    tie = "-pk" if ordering.startswith("-") else "pk"
    return items.order_by(ordering, tie)


def present_items(*, user: User, name: str, items: Iterable[Any]) -> list[Any]:
    """A page of a queue's items, claims presented by the policy for this user."""
    if get_queue(name).subject != "claim":
        return list(items)
    return present_claims(items, policy.sight_of(user))


def overdue_assignments(*, workspaces: Any) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        workspace_id__in=workspaces, completed_at__isnull=True, due_at__lt=timezone.now()
    )


def queue_counts(*, user: User) -> list[dict[str, Any]]:
    """For each of the user's workspaces: their role and the size of every queue open to it
    (None for a queue their role does not reach), plus the overdue assignments for editors."""
    memberships = list(
        Membership.objects.filter(user_id=user.pk or 0)
        .select_related("workspace")
        .order_by("workspace__name", "workspace_id")
    )
    counts: dict[str, dict[int, int]] = {}
    for name, queue in QUEUES.items():
        workspaces = [m.workspace_id for m in memberships if m.role >= queue.role]
        if not workspaces:
            counts[name] = {}
            continue
        rows = (
            queue.build(user, workspaces)
            .order_by()
            .values("workspace_id")
            .annotate(n=Count("pk"))
            .values_list("workspace_id", "n")
        )
        counts[name] = dict(rows)
    editor_of = [m.workspace_id for m in memberships if m.role >= Role.EDITOR]
    overdue: dict[int, int] = {}
    if editor_of:
        overdue = dict(
            overdue_assignments(workspaces=editor_of)
            .order_by()
            .values("workspace_id")
            .annotate(n=Count("pk"))
            .values_list("workspace_id", "n")
        )
    return [
        {
            "workspace": m.workspace_id,
            "name": m.workspace.name,
            "role": Role(m.role),
            "counts": {
                name: (counts[name].get(m.workspace_id, 0) if m.role >= queue.role else None)
                for name, queue in QUEUES.items()
            },
            "overdue": overdue.get(m.workspace_id, 0) if m.role >= Role.EDITOR else None,
        }
        for m in memberships
    ]
