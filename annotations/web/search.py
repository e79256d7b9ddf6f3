"""The search page: one box over the articles and claims of my workspaces, with filters.

A plain GET form and a table, no script. What it finds and counts is read through
annotations.search, which asks the policy like every other read: a workspace I am not in is a
404, a bad parameter a 400 page naming it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from annotations import search, selectors
from annotations.models import Claim, VerdictLabel
from annotations.policy import SHOWN_STATUSES
from annotations.web.colours import STATUS_LABELS, claim_colour

RESULTS_PER_PAGE = 20
KINDS = {"articles": _("Articles"), "claims": _("Claims")}
# Suggested in the language box; any ISO 639 code is accepted.
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pt", _("Portuguese")),
    ("und", _("Undetermined")),
]
TEMPLATE = "annotations/search.html"


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Words to find"),
        widget=forms.SearchInput(attrs={"autofocus": True}),
    )
    # A number, not a choice among mine: someone else's workspace is a 404, as everywhere.
    workspace = forms.IntegerField(
        required=False, min_value=1, label=_("Workspace"), widget=forms.Select
    )
    kind = forms.ChoiceField(
        required=False, label=_("Show"), choices=[("", _("Best match")), *KINDS.items()]
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Claim status"),
        choices=[("", _("Any status")), *((s, STATUS_LABELS[s]) for s in SHOWN_STATUSES)],
    )
    language = forms.RegexField(
        required=False,
        max_length=8,
        regex=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,4})?$",
        label=_("Language"),
        error_messages={"invalid": _("Give a language code such as fr or en.")},
        widget=forms.TextInput(attrs={"list": "search-languages", "size": 6}),
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, workspaces: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["workspace"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", _("All my workspaces")), *workspaces]

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or "").lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") and data.get("kind") == "articles":
            self.add_error("status", _("The status filter applies to claims, not articles."))
        return data


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Articles or claims matching the words and filters, best first, with a count per kind."""
    workspaces = list(selectors.workspace_list(user=request.user))
    form = SearchForm(request.GET, workspaces=[(w.pk, w.name) for w in workspaces])
    context: dict[str, Any] = {"form": form, "languages": LANGUAGES, "criteria": None}
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    criteria = search.Criteria(
        text=data["q"].strip(),
        workspace_id=data["workspace"],
        language=data["language"],
        status=data["status"],
    )
    sight = search.reader_sight(user=request.user, workspace_id=criteria.workspace_id)
    if not criteria.given:
        return render(request, TEMPLATE, context)
    found: dict[str, QuerySet[Any]] = {
        "articles": search.article_results(sight=sight, criteria=criteria),
        "claims": search.claim_results(sight=sight, criteria=criteria),
    }
    counts: dict[str, int] = {}
    kind = data["kind"] or _default_kind(found, counts, criteria)
    page = search.result_page(found[kind], number=data["page"] or 1, per_page=RESULTS_PER_PAGE)
    counts[kind] = page.paginator.count
    for other, results in found.items():
        if other not in counts:
            counts[other] = results.count()
    if kind == "articles":
        page.object_list = search.present_article_results(page, criteria)
    else:
        scales = {w.pk: list(w.verdicts.all()) for w in workspaces}
        page.object_list = _coloured(search.present_claim_results(page, sight, criteria), scales)
    context.update(
        criteria=criteria,
        kind=kind,
        tabs=[(name, label, counts[name]) for name, label in KINDS.items()],
        page=page,
        several_workspaces=len(sight.member) > 1,
    )
    return render(request, TEMPLATE, context)


def _default_kind(
    found: dict[str, QuerySet[Any]], counts: dict[str, int], criteria: search.Criteria
) -> str:
    """Claims, unless none matches and there are no filters on claims (counted into `counts`)."""
    if criteria.status:
        return "claims"
    counts["claims"] = found["claims"].count()
    return "claims" if counts["claims"] else "articles"


def _coloured(claims: list[Claim], scales: dict[int, list[VerdictLabel]]) -> list[Claim]:
    """Claims with the colour and words of their status (and final verdict) as the reader sees
    them."""
    for claim in claims:
        shown = claim.shown  # type: ignore[attr-defined]
        scale = scales.get(claim.workspace_id, [])
        claim.colour = claim_colour(shown.status, shown.final_verdict, scale)  # type: ignore[attr-defined]
        claim.status_label = STATUS_LABELS.get(shown.status, shown.status)  # type: ignore[attr-defined]
        claim.final_verdict_name = next(  # type: ignore[attr-defined]
            (label.name for label in scale if label.slug == shown.final_verdict), ""
        )
    return claims
