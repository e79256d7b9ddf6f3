"""A claim's history in words: one sentence per event, in the reader's language.

The services record events as data (annotations.services.history); this module turns one into
what a person reads in the claim page and the article's side panel. Events reach it already
filtered and masked by annotations.policy: it shows what it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from annotations.models import ClaimEvent

# Why a status changed, as recorded in `status_changed` events.
_REASONS = {
    "assessments": lambda: _("after a verdict"),
    "verdict_disagreement": lambda: _("the verdicts differ"),
    "span_disagreement": lambda: _("the highlights differ"),
    "consensus": lambda: _("the reviewers agree"),
    "adjudication": lambda: _("adjudicated"),
    "published": lambda: _("published"),
    "unpublished": lambda: _("unpublished"),
}
_STATUSES = {
    "open": lambda: _("open"),
    "assessed": lambda: _("assessed"),
    "disputed": lambda: _("disputed"),
    "resolved": lambda: _("resolved"),
    "published": lambda: _("published"),
}
_STANCES = {
    "supports": lambda: _("supports"),
    "refutes": lambda: _("refutes"),
    "context": lambda: _("context"),
}
_METHODS = {
    "position": lambda: _("in the same place"),
    "shifted": lambda: _("where the edit moved it"),
    "exact": lambda: _("by finding its quote"),
    "fuzzy": lambda: _("by an approximate match"),
}


def _word(table: Mapping[str, Any], value: Any) -> str:
    make = table.get(str(value))
    return str(make()) if make else str(value)


def _quote(text: Any, limit: int = 120) -> str:
    words = str(text or "")
    words = words if len(words) <= limit else words[: limit - 1] + "…"
    # Translators: quotation marks around a quoted passage.
    return _("“%(text)s”") % {"text": words}


@dataclass(frozen=True, slots=True)
class _Event:
    """What the sentences need of an event: who, and the values before and after."""

    actor: str
    before: dict[str, Any]
    after: dict[str, Any]
    verdicts: Mapping[str, str]

    def verdict(self, slug: Any) -> str:
        return self.verdicts.get(str(slug), str(slug)) if slug else str(_("none"))


def describe_event(event: ClaimEvent, *, verdicts: Mapping[str, str]) -> str:
    """One sentence for an event; `verdicts` maps the workspace's verdict slugs to their names."""
    actor = event.actor.get_username() if event.actor else str(_("The workbench"))
    facts = _Event(
        actor=actor,
        before=event.before if isinstance(event.before, dict) else {},
        after=event.after if isinstance(event.after, dict) else {},
        verdicts=verdicts,
    )
    describe = _SENTENCES.get(event.kind)
    if describe is None:
        return _("%(actor)s: %(kind)s.") % {"actor": actor, "kind": event.kind}
    return describe(facts)


def _highlight_added(e: _Event) -> str:
    return _("%(actor)s highlighted this claim too: %(exact)s.") % {
        "actor": e.actor,
        "exact": _quote(e.after.get("exact")),
    }


def _assessment_updated(e: _Event) -> str:
    old, new = e.before.get("verdict"), e.after.get("verdict")
    if old != new:
        return _("%(actor)s changed their verdict from %(old)s to %(new)s.") % {
            "actor": e.actor,
            "old": e.verdict(old),
            "new": e.verdict(new),
        }
    return _("%(actor)s revised their rationale or confidence.") % {"actor": e.actor}


def _adjudicated(e: _Event) -> str:
    sentence = _("%(actor)s set the final verdict: %(verdict)s.") % {
        "actor": e.actor,
        "verdict": e.verdict(e.after.get("final_verdict")),
    }
    chosen = (e.after.get("span") or {}).get("from")
    if chosen:
        sentence += " " + _("The claim's passage is %(name)s's extent.") % {"name": chosen}
    if e.after.get("note"):
        sentence += " " + _("Note: %(note)s") % {"note": _quote(e.after["note"], 300)}
    return sentence


def _status_changed(e: _Event) -> str:
    sentence = _("Status: %(old)s → %(new)s (%(why)s).") % {
        "old": _word(_STATUSES, e.before.get("status")),
        "new": _word(_STATUSES, e.after.get("status")),
        "why": _word(_REASONS, e.after.get("reason")),
    }
    if e.after.get("final_verdict"):
        verdict = e.verdict(e.after["final_verdict"])
        sentence += " " + _("Final verdict: %(verdict)s.") % {"verdict": verdict}
    if e.after.get("note"):
        sentence += " " + _("Reason: %(note)s") % {"note": _quote(e.after["note"], 300)}
    return sentence


def _corrected(e: _Event) -> str:
    sentence = _("%(actor)s corrected the published verdict from %(old)s to %(new)s.") % {
        "actor": e.actor,
        "old": e.verdict(e.before.get("final_verdict")),
        "new": e.verdict(e.after.get("final_verdict")),
    }
    if e.after.get("note"):
        sentence += " " + _("Note: %(note)s") % {"note": _quote(e.after["note"], 300)}
    return sentence


def _review_set(e: _Event) -> str:
    if not e.after.get("review_url"):
        return _("%(actor)s removed the address of the desk's fact-check.") % {"actor": e.actor}
    return _("%(actor)s gave the address of the desk's fact-check: %(url)s") % {
        "actor": e.actor,
        "url": e.after["review_url"],
    }


def _disagreement_resolved(e: _Event) -> str:
    if e.after.get("how") == "adjudicated":
        return _("The disagreement was settled by %(actor)s.") % {"actor": e.actor}
    return str(_("The disagreement ended: the reviewers now agree."))


def _source_linked(e: _Event) -> str:
    return _("%(actor)s linked a source (%(stance)s): %(url)s") % {
        "actor": e.actor,
        "stance": _word(_STANCES, e.after.get("stance")),
        "url": e.after.get("url", ""),
    }


def _reanchored(e: _Event) -> str:
    revision = e.after.get("revision", "?")
    if e.after.get("method") == "orphan":
        return _(
            "The text was corrected (revision %(n)s): the claim's passage could not be found "
            "again, and the claim is kept as an orphan."
        ) % {"n": revision}
    return _("The text was corrected (revision %(n)s): the claim was placed %(how)s.") % {
        "n": revision,
        "how": _word(_METHODS, e.after.get("method")),
    }


def _edited(e: _Event) -> str:
    parts = []
    if "claimant" in e.after:
        parts.append(
            _("the claimant from %(old)s to %(new)s")
            % {"old": _quote(e.before.get("claimant")), "new": _quote(e.after["claimant"])}
        )
    if "normalised_text" in e.after:
        parts.append(_("the wording to %(new)s") % {"new": _quote(e.after["normalised_text"])})
    what = str(_(" and ")).join(parts) if parts else str(_("the claim"))
    return _("%(actor)s changed %(what)s.") % {"actor": e.actor, "what": what}


def _disagreement_opened(e: _Event) -> str:
    if e.after.get("kind") == "span":
        return str(_("The reviewers' highlights of this claim differ."))
    said = ", ".join(
        f"{row.get('reviewer')}: {e.verdict(row.get('verdict'))}"
        for row in e.after.get("assessments", [])
    )
    return _("The reviewers' verdicts differ (%(said)s).") % {"said": said}


def _claims(ids: Any) -> str:
    return ", ".join(str(pk) for pk in ids) if isinstance(ids, list) else ""


def _cluster_split(e: _Event) -> str:
    others = e.before.get("with")
    count = len(others) if isinstance(others, list) else 0
    return ngettext(
        "%(actor)s split this claim off from its group (claim %(claims)s): it is not grouped "
        "with it again automatically.",
        "%(actor)s split this claim off from its group (claims %(claims)s): it is not grouped "
        "with them again automatically.",
        count,
    ) % {"actor": e.actor, "claims": _claims(others)}


_SENTENCES: dict[str, Callable[[_Event], str]] = {
    "corrected": _corrected,
    "review_set": _review_set,
    "highlight_added": _highlight_added,
    "highlight_withdrawn": lambda e: _("%(actor)s withdrew their highlight.") % {"actor": e.actor},
    "assessment_created": lambda e: (
        _("%(actor)s gave the verdict %(verdict)s.")
        % {"actor": e.actor, "verdict": e.verdict(e.after.get("verdict"))}
    ),
    "assessment_updated": _assessment_updated,
    "adjudicated": _adjudicated,
    "span_changed": lambda e: (
        _("%(actor)s set the claim's passage to %(exact)s.")
        % {"actor": e.actor, "exact": _quote(e.after.get("exact"))}
    ),
    "reanchored": _reanchored,
    "edited": _edited,
    "status_changed": _status_changed,
    "disagreement_opened": _disagreement_opened,
    "disagreement_resolved": _disagreement_resolved,
    "withdrawn": lambda e: _("%(actor)s withdrew the claim.") % {"actor": e.actor},
    "merged": lambda e: (
        _(
            "Everyone who highlighted it had submitted the article: another reviewer's claim of the "
            "same passage, %(exact)s, was merged into this one."
        )
        % {"exact": _quote(e.after.get("exact"))}
    ),
    "source_linked": _source_linked,
    "cluster_grouped": lambda e: str(
        _("Grouped automatically with the same claim in other articles.")
    ),
    "cluster_merged": lambda e: (
        _("%(actor)s grouped this claim with claim %(claim)s: they are the same claim.")
        % {"actor": e.actor, "claim": e.after.get("claim", "?")}
    ),
    "cluster_split": _cluster_split,
    "cluster_left": lambda e: (
        _("%(actor)s split claim %(claim)s off from this group.")
        % {"actor": e.actor, "claim": e.after.get("claim", "?")}
    ),
    "source_removed": lambda e: (
        _("%(actor)s removed a source link: %(url)s")
        % {"actor": e.actor, "url": e.before.get("url", "")}
    ),
}
