from __future__ import annotations

import django_filters

from annotations.models import Article, CandidateClaim, Claim


class ArticleFilter(django_filters.FilterSet):
    # Plain numbers, not model choices: a choice filter validates against every row in the
    # database and so would tell an outsider which ids exist.
    workspace = django_filters.NumberFilter(field_name="workspace_id")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Title contains"
    )

    class Meta:
        model = Article
        fields = ("workspace", "language", "extraction_status", "fetch_status", "publisher")


class ClaimFilter(django_filters.FilterSet):
    workspace = django_filters.NumberFilter(field_name="workspace_id")
    article = django_filters.NumberFilter(field_name="article_id")
    verdict = django_filters.CharFilter(field_name="final_verdict__slug")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    language = django_filters.CharFilter(field_name="article__language")

    class Meta:
        model = Claim
        fields = ("workspace", "article", "status", "origin")


class CandidateFilter(django_filters.FilterSet):
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = CandidateClaim
        fields = ("status",)
