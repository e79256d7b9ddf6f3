"""Claims and the highlights that make them.

A reviewer highlights a span; if it overlaps an existing claim of the same article enough
(character Jaccard >= SAME_CLAIM_JACCARD), the highlight joins that claim, so that span
disagreement between reviewers can be measured; otherwise it starts a new claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, F, Func, Q, Value
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils.translation import gettext as _

from annotations import policy
from annotations.access import check_role, require_role
from annotations.errors import Conflict
from annotations.models import Article, Claim, Highlight, LiveEvent, Role
from annotations.services.disputes import claim_status_refresh
from annotations.services.history import batched, record_event
from annotations.services.live import live_event
from annotations.services.matching import registry_in_use
from annotations.services.versioning import update_if_current
from annotations.text import SAME_CLAIM_JACCARD, TextWindow, quote_in, span_jaccard, window_around


@dataclass(frozen=True, slots=True)
class ClaimCreation:
    claim: Claim
    highlight: Highlight
    created: bool  # False when the highlight joined an existing claim
    # What the writer may see (annotations.policy), as read for this write.
    sight: policy.Sight
    # Whether the claim was matched with the claim registry (or will be, by a worker): when not,
    # a new claim holds nothing but the writer's own work, and is shown to them as made
    # (policy.present_new_claim) without being read back.
    matching: bool


def check_span(*, text: str | TextWindow, start: int, end: int, exact: str | None) -> None:
    """Raise a ValidationError naming the field when the span does not fit the text (the whole
    text, or a window of it that holds the span: window_around)."""
    window = text if isinstance(text, TextWindow) else TextWindow(len(text), 0, text)
    errors: dict[str, list[str]] = {}
    if start < 0:
        errors["start"] = [_("start must be 0 or more.")]
    if end > window.length:
        errors["end"] = [
            _("end is past the end of the article's text (%(length)d characters).")
            % {"length": window.length}
        ]
    if end <= start:
        errors.setdefault("end", []).append(_("end must be greater than start."))
    piece = "" if errors else window.slice(start, end)
    if not errors and exact is not None and piece != exact:
        errors["exact"] = [
            _("exact does not match the article's text at %(start)d-%(end)d, which reads %(text)r.")
            % {"start": start, "end": end, "text": piece[:200]}
        ]
    if not errors and not piece.strip():
        errors["end"] = [_("The span holds only white space.")]
    if errors:
        raise ValidationError(errors)


class _HighlightOf(Func):
    """The id of the user's live highlight of the claim (the row), NULL when none: written out,
    since Django builds a Subquery at the cost of a millisecond on every highlight."""

    template = (
        '(SELECT "mine"."id" FROM "annotations_highlight" AS "mine" '
        'WHERE "mine"."withdrawn_at" IS NULL AND "mine"."claim_id" = %(expressions)s LIMIT 1)'
    )
    arg_joiner = ' AND "mine"."user_id" = '
    output_field = BigIntegerField(null=True)


def _best_overlapping_claim(
    article: Article, start: int, end: int, sight: policy.Sight
) -> Claim | None:
    """The claim of the article this span is the same claim as, among those the reader (`sight`)
    may know of: with independent highlighting a reviewer's highlight never joins a claim hidden
    from them, it makes their own (merged once everyone involved submitted: services.merging).
    Each claim read carries `mine`, the reader's own live highlight of it (None when none)."""
    # A claim that far before the span cannot share enough of it: their union would be longer
    # than the span divided by the threshold (J = overlap / union <= span / union).
    earliest = end - math.ceil((end - start) / SAME_CLAIM_JACCARD)
    overlapping = Claim.objects.filter(
        article=article, orphaned=False, start__gte=earliest, start__lt=end, end__gt=start
    )
    overlapping = overlapping.filter(policy.claims_listed(sight)).annotate(
        mine=_HighlightOf(F("pk"), Value(sight.user_id))
    )
    best: Claim | None = None
    best_score = 0.0
    for claim in overlapping:
        score = span_jaccard(start, end, claim.start or 0, claim.end or 0)
        if score >= SAME_CLAIM_JACCARD and score > best_score:
            best, best_score = claim, score
    return best


@transaction.atomic
def claim_create(
    *,
    user: User,
    article: Article | int,
    start: int,
    end: int,
    exact: str | None = None,
    claimant: str = "",
    normalised_text: str = "",
    origin: str = Claim.Origin.MANUAL,
) -> ClaimCreation:
    """A highlight of `article` (the row or its id) from start to end: a new claim, or a joining
    highlight of the claim of the article it is the same claim as.

    A new claim costs one statement each: the article locked with what the writer may see there,
    the claims it overlaps, the claim, the highlight and its live event; matching it with the
    claim registry is asked for (after commit) only when the workspace has something checked to
    match it with."""
    # Lock the article: two reviewers highlighting the same sentence at once must end up on one
    # claim, not two; and its text cannot change under the offsets being checked. Read with it:
    # what the writer may see there (their role: someone outside its workspace locks nothing and
    # gets 404, as for an article that does not exist), and whether there is anything to match.
    # The text is read only around the span (and its length): a long article's 100 kB are not
    # sent for a quote of a sentence.
    first, size = window_around(start, end)
    locked = (
        Article.objects.select_for_update(no_key=True, of=("self",))
        .defer("text")
        .annotate(
            **policy.sight_columns(user),
            registry=registry_in_use(),
            text_length=Length("text"),
            text_window=Substr("text", first + 1, size),
        )
        .filter(Q(sight_role__isnull=False), pk=article if isinstance(article, int) else article.pk)
        .order_by()
        .first()
    )
    if locked is None:
        raise Http404(_("Not found."))
    sight = policy.sight_in_row(user, locked.workspace_id, locked)
    check_role(current=sight.roles.get(locked.workspace_id), needed=Role.ANNOTATOR)
    window = TextWindow(locked.text_length, first, locked.text_window or "")  # type: ignore[attr-defined]
    check_span(text=window, start=start, end=end, exact=exact)
    quote = quote_in(window, start, end)

    claim = _best_overlapping_claim(locked, start, end, sight)
    created = claim is None
    if claim is None:
        claim = Claim.objects.create(
            workspace_id=locked.workspace_id,
            article=locked,
            start=start,
            end=end,
            exact=quote.exact,
            prefix=quote.prefix,
            suffix=quote.suffix,
            claimant=claimant,
            normalised_text=normalised_text,
            origin=origin,
            created_by=user,
        )
    elif claim.mine is not None:  # type: ignore[attr-defined]
        raise Conflict(_("You have already highlighted this claim."), field="start", existing=claim)
    highlight = Highlight.objects.create(
        claim=claim,
        article=locked,
        user=user,
        start=start,
        end=end,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
    )
    matching = False
    if not created:
        with batched():
            # The claim's creation is the claim itself (created_by, created_at); a joining
            # highlight is an event, since it may open a span disagreement.
            record_event(
                claim=claim,
                actor=user,
                kind="highlight_added",
                after={
                    "reviewer": user.username,
                    "start": start,
                    "end": end,
                    "exact": quote.exact,
                },
            )
            # A second reviewer's extent may differ from the first: a span disagreement.
            claim = claim_status_refresh(claim_id=claim.pk, actor=user)
    else:
        if locked.registry:  # type: ignore[attr-defined]
            # After commit a worker looks for already-checked claims that say the same (issue 3).
            from annotations import tasks  # the tasks module imports the services
            from annotations.services.dispatch import enqueue_on_commit

            enqueue_on_commit(tasks.match_claim, claim.pk, fresh=True)
            matching = True
        # Last: the article's feed row is the last lock a write takes (services.live).
        live_event(article_id=locked.pk, kind=LiveEvent.Kind.CLAIM, claim_id=claim.pk, actor=user)
    return ClaimCreation(
        claim=claim, highlight=highlight, created=created, sight=sight, matching=matching
    )


CLAIM_EDITABLE_FIELDS = frozenset({"claimant", "normalised_text"})


def role_to_reword(claim: Claim) -> Role:
    """The role that may change a claim's wording (see claim_update): the API checks it before
    it reads the body, so that a member below it gets 403 whatever they send."""
    return Role.EDITOR if claim.status == Claim.Status.PUBLISHED else Role.ANNOTATOR


@transaction.atomic
def claim_update(*, user: User, claim: Claim, version: int, **fields: str) -> Claim:
    """Change a claim's wording fields, refusing a write based on an older version.

    The compare-and-set happens in the UPDATE itself, so two concurrent saves cannot both win.
    Once a claim is published its wording is public: only an editor changes it then. (Not once it
    is resolved: under blind review a refusal would tell a reviewer that the others agreed.)
    """
    require_role(user=user, workspace_id=claim.workspace_id, role=role_to_reword(claim))
    unknown = set(fields) - CLAIM_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = Claim.objects.filter(pk=claim.pk, version=version).values(*fields).first()
    update_if_current(
        Claim,
        pk=claim.pk,
        version=version,
        fields=fields,
        stale_message=_(
            "The claim was changed by someone else since you loaded it (now version %(v)d)."
        ),
    )
    changed = {k: v for k, v in fields.items() if before is not None and before[k] != v}
    if changed and before is not None:
        record_event(
            claim=claim,
            actor=user,
            kind="edited",
            before={k: before[k] for k in changed},
            after=changed,
        )
    if "normalised_text" in changed:
        # A new wording may say the same as other checked claims: look again after commit.
        from annotations import tasks
        from annotations.services.dispatch import enqueue_on_commit

        enqueue_on_commit(tasks.match_claim, claim.pk)
        if claim.status in (Claim.Status.RESOLVED, Claim.Status.PUBLISHED):
            # Checked already: what it is offered to follows its wording too.
            enqueue_on_commit(tasks.claim_settled, claim.pk)
    claim.refresh_from_db()
    return claim
