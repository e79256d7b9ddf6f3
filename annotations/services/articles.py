"""Bringing articles in: from text, from HTML, or from a URL fetched by a worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.importing import (
    IN_REQUEST,
    HtmlTooComplex,
    ImportedPage,
    choose_title,
    page_from_html,
)
from annotations.models import Article, LiveEvent, Role, Workspace
from annotations.services.dispatch import enqueue_on_commit
from annotations.services.live import live_event
from annotations.services.sources import url_problem
from annotations.services.versioning import require_version
from annotations.services.webhooks import webhooks_article_extracted
from annotations.text import checksum, fingerprint, normalise_text
from annotations.webfetch import UnsafeURL, check_url_syntax

METADATA_FIELDS = frozenset({"title", "publisher", "author", "published_at", "language", "url"})

# What a write based on an older Article.version is told (services.versioning), translated where
# it is raised: _(ARTICLE_STALE).
ARTICLE_STALE = gettext_noop(
    "The article's text or details were changed by someone else since you loaded it "
    "(now version %(v)d)."
)


def _checked_text(text: str, field: str) -> str:
    text = normalise_text(text)
    if not text.strip():
        raise ValidationError({field: [_("The article has no text.")]})
    if len(text) > settings.ARTICLE_MAX_CHARS:
        raise ValidationError(
            {
                field: [
                    _("The article is longer than %(max)d characters.")
                    % {"max": settings.ARTICLE_MAX_CHARS}
                ]
            }
        )
    return text


def _checked_url(url: str) -> str:
    try:
        return check_url_syntax(url)
    except UnsafeURL as exc:
        raise ValidationError({"url": [url_problem(exc)]}) from None


def _refuse_duplicate_url(workspace: Workspace, url: str) -> None:
    if not url:
        return
    existing = Article.objects.filter(workspace=workspace, url=url).first()
    if existing is not None:
        raise Conflict(
            _("This URL was already imported into the workspace."), field="url", existing=existing
        )


def _refuse_duplicate_text(workspace: Workspace, text: str, field: str) -> None:
    existing = (
        Article.objects.filter(workspace=workspace, fingerprint=fingerprint(text))
        .order_by("pk")
        .first()
    )
    if existing is not None:
        raise Conflict(
            _("The same text is already in the workspace."), field=field, existing=existing
        )


def _failed_fetch(workspace: Workspace, url: str) -> Article | None:
    """The article at this URL whose fetch failed and which has no text yet, if any."""
    if not url:
        return None
    return (
        Article.objects.select_for_update(no_key=True)
        .filter(workspace=workspace, url=url, text="", fetch_status=Article.Status.FAILED)
        .first()
    )


def _metadata_from_page(page: ImportedPage, metadata: dict[str, Any]) -> dict[str, Any]:
    """Fill what the caller left empty with what the page says about itself."""
    merged = dict(metadata)
    for field, value in (
        ("title", page.title),
        ("author", page.author),
        ("publisher", page.publisher),
        ("language", page.language),
    ):
        if value and not merged.get(field):
            merged[field] = value[: Article._meta.get_field(field).max_length]  # type: ignore[union-attr]
    if page.published_on and not merged.get("published_at"):
        merged["published_at"] = timezone.make_aware(datetime.combine(page.published_on, time()))
    return merged


@dataclass(frozen=True)
class ArticleImport:
    article: Article
    # False when the text completed an article whose fetch from the same URL had failed.
    created: bool


def article_create(
    *,
    user: User,
    workspace: Workspace,
    text: str | None = None,
    html: str | None = None,
    url: str = "",
    allow_duplicate: bool = False,
    **metadata: Any,
) -> Article:
    """article_import for callers that only need the article."""
    return article_import(
        user=user,
        workspace=workspace,
        text=text,
        html=html,
        url=url,
        allow_duplicate=allow_duplicate,
        **metadata,
    ).article


@transaction.atomic
def article_import(
    *,
    user: User,
    workspace: Workspace,
    text: str | None = None,
    html: str | None = None,
    url: str = "",
    file_name: str = "",
    allow_duplicate: bool = False,
    **metadata: Any,
) -> ArticleImport:
    """Bring an article in from exactly one of text, html or url (url alone means: fetch it).

    A text or HTML import is ready at once and its extraction is queued after commit; a URL import
    is saved first with fetch_status queued, and the fetch task then queues the extraction.
    Without a title, one is chosen (importing.choose_title: the page's, the first line, the file
    name). The same words already in the workspace are a Conflict pointing at that article,
    unless `allow_duplicate`. A text given with the URL of an article whose fetch failed
    completes that article instead of making a second one.
    """
    require_role(user=user, workspace_id=workspace.pk, role=Role.ANNOTATOR)
    given = _given(text=text, html=html, url=url, metadata=metadata)
    url = _checked_url(url) if url else ""
    fetch = not given
    rescued = None if fetch else _failed_fetch(workspace, url)
    if rescued is None:
        _refuse_duplicate_url(workspace, url)

    article = rescued or Article(workspace=workspace, created_by=user, url=url)
    for key, value in metadata.items():
        if value or rescued is None:
            setattr(article, key, value)
    if fetch:
        article.fetch_status = Article.Status.QUEUED
    else:
        page_title = _read_text(article, text=text, html=html, metadata=metadata)
        if not allow_duplicate:
            _refuse_duplicate_text(workspace, article.text, given[0])
        if not article.title:
            article.title = _title(article.text, page_title=page_title, file_name=file_name)
        article.checksum = checksum(article.text)
        article.fingerprint = fingerprint(article.text)
        article.extraction_status = Article.Status.QUEUED
        article.extraction_requested_at = timezone.now()
    if rescued is not None:
        # The text someone had at hand stands in for the page that could not be fetched.
        article.fetch_status = ""
        article.fetch_error = ""
        article.version += 1
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        _refuse_duplicate_url(workspace, url)
        raise

    from annotations import tasks  # the tasks module imports the services

    enqueue_on_commit(tasks.fetch_article if fetch else tasks.extract_article, article.pk)
    return ArticleImport(article=article, created=rescued is None)


def _given(*, text: str | None, html: str | None, url: str, metadata: dict[str, Any]) -> list[str]:
    """Which of text and html an import gives (none: fetch the url), or why it cannot be."""
    unknown = set(metadata) - METADATA_FIELDS
    if unknown:
        raise ValueError(f"unknown article fields: {sorted(unknown)}")
    given = [name for name, value in (("text", text), ("html", html)) if value is not None]
    if len(given) > 1:
        raise ValidationError(
            {"non_field_errors": [_("Give the article as text or as html, not both.")]}
        )
    if not given and not url:
        raise ValidationError(
            {
                "non_field_errors": [
                    _("Give the article's text, its html, or a url to fetch it from.")
                ]
            }
        )
    return given


def _read_text(
    article: Article, *, text: str | None, html: str | None, metadata: dict[str, Any]
) -> str:
    """Set the article's text from a text or a page (and what the page says about itself, where
    the caller said nothing); returns the page's title."""
    if text is not None:
        article.text = _checked_text(text, "text")
        return ""
    try:
        # Someone waits for this import: the page is bounded so that it is read within 2 s.
        page = page_from_html(html or "", url=article.url or None, limits=IN_REQUEST)
    except HtmlTooComplex as exc:
        raise ValidationError({"html": [_html_problem(exc)]}) from None
    if not page.text.strip():
        raise ValidationError({"html": [_("No article text was found in this HTML.")]})
    article.text = _checked_text(page.text, "html")
    for key, value in _metadata_from_page(page, metadata).items():
        if not getattr(article, key):
            setattr(article, key, value)
    return page.title


def _html_problem(exc: HtmlTooComplex) -> str:
    """Why a page is refused (importing.HtmlLimits), in the reader's language."""
    if exc.code == "too_deep":
        return _(
            "This HTML nests its elements more than %(depth)d levels deep, which no article "
            "page needs: paste the article's text instead."
        ) % {"depth": exc.params["depth"]}
    return _(
        "This HTML is too large to read while you wait (at most %(elements)d elements and "
        "%(chars)d characters once its scripts and styles are left out): paste the article's "
        "text instead, or give its URL so that a worker fetches and reads it."
    ) % {"elements": exc.params["elements"], "chars": exc.params["chars"]}


def _title(text: str, *, page_title: str = "", file_name: str = "") -> str:
    limit = Article._meta.get_field("title").max_length or 500
    return choose_title(text=text, page_title=page_title, file_name=file_name)[:limit]


@transaction.atomic
def article_refetch(*, user: User, article: Article) -> Article:
    """Try a failed fetch again (annotators and up): the worker fetches the URL once more."""
    require_role(user=user, workspace_id=article.workspace_id, role=Role.ANNOTATOR)
    article = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
    if article.text or article.fetch_status != Article.Status.FAILED:
        raise ValidationError(
            {"fetch_status": [_("Only an article whose fetch failed can be fetched again.")]}
        )
    article.fetch_status = Article.Status.QUEUED
    article.fetch_error = ""
    article.save(update_fields=["fetch_status", "fetch_error", "updated_at"])

    from annotations import tasks

    enqueue_on_commit(tasks.fetch_article, article.pk)
    return article


@transaction.atomic
def article_update(
    *, user: User, article: Article, version: int | None = None, **metadata: Any
) -> Article:
    """Change an article's metadata (its text changes only through a revision); bumps its version.

    With `version` (the version the editor changed), a change saved meanwhile refuses this one
    with StaleVersion; without it the fields given are written over whatever is stored.
    """
    require_role(user=user, workspace_id=article.workspace_id, role=Role.EDITOR)
    unknown = set(metadata) - METADATA_FIELDS
    if unknown:
        raise ValueError(f"unknown article fields: {sorted(unknown)}")
    article = (
        Article.objects.select_for_update(no_key=True, of=("self",))
        .select_related("workspace")
        .get(pk=article.pk)
    )
    if version is not None:
        require_version(current=article.version, expected=version, stale_message=_(ARTICLE_STALE))
    if "url" in metadata and metadata["url"] != article.url:
        metadata["url"] = _checked_url(metadata["url"]) if metadata["url"] else ""
        _refuse_duplicate_url(article.workspace, metadata["url"])
    changed = {key for key, value in metadata.items() if getattr(article, key) != value}
    if not changed:
        return article
    for key in changed:
        setattr(article, key, metadata[key])
    article.version += 1
    article.save(update_fields=[*sorted(changed), "version", "updated_at"])
    return article


@transaction.atomic
def article_delete(*, user: User, article: Article) -> None:
    require_role(user=user, workspace_id=article.workspace_id, role=Role.EDITOR)
    article.delete()


@transaction.atomic
def article_request_extraction(*, article_id: int) -> bool:
    """Mark an article's extraction as queued and send it; False when it has no text yet."""
    article = Article.objects.select_for_update(no_key=True).get(pk=article_id)
    if not article.text:
        return False
    article.extraction_status = Article.Status.QUEUED
    article.extraction_error = ""
    article.extraction_requested_at = timezone.now()
    article.save(update_fields=["extraction_status", "extraction_error", "extraction_requested_at"])

    from annotations import tasks

    enqueue_on_commit(tasks.extract_article, article.pk)
    return True


def article_store_fetched(*, article_id: int, page: ImportedPage, final_url: str) -> Article:
    """Record a fetched page's text and metadata, then queue the extraction."""
    with transaction.atomic():
        article = Article.objects.select_for_update(no_key=True).get(pk=article_id)
        if article.text:
            # Fetched already (a redelivered task): the text may carry claims now; keep it.
            return article
        article.text = _checked_text(page.text, "url")
        article.checksum = checksum(article.text)
        article.fingerprint = fingerprint(article.text)
        metadata = _metadata_from_page(
            page,
            {f: getattr(article, f) for f in ("title", "author", "publisher", "language")}
            | {"published_at": article.published_at},
        )
        for key, value in metadata.items():
            setattr(article, key, value)
        if not article.title:
            article.title = _title(article.text)
        article.fetch_status = Article.Status.DONE
        article.fetch_error = ""
        article.version += 1
        article.save()
    article_request_extraction(article_id=article.pk)
    return article


def article_mark(*, article_id: int, stage: str, status: str, error: str = "") -> None:
    """Record a worker's progress on an article's fetch or extraction stage.

    `updated_at` moves with it: the periodic sweep (services.sweep) reads it to tell a stage
    that has been running for longer than a task may run.
    """
    fields: dict[str, Any] = {
        f"{stage}_status": status,
        f"{stage}_error": error[:2000],
        "updated_at": timezone.now(),
    }
    if stage == "extraction" and status == Article.Status.DONE:
        fields["extracted_at"] = timezone.now()
    rows = Article.objects.filter(pk=article_id)
    if status == Article.Status.FAILED:
        # A duplicate task failing (a time limit) never undoes a stage another one finished.
        rows = rows.exclude(**{f"{stage}_status": Article.Status.DONE})
    with transaction.atomic():
        if not rows.update(**fields):
            return
        live_event(article_id=article_id, kind=LiveEvent.Kind.ARTICLE)
        if stage == "extraction" and status == Article.Status.DONE:
            webhooks_article_extracted(article_id=article_id)
