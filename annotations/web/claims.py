"""A claim's own pages: `/claims/{id}/`, the address exports, queues and notifications link to,
and `/claims/{id}/curate/`, where an adjudicator settles a dispute.

Both read through the selectors, so what a member sees follows annotations.policy exactly as in
the API: a blind reviewer sees the claim but not the others' work on it before their own verdict.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from annotations import queues, selectors, selectors_clusters, selectors_review
from annotations.access import require_role
from annotations.events import describe_event
from annotations.export_rows import claim_reviews
from annotations.middleware import allow_images_from
from annotations.models import Article, Claim, ClaimEvent, Role, VerdictLabel
from annotations.services import clusters, publishing
from annotations.web.articles import _me, live_config
from annotations.web.colours import STATUS_LABELS, claim_colour, verdict_colour
from annotations.web.comments import (
    COMMENT_ACTIONS,
    comment_action,
    failed_comment,
    thread_context,
)


@dataclass(frozen=True, slots=True)
class Passage:
    """The claim in its paragraph: the text before it, the claim, the text after it."""

    before: str
    claim: str
    after: str


def claim_passage(text: str, start: int | None, end: int | None) -> Passage | None:
    """The lines of `text` holding [start, end), cut around the claim; None for an orphan."""
    if start is None or end is None or end > len(text):
        return None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    return Passage(text[line_start:start], text[start:end], text[end:line_end])


def _scale(workspace_id: int) -> list[VerdictLabel]:
    return list(VerdictLabel.objects.filter(workspace_id=workspace_id).order_by("position"))


class PublishForm(forms.Form):
    review_url = forms.URLField(
        required=False,
        max_length=2000,
        assume_scheme="https",
        label=gettext_lazy("Address of the desk's fact-check"),
    )
    review_published_at = forms.DateField(
        required=False,
        label=gettext_lazy("Published on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ClaimIdsField(forms.Field):
    """Claim ids ticked in a list (checkboxes named alike); which of them the reader may reach
    is for the selectors to say."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": gettext_lazy("Tick the claims to publish."),
        "invalid": gettext_lazy("A claim id is a whole number."),
        "too_many": gettext_lazy("Publish at most %(max)d claims at once."),
    }
    most = 500

    def to_python(self, value: Any) -> list[int]:
        values = [str(item) for item in (value or [])]
        if not all(item.isascii() and item.isdigit() for item in values):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(values) > self.most:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.most}
            )
        return sorted({int(item) for item in values})


class PublishManyForm(PublishForm):
    """The ready-to-publish queue's "Publish the selected claims" (one desk article for all)."""

    claims = ClaimIdsField(label=gettext_lazy("Claims"))


class CorrectForm(forms.Form):
    verdict = forms.ChoiceField(label=gettext_lazy("Corrected verdict"))
    note = forms.CharField(
        label=gettext_lazy("What was corrected, and why (public)"), widget=forms.Textarea
    )

    def __init__(self, *args: Any, scale: list[VerdictLabel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["verdict"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v.slug, v.name) for v in scale if not v.retired]


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is unpublished"), widget=forms.Textarea(attrs={"rows": 2})
    )


PUBLISHING_ACTIONS = ("publish", "correct", "unpublish")
# The editor's grouping of the same claim across articles (annotations.services.clusters).
CLUSTER_ACTIONS = ("cluster_merge", "cluster_split")


class ClusterMergeForm(forms.Form):
    """ "Same claim: group them", on an already-checked claim of the workspace."""

    claim = forms.IntegerField(min_value=1, max_value=2**63 - 1, label=gettext_lazy("Claim"))


def _publishing_form(action: str, data: Any, scale: list[VerdictLabel]) -> forms.Form:
    if action == "correct":
        return CorrectForm(data, prefix=action, scale=scale)
    if action == "publish":
        return PublishForm(data, prefix=action)
    return UnpublishForm(data, prefix=action)


@require_http_methods(["GET", "HEAD", "POST"])
def claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The claim's page: for members, everything they may see of it (and, for editors, what to
    publish); for anyone else, a published claim of a workspace with public pages."""
    try:
        if not request.user.is_authenticated:
            raise Http404
        claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    except Http404:
        return _public_claim_page(request, claim_id)
    scale = _scale(claim.workspace_id)
    forms_ = {action: _publishing_form(action, None, scale) for action in PUBLISHING_ACTIONS}
    failed = ""
    comment_form: Any = None
    if request.method == "POST":
        failed = request.POST.get("action", "")
        if failed in COMMENT_ACTIONS:
            done, outcome = comment_action(request, claim, failed)
            if done:
                return redirect(reverse("claim", args=[claim.pk]) + f"#{outcome}")
            comment_form = outcome
        elif failed in CLUSTER_ACTIONS:
            if _cluster_action(request, claim, failed):
                return redirect(reverse("claim", args=[claim.pk]))
        elif failed not in forms_:
            messages.error(request, _("Unknown action."))
        elif _publishing_action(request, claim, forms_, failed):
            return redirect(reverse("claim", args=[claim.pk]))
        claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    return _member_claim_page(
        request,
        claim,
        forms_,
        failed=failed,
        comment_form=comment_form,
        status=400 if request.method == "POST" else 200,
    )


def field_message(form: forms.BaseForm, field: str, message: str) -> str:
    """An error of `form` told away from the form: with its field's label, if it has one."""
    label = form.fields[field].label if field in form.fields else None
    return _("%(field)s: %(message)s") % {"field": label, "message": message} if label else message


def _publishing_action(
    request: HttpRequest, claim: Claim, forms_: dict[str, forms.Form], action: str
) -> bool:
    """The editor's publishing actions; True when done (a message says so)."""
    user = request.user
    assert isinstance(user, User)
    form = forms_[action] = _publishing_form(action, request.POST, _scale(claim.workspace_id))
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if action == "publish" and claim.status == Claim.Status.PUBLISHED:
            publishing.claim_review_set(user=user, claim=claim, **data)
            messages.success(request, _("The fact-check's address is saved."))
        elif action == "publish":
            publishing.claim_publish(
                user=user,
                claim=claim,
                review_url=data["review_url"] or "",
                review_published_at=data["review_published_at"],
            )
            messages.success(request, _("Published."))
        elif action == "correct":
            publishing.claim_correct(user=user, claim=claim, **data)
            messages.success(request, _("The verdict is corrected, with your note."))
        else:
            publishing.claim_unpublish(user=user, claim=claim, **data)
            messages.success(request, _("Unpublished: the claim is off the public pages."))
    except ValidationError as error:
        by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for field, items in by_field.items():
            for message in items:
                form.add_error(field if field in form.fields else None, message)
        return False
    return True


def _cluster_action(request: HttpRequest, claim: Claim, action: str) -> bool:
    """An editor groups this claim with an already-checked one, or splits it off its group;
    True when done (a message says so), else the problem is said as a message."""
    user = request.user
    assert isinstance(user, User)
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.EDITOR)
    try:
        if action == "cluster_split":
            clusters.cluster_split(user=user, claim=claim)
            messages.success(
                request,
                _(
                    "Split off: this claim is no longer grouped with the others, and will not be "
                    "grouped with them again automatically."
                ),
            )
            return True
        form = ClusterMergeForm(request.POST)
        if not form.is_valid():
            for field, problems in form.errors.items():
                for message in problems:
                    messages.error(request, field_message(form, field, str(message)))
            return False
        try:
            other = selectors.claim_get(user=user, claim_id=form.cleaned_data["claim"])
        except Http404:
            messages.error(request, _("No such claim in your workspaces."))
            return False
        clusters.clusters_merge(user=user, claim_a=claim, claim_b=other)
        messages.success(request, _("Grouped: these claims are the same claim."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


def _public_claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """A published claim for anyone, with its ClaimReview; otherwise the sign-in page (for an
    anonymous visitor) or a 404 (nothing says whether the claim exists)."""
    claim = selectors.public_claim_get(claim_id=claim_id)
    if claim is None or request.method not in ("GET", "HEAD"):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    scale = _scale(claim.workspace_id)
    names = {label.slug: label.name for label in scale}
    final = claim.final_verdict.slug if claim.final_verdict else None
    corrections = ClaimEvent.objects.filter(claim=claim, kind="corrected").order_by("created_at")
    context = {
        "claim": claim,
        "workspace": claim.workspace,
        "article": claim.article,
        "passage": claim_passage(claim.article.text, claim.start, claim.end),
        "verdict": names.get(final or "", ""),
        "colour": claim_colour(claim.status, final, scale),
        "review": selectors.claim_review_of(claim=claim),
        "corrections": [
            (event.created_at, (event.after or {}).get("note", "")) for event in corrections
        ],
    }
    response = render(request, "annotations/claim_public.html", context)
    # The organisation's logo comes from its own site: its origin only, on this page only.
    if claim.workspace.organisation_logo:
        allow_images_from(request, response, claim.workspace.organisation_logo)
    return response


def _member_claim_page(
    request: HttpRequest,
    claim: Claim,
    forms_: dict[str, forms.Form],
    *,
    failed: str = "",
    comment_form: Any = None,
    status: int,
) -> HttpResponse:
    """The claim in its paragraph, its status, verdicts, sources, adjudication, similar claims
    and history, as the reader may see them; for editors, its publishing. The errors of a
    `failed` action whose form the page does not show (the claim changed meanwhile, in another
    tab or by someone else) are said at the top of the page."""
    shown = claim.shown  # type: ignore[attr-defined]
    workspace = selectors.workspace_get(user=request.user, workspace_id=claim.workspace_id)
    role = Role(workspace.my_role)  # type: ignore[attr-defined]
    shown_forms = _shown_forms(shown.status, role)
    if failed in forms_ and failed not in shown_forms:
        form = forms_[failed]
        for field, problems in form.errors.items():
            for message in problems:
                messages.error(request, field_message(form, field, str(message)))
    article = Article.objects.only("title", "text", "language", "url", "workspace_id").get(
        pk=claim.article_id
    )
    scale = _scale(claim.workspace_id)
    names = {label.slug: label.name for label in scale}
    assessments = list(
        selectors.assessment_list_for_claim(user=request.user, claim=claim).order_by(
            "created_at", "id"
        )
    )
    for assessment in assessments:
        assessment.colour = verdict_colour(assessment.verdict.slug, scale)  # type: ignore[attr-defined]
    history = [
        (event, describe_event(event, verdicts=names))
        for event in selectors_review.claim_history(user=request.user, claim=claim)
    ]
    adjudications = list(selectors.adjudication_history(user=request.user, claim=claim))
    mine = next((a for a in assessments if a.reviewer_id == request.user.pk), None)
    cluster = selectors_clusters.claim_cluster(user=request.user, claim=claim)
    context: dict[str, Any] = {
        "claim": claim,
        "shown": shown,
        "workspace": workspace,
        "article": article,
        "passage": claim_passage(article.text, shown.start, shown.end),
        "status_label": STATUS_LABELS.get(shown.status, shown.status),
        "colour": claim_colour(shown.status, shown.final_verdict, scale),
        "final_verdict": names.get(shown.final_verdict or "", ""),
        "assessments": assessments,
        "sources": list(
            selectors.claim_source_list(user=request.user, claim=claim).order_by("created_at")
        ),
        "adjudication": adjudications[0] if adjudications else None,
        "similar": shown.similar,
        # The same claim in other articles, as the policy lets this reader see it: each other
        # claim with its status label, verdict name and colour.
        "cluster": [
            (
                other,
                STATUS_LABELS.get(status, status),
                names.get(verdict or "", ""),
                claim_colour(status, verdict, scale),
            )
            for other, status, verdict in (
                (c, str(getattr(c, "shown_status", "")), getattr(c, "shown_verdict", None))
                for c in cluster.claims
            )
        ],
        # Editors group an already-checked match with this claim, or split it off its group.
        "can_group": role >= Role.EDITOR,
        "in_cluster": {claim.pk, *(other.pk for other in cluster.claims)},
        "history": history,
        # The policy withholds the others' work on this claim from this reader (blind review).
        "blind": not shown.verdicts_visible,
        "mine": mine,
        "can_assess": role >= Role.REVIEWER,
        "can_adjudicate": role >= Role.ADJUDICATOR,
        "names": names,
        "forms": forms_,
        # Which publishing forms the page shows: decided once, here.
        "shown_forms": shown_forms,
        # The page carries the claim's ClaimReview once published, as its public page does.
        "review": selectors.claim_review_of(claim=claim) if shown.verdicts_visible else None,
        **thread_context(request, claim, workspace, role),
        # A comment form that failed comes back with what was typed and what is wrong.
        "comment_form": comment_form,
        **failed_comment(comment_form, failed),
        # The article's socket (annotations.consumers), as on the article page: the comments
        # shown again when someone comments on this claim, this reader's presence on it.
        "live": {
            **live_config(_me(request), article),
            "article": article.pk,
            "claim": claim.pk,
            "api": "/api/v1/",
        },
    }
    return render(request, "annotations/claim.html", context, status=status)


def _shown_forms(status: str, role: Role) -> set[str]:
    """The publishing forms the claim's page shows to this role: publish a resolved claim; give
    its fact-check's address, correct or unpublish a published one; none below editor."""
    if role < Role.EDITOR:
        return set()
    if status == Claim.Status.PUBLISHED:
        return {"publish", "correct", "unpublish"}
    return {"publish"} if status == Claim.Status.RESOLVED else set()


def next_disputed(*, user: Any, claim: Claim) -> int | None:
    """The oldest other claim waiting in the user's disputed queue of this workspace."""
    items = queues.queue_items(user=user, name="disputed", workspace_id=claim.workspace_id)
    after = queues.filter_queue(items.exclude(pk=claim.pk), "disputed", {}, user=user)
    found = after.values_list("pk", flat=True).first()
    return int(found) if found is not None else None


@login_required
@require_GET
def curation_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The adjudicator's view of a claim: every reviewer's extent on the text side by side, their
    verdicts, rationales and sources; pick an extent (or select one), set the final verdict."""
    claim = selectors.claim_get(user=request.user, claim_id=claim_id, role=Role.ADJUDICATOR)
    workspace = selectors.workspace_get(user=request.user, workspace_id=claim.workspace_id)
    scale = _scale(claim.workspace_id)
    config = {
        "claim": claim.pk,
        "article": claim.article_id,
        "workspace": claim.workspace_id,
        "api": "/api/v1/",
        "user": {"id": request.user.pk, "username": request.user.get_username()},
        "next": next_disputed(user=request.user, claim=claim),
        "verdicts": [
            {"slug": v.slug, "name": v.name, "value": v.value, "position": v.position}
            for v in scale
        ],
    }
    return render(
        request,
        "annotations/curate.html",
        {"claim": claim, "workspace": workspace, "config": config},
    )


FEED_PAGE = 100


@require_safe
def claimreview_feed(request: HttpRequest, workspace_id: int) -> HttpResponseBase:
    """A public workspace's published claims as ClaimReview JSON-LD, newest first, a page at a
    time, for search engines and fact-check aggregators. ETag and If-None-Match: a reader that
    has the page (or any, `*`) gets a 304. The next page's address is on the site's own address
    (SITE_URL), whatever Host the request came with."""
    workspace = selectors.public_workspace_get(workspace_id=workspace_id)
    if workspace is None:
        raise Http404
    page = Paginator(selectors.public_claims(workspace_id=workspace.pk), FEED_PAGE).get_page(
        request.GET.get("page")
    )
    claims = Claim.objects.filter(pk__in=[claim.pk for claim in page]).order_by(
        "-published_at", "-pk"
    )
    feed: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": workspace.organisation_name or workspace.name,
        "dataFeedElement": claim_reviews(claims, workspace),
    }
    if page.has_next():
        path = reverse("claimreview-feed", args=[workspace.pk])
        feed["nextPage"] = f"{settings.SITE_URL}{path}?page={page.next_page_number()}"
    body = json.dumps(feed, ensure_ascii=False, sort_keys=True).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    # If-None-Match with this ETag, or `*`: 304 (the headers above kept).
    conditional: HttpResponseBase | None = get_conditional_response(
        request, etag=etag, response=response
    )
    return conditional or response


@login_required
@require_POST
def publish_selected(request: HttpRequest) -> HttpResponse:
    """Publish the claims ticked in the ready-to-publish queue, with one desk article for all;
    back to the queue with what was done, or with what was wrong."""
    form = PublishManyForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("queues") + "?queue=ready_to_publish"
    if not form.is_valid():
        for field, problems in form.errors.items():
            for message in problems:
                messages.error(request, field_message(form, field, str(message)))
        return redirect(back)
    user = request.user
    assert isinstance(user, User)
    claims = [
        selectors.claim_get(user=user, claim_id=claim_id, role=Role.EDITOR)
        for claim_id in form.cleaned_data["claims"]
    ]
    try:
        published, skipped = publishing.claim_publish_many(
            user=user,
            claims=claims,
            review_url=form.cleaned_data["review_url"] or "",
            review_published_at=form.cleaned_data["review_published_at"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        ngettext("%(n)d claim published.", "%(n)d claims published.", len(published))
        % {"n": len(published)},
    )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)d claim was not resolved any more and stays unpublished.",
                "%(n)d claims were not resolved any more and stay unpublished.",
                len(skipped),
            )
            % {"n": len(skipped)},
        )
    return redirect(back)
