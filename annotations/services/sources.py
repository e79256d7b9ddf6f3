"""Sources (one per page per workspace) and their links to claims."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Claim, ClaimSource, Role, Source
from annotations.services.history import record_event
from annotations.webfetch import FetchError, UnsafeURL, check_url_syntax, normalise_url


def url_problem(exc: FetchError) -> str:
    """What is wrong with an address (annotations.webfetch.UnsafeURL), in the reader's language.

    Worded for every use of an address (an article's, a source's, a desk's review), not only for
    fetching; a code this does not know keeps webfetch's English sentence.
    """
    messages = {
        "malformed": _("This address is malformed: %(reason)s."),
        "scheme": _("Give an http or https address."),
        "no_host": _("This address has no host name."),
        "credentials": _("An address with a user name or password is refused."),
        "port": _("This address's port is out of range."),
        "private": _("The host %(host)s resolves to a non-public address (%(address)s)."),
    }
    message = messages.get(exc.code)
    return message % exc.params if message is not None else str(exc)


def source_get_or_create(
    *,
    user: User,
    workspace_id: int,
    url: str,
    title: str = "",
    publisher: str = "",
    published_at: date | None = None,
) -> Source:
    try:
        url = check_url_syntax(url)
    except UnsafeURL as exc:
        raise ValidationError({"url": [url_problem(exc)]}) from None
    key = normalise_url(url)
    source = Source.objects.filter(workspace_id=workspace_id, normalised_url=key).first()
    if source is None:
        try:
            with transaction.atomic():
                source = Source.objects.create(
                    workspace_id=workspace_id,
                    url=url,
                    normalised_url=key,
                    title=title,
                    publisher=publisher,
                    published_at=published_at,
                    created_by=user,
                )
        except IntegrityError:
            source = Source.objects.get(workspace_id=workspace_id, normalised_url=key)
    else:
        # Fill what an earlier citation left blank; never overwrite what someone wrote.
        given = {"title": title, "publisher": publisher, "published_at": published_at}
        changed = [name for name, value in given.items() if value and not getattr(source, name)]
        for name in changed:
            setattr(source, name, given[name])
        if changed:
            source.save(update_fields=changed)
    return source


@transaction.atomic
def claim_source_link(
    *,
    user: User,
    claim: Claim,
    url: str,
    stance: str,
    quote: str = "",
    title: str = "",
    publisher: str = "",
    published_at: date | None = None,
) -> ClaimSource:
    require_role(user=user, workspace_id=claim.workspace_id, role=Role.ANNOTATOR)
    if stance not in ClaimSource.Stance.values:
        raise ValidationError(
            {
                "stance": [
                    _("Unknown stance %(s)r; use one of: %(c)s.")
                    % {"s": stance, "c": ", ".join(ClaimSource.Stance.values)}
                ]
            }
        )
    source = source_get_or_create(
        user=user,
        workspace_id=claim.workspace_id,
        url=url,
        title=title,
        publisher=publisher,
        published_at=published_at,
    )
    existing = ClaimSource.objects.filter(claim=claim, source=source, added_by_id=user.pk).first()
    if existing is not None:
        raise Conflict(
            _("You have already linked this source to the claim."), field="url", existing=existing
        )
    link = ClaimSource.objects.create(
        claim=claim,
        source=source,
        url=url,
        stance=stance,
        quote=quote,
        title=title,
        publisher=publisher,
        published_at=published_at,
        added_by=user,
    )
    record_event(
        claim=claim,
        actor=user,
        kind="source_linked",
        after={"url": url, "stance": stance, "title": title},
    )
    return link
