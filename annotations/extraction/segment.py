"""Sentence splitting with exact code-point offsets into the stored text.

A single regex pass over each line finds candidate boundaries (a terminator, optional closing
quotes or brackets, then whitespace); each candidate is then accepted or rejected by a few cheap
rules (abbreviations, initials, lowercase continuation, open quotations). No tokenizer, no model:
extraction runs for every imported article and must stay well within the cost of spaCy's
blank-pipeline sentencizer.
"""

# Typographic quotes and apostrophes are the data these rules read, not typos.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import word_set

Span = tuple[int, int]

# The characters str.splitlines() breaks on: a paragraph break always ends a sentence, whatever
# convention the text came with (the workbench normalises to "\n", but callers may not have).
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")

_CLOSERS = "\"'”’»)]}›"
# A terminator, the closing quotes or brackets glued to it (French typography puts a space, often
# a no-break one, before »), then whitespace and the first character of what follows.
_CANDIDATE = re.compile(
    r"(?P<term>\.{2,}|[.!?…‼⁇⁈⁉।؟۔]+)"
    r"(?:[ \u00a0\u202f\u2009]*»)?[" + re.escape(_CLOSERS) + r"]*"
    r"(?=\s+(?P<next>\S))"
)
# Ideographic full stops end a sentence with or without a following space.
_CJK_CANDIDATE = re.compile(r"[。！？]+[」』”’）)]*(?=\s*\S)")
_HAS_CJK_TERMINATOR = re.compile(r"[。！？]")
_LAST_TOKEN = re.compile(r"\S+$")
_NEXT_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LEADING_PUNCT = "([{«“\"'‘„‹¿¡—–-"
_INITIALISM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_QUOTE_CHARS = re.compile(r"[«»“”„\"]")

# A quotation is kept whole across its inner sentence ends, up to this many characters; beyond it
# a quote mark is more likely unbalanced or the quote is a long speech, and splitting is better.
MAX_QUOTE_CHARS = 600

# Abbreviations that never end a sentence: a title or a reference marker is always followed by
# what it qualifies. Lowercased, without the final period.
_NON_FINAL_COMMON = word_set(
    "dr drs prof pr mr mrs ms mme mmes mlle mlles mgr ste sts vs cf e.g i.e viz "
    "fig figs vol vols ed eds approx ca env"
)
# Reference markers: "No. 5", "p. 45", "art. 3" never end there, but "He said no. The" does.
_BEFORE_NUMBER = word_set("no nos nr n° p pp art ch chap")
_NON_FINAL = {
    "en": word_set(
        "gen sen rep reps gov lt col capt cmdr adm sgt maj cpl pres supt insp det "
        "hon rev fr mt ft sr jr messrs mmes esq dept est"
    ),
    "fr": word_set("m mm mgr pdt dir vol réf av bd boul cie cf éd env hab min max tél"),
    "de": word_set("hr hrn fr frl z.b bzw usw ggf vgl sog u.a d.h evtl inkl"),
    "es": word_set("sr sra srta srs d dña ud uds lic ing pág núm"),
    "it": word_set("sig sigg sig.ra dott dott.ssa ing avv prof.ssa pag"),
    "nl": word_set("dhr mevr mw drs ir ing bijv bv o.a d.w.z mr"),
    "pt": word_set("sr sra srta dra pág núm"),
}
# Abbreviations that may end a sentence: split only when a usual sentence opener follows
# ("Apple Inc. said" and "Apple Inc. The company" both read right).
_MAYBE_FINAL = word_set(
    "st etc inc ltd co corp bros plc llc a.m p.m u.s u.k u.n e.u u.s.a "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "janv févr avr juil sept oct nov déc"
)
# Capitalised words that start sentences far more often than they follow an initialism
# ("in the U.S. The economy..."), so after "U.S." or "J." they mean a new sentence.
_SENTENCE_STARTERS = word_set(
    "the a an he she it they we i you this that these those there here but and or so yet "
    "in on at for if when while after before as his her its their our my however meanwhile "
    "still then now also le la les l un une des il elle ils elles on nous vous je ce cet cette "
    "ces mais et ou donc or car en au aux dans pour par selon quand si lorsque depuis "
    "c d qu j n s puis ensuite enfin alors pourtant cependant toutefois ainsi désormais "
    "aujourd hier demain today yesterday tomorrow instead since because although though "
    "what who why how where"
)


def split_sentences(text: str, language: str) -> list[Span]:
    """Split ``text`` into sentences; return their ``(start, end)`` code-point offsets.

    Spans are in order, non-overlapping, end-exclusive, never start or end with whitespace and
    together cover every non-whitespace character of ``text``. A line break always ends a
    sentence. ``language`` selects the abbreviation lists ("fr", "en", a few others); any other
    value gets the generic rules.
    """
    lang = language.lower()[:2]
    non_final = _NON_FINAL_COMMON | _NON_FINAL.get(lang, frozenset())
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        line_text = line.group()
        if line_text.isspace():
            continue
        offset = line.start()
        start = 0
        for boundary in _boundaries(line_text, lang, non_final):
            _append_stripped(spans, line_text, offset, start, boundary)
            start = boundary
        _append_stripped(spans, line_text, offset, start, len(line_text))
    return spans


def _append_stripped(spans: list[Span], line: str, offset: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.lstrip()
    if not stripped:
        return
    lead = len(piece) - len(stripped)
    trail = len(stripped) - len(stripped.rstrip())
    spans.append((offset + start + lead, offset + end - trail))


def _boundaries(line: str, lang: str, non_final: frozenset[str]) -> Iterator[int]:
    quotes: list[Span] | None = None
    candidates = _candidates(line, lang, non_final)
    for position in candidates:
        if quotes is None:
            quotes = _quotations(line) if _QUOTE_CHARS.search(line) else []
        if quotes and _inside_quotation(position, quotes):
            continue
        yield position


def _candidates(line: str, lang: str, non_final: frozenset[str]) -> list[int]:
    found = [
        match.end()
        for match in _CANDIDATE.finditer(line)
        if _is_boundary(line, match, lang, non_final)
    ]
    if _HAS_CJK_TERMINATOR.search(line):
        found.extend(match.end() for match in _CJK_CANDIDATE.finditer(line))
        found = sorted(set(found))
    return found


def _is_boundary(line: str, match: re.Match[str], lang: str, non_final: frozenset[str]) -> bool:
    next_char = match.group("next")
    if next_char.islower():
        # "« Quelle horreur ! » s'exclame-t-il", "etc. and", "9 a.m. on": a continuation.
        return False
    term = match.group("term")
    if term[-1] != "." or len(term) > 1:
        # "?", "!" and ellipses end a sentence before anything but a lowercase continuation.
        return True
    token_match = _LAST_TOKEN.search(line, max(0, match.start("term") - 40), match.start("term"))
    if token_match is None:
        return True
    word = token_match.group().lstrip(_LEADING_PUNCT)
    return _period_ends_sentence(word, line, match, lang, non_final)


def _period_ends_sentence(
    word: str, line: str, match: re.Match[str], lang: str, non_final: frozenset[str]
) -> bool:
    lowered = word.lower()
    next_at = match.start("next")
    if lowered in non_final:
        return False
    if lowered in _BEFORE_NUMBER:
        return not line[next_at].isdigit() and _next_word_starts_sentence(line, next_at)
    # "U.S.", "Inc.", and single initials ("J. K. Rowling"); English "I" is a pronoun.
    ambiguous = lowered in _MAYBE_FINAL or _INITIALISM.match(word) is not None
    initial = len(word) == 1 and word.isalpha() and word.isupper()
    if ambiguous or (initial and not (word == "I" and lang == "en")):
        return _next_word_starts_sentence(line, next_at)
    # German ordinals: "am 3. Oktober".
    return not (lang == "de" and word.isdigit() and len(word) <= 2)


def _next_word_starts_sentence(line: str, position: int) -> bool:
    word = _NEXT_WORD.match(line, position)
    if word is None:
        # A digit, a quote or a bracket opens the next sentence.
        return True
    return word.group().lower().rstrip("'’") in _SENTENCE_STARTERS


_OPEN_TO_CLOSE = {"«": "»", "“": "”", "„": "“”", '"': '"'}


def _quotations(line: str) -> list[Span]:
    """Return the (open, close) positions of balanced quotations on one line.

    Only the outermost quotation counts: inner quotes of another style are part of it. A quote
    left open at the end of the line is ignored (it protects nothing).
    """
    found: list[Span] = []
    opener = ""
    closers = ""
    depth = 0
    open_at = 0
    for match in _QUOTE_CHARS.finditer(line):
        char = match.group()
        if not opener:
            if char in _OPEN_TO_CLOSE:
                opener, closers, depth, open_at = char, _OPEN_TO_CLOSE[char], 1, match.start()
            continue
        if char == opener and opener == "«":
            depth += 1
        elif char in closers:
            depth -= 1
            if depth == 0:
                found.append((open_at, match.start()))
                opener = ""
    return found


def _inside_quotation(position: int, quotes: list[Span]) -> bool:
    for open_at, close_at in quotes:
        if open_at < position <= close_at:
            return close_at - open_at <= MAX_QUOTE_CHARS
    return False
