"""Reads for a workspace's dashboard: claims by status over time, work per member, overdue
assignments and the agreement figures, overall and month by month.

The page shows every reviewer's verdicts side by side, so it is only for readers the policy lets
see everything in the workspace (`policy.Sight.sees_all`), and among them for adjudicators and
editors (`check_access`). Every read below therefore runs for such a reader and needs no further
filter; the agreement figures come through `selectors_review.agreement`, which asks the policy
again.

Queries stay bounded whatever the size of the workspace: counts are aggregated in SQL, and the
claims' history is read once, as plain tuples, then folded in Python (`status_timeline`). The
agreement selector runs once for the whole workspace and once per month with assessments, for at
most `AGREEMENT_MONTHS` months.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import policy, selectors_review
from annotations.access import check_role
from annotations.models import (
    Adjudication,
    Assessment,
    Assignment,
    Claim,
    ClaimEvent,
    Highlight,
    Membership,
    Role,
    Workspace,
)

User = AuthUser | AnonymousUser

STATUSES: tuple[str, ...] = tuple(Claim.Status.values)
# Daily points up to this many, then weekly, then monthly: a chart of at most about 90 points.
MAX_POINTS = 92
AGREEMENT_MONTHS = 12
OVERDUE_SHOWN = 20
RECENT_DAYS = 30


# --- Access ----------------------------------------------------------------------------------------


def check_access(*, user: User, workspace: Workspace) -> None:
    """Raise PermissionDenied, saying why, unless the user may read the workspace's dashboard:
    someone who sees everything in it (never a reviewer under blind review) with the adjudicator
    role or above. The workspace was read through selectors.workspace_get (outsiders: 404)."""
    sight = policy.sight_of(user)
    if not sight.sees_all(workspace.pk):
        raise PermissionDenied(
            _(
                "Under blind review the dashboard is for adjudicators and editors: it shows every "
                "reviewer's verdicts and agreement, which reviewers must not see before giving "
                "their own."
            )
        )
    check_role(current=sight.roles.get(workspace.pk), needed=Role.ADJUDICATOR)


# --- Claims by status over time: pure ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimLife:
    """When a claim came and (if it was withdrawn or merged into another) went."""

    created_at: datetime
    withdrawn_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    claim_id: int
    at: datetime
    status: str


def timeline_days(
    first: date, last: date, *, max_points: int = MAX_POINTS
) -> tuple[str, list[date]]:
    """The days at whose end the chart counts the claims, oldest first, ending on `last`:
    every day when that gives at most `max_points`, else every 7th day, else each month's last
    day (and `last`). Returns the step's name (`day`, `week`, `month`) and the days."""
    first = min(first, last)
    span = (last - first).days + 1
    if span <= max_points:
        return "day", [first + timedelta(days=i) for i in range(span)]
    if span <= max_points * 7:
        weeks = [last - timedelta(days=7 * k) for k in range((span - 1) // 7 + 1)]
        return "week", sorted(weeks)
    days: list[date] = []
    year, month = first.year, first.month
    while (year, month) < (last.year, last.month):
        following = date(year + (month == 12), month % 12 + 1, 1)
        days.append(following - timedelta(days=1))
        year, month = following.year, following.month
    days.append(last)
    return "month", days


def status_timeline(
    claims: Mapping[int, ClaimLife],
    changes: Iterable[StatusChange],
    moments: Sequence[datetime],
    *,
    statuses: Sequence[str] = STATUSES,
) -> dict[str, list[int]]:
    """How many claims were in each status just before each moment (sorted, oldest first).

    A claim counts from its creation (as open) until it is withdrawn; each status change moves it
    to the change's new status. Changes are applied in time order, whatever order they come in;
    a change seen before its claim exists (history moved over by a merge) becomes its starting
    status, and one after its withdrawal is ignored. One pass over creations, changes and
    withdrawals: no work per moment and claim.
    """
    # (when, order at the same instant, claim, new status or None for a withdrawal)
    steps: list[tuple[datetime, int, int, str | None]] = []
    for claim_id, life in claims.items():
        steps.append((life.created_at, 0, claim_id, "open"))
        if life.withdrawn_at is not None:
            steps.append((life.withdrawn_at, 2, claim_id, None))
    for change in changes:
        if change.claim_id in claims:
            steps.append((change.at, 1, change.claim_id, change.status))
    steps.sort(key=lambda step: (step[0], step[1]))

    counts: Counter[str] = Counter()
    current: dict[int, str] = {}
    early: dict[int, str] = {}
    gone: set[int] = set()
    series: dict[str, list[int]] = {status: [] for status in statuses}
    index = 0
    for moment in moments:
        while index < len(steps) and steps[index][0] < moment:
            _at, order, claim_id, status = steps[index]
            index += 1
            if claim_id in gone:
                continue
            if order == 0:  # created
                status = early.pop(claim_id, "open")
                current[claim_id] = status
                counts[status] += 1
            elif order == 2:  # withdrawn
                counts[current.pop(claim_id)] -= 1
                gone.add(claim_id)
            elif claim_id in current:
                counts[current[claim_id]] -= 1
                current[claim_id] = str(status)
                counts[str(status)] += 1
            else:
                early[claim_id] = str(status)
        for status in statuses:
            series[status].append(counts[status])
    return series


def end_of_day(day: date) -> datetime:
    """The first instant after `day`, in the current time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def month_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day.replace(day=1), time()))


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first day of each month from `first`'s to `last`'s, both included."""
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


# --- What the page shows -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timeline:
    step: str  # day, week or month
    days: list[date]
    counts: dict[str, list[int]]


@dataclass(slots=True)
class WorkRow:
    user_id: int
    username: str
    role: Role | None  # None: no longer a member
    assessments: int = 0
    recent_assessments: int = 0
    highlights: int = 0
    adjudications: int = 0
    open_assignments: int = 0
    overdue_assignments: int = 0
    completed_assignments: int = 0


@dataclass(frozen=True, slots=True)
class MonthAgreement:
    month: date
    units: int
    nominal: float | None
    ordinal: float | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    workspace: Workspace
    today: date
    status_now: dict[str, int]
    timeline: Timeline
    work: list[WorkRow]
    overdue: list[Assignment]
    overdue_total: int
    open_assignments: int
    agreement: dict[str, Any]
    monthly: list[MonthAgreement] = field(default_factory=list)


def dashboard_for(*, user: User, workspace: Workspace) -> Dashboard:
    """Everything the dashboard shows; PermissionDenied, saying why, for a reader who may not
    see it (`check_access`). The workspace was read through selectors.workspace_get."""
    check_access(user=user, workspace=workspace)
    now = timezone.now()
    today = timezone.localdate(now)
    work = work_per_member(workspace_id=workspace.pk, now=now)
    overdue = list(
        Assignment.objects.filter(
            workspace_id=workspace.pk, completed_at__isnull=True, due_at__lt=now
        )
        .select_related("user", "article")
        .only("due_at", "created_at", "user__username", "article__title", "article__url")
        .order_by("due_at", "id")[:OVERDUE_SHOWN]
    )
    return Dashboard(
        workspace=workspace,
        today=today,
        status_now=status_now(workspace_id=workspace.pk),
        timeline=claims_timeline(workspace_id=workspace.pk, today=today),
        work=work,
        overdue=overdue,
        overdue_total=sum(row.overdue_assignments for row in work),
        open_assignments=sum(row.open_assignments for row in work),
        agreement=selectors_review.agreement(user=user, workspace_id=workspace.pk),
        monthly=agreement_by_month(user=user, workspace_id=workspace.pk, today=today),
    )


def status_now(*, workspace_id: int) -> dict[str, int]:
    """The workspace's claims by status now (withdrawn ones left out)."""
    rows = (
        Claim.objects.filter(workspace_id=workspace_id)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    found = dict(rows)
    return {status: int(found.get(status, 0)) for status in STATUSES}


def claims_timeline(*, workspace_id: int, today: date) -> Timeline:
    """Claims by status at the end of each day (or week, or month) since the first claim, from
    the claims' creation and withdrawal times and their `status_changed` events: two queries."""
    lives = {
        pk: ClaimLife(created, withdrawn)
        for pk, created, withdrawn in Claim.all_objects.filter(workspace_id=workspace_id)
        .order_by()
        .values_list("pk", "created_at", "withdrawn_at")
    }
    if not lives:
        return Timeline(step="day", days=[], counts={status: [] for status in STATUSES})
    changes = [
        StatusChange(claim_id, at, status)
        for claim_id, at, status in ClaimEvent.objects.filter(
            claim__workspace_id=workspace_id, kind="status_changed"
        )
        .order_by()
        .values_list("claim_id", "created_at", "after__status")
        if status in STATUSES
    ]
    first = timezone.localdate(min(life.created_at for life in lives.values()))
    step, days = timeline_days(first, today)
    counts = status_timeline(lives, changes, [end_of_day(day) for day in days])
    return Timeline(step=step, days=days, counts=counts)


def work_per_member(*, workspace_id: int, now: datetime) -> list[WorkRow]:
    """Per member with the reviewer role or above, and anyone else with work in the workspace:
    verdicts given (and in the last RECENT_DAYS days), highlights, adjudications and assignments
    (open, overdue, done). Five grouped queries, most verdicts first."""
    rows: dict[int, WorkRow] = {}

    def row(user_id: int, username: str) -> WorkRow:
        if user_id not in rows:
            rows[user_id] = WorkRow(user_id=user_id, username=username, role=None)
        return rows[user_id]

    members = Membership.objects.filter(workspace_id=workspace_id).values_list(
        "user_id", "user__username", "role"
    )
    roles: dict[int, Role] = {}
    for user_id, username, role in members:
        roles[user_id] = Role(role)
        if role >= Role.REVIEWER:
            row(user_id, username)

    recent = now - timedelta(days=RECENT_DAYS)
    assessments = (
        Assessment.objects.filter(
            claim__workspace_id=workspace_id, claim__withdrawn_at__isnull=True
        )
        .order_by()
        .values("reviewer_id", "reviewer__username")
        .annotate(n=Count("pk"), recent=Count("pk", filter=Q(created_at__gte=recent)))
        .values_list("reviewer_id", "reviewer__username", "n", "recent")
    )
    for user_id, username, n, recent_n in assessments:
        found = row(user_id, username)
        found.assessments, found.recent_assessments = n, recent_n
    highlights = (
        Highlight.objects.filter(
            article__workspace_id=workspace_id, claim__withdrawn_at__isnull=True
        )
        .order_by()
        .values("user_id", "user__username")
        .annotate(n=Count("pk"))
        .values_list("user_id", "user__username", "n")
    )
    for user_id, username, n in highlights:
        row(user_id, username).highlights = n
    adjudications = (
        Adjudication.objects.filter(
            claim__workspace_id=workspace_id, claim__withdrawn_at__isnull=True
        )
        .order_by()
        .values("adjudicator_id", "adjudicator__username")
        .annotate(n=Count("pk"))
        .values_list("adjudicator_id", "adjudicator__username", "n")
    )
    for user_id, username, n in adjudications:
        row(user_id, username).adjudications = n
    waiting = Q(completed_at__isnull=True)
    assignments = (
        Assignment.objects.filter(workspace_id=workspace_id)
        .order_by()
        .values("user_id", "user__username")
        .annotate(
            open=Count("pk", filter=waiting),
            overdue=Count("pk", filter=waiting & Q(due_at__lt=now)),
            done=Count("pk", filter=Q(completed_at__isnull=False)),
        )
        .values_list("user_id", "user__username", "open", "overdue", "done")
    )
    for user_id, username, open_n, overdue_n, done_n in assignments:
        found = row(user_id, username)
        found.open_assignments = open_n
        found.overdue_assignments = overdue_n
        found.completed_assignments = done_n
    for user_id, found in rows.items():
        found.role = roles.get(user_id)
    return sorted(rows.values(), key=lambda r: (-r.assessments, -r.highlights, r.username))


def agreement_by_month(*, user: User, workspace_id: int, today: date) -> list[MonthAgreement]:
    """Alpha (nominal and ordinal) over the verdicts given in each month, for the last
    AGREEMENT_MONTHS months since the first verdict; months without any verdict get no figure
    and cost no query. Each month counts the claims with two verdicts or more given that month."""
    active = {
        timezone.localdate(month) if isinstance(month, datetime) else month
        for month in Assessment.objects.filter(
            claim__workspace_id=workspace_id, claim__withdrawn_at__isnull=True
        )
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    }
    if not active:
        return []
    earliest = max(min(active), _months_before(today, AGREEMENT_MONTHS - 1))
    result = []
    for month in months_between(earliest, today):
        if month not in active:
            result.append(MonthAgreement(month=month, units=0, nominal=None, ordinal=None))
            continue
        figures = selectors_review.agreement(
            user=user,
            workspace_id=workspace_id,
            date_from=month_start(month),
            date_to=month_start(next_month(month)),
        )
        alpha = figures["krippendorff_alpha"]
        result.append(
            MonthAgreement(
                month=month,
                units=int(figures["units"]),
                nominal=alpha["nominal"],
                ordinal=alpha["ordinal"],
            )
        )
    return result


def _months_before(day: date, count: int) -> date:
    """The first day of the month `count` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)
