"""French is complete: makemessages, run on a copy of the annotations app, would leave no French
entry untranslated, fuzzy, or identical to its English source (outside a short reviewed list), and
the compiled .mo files say what the .po files say.

The real catalogues are never touched: the app is copied to a temporary directory, and makemessages
and compilemessages run there (LOCALE_PATHS emptied, so that only the copy's locale is seen). Both
need GNU gettext (xgettext, msgmerge, msguniq, msgattrib, msgfmt).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

APP = Path(__file__).resolve().parent.parent / "annotations"
CATALOGUES = Path("locale") / "fr" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
GETTEXT_PROGRAMS = ("xgettext", "msguniq", "msgmerge", "msgattrib", "msgfmt")

# Reviewed: these read the same in French (names, formats, and words French shares with English).
# A plural entry is allowed when its singular is listed. Add to this list only after checking
# that the French really is the English word; anything else gets translated.
ALLOWED_IDENTICAL = frozenset(
    {
        "Actions",
        "API",
        "Article",
        "Articles",
        "%(counter)s article",
        "candidate",
        "Candidates",
        "Candidate · score %(score)s · %(kinds)s",
        "Date",
        "Exports",
        "Extraction",
        "Format",
        "Invitation",
        "Kappa",
        "Nominal",
        "Notifications",
        "Note",
        "Ordinal",
        "score %(score)s",
        "source",
        "Sources",
        "URL",
        "Verdict",
        "Verdicts",
        "Version",
        "Webhooks",
        "Secret",
        "Description",
        "Imports",
        "articles",
        "verdicts",
        "null",  # a JSON value, named as JSON names it
    }
)

HOW_TO_FIX = """\
The French catalogues are not complete. To fix it:
  1. cd annotations && DEBUG=1 ../.venv/bin/python ../manage.py makemessages -l fr \\
       && DEBUG=1 ../.venv/bin/python ../manage.py makemessages -d djangojs -l fr
  2. translate every entry listed below in annotations/locale/fr/LC_MESSAGES/<domain>.po, and
     remove a "fuzzy" flag only once its translation is checked (French typography: a no-break
     space before : ; ? ! and inside « »);
  3. cd annotations && DEBUG=1 ../.venv/bin/python ../manage.py compilemessages -l fr
A translation may equal its English source only for the reviewed words in ALLOWED_IDENTICAL
(tests/test_translations.py).
"""

CUT_SHORT = """\
A msgid that ends in a backslash was cut short by xgettext: the source string holds an escaped
quote (such as {% translate "Words in \\"quotes\\"" %}), which makemessages cannot read. Put the
string between the other kind of quotes instead, then run makemessages again.
"""


@dataclass(frozen=True)
class French:
    """The catalogues makemessages gives on a copy of the app, and the .mo files compiled there
    from the committed .po files."""

    updated: dict[str, Catalog]
    compiled: dict[str, Catalog]


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def _read_mo(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_mo(file)


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> French:
    missing = [name for name in GETTEXT_PROGRAMS if shutil.which(name) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is needed to check the translations; missing: {', '.join(missing)}. "
            "Install it (Debian: apt-get install gettext).",
            pytrace=False,
        )
    copy = tmp_path_factory.mktemp("i18n") / "annotations"
    # The .mo files stay behind: compilemessages skips a .po whose .mo is newer.
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[]):
        # Where the project runs them: inside the app, whose locale directory they then use.
        patch.chdir(copy)
        try:
            call_command("compilemessages", locale=["fr"], verbosity=0)
        except CommandError as error:
            pytest.fail(
                f"The French .po files do not compile (msgfmt --check-format): {error}",
                pytrace=False,
            )
        compiled = {domain: _read_mo(CATALOGUES / f"{domain}.mo") for domain in DOMAINS}
        for domain in DOMAINS:
            call_command("makemessages", locale=["fr"], domain=domain, verbosity=0)
        updated = {domain: _read_po(CATALOGUES / f"{domain}.po") for domain in DOMAINS}
    return French(updated=updated, compiled=compiled)


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    """The translation, or its plural forms; "" when there is none."""
    string = message.string or ""
    return (string,) if isinstance(string, str) else tuple(string)


def _msgid(message: Message) -> str:
    return _ids(message)[0]


def _key(message: Message) -> str:
    msgid = _msgid(message)
    return f"[{message.context}] {msgid!r}" if message.context else repr(msgid)


def _where(message: Message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2])


def _problem(message: Message) -> str | None:
    """What is wrong with a French entry, if anything."""
    ids, strings = _ids(message), _strings(message)
    if not all(strings):
        return "untranslated"
    if message.fuzzy:
        return "fuzzy"
    if strings == ids and ids[0] not in ALLOWED_IDENTICAL:
        return "same as the English"
    return None


def _translations(catalog: Catalog) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """What gettext would use: translated entries that are not fuzzy, by context and msgid."""
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = _strings(message)
        if message.fuzzy or not all(strings):
            continue
        found[message.context, "\0".join(_ids(message))] = strings
    return found


def test_makemessages_would_leave_no_french_entry_to_translate(french: French) -> None:
    problems = [
        (domain, message, problem)
        for domain, catalog in french.updated.items()
        for message in catalog
        if message.id and (problem := _problem(message)) is not None
    ]
    cut_short = any(_msgid(message).endswith("\\") for _, message, _ in problems)
    assert not problems, "\n".join(
        [
            HOW_TO_FIX,
            *([CUT_SHORT] if cut_short else []),
            *(
                f"  {domain}.po: {problem}: {_key(message)} ({_where(message)})"
                for domain, message, problem in problems
            ),
        ]
    )


def test_the_copy_holds_the_french_catalogues(french: French) -> None:
    # Guards the test above against passing on empty catalogues.
    for domain in DOMAINS:
        assert len(_translations(french.updated[domain])) > 100, domain


def test_the_compiled_french_catalogues_say_what_the_po_files_say(french: French) -> None:
    stale = []
    for domain in DOMAINS:
        committed = _translations(_read_po(APP / CATALOGUES / f"{domain}.po"))
        in_mo = _translations(_read_mo(APP / CATALOGUES / f"{domain}.mo"))
        # msgfmt, run on the copy, compiles the committed .po into exactly what babel reads in it.
        assert _translations(french.compiled[domain]) == committed, domain
        differing = sorted(
            msgid
            for key in committed.keys() | in_mo.keys()
            if committed.get(key) != in_mo.get(key)
            for _, msgid in [key]
        )
        if differing:
            listed = "; ".join(repr(msgid) for msgid in differing[:10])
            stale.append(f"  {domain}.mo differs from {domain}.po on {len(differing)}: {listed}")
    assert not stale, "\n".join(
        [
            "The compiled French catalogues are out of date: run "
            "cd annotations && DEBUG=1 ../.venv/bin/python ../manage.py compilemessages -l fr",
            *stale,
        ]
    )
