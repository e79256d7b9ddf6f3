from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField

from annotations.models import Article, CandidateClaim, Claim
from annotations.policy import SHOWN_STATUSES

# PostgreSQL reads time-zone offsets up to 15:59 either way; Python's datetime takes up to 23:59.
# Real zones stay within 14:00, so a larger offset is a mistake the client should hear about.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


class MomentOutOfRange(ValueError):
    """A date and time that parsed but that the database cannot take (its message says why)."""


def moment_in_utc(moment: datetime, *, given: str) -> datetime:
    """A parsed filter value (aware, or naive in the current time zone), in UTC: the one check
    every date and time filter of the API goes through, so that the database never sees a value it
    refuses (a 500). Raises MomentOutOfRange naming `given`, the value as the client wrote it."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise MomentOutOfRange(
            _("%(value)s has a time-zone offset beyond ±15:59, which no time zone has.")
            % {"value": given}
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 minus an offset, or 9999-12-31 plus one
        raise MomentOutOfRange(
            _("%(value)s is out of the range of dates this filter takes.") % {"value": given}
        ) from None


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, checked and turned into UTC by moment_in_utc."""

    def to_python(self, value: Any) -> datetime | None:
        moment: datetime | None = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment_in_utc(moment, given=str(value))
        except MomentOutOfRange as exc:
            raise ValidationError(str(exc), code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class ArticleFilter(django_filters.FilterSet):
    # Plain numbers, not model choices: a choice filter validates against every row in the
    # database and so would tell an outsider which ids exist.
    workspace = django_filters.NumberFilter(field_name="workspace_id")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Title contains"
    )

    class Meta:
        model = Article
        fields = ("workspace", "language", "extraction_status", "fetch_status", "publisher")


class ClaimFilter(django_filters.FilterSet):
    """Filters of the claims list. Status and verdict select by what the reader is shown (the
    policy's `shown_status` and `shown_verdict`), so that under blind review a filter never
    answers what the list would not show."""

    workspace = django_filters.NumberFilter(field_name="workspace_id")
    article = django_filters.NumberFilter(field_name="article_id")
    status = django_filters.ChoiceFilter(
        field_name="shown_status", choices=[(value, value) for value in SHOWN_STATUSES]
    )
    verdict = django_filters.CharFilter(field_name="shown_verdict")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    language = django_filters.CharFilter(field_name="article__language")

    class Meta:
        model = Claim
        fields = ("workspace", "article", "origin")


class CandidateFilter(django_filters.FilterSet):
    # As the reader is shown it (annotations.policy.annotate_candidates).
    status = django_filters.ChoiceFilter(
        field_name="shown_status", choices=CandidateClaim.Status.choices
    )
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = CandidateClaim
        fields = ("status",)
