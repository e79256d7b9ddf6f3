"""A workspace's dashboard page: claims by status over time, work per member, overdue
assignments and agreement, drawn as SVG on the server (annotations.charts), no script.

The reads are annotations.dashboard's (who may see the page is decided there, with the policy);
this module only turns them into charts and rows in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from annotations import charts, selectors
from annotations.dashboard import Dashboard, MonthAgreement, dashboard_for
from annotations.models import Role
from annotations.web.colours import STATUS_LABELS

TEMPLATE = "annotations/dashboard.html"
# Bottom to top in the stacked chart: what is done at the base, the backlog on top.
STACK_ORDER = ("published", "resolved", "assessed", "disputed", "open")
# In the order of review, in the summary and the tables.
STATUS_ORDER = ("open", "assessed", "disputed", "resolved", "published")
# Chart widths in the SVG's own units, about the page's pixels (main is 70rem wide): text keeps
# its 12 px instead of being scaled up or down.
WIDE = 1060
NARROW = 350
# Months as news style abbreviates them (Django's "N": "Sept.", "juil."), unambiguous in French.
TICK_FORMATS = {"day": "j N", "week": "j N", "month": "N Y"}


@login_required
@require_GET
def dashboard_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The dashboard of a workspace, for its adjudicators and editors (403 otherwise, saying why;
    404 for outsiders)."""
    workspace = selectors.workspace_get(user=request.user, workspace_id=workspace_id)
    try:
        board = dashboard_for(user=request.user, workspace=workspace)
    except PermissionDenied as refusal:
        context = {"workspace": workspace, "refusal": str(refusal)}
        return render(request, TEMPLATE, context, status=403)
    return render(request, TEMPLATE, present(board))


def present(board: Dashboard) -> dict[str, Any]:
    """The page's context: the reads, with each chart drawn and its table's rows."""
    figures = board.agreement
    return {
        "workspace": board.workspace,
        "board": board,
        "summary": [
            (status, STATUS_LABELS[status], board.status_now[status]) for status in STATUS_ORDER
        ],
        "claims_total": sum(board.status_now.values()),
        "status_chart": status_chart(board),
        "status_rows": status_rows(board),
        "status_heads": [STATUS_LABELS[status] for status in STATUS_ORDER],
        "work_chart": work_chart(board),
        "work": [
            {"row": row, "role": row.role.label if row.role is not None else _("former member")}
            for row in board.work
        ],
        "alpha": [
            _figure(_("Nominal"), figures["krippendorff_alpha"]["nominal"]),
            _figure(_("Ordinal"), figures["krippendorff_alpha"]["ordinal"]),
        ],
        "monthly_chart": monthly_chart(board.monthly),
        "monthly_rows": [
            {
                "month": row.month,
                "units": row.units,
                "nominal": _figure("", row.nominal),
                "ordinal": _figure("", row.ordinal),
            }
            for row in board.monthly
        ],
        "pairs": [
            {**pair, **_figure("", pair["kappa"])}
            for pair in sorted(figures["cohen_kappa"], key=_kappa_order)
        ],
        "thresholds": {"reliable": charts.RELIABLE, "tentative": charts.TENTATIVE},
    }


def _svg(markup: str) -> SafeString:
    # annotations.charts escapes every label and value it writes: the markup is safe as it is.
    return mark_safe(markup)  # noqa: S308


def _count(value: float) -> str:
    return str(number_format(int(value), force_grouping=True))


def _alpha(value: float) -> str:
    return str(number_format(round(value, 3)))


def band_readings() -> dict[str, str]:
    """What each band of charts.agreement_band means, in the reader's language."""
    return {
        "reliable": _("reliable"),
        "tentative": _("tentative conclusions only"),
        "unreliable": _("unreliable"),
        "negative": _("worse than chance: check the scale and the instructions"),
        "none": _("not enough shared verdicts"),
    }


def _figure(label: str, value: float | None) -> dict[str, Any]:
    band = charts.agreement_band(value)
    return {"label": label, "value": value, "band": band, "reading": band_readings()[band]}


def _kappa_order(pair: dict[str, Any]) -> tuple[bool, float, str, str]:
    """Pairs that agree least first; pairs without a kappa last."""
    kappa = pair["kappa"]
    return (kappa is None, kappa or 0.0, pair["reviewer_a"], pair["reviewer_b"])


def _ticks(days: Sequence[date], step: str) -> list[str]:
    return [date_format(day, TICK_FORMATS.get(step, "j N")) for day in days]


def status_chart(board: Dashboard) -> SafeString:
    timeline = board.timeline
    step_desc = {
        "day": _("at the end of each day"),
        "week": _("at the end of every seventh day"),
        "month": _("at the end of each month"),
    }[timeline.step]
    if timeline.days:
        desc = _(
            "Stacked areas: the number of claims in each status %(when)s, from %(first)s to "
            "%(last)s. The same figures are in the table that follows."
        ) % {
            "when": step_desc,
            "first": date_format(timeline.days[0], "SHORT_DATE_FORMAT"),
            "last": date_format(timeline.days[-1], "SHORT_DATE_FORMAT"),
        }
    else:
        desc = _("No claims yet.")
    return _svg(
        charts.stacked_area_chart(
            chart_id="chart-status",
            title=_("Claims by status over time"),
            desc=desc,
            x_labels=_ticks(timeline.days, timeline.step),
            series=[
                charts.Series(status, str(STATUS_LABELS[status]), timeline.counts[status])
                for status in STACK_ORDER
            ],
            empty_text=_("No claims yet."),
            number_format=_count,
            width=WIDE,
        )
    )


def status_rows(board: Dashboard) -> list[dict[str, Any]]:
    timeline = board.timeline
    return [
        {"day": day, "counts": [timeline.counts[status][i] for status in STATUS_ORDER]}
        for i, day in enumerate(timeline.days)
    ]


def work_chart(board: Dashboard) -> SafeString:
    # The reviewers, and anyone else who gave verdicts (an adjudicator, a former reviewer).
    rows = [row for row in board.work if row.assessments or row.role == Role.REVIEWER]
    return _svg(
        charts.bar_chart(
            chart_id="chart-work",
            title=_("Verdicts per reviewer"),
            desc=_(
                "Horizontal bars: the number of verdicts each reviewer has given in this "
                "workspace. The table that follows gives them with the other work."
            ),
            labels=[row.username for row in rows],
            values=[row.assessments for row in rows],
            key="verdicts",
            empty_text=_("Nobody reviews in this workspace yet."),
            number_format=_count,
            width=NARROW,
        )
    )


def monthly_chart(months: Sequence[MonthAgreement]) -> SafeString:
    return _svg(
        charts.line_chart(
            chart_id="chart-alpha",
            title=_("Krippendorff's alpha month by month"),
            desc=_(
                "Lines: alpha, nominal and ordinal, over the verdicts given each month (1 is "
                "full agreement); the dashed lines mark 0.8 (reliable) and 0.667 (tentative "
                "conclusions); below 0, the reviewers disagree more than chance would make "
                "them. The same figures are in the table that follows."
            ),
            x_labels=[date_format(row.month, TICK_FORMATS["month"]) for row in months],
            series=[
                charts.Series("nominal", _("Nominal"), [row.nominal for row in months]),
                charts.Series("ordinal", _("Ordinal"), [row.ordinal for row in months]),
            ],
            references=[
                charts.Reference(
                    charts.RELIABLE, _("%(n)s reliable") % {"n": _alpha(0.8)}, "reliable"
                ),
                charts.Reference(
                    charts.TENTATIVE, _("%(n)s tentative") % {"n": _alpha(0.667)}, "tentative"
                ),
                charts.Reference(0.0, _("0 chance"), "chance"),
            ],
            negative_label=_("worse than chance"),
            notes=[
                ngettext("%(n)s claim", "%(n)s claims", row.units) % {"n": _count(row.units)}
                if row.units
                else ""
                for row in months
            ],
            empty_text=_("No month has two verdicts on the same claim yet."),
            number_format=_alpha,
            width=WIDE,
        )
    )
