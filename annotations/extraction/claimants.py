"""Who is quoted as making a claim: "selon l'Insee", "a déclaré X", "X said", "« … », dit X".

Patterns are tried from the most to the least reliable: a reporting verb right after a closing
quote or a comma ("« … », a déclaré la ministre, Claire Fontanel"), then an attribution
("selon", "d'après", "according to", "pour l'économiste X,"), then a reporting verb after its
subject ("Le député Pierre Caradec affirme que"). A pronoun subject ("a-t-elle ajouté", "he
said") is reported as such so that the pipeline can resolve it from the sentences before.
"""

# Typographic quotes and apostrophes are the data these rules read, not typos.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import word_set

_UPPER = "A-ZÀ-ÖØ-ÞŒ"
_NAME_WORD = rf"[{_UPPER}][\w'’.-]*"
_CONNECTOR = r"(?:de|du|des|d['’]|la|le|van|von|der|den|di|da|dos|del|bin|ben|al|y|&)"
_NAME_CHUNK = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_CONNECTOR}\s*)?{_NAME_WORD})*")

_STRONG_VERBS = {
    "fr": "déclaré déclare affirmé affirme affirment assuré assure assurent indiqué indique "
    "expliqué explique annoncé annonce précisé précise rappelé rappelle rappellent souligné "
    "souligne estimé estime estiment reconnu reconnaît dénoncé dénonce dénoncent prévenu "
    "prévient averti avertit martelé martèle confié confie insisté insiste répondu répond "
    "réagi dit écrit admis admet regretté regrette raconté raconte témoigné témoigne nuancé "
    "nuance plaidé plaide soupiré soupire rétorqué rétorque tranché tranche défend défendu "
    "accuse accusé lâché lâche argué argue évoque évoqué promet promis propose proposé "
    "s'agace s’agace s'inquiète s’inquiète s'indigne s’indigne s'exclame s’exclame conclut "
    "juge jugé",
    "en": "said say says told tells stated claimed claims argued argues declared asserted "
    "contended insisted insists explained explains acknowledged admitted testified blamed "
    "promised pledged countered replied responded conceded alleged alleges warned warns "
    "announced announces tweeted",
}
# Verbs that also start plain narration ("employers added 175,000 jobs", "la note"): they
# name a claimant only right after a quote or comma, or when followed by "that"/"que".
_WEAK_VERBS = {
    "fr": "ajouté ajoute noté note lancé lance avancé avance relevé relève observé observe "
    "poursuivi poursuit glissé glisse",
    "en": "added adds noted notes wrote writes reported recalled suggested estimated "
    "estimates predicted predicts",
}
_GENERIC_VERBS = "said says told"


def _verb_pattern(words: str) -> str:
    return "|".join(re.escape(word) for word in sorted(words.split(), key=len, reverse=True))


def _compile(language: str) -> tuple[re.Pattern[str], frozenset[str]]:
    strong = _STRONG_VERBS.get(language, _GENERIC_VERBS)
    weak = _WEAK_VERBS.get(language, "")
    pattern = re.compile(
        rf"(?<![\w'’-])(?P<verb>{_verb_pattern(strong + ' ' + weak)})"
        r"(?P<inverted>-t-(?:il|elle|ils|elles)|-(?:il|elle|ils|elles))?(?![\w'’])"
    )
    return pattern, frozenset(weak.split())


_VERBS = {language: _compile(language) for language in ("fr", "en", "und")}
_INVERTED_AUX = re.compile(r"\ba-t-(?:il|elle|ils|elles)\s*$")
_AUXILIARY = re.compile(r"(?:\b(?:a|ont|avait|has|had|have)\s+)?(?:\bpas\s+)?$")
_AFTER_QUOTE = re.compile(r"[»”\"]\s*,?\s*$")
_THAT = re.compile(r"\s*(?:que\b|qu['’]|that\b)")
_THAT_NEAR = re.compile(r"\s+(?:[^\s«“\"]+\s+){0,4}?(?:que\b|qu['’]|that\b|[«“\":])")
_NAME_START = re.compile(
    rf"\s+(?:(?:le|la|les|l['’]|the)\s*)?[{_UPPER}]|\s+(?:le|la|l['’]|the)\s+\w+\s"
)
# In French, a lowercase word right after a closing quote and a comma is a speech verb,
# whatever it is ("« … », tacle le ministre", "« … », s'emporte-t-elle").
_FR_AFTER_QUOTE = re.compile(
    r"[»”\"]\s*,\s*(?:(?:a|ont)\s+)?(?:a-t-(?:il|elle)\s+)?[a-zà-ÿ'’]+"
    r"(?:(?P<pronoun>(?:-t)?-(?:il|elle|ils|elles)\b)|(?P<rest>\s.*))"
)
_CLAUSE_VERBS_EN = word_set(
    "said say says told tells claimed claims argued argues insisted insists contended asserted "
    "testified alleged alleges acknowledged admitted conceded countered replied responded "
    "warned warns blamed promised pledged"
)
_NOUN_MARKERS = word_set(
    "le la les l' l’ un une des de du d' d’ cette ce cet ces son sa ses leur notre votre mon "
    "ma mes the a an this that his her their its my our your par pour sans avec sur"
)
_ATTRIBUTION = re.compile(
    r"(?:^|\s|[«“\"(])(?:selon|d['’]après|according\s+to)\s+(?P<who>.+)", re.IGNORECASE
)
_POUR = re.compile(
    rf"^[«“\"]?\s*(?:[Pp]our|[Ff]or)\s+(?:(?:l['’]|le\s+|la\s+)[a-zà-ÿ-]+\s+)?"
    rf"(?P<who>{_NAME_WORD}(?:\s+{_NAME_WORD})+)\s*,"
)
_CUT = re.compile(r"[;:!?»”\"(\[\]]|\.(?:\s*$|\s+[^A-ZÀ-Þ])")
# Where a claimant's description gives way to circumstances ("…, Claire Fontanel, lors d'un
# déplacement", "said Maria Chen on Friday").
_CUT_WORDS = re.compile(
    r"\s(?:lors|devant|dans|après|avant|pendant|mardi|lundi|mercredi|jeudi|vendredi|samedi|"
    r"dimanche|qui|que|dont|où|à\s+la\s+sortie|en\s+marge|au\s+cours|"
    r"after|before|during|on|at|in|last|this|who|which|that|when|while|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_PARTICIPLE = re.compile(
    r"\s(?:publié|publiée|publiés|publiées|paru|parue|rendu|rendue|diffusé|diffusée|"
    r"réalisé|réalisée|published|released|issued|conducted)\b"
)
_DOCUMENTS = word_set(
    "rapport étude enquête analyse sondage chiffres données projections comptes statistiques "
    "estimations calculs prévisions bilan baromètre report study survey analysis poll data "
    "figures estimates projections calculations audit review"
)
_AGENT = re.compile(r"\s(?:par|by)\s+(.+)")
_LEADING_LINK = re.compile(r"^(?:de\s+la|de\s+l['’]|des|du|de|d['’]|of\s+the|of|from|in)\s*")
_DETERMINERS = re.compile(
    r"^(?:l['’]|(?:le|la|les|un|une|des|du|the|a|an|ce|cette|ces)\s+)", re.IGNORECASE
)
_POSSESSIVE = re.compile(r"^(?:son|sa|ses|leur|leurs|his|her|their|its|our|notre|nos)\b", re.I)
_POSSESSOR = re.compile(r"^[\w-]+['’]s\s+")
_ACRONYM = re.compile(r"\b([A-Z]{2,})\s*$")
_ACRONYM_WORD = re.compile(r"\b[A-Z]{2,}\b")
_PRONOUNS = word_set("il elle ils elles lui on he she they him them it we nous je i")
_TITLES = word_set(
    "m. mme mme. mlle me dr dr. pr pr. mr mr. mrs mrs. ms ms. sen. sen rep. rep gov. gov gen. "
    "prof. sir dame lord lady mayor senator representative governor president président "
    "présidente chair chairman chairwoman fed council member secretary minister ministre "
    "judge justice chief speaker state attorney general commissioner director ceo maître "
    "madame monsieur docteur professeur the le la les"
)
# Capitalised only because they open the sentence: "Selon Météo-France" names Météo-France.
_OPENING_WORDS = word_set(
    "selon pour for according mais et but and when quand si if in en dans à au aux avec with "
    "after après avant before since depuis chez interrogée interrogé asked"
)
_MAX_WORDS = 9


@dataclass(frozen=True, slots=True)
class Claimant:
    """A guessed claimant: a name, or a pronoun to resolve from context, or nothing."""

    name: str | None
    pronoun: bool = False


def guess_claimant(sentence: str, language: str) -> str | None:
    """Return who the sentence quotes or attributes its content to, if anyone."""
    return find_claimant(sentence, language).name


def find_claimant(sentence: str, language: str) -> Claimant:
    lang = language.lower()[:2]
    decisive, preposed = _from_reporting_verbs(sentence, lang)
    if decisive is not None:
        return decisive
    if preposed is None and lang == "fr":
        after_quote = _from_french_quote(sentence)
        if after_quote is not None:
            return after_quote
    attribution = _attribution(sentence)
    if attribution.name or attribution.pronoun:
        return attribution
    return preposed or Claimant(None)


def _from_reporting_verbs(sentence: str, lang: str) -> tuple[Claimant | None, Claimant | None]:
    """Return (a claimant that settles the question, the first subject-before-verb guess)."""
    verbs, weak = _VERBS.get(lang, _VERBS["und"])
    preposed: Claimant | None = None
    for match in verbs.finditer(sentence):
        left = sentence[: match.start()]
        if match.group("inverted") or _INVERTED_AUX.search(left):
            return Claimant(None, pronoun=True), None
        bare = _strip_auxiliary(left)
        previous = bare.split()[-1].lower() if bare.split() else ""
        if previous in _NOUN_MARKERS:
            # "cette annonce", "la note": the verb form is a noun here.
            continue
        rest = sentence[match.end() :]
        if _AFTER_QUOTE.search(bare):
            after = _who_after(rest)
            if after.name or after.pronoun:
                return after, None
            continue
        verb = match.group("verb")
        if preposed is None and (verb not in weak or _THAT.match(rest)):
            before = _who_before(bare, clause_follows=_clause_follows(lang, verb, rest))
            preposed = before if before.name or before.pronoun else None
        if preposed is None and bare.rstrip().endswith(",") and _NAME_START.match(rest):
            # "Une évaluation … a montré …, souligne la sociologue Mélanie Faure."
            after = _who_after(rest)
            if after.name:
                return after, None
    return None, preposed


def _from_french_quote(sentence: str) -> Claimant | None:
    match = _FR_AFTER_QUOTE.search(sentence)
    if match is None:
        return None
    if match.group("pronoun"):
        return Claimant(None, pronoun=True)
    after = _who_after(match.group("rest"))
    return after if after.name or after.pronoun else None


def _clause_follows(lang: str, verb: str, rest: str) -> bool:
    """Whether a reported clause follows the verb, which makes a plain noun phrase before it a
    claimant ("Santé publique France estime que", "Scientists say rising temperatures")."""
    if _THAT_NEAR.match(rest):
        return True
    return lang == "en" and verb in _CLAUSE_VERBS_EN


def _strip_auxiliary(left: str) -> str:
    auxiliary = _AUXILIARY.search(left)
    return left[: auxiliary.start()] if auxiliary else left


def _who_after(text: str) -> Claimant:
    raw = _cut(text)
    first = raw.split()[0].lower() if raw.split() else ""
    if first in _PRONOUNS:
        return Claimant(None, pronoun=True)
    segments = [segment.strip() for segment in raw.split(",")][:2]
    for segment in segments:
        name = _person(segment)
        if name:
            return Claimant(name)
    return Claimant(_clean_phrase(_CUT_WORDS.split(segments[0])[0]) if segments else None)


def _who_before(text: str, *, clause_follows: bool) -> Claimant:
    clause = re.split(r"[»”\"«“]", text)[-1].strip(" ,\u00a0\u202f")
    if not clause:
        return Claimant(None)
    if clause.split()[-1].lower() in _PRONOUNS and len(clause.split()) <= 2:
        return Claimant(None, pronoun=True)
    segments = [segment.strip() for segment in clause.split(",") if segment.strip()]
    tail = _trailing_chunk(segments[-1])
    if tail and (len(tail.split()) >= 2 or _has_title(segments[-1], tail)):
        return Claimant(_strip_titles(tail))
    if len(segments) > 1:
        for segment in segments[:-1]:
            name = _person(segment)
            if name:
                return Claimant(name)
    last = segments[-1]
    if clause_follows and len(last.split()) <= _MAX_WORDS - 1 and last[:1].isupper():
        return Claimant(_clean_phrase(last))
    return Claimant(None)


def _attribution(sentence: str) -> Claimant:
    pour = _POUR.search(sentence)
    if pour:
        return Claimant(_strip_titles(pour.group("who")))
    match = _ATTRIBUTION.search(sentence)
    if match is None:
        return Claimant(None)
    raw = _cut(match.group("who")).split(",")[0].strip()
    if raw.split() and raw.split()[0].lower() in _PRONOUNS:
        return Claimant(None, pronoun=True)
    return Claimant(_clean_attribution(raw))


def _clean_attribution(raw: str) -> str | None:
    body = _DETERMINERS.sub("", raw, count=1)
    head = body.split(" ", 1)
    if head[0].lower() in _DOCUMENTS:
        rest = head[1] if len(head) > 1 else ""
        agent = _AGENT.search(" " + rest)
        rest = agent.group(1) if agent else _LEADING_LINK.sub("", rest, count=1)
        rest = _PARTICIPLE.split(" " + rest)[0].strip()
        if rest:
            return _clean_phrase(rest)
    cleaned = _clean_phrase(_PARTICIPLE.split(" " + body)[0].strip())
    if cleaned and cleaned[:1].islower():
        acronym = _ACRONYM.search(cleaned)
        if acronym:
            return acronym.group(1)
    return cleaned


def _cut(text: str) -> str:
    match = _CUT.search(text)
    return (text[: match.start()] if match else text).strip()


def _trailing_chunk(segment: str) -> str | None:
    last: str | None = None
    for match in _NAME_CHUNK.finditer(segment):
        if match.end() == len(segment.rstrip(" .")):
            last = match.group()
    return last


def _has_title(segment: str, chunk: str) -> bool:
    words = chunk.split()
    before = segment[: segment.rfind(chunk)].split()
    return words[0].lower() in _TITLES or bool(before and before[-1].lower() in _TITLES)


def _person(segment: str) -> str | None:
    """A proper name in ``segment`` that looks like a person's: two or more capitalised words
    once titles are removed, or a title followed by a surname ("M. Perrin")."""
    for match in _NAME_CHUNK.finditer(segment):
        chunk = match.group()
        if _ACRONYM_WORD.search(chunk):
            continue
        name = _strip_titles(chunk)
        if name and (len(name.split()) >= 2 or name != chunk.rstrip(".")):
            return name
    return None


def _strip_titles(chunk: str) -> str | None:
    words = chunk.replace("\u00a0", " ").split()
    while words and (words[0].lower() in _TITLES or words[0].lower() in _OPENING_WORDS):
        words.pop(0)
    while words and words[-1].lower() in {"de", "du", "des", "d'", "la", "le"}:
        words.pop()
    name = " ".join(words).rstrip(".,")
    return name or None


def _clean_phrase(phrase: str) -> str | None:
    phrase = phrase.strip(" ,.\u00a0\u202f")
    if not phrase or _POSSESSIVE.match(phrase):
        return None
    phrase = _DETERMINERS.sub("", phrase, count=1)
    phrase = _POSSESSOR.sub("", phrase, count=1)
    words = phrase.split()
    if not words or len(words) > _MAX_WORDS or words[0].lower() in _PRONOUNS:
        return None
    if words[0][:1].isupper() and words[0].lower() in _TITLES:
        return _strip_titles(phrase)
    return phrase


def person_names(sentence: str) -> list[str]:
    """Person-like names mentioned in ``sentence``, in order ("Julien Perrin", "M. Perrin")."""
    names = []
    for match in _NAME_CHUNK.finditer(sentence):
        name = _person(match.group())
        if name:
            names.append(name)
    return names
