"""Server-rendered pages. The annotator's page itself talks to the REST API.

Access goes through the selectors and services like the API's: an outsider gets a 404, a member
whose role is too low a 403. No page carries an inline script: what the JavaScript needs travels
in a `json_script` data block (see annotations.middleware for the Content-Security-Policy).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations import policy, selectors, selectors_live
from annotations.errors import Conflict
from annotations.forms import ArticleAddForm, forget_upload, keep_upload
from annotations.models import Article, Role, Workspace
from annotations.services.articles import article_import, article_refetch

ARTICLES_PER_PAGE = 50
UNFINISHED = (Article.Status.PENDING, Article.Status.QUEUED, Article.Status.RUNNING)
# Where a service's error about a field belongs on the add-article form.
# (The same name otherwise, and the form as a whole for anything else.)
FORM_FIELD_OF = {"html": "file"}


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "pages require a signed-in user (login_required)"
    return user


def live_config(user: User, article: Article) -> dict[str, Any]:
    """Where a page opens the article's socket (annotations.consumers): on LIVE_URL, or on the
    page's own origin; `cursor`, the last event this reader may see as the page starts (a change
    made while it loads is then sent to it). The article and claim pages both use it."""
    return {
        "base": settings.LIVE_URL,
        "path": f"/ws/articles/{article.pk}/",
        "cursor": selectors_live.feed_position(user=user, article=article),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspaces = list(selectors.workspace_list(user=request.user))
    for workspace in workspaces:
        workspace.role_label = Role(workspace.my_role).label  # type: ignore[attr-defined]
    return render(request, "annotations/home.html", {"workspaces": workspaces})


def _workspace_context(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    articles = selectors.article_list(user=request.user).filter(workspace_id=workspace.pk)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    # What may still change by itself: a fetch or an extraction under way. A failed fetch leaves
    # the extraction pending until someone fetches the article again: not watched.
    unfinished = [
        a.pk
        for a in page
        if a.fetch_status in UNFINISHED
        or (a.fetch_status != Article.Status.FAILED and a.extraction_status in UNFINISHED)
    ]
    return {
        "workspace": workspace,
        "role_label": Role(workspace.my_role).label,  # type: ignore[attr-defined]
        "is_editor": Role(workspace.my_role) >= Role.EDITOR,  # type: ignore[attr-defined]
        "dashboard": Role(workspace.my_role) >= Role.ADJUDICATOR,  # type: ignore[attr-defined]
        "page": page,
        "config": {
            "workspace": workspace.pk,
            "api": "/api/v1/",
            "watch": unfinished,
            # "Fetch again" for a fetch that fails while the page is open (the 0 is the article's).
            "refetch": reverse("article-refetch", args=[0]),
        },
    }


@login_required
@require_GET
def workspace_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """A workspace's articles with their extraction status and progress."""
    workspace = selectors.workspace_get(user=request.user, workspace_id=workspace_id)
    return render(request, "annotations/workspace.html", _workspace_context(request, workspace))


@login_required
@require_http_methods(["GET", "POST"])
def article_add(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Add an article from a pasted text, an uploaded file or a URL; errors keep the input."""
    workspace = selectors.workspace_get(user=request.user, workspace_id=workspace_id)
    posted = request.method == "POST"
    me = _me(request)
    form = (
        ArticleAddForm(request.POST, request.FILES, user_id=me.pk)
        if posted
        else ArticleAddForm(user_id=me.pk)
    )
    if posted and form.is_valid():
        fields = form.article_fields()
        try:
            done = article_import(user=me, workspace=workspace, **fields)
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            for field, problems in by_field.items():
                name = FORM_FIELD_OF.get(field, field if field in form.fields else None)
                for message in problems:
                    form.add_error(name, message)
        except Conflict as conflict:
            form.add_error(FORM_FIELD_OF.get(conflict.field, conflict.field), conflict.message)
            existing = conflict.existing
            if isinstance(existing, Article):
                # The same text: offer to import it anyway, the uploaded file kept on the server.
                same_text = conflict.field in ("text", "html")
                uploaded = same_text and "file_name" in fields
                carry = _carry(form, fields, me) if uploaded else None
                return _add_page(
                    request,
                    workspace,
                    form,
                    existing=existing,
                    anyway=same_text,
                    carry=carry,
                    carry_lost=uploaded and carry is None,
                    status=409,
                )
        else:
            if form.cleaned_data.get("carried"):
                forget_upload(user_id=me.pk, token=form.cleaned_data["carried"])
            if not done.created:
                messages.success(
                    request,
                    _("The text was added to the article whose fetch had failed."),
                )
            return redirect(reverse("article", args=[done.article.pk]))
    return _add_page(request, workspace, form, status=400 if posted else 200)


def _carry(form: ArticleAddForm, fields: dict[str, Any], me: User) -> dict[str, str] | None:
    """The token and name of the uploaded file, kept on the server for "Import it anyway" (the
    token already carried, when the file came from there); None when it could not be kept."""
    name = str(fields.get("file_name", ""))
    token = form.cleaned_data.get("carried") or keep_upload(
        user_id=me.pk,
        kind="html" if "html" in fields else "text",
        content=str(fields.get("html", fields.get("text", ""))),
        name=name,
    )
    return {"token": token, "name": name} if token else None


def _add_page(
    request: HttpRequest,
    workspace: Workspace,
    form: ArticleAddForm,
    *,
    existing: Article | None = None,
    anyway: bool = False,
    carry: dict[str, str] | None = None,
    carry_lost: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "workspace": workspace,
        "form": form,
        "existing": existing,
        "anyway": anyway,
        "carry": carry,
        "carry_lost": carry_lost,
        # A hidden field's error would otherwise show nowhere.
        "hidden_errors": [e for field in form.hidden_fields() for e in field.errors],
    }
    return render(request, "annotations/article_add.html", context, status=status)


@login_required
@require_POST
def article_refetch_page(request: HttpRequest, article_id: int) -> HttpResponse:
    """The workspace page's "Fetch again" on an article whose fetch failed."""
    article = selectors.article_get(user=request.user, article_id=article_id)
    try:
        article_refetch(user=_me(request), article=article)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The article is being fetched again."))
    return redirect(reverse("workspace", args=[article.workspace_id]))


@login_required
@require_GET
def article_page(request: HttpRequest, article_id: int) -> HttpResponse:
    """The annotator's page: a shell that the JavaScript fills from the REST API."""
    user = request.user
    assert isinstance(user, User)  # login_required
    article = selectors.article_get(user=user, article_id=article_id)
    workspace = selectors.workspace_get(user=request.user, workspace_id=article.workspace_id)
    role = Role(workspace.my_role)  # type: ignore[attr-defined]
    config = {
        "article": article.pk,
        "workspace": workspace.pk,
        "api": "/api/v1/",
        "user": {"id": request.user.pk, "username": request.user.get_username()},
        "role": role.name.lower(),
        "can": {
            "assess": role >= Role.REVIEWER,
            "adjudicate": role >= Role.ADJUDICATOR,
            "revise": role >= Role.EDITOR,
        },
        # Whether blind review withholds others' work from this reader here (annotations.policy).
        "blind": policy.sight_of(request.user).is_blind(workspace.pk),
        "self_adjudication": workspace.allow_self_adjudication,
        # Independent highlighting: this reader's candidate decisions are theirs alone.
        "private_decisions": policy.decides_privately(policy.sight_of(request.user), workspace.pk),
        "verdicts": [
            {"slug": v.slug, "name": v.name, "value": v.value, "position": v.position}
            for v in workspace.verdicts.all()
        ],
        "live": live_config(user, article),
    }
    # For the @-autocomplete of the claim panel's comment box (as on the claim's page).
    members = selectors.member_usernames(workspace=workspace, but=user)
    context = {
        "article": article,
        "workspace": workspace,
        "config": config,
        "members": members,
        "can_instruct": role >= Role.ADJUDICATOR,
    }
    return render(request, "annotations/article.html", context)
