"""Bringing articles in: from text, from HTML, or from a URL fetched by a worker."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.importing import ImportedPage, page_from_html
from annotations.models import Article, Role, Workspace
from annotations.services.dispatch import enqueue_on_commit
from annotations.text import checksum, normalise_text
from annotations.webfetch import UnsafeURL, check_url_syntax

METADATA_FIELDS = frozenset({"title", "publisher", "author", "published_at", "language", "url"})


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
        raise ValidationError({"url": [str(exc)]}) from None


def _refuse_duplicate_url(workspace: Workspace, url: str) -> None:
    if not url:
        return
    existing = Article.objects.filter(workspace=workspace, url=url).first()
    if existing is not None:
        raise Conflict(
            _("This URL was already imported into the workspace."), field="url", existing=existing
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


@transaction.atomic
def article_create(
    *,
    user: User,
    workspace: Workspace,
    text: str | None = None,
    html: str | None = None,
    url: str = "",
    **metadata: Any,
) -> Article:
    """Create an article from exactly one of text, html or url (url alone means: fetch it).

    A text or HTML import is ready at once and its extraction is queued after commit; a URL import
    is saved first with fetch_status queued, and the fetch task then queues the extraction.
    """
    require_role(user=user, workspace_id=workspace.pk, role=Role.ANNOTATOR)
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
    url = _checked_url(url) if url else ""
    _refuse_duplicate_url(workspace, url)

    fetch = not given
    article = Article(workspace=workspace, created_by=user, url=url, **metadata)
    if text is not None:
        article.text = _checked_text(text, "text")
    elif html is not None:
        page = page_from_html(html, url=url or None)
        if not page.text.strip():
            raise ValidationError({"html": [_("No article text was found in this HTML.")]})
        article.text = _checked_text(page.text, "html")
        for key, value in _metadata_from_page(page, metadata).items():
            setattr(article, key, value)
    if fetch:
        article.fetch_status = Article.Status.QUEUED
    else:
        article.checksum = checksum(article.text)
        article.extraction_status = Article.Status.QUEUED
        article.extraction_requested_at = timezone.now()
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        _refuse_duplicate_url(workspace, url)
        raise

    from annotations import tasks  # the tasks module imports the services

    enqueue_on_commit(tasks.fetch_article if fetch else tasks.extract_article, article.pk)
    return article


@transaction.atomic
def article_update(*, user: User, article: Article, **metadata: Any) -> Article:
    """Change an article's metadata. Its text changes only through a revision."""
    require_role(user=user, workspace_id=article.workspace_id, role=Role.EDITOR)
    unknown = set(metadata) - METADATA_FIELDS
    if unknown:
        raise ValueError(f"unknown article fields: {sorted(unknown)}")
    if "url" in metadata and metadata["url"] != article.url:
        metadata["url"] = _checked_url(metadata["url"]) if metadata["url"] else ""
        _refuse_duplicate_url(article.workspace, metadata["url"])
    for key, value in metadata.items():
        setattr(article, key, value)
    article.save(update_fields=[*metadata, "updated_at"])
    return article


@transaction.atomic
def article_delete(*, user: User, article: Article) -> None:
    require_role(user=user, workspace_id=article.workspace_id, role=Role.EDITOR)
    article.delete()


@transaction.atomic
def article_request_extraction(*, article_id: int) -> bool:
    """Mark an article's extraction as queued and send it; False when it has no text yet."""
    article = Article.objects.select_for_update().get(pk=article_id)
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
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.text:
            # Fetched already (a redelivered task): the text may carry claims now; keep it.
            return article
        article.text = _checked_text(page.text, "url")
        article.checksum = checksum(article.text)
        metadata = _metadata_from_page(
            page,
            {f: getattr(article, f) for f in ("title", "author", "publisher", "language")}
            | {"published_at": article.published_at},
        )
        for key, value in metadata.items():
            setattr(article, key, value)
        article.fetch_status = Article.Status.DONE
        article.fetch_error = ""
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
    Article.objects.filter(pk=article_id).update(**fields)
