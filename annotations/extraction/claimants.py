"""Who is quoted as making a claim: "selon l'Insee", "a déclaré X", "X said", "« … », dit X".

Patterns are tried from the most to the least reliable: a reporting verb right after a closing
quote or a comma ("« … », a déclaré la ministre, Claire Fontanel"), then an attribution
("selon", "d'après", "according to", "pour l'économiste X,"), then a reporting verb after its
subject ("Le député Pierre Caradec affirme que"). A pronoun subject ("a-t-elle ajouté", "he
said") is reported as such, and ``ClaimantResolver`` resolves it, a title ("la ministre", "the
company") or a bare surname from the rest of the article: pronouns within their paragraph only,
and no guess when the context names more than one candidate. Measured by bench/claimant_eval.py.
"""

# Typographic quotes and apostrophes are the data these rules read, not typos.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

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
    "juge jugé confirme confirmé justifié justifie salué salue requis craint cité cite "
    "réaffirmé réaffirme réitéré réitère disait déclarait affirmait assurait estimait "
    "indiquait expliquait soulignait rappelait jugeait relevait",
    "en": "said say says told tells stated claimed claims argued argues declared asserted "
    "contended insisted insists explained explains acknowledged admitted testified blamed "
    "promised pledged countered replied responded conceded alleged alleges warned warns "
    "announced announces tweeted confirmed confirms described describes urged urges cautioned "
    "cautions accused accuses hailed called calls",
}
# Verbs that also start plain narration ("employers added 175,000 jobs", "la note"): they
# name a claimant only right after a quote or comma, or when followed by "that"/"que".
_WEAK_VERBS = {
    "fr": "ajouté ajoute noté note lancé lance avancé avance relevé relève observé observe "
    "poursuivi poursuit glissé glisse demande demandé réclame réclamé appelle appelé souhaite "
    "montre montré révèle révélé",
    "en": "added adds noted notes wrote writes reported recalled suggested estimated "
    "estimates predicted predicts pointed found finds showed shows concluded concludes",
}
_GENERIC_VERBS = "said says told"
# The verbs that say someone said something ("a déclaré", "said"): claim matching reads them to
# find a clause that only attributes the claim.
REPORTING_VERBS = word_set(" ".join(_STRONG_VERBS.values()))


_Trie = dict[str, "_Trie"]  # a letter -> the rest; "" -> {} where a word ends


def _verb_pattern(words: str) -> str:
    """An alternation of ``words`` as a trie ("dé(?:clare|ment)"): the same matches as the
    words longest first, found in half the time (a flat list is tried word by word at every
    position of every sentence)."""
    tree: _Trie = {}
    for word in words.split():
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}
    return _trie_pattern(tree)


def _trie_pattern(node: _Trie) -> str:
    branches = [
        re.escape(letter) + _trie_pattern(rest) for letter, rest in sorted(node.items()) if letter
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A word may end here: the longer words are tried first (greedy), as in the flat list.
    return f"(?:{body})?" if "" in node else body


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
# Adverbs and asides between a subject and its verb ("Markus Feld a pour sa part évoqué",
# "The ONS also reported", "Charities have long argued").
_ADVERBIALS = (
    r"pour\s+(?:sa|leur)\s+part|de\s+(?:son|leur)\s+côté|quant\s+à\s+(?:lui|elle|eux)|"
    r"lui\s+aussi|elle\s+aussi|aussi|également|toutefois|pourtant|déjà|encore|ensuite|enfin|"
    r"alors|d['’]ailleurs|néanmoins|cependant|plusieurs\s+fois|à\s+nouveau|d['’]ores\s+et\s+déjà|"
    r"se|s['’]en|"
    r"also|long|however|then|later|again|previously|repeatedly|publicly|already|recently|"
    r"separately|further|still|since|first|once"
)
_AUXILIARY = re.compile(
    rf"(?:\b(?:a|ont|avait|avaient|has|had|have)\s+)?(?:\b(?:{_ADVERBIALS})\s+)*(?:\bpas\s+)?$"
)
# "has not said", "n'a jamais dit", "declined to say": nobody is quoted.
_NEGATED = re.compile(
    r"(?:\bnot|n['’]t|\bnever|\bpas|\bjamais|\bplus|\bdeclined\s+to|\brefused\s+to|"
    r"\brefus(?:e|é)\s+de|\bsans)\s+$",
    re.IGNORECASE,
)
# Lowercase words after a closing quote and a comma that do not report speech ("», tout en").
# "as the result was announced": a passive verb has no speaker in front of it.
_PASSIVE = re.compile(
    r"\b(?:was|were|been|being|is|are|be|été|est|sont|était|étaient|sera|seront)\s+$",
    re.IGNORECASE,
)
# _INVERTED_AUX and _AUXILIARY, anchored at the verb, are first searched in this many characters
# before it (and its trailing spaces), not in the whole sentence from every position (a fifth of
# attribution's time went there).
_TAIL = 80


def _negated_or_passive(left: str) -> bool:
    """Whether the verb after ``left`` is negated ("has not said") or passive ("was announced").

    Both patterns match at most two words and the spaces after them, so they are searched in
    the last three words joined by single spaces: the same answer as over the whole text."""
    if not left[-1:].isspace():
        return False
    tail = " ".join(left.rsplit(None, 3)[-3:]) + " "
    return bool(_NEGATED.search(tail) or _PASSIVE.search(tail))


def folded_case(text: str) -> str:
    """``text`` with case folded as re.IGNORECASE folds it (long s is "s", dotless and dotted
    capital i are "i"), for substring tests that stand before a case-insensitive pattern and
    must never miss its match."""
    return text.casefold().replace("\u0131", "i").replace("i\u0307", "i")


def _tail_search(pattern: re.Pattern[str], left: str) -> re.Match[str] | None:
    """``pattern.search(left)`` for a pattern anchored at the end whose match (spaces at the end
    aside) is at most _TAIL long; what comes before still counts for its \\b and lookbehinds."""
    return pattern.search(left, max(0, len(left.rstrip()) - _TAIL))


_ELIDED_ARTICLE = re.compile(r"^[ldLD]['’]")
_QUOTE_MARK = re.compile(r"[»”\"«“]")
_QUOTE_THEN_SUBJECT = re.compile(r"[»”\"]\s*,?\s*(?:\S+\s+){0,3}\S+\s*$")
_PARTICIPLE_SPEECH = re.compile(
    r",\s+(?:saying|telling|adding|arguing|insisting|noting|warning|claiming|stressing)\b|"
    r"\bby\s+saying\b|"
    r"\ben\s+(?:soulignant|affirmant|assurant|estimant|rappelant|expliquant|précisant|"
    r"ajoutant|déclarant|indiquant|martelant|dénonçant)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    rf"^\s*(?P<subject>(?:(?:[A-Z][a-z]+\s+)*[A-Z][a-z]+\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD})*"
    r"|il|elle|he|she|Il|Elle|He|She)(?:\s*,[^,]{1,80},)?\s+[a-zà-ÿ]"
)
_NOT_SPEECH = word_set(
    "tout toute mais et ou car donc puis alors soit selon dont qui que ce cette ces les des un "
    "une le la lors avant après depuis pendant comme même sans avec pour par en au aux à"
)
# An unnamed speaker: "un surveillant", "a resident", "some parents", "plusieurs élus".
_INDEFINITE = re.compile(
    r"^(?:un|une|a|an|some|several|many|most|other|others|plusieurs|certains|certaines|"
    r"quelques|d['’]autres|de\s+nombreux|de\s+nombreuses|nombre\s+de|beaucoup\s+de|"
    r"one|two|three|four|deux|trois|quatre|des)\b",
    re.IGNORECASE,
)
_AFTER_QUOTE = re.compile(r"[»”\"]\s*,?\s*$")
_THAT = re.compile(r"\s*(?:que\b|qu['’]|that\b)")
_THAT_NEAR = re.compile(r"\s+(?:[^\s«“\"]+\s+){0,4}?(?:que\b|qu['’]|that\b|[«“\":])")
_NAME_START = re.compile(
    rf"\s+(?:(?:le|la|les|l['’]|the)\s*)?[{_UPPER}]|\s+(?:le|la|l['’]|the)\s*\w+(?:\s|[.,;]|$)"
)
# In French, a lowercase word right after a closing quote and a comma is a speech verb,
# whatever it is ("« … », tacle le ministre", "« … », s'emporte-t-elle").
_FR_AFTER_QUOTE = re.compile(
    r"[»”\"]\s*,\s*(?:(?:a|ont)\s+)?(?:a-t-(?:il|elle)\s+)?(?P<word>[a-zà-ÿ'’]+)"
    r"(?:(?P<pronoun>(?:-t)?-(?:il|elle|ils|elles)\b)|(?P<rest>\s.*))"
)
_CLAUSE_VERBS_EN = word_set(
    "confirmed confirms said say says told tells claimed claims argued argues insisted insists contended asserted "
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
    rf"^[«“\"]?\s*(?:[Pp]our|[Ff]or)\s+(?:(?:l['’]|le\s+|la\s+)[a-zà-ÿ-]+\s*,?\s+)?"
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
    "figures estimates projections calculations audit review bulletin note communiqué relevé "
    "records results statement document documents rapports études"
)
_DOCUMENT_ADJECTIVES = word_set(
    "dernier dernière derniers dernières nouveau nouvelle nouveaux récent récente premier "
    "première latest new recent annual first last official officiel officielle provisional "
    "provisoire own"
)
_LINK = re.compile(
    r"\s(?:de\s+la|de\s+l['’]|des|du|de|d['’]|of\s+the|of|from\s+the|from|in)\s*(?=\S)"
)

_CAPITAL_SOON = re.compile(rf"^(?:(?:the|le|la|les)\s+)?(?:\w+\s+)?[{_UPPER}]")
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
_PLURAL_PRONOUNS = word_set("ils elles eux they them we nous on")
_PERSONAL_PRONOUNS = word_set("he she him her lui")
_TITLES = word_set(
    "m. mme mme. mlle me dr dr. pr pr. mr mr. mrs mrs. ms ms. sen. sen rep. rep gov. gov gen. "
    "prof. sir dame lord lady mayor senator representative governor president président "
    "présidente chair chairman chairwoman fed council member secretary minister ministre "
    "judge justice chief speaker state attorney general commissioner director ceo maître "
    "madame monsieur docteur professeur the le la les councillor councilor councilman "
    "councilwoman superintendent professor executive officer commander sheriff inspector "
    "detective sergeant constable chancellor vice-chancellor treasurer premier deputy "
    "ambassador bishop reverend rabbi dean coach captain"
)
_DETERMINER_WORDS = word_set("the le la les l' l’")
# "le Suédois Anders Holmqvist": a nationality before a name is not part of it.
_DEMONYM = re.compile(
    r"^[A-ZÀ-Þ][a-zà-ÿ]+(?:ois|oise|ais|aise|ien|ienne|and|ande|ain|aine|an|ane)$"
)
# Capitalised only because they open the sentence: "Selon Météo-France" names Météo-France.
_OPENING_WORDS = word_set(
    "selon pour for according mais et but and when quand si if in en dans à au aux avec with "
    "after après avant before since depuis chez interrogée interrogé asked outside inside along "
    "near across beside"
)
_MAX_WORDS = 9


@dataclass(frozen=True, slots=True)
class Claimant:
    """A guessed claimant: a name, or a pronoun to resolve from context, or nothing.

    ``plural`` marks "ils", "they" (never resolved: a group is not one claimant), ``personal``
    "he", "she" (a person, never an institution); ``anonymous`` an unnamed speaker ("témoigne
    un surveillant", "a resident said"), who is nobody to credit and stops a later pronoun from
    reaching past them.
    """

    name: str | None
    pronoun: bool = False
    plural: bool = False
    personal: bool = False
    anonymous: bool = False


def _pronoun(word: str) -> Claimant:
    word = word.lower().lstrip("-t").lstrip("-")
    return Claimant(
        None,
        pronoun=True,
        plural=word in _PLURAL_PRONOUNS,
        personal=word in _PERSONAL_PRONOUNS,
    )


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
    folded = folded_case(sentence)  # for the cheap tests before two case-insensitive patterns
    attribution = _attribution(sentence, folded)
    if attribution.name or attribution.pronoun or attribution.anonymous:
        return attribution
    return preposed or _subject_of_participle(sentence, lang, folded) or Claimant(None)


def _subject_of_participle(sentence: str, lang: str, folded: str) -> Claimant | None:
    """ "Ian Fairlie defended the change, saying …", "Castellano opened by saying that …",
    "Il a réagi en soulignant que …": the sentence's subject made the claim."""
    # A cheap test first (``folded``: the sentence's folded_case): every participle
    # _PARTICIPLE_SPEECH knows ends in -ing or -ant.
    if ("ing" not in folded and "ant" not in folded) or not _PARTICIPLE_SPEECH.search(sentence):
        return None
    subject = _SUBJECT.match(sentence)
    if subject is None:
        return None
    chunk = subject.group("subject")
    if chunk.lower() in _PRONOUNS:
        return _pronoun(chunk)
    name = _strip_titles(chunk)
    if not name or name.lower() in _OPENING_WORDS or _generic_plural(chunk):
        return None
    for start, _end, body in organisation_names(sentence[: subject.end("subject") + 60]):
        if start <= subject.end("subject") and " " in body and not is_person_name(body):
            return Claimant(body)  # "La Fédération nationale ovine réclame …, en soulignant"
    return Claimant(name)


def _from_reporting_verbs(sentence: str, lang: str) -> tuple[Claimant | None, Claimant | None]:
    """Return (a claimant that settles the question, the first subject-before-verb guess)."""
    verbs, weak = _VERBS.get(lang, _VERBS["und"])
    preposed: Claimant | None = None
    for match in verbs.finditer(sentence):
        left = sentence[: match.start()]
        if _inside_quote(left):
            continue
        inverted = match.group("inverted") or _tail_search(_INVERTED_AUX, left)
        if inverted:
            word = inverted if isinstance(inverted, str) else inverted.group()
            return _pronoun(word.rsplit("-", 1)[-1]), None
        if _negated_or_passive(left):
            continue
        bare = _strip_auxiliary(left)
        previous = bare.split()[-1].lower() if bare.split() else ""
        if previous in _NOUN_MARKERS:
            # "cette annonce", "la note": the verb form is a noun here.
            continue
        rest = sentence[match.end() :]
        if _AFTER_QUOTE.search(bare):
            after = _who_after(rest)
            if after.name or after.pronoun or after.anonymous:
                return after, None
            continue
        verb = match.group("verb")
        # "…," he added: a weak verb right after a quote and its subject reports it.
        quoted_subject = _QUOTE_THEN_SUBJECT.search(bare)
        if preposed is None and (verb not in weak or _THAT.match(rest) or quoted_subject):
            before = _who_before(bare, clause_follows=_clause_follows(lang, verb, rest))
            preposed = before if before.name or before.pronoun or before.anonymous else None
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
        return _pronoun(match.group("pronoun").rsplit("-", 1)[-1])
    word = match.group("word").lower()
    if word in _NOT_SPEECH or word.endswith("ant"):
        # "», soulignant que …": the speaker is the sentence's subject, found elsewhere.
        return None
    after = _who_after(match.group("rest"))
    return after if after.name or after.pronoun or after.anonymous else None


def _clause_follows(lang: str, verb: str, rest: str) -> bool:
    """Whether a reported clause follows the verb, which makes a plain noun phrase before it a
    claimant ("Santé publique France estime que", "Scientists say rising temperatures")."""
    if _THAT_NEAR.match(rest):
        return True
    return lang == "en" and verb in _CLAUSE_VERBS_EN


def _anonymous(phrase: str) -> bool:
    """ "un surveillant qui a requis l'anonymat", "a resident": an unnamed speaker (but "un
    rapport de la Cour des comptes" names who is credited)."""
    words = phrase.split()
    return (
        bool(_INDEFINITE.match(phrase))
        and len(words) <= _MAX_WORDS
        and not any(_ELIDED_ARTICLE.sub("", word)[:1].isupper() for word in words[1:])
    )


def _inside_quote(left: str) -> bool:
    """Whether the text ending here is inside a quotation (its verbs are the quoted speaker's
    words, not a report of them)."""
    opened = left.count("«") + left.count("“") - left.count("»") - left.count("”")
    return opened > 0 or left.count('"') % 2 == 1


def _strip_auxiliary(left: str) -> str:
    auxiliary = _tail_search(_AUXILIARY, left)
    if auxiliary and auxiliary.group():
        # A run of asides can be longer than the window ("has also long however then …"): the
        # whole text says where it starts. Nothing found near the verb means nothing at all.
        auxiliary = _AUXILIARY.search(left)
    return left[: auxiliary.start()] if auxiliary else left


def _who_after(text: str) -> Claimant:
    raw = _cut(text)
    first = raw.split()[0].lower() if raw.split() else ""
    if first in _PRONOUNS:
        return _pronoun(first)
    if _anonymous(raw):
        return Claimant(None, anonymous=True)
    segments = [segment.strip() for segment in raw.split(",")][:2]
    for segment in segments:
        name = _person(segment)
        if name:
            return Claimant(name)
    phrase = _CUT_WORDS.split(segments[0])[0] if segments else ""
    if _generic_plural(phrase):
        return Claimant(None)  # "…, rappellent les défenseurs de la mesure"
    return Claimant(_clean_phrase(phrase))


def _who_before(text: str, *, clause_follows: bool) -> Claimant:
    clause = _QUOTE_MARK.split(text)[-1].strip(" ,\u00a0\u202f")
    if not clause:
        return Claimant(None)
    words = clause.split()
    if words[-1].lower() in _PRONOUNS and len(words) <= 2:
        return _pronoun(words[-1])
    segments = [segment.strip() for segment in clause.split(",") if segment.strip()]
    if len(segments) == 1 and _anonymous(segments[0]):
        return Claimant(None, anonymous=True)
    # "Vela, who bikes to City Hall, said": a relative clause says nothing of who speaks.
    segments = [segment for segment in segments if not _RELATIVE.match(segment)] or segments
    found = _pronoun_segment(segments) or _apposition(segments) or _named_subject(segments)
    return found or _described_subject(segments[-1], clause_follows=clause_follows)


def _pronoun_segment(segments: list[str]) -> Claimant | None:
    last = segments[-1]
    if len(last.split()) != 1 or last.lower() not in _PRONOUNS:
        return None
    if len(segments) > 1 and last.lower() in {"lui", "elle", "eux", "elles"}:
        # "Son voisin, lui, assure": the stressed pronoun repeats the subject before it.
        return Claimant(_person(segments[-2]))
    # "…, where, he said, crashes had dropped": an incise.
    return _pronoun(last)


def _apposition(segments: list[str]) -> Claimant | None:
    """ "Priya Raman, chief economist at Halden Bank, said": the apposition describes the
    person (or the body) before it."""
    last = segments[-1]
    if len(segments) < 2 or not last[:1].islower():
        return None
    tail = _trailing_chunk(last)
    if tail is not None:
        before = last[: last.rfind(tail)].split()
        if not before or before[-1].lower() not in _AFFILIATION_WORDS:
            return None  # "…, la députée centriste Hélène Bastide a assuré"
    for segment in segments[:-1]:
        name = _person(segment)
        if name:
            return Claimant(name)
    body = _DETERMINERS.sub("", segments[-2]).strip()
    names = organisation_names(body)
    if (
        re.match(r"^(?:the|le|la|l['’])\s*", last, re.IGNORECASE)
        and names
        and names[0][0] == 0
        and names[0][1] >= len(body.rstrip(" ."))
        and " " in names[0][2]
    ):
        # "The Office for Students, the regulator for higher education, said"
        return Claimant(names[0][2])
    return None


def _named_subject(segments: list[str]) -> Claimant | None:
    last = segments[-1]
    of = _PERSON_OF.match(last)
    if of and is_person_name(_strip_titles(of.group(1)) or ""):
        # "Eleanor Vance of the Atlantic Seabird Project said"
        return Claimant(_strip_titles(of.group(1)))
    tail = _trailing_chunk(last)
    if tail and (len(tail.split()) >= 2 or _has_title(last, tail)):
        return Claimant(_without_demonym(last, tail, _strip_titles(tail)))
    for segment in segments[:-1]:
        name = _person(segment)
        if name:
            return Claimant(name)
    return None


def _described_subject(last: str, *, clause_follows: bool) -> Claimant:
    """ "Santé publique France estime que", "The company said", "La chercheuse insiste"."""
    titled = _DETERMINERS.match(last)
    known = bool(titled) and descriptor_head(_DETERMINERS.sub("", last)) in _KNOWN_HEADS
    if (
        (clause_follows or known)
        and len(last.split()) <= _MAX_WORDS - 1
        and (last[:1].isupper() or titled)
        and not _generic_plural(last)
    ):
        return Claimant(_clean_phrase(last))
    return Claimant(None)


_RELATIVE = re.compile(r"^(?:who|which|whose|qui|dont|où|lequel|laquelle)\b", re.IGNORECASE)


_AFFILIATION_WORDS = word_set("at of for from de du des d' d’ chez à au aux with within in")
_PERSON_OF = re.compile(
    rf"^(?:(?:the|le|la)\s+)?({_NAME_WORD}(?:\s+{_NAME_WORD})+)\s+(?:of|from|at|de|du|d['’])\s*\S"
)


def _generic_plural(phrase: str) -> bool:
    """ "Housing charities", "Les syndicats": a group, not a claimant. A single capitalised
    word is left to the resolver: "Critics" and "Coles" differ only by what the article says
    before."""
    words = _DETERMINERS.sub("", phrase.strip(), count=1).split()
    if not words or _ACRONYM_WORD.fullmatch(words[-1]):
        return False
    if _DETERMINERS.match(phrase.strip()) and words[0][:1].isupper():
        return False  # "La Fédération des loueurs saisonniers": a name
    if len(words) == 1 and words[0][:1].isupper() and not _DETERMINERS.match(phrase.strip()):
        return False

    last = words[-1].lower()
    plural = (last.endswith("s") and not last.endswith(("ss", "us"))) or last.endswith("x")
    return plural and all(word[:1].islower() for word in words[1:])


def _without_demonym(segment: str, chunk: str, name: str | None) -> str | None:
    """ "le Suédois Anders Holmqvist" -> "Anders Holmqvist"."""
    if name is None:
        return None
    words = name.split()
    before = segment[: segment.rfind(chunk)].split()
    if (
        len(words) >= 3
        and _DEMONYM.match(words[0])
        and before
        and before[-1].lower()
        in {
            "le",
            "la",
            "the",
        }
    ):
        return " ".join(words[1:])
    return name


def _attribution(sentence: str, folded: str) -> Claimant:
    pour = _POUR.search(sentence)
    if pour:
        return Claimant(_strip_titles(pour.group("who")))
    if "selon" not in folded and "après" not in folded and "according" not in folded:
        return Claimant(None)  # none of _ATTRIBUTION's words: a cheap test first
    match = _ATTRIBUTION.search(sentence)
    if match is None:
        return Claimant(None)
    raw = _cut(match.group("who")).split(",")[0].strip()
    if raw.split() and raw.split()[0].lower() in _PRONOUNS:
        return _pronoun(raw.split()[0])
    if _anonymous(raw):
        return Claimant(None, anonymous=True)
    return Claimant(_clean_attribution(raw))


def _clean_attribution(raw: str) -> str | None:
    body = _DETERMINERS.sub("", raw, count=1)
    words = body.split()
    while len(words) > 1 and words[0].lower() in _DOCUMENT_ADJECTIVES:
        words.pop(0)
    body = " ".join(words)
    head = body.split(" ", 1)
    first = head[0].lower()
    second = head[1].split()[0].lower() if len(head) > 1 and head[1].split() else ""
    plural_people = first[-1:] in {"s", "x"} and first[:1].isalpha() and head[0][:1].islower()
    if first in _DOCUMENTS or second in _DOCUMENTS or plural_people:
        # "l'enquête annuelle de Santé publique France publiée jeudi", "les inspecteurs de
        # l'Office français de la biodiversité", "figures published by Westmoor Police".
        rest = head[1] if len(head) > 1 else ""
        agent = _AGENT.search(" " + rest)
        if agent:
            rest = agent.group(1)
        else:
            text = " " + rest
            links = [text[link.end() :] for link in _LINK.finditer(text)]
            named = [what for what in links if _CAPITAL_SOON.match(what)]
            chosen = named[0] if named else (links[-1] if links and not plural_people else None)
            if not named and rest[:1].isupper():
                chosen = rest  # "un sondage Ifop publié dimanche"
            rest = chosen or ""
        rest = _PARTICIPLE.split(" " + rest)[0].strip()
        rest = _CUT_WORDS.split(" " + rest)[0].strip()
        if rest:
            return _clean_phrase(rest)
        if plural_people:
            return None
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
        bare = " ".join(
            word
            for word in chunk.split()
            if word.lower() not in _DETERMINER_WORDS and word.lower() not in _OPENING_WORDS
        ).rstrip(".")
        if name and (len(name.split()) >= 2 or name != bare):
            return _trim_name(name, segment[: match.start()])
    return None


def _trim_name(name: str, before: str) -> str:
    """Drop what ran into a name from before it: "le Suédois Anders Holmqvist", "le sénateur
    de la Drôme Gilles Pétrier"."""
    words = name.split()
    previous = before.rsplit(maxsplit=1)[-1].lower() if before.split() else ""
    if len(words) >= 3 and (
        (_DEMONYM.match(words[0]) and previous in {"le", "la", "the"})
        or previous in {"la", "du", "des", "de", "of", "l'", "l’", "d'", "d’"}
        or re.search(r"\b[dl]['’]$", before)
    ):
        return " ".join(words[1:])
    return name


def _strip_titles(chunk: str) -> str | None:
    words = chunk.replace("\u00a0", " ").split()
    while words and (words[0].lower() in _TITLES or words[0].lower() in _OPENING_WORDS):
        words.pop(0)
    # "Agriculture Minister Paulo Nsema", "Assistant District Attorney Lena Ortiz": the name
    # starts after the last title word.
    last_title = max(
        (i for i, word in enumerate(words[:-1]) if word.lower().rstrip(".") in _TITLES), default=-1
    )
    if last_title >= 0 and words[last_title + 1].lower() not in _BODIES:
        words = words[last_title + 1 :]
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
        # "Premier ministre" is all title: kept whole for the resolver to read as one.
        return _strip_titles(phrase) or phrase
    return phrase


def person_names(sentence: str) -> list[str]:
    """Person-like names mentioned in ``sentence``, in order ("Julien Perrin", "M. Perrin")."""
    names = []
    for match in _NAME_CHUNK.finditer(sentence):
        name = _person(match.group())
        if name:
            names.append(name)
    return names


# --- Resolving a guess against the rest of the article ---------------------------------------

# How far back a pronoun or a title ("elle", "la ministre", "the senator") looks, within its
# paragraph, and how far back a title looks for the sentence that introduced it with a name.
_PRONOUN_LOOKBACK = 4
_INTRODUCTION_LOOKBACK = 30
# The longest gap between a title and the name it is put next to ("le ministre du Travail,
# Étienne Marchal", "Nadia Ferrand, députée de l'Isère").
_APPOSITION_GAP = 45
# Head nouns of bodies: "l'agence", "the company" stand for an institution, never a person.
_BODIES = word_set(
    "agence institut institution office bureau banque cour conseil commission comité ministère "
    "département direction service syndicat union fédération confédération association "
    "organisation société entreprise groupe fondation université école hôpital centre police "
    "gouvernement parlement assemblée sénat club fonds observatoire autorité cabinet plateforme "
    "rapport étude enquête bulletin source régulateur firme préfecture mairie municipalité "
    "agency institute bank court council commission committee ministry department service union "
    "federation association organisation organization company corporation group firm "
    "foundation university school college hospital centre center government parliament senate "
    "club fund observatory authority regulator report study survey trust charity board "
    "energy water brands holdings motors airlines airways capital partners systems foods media "
    "homes rail railways offshore power steel pharma labs technologies solutions industries "
    "insurance logistics telecom press times news post herald journal inc ltd plc llc sa sas "
    "spokesperson spokesman spokeswoman statement club team network operator utility"
)
# Titles and roles that stand for a person named before ("la ministre", "the senator").
# Places: never a person, never a body that speaks ("Harbor Street", "Marine Parade").
_PLACES = word_set(
    "street avenue road square parade boulevard lane bridge park river lake valley hill "
    "mountain island bay coast county district region province rue place quai pont parc "
    "fleuve rivière lac vallée île baie côte région département canton"
)
_ROLES = word_set(
    "ministre maire député députée sénateur sénatrice élu élue président présidente directeur "
    "directrice procureur procureure juge avocat avocate chercheur chercheuse scientifique "
    "économiste sociologue démographe médecin pédiatre infectiologue professeur professeure "
    "rapporteur rapporteure porte-parole secrétaire préfet préfète athlète entraîneur "
    "sélectionneur joueur joueuse dirigeant dirigeante patron patronne syndicaliste militant "
    "militante adjoint adjointe conseiller conseillère candidat candidate commissaire expert "
    "experte éleveur éleveuse agriculteur agricultrice édile responsable fondateur fondatrice "
    "gérant gérante auteur autrice historien historienne climatologue épidémiologiste "
    "senator mayor minister secretary governor councillor councilman councilwoman councilor "
    "judge prosecutor lawyer attorney economist researcher scientist professor doctor "
    "president chair chairman chairwoman chief executive director superintendent commissioner "
    "candidate officer sheriff coach manager treasurer representative congressman "
    "congresswoman lawmaker incumbent challenger chancellor vice-chancellor author analyst "
    "activist campaigner leader founder owner head principal inspector official"
)
_PARTICLES = word_set("de du des d' d’ la le van von der den di da dos del bin ben al y")
_CONNECTORS = word_set("de du des d' d’ la le l' l’ contre pour sur et of for and on the")
_ORG_START = re.compile(rf"(?:(?<=\b[lLdD]['’])|(?<![\w'’-]))[{_UPPER}][\w'’-]*")
_ADJECTIVE = re.compile(
    r"(?:ique|iques|ale|al|aux|ales|aire|aires|ien|ienne|ais|aise|ois|oise|el|elle|if|ive|"
    r"eur|euse|iste|ier|ière|ain|aine|al|an|ane|éen|éenne|ine)$"
)
_LOWER_STOPS = word_set(
    "a ont est sont était sera avait qui que qu' qu’ dont où après avant lors dans en à au aux "
    "par avec depuis pendant selon has have had is was were are said says who which that since "
    "in at after by with from to as"
)
_OWNER_LINK = re.compile(r"\s*(?:de\s+la|de\s+l['’]|du|des|de|d['’]|of\s+the|of|for)\s*")
_PLURAL_WORD = re.compile(r"(?<![su])s$")
_CAPITALISED = re.compile(rf"(?<![\w'’-])[{_UPPER}][\w’'-]+")
_DISTINCT_BODIES = word_set(
    "gouvernement government police parlement parliament assemblée assembly sénat senate "
    "opposition majorité mairie préfecture ministère ministry département department justice "
    "cour court conseil council tribunal commission committee comité"
)
_TITLE_LEADS = word_set(
    "le la l' l’ les the his her its their son sa ses leur notre our a an un une ce cette this"
)
_DETERMINERS_START = word_set("le la les l' l’ the a an un une des du de d' d’ ce cette")
_ACRONYM_STOPWORDS = word_set(
    "de du des d la le les l et pour contre sur en à aux of for and the on in"
)


def is_person_name(name: str) -> bool:
    """Two to five capitalised words (particles allowed), none naming a body: "Claire Dupont",
    "Gaëlle Le Floch", not "Banque de France" or "Santé publique France"."""
    words = name.replace("\u00a0", " ").split()
    if not 2 <= len(words) <= 5 or any(char.isdigit() for char in name):
        return False
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        low = word.lower()
        if not word[:1].isupper() or low in _BODIES or low in _PLACES:
            return False
        if _ACRONYM_WORD.fullmatch(word):
            return False
    return words[0].lower() not in _PARTICLES


def descriptor_head(name: str) -> str | None:
    """The head noun when ``name`` is a description rather than a name ("ministre", "the
    company" -> "company", "athlète de 29 ans" -> "athlète"), else None."""
    words = name.replace("\u00a0", " ").split()
    if len(words) == 2 and words[1].lower() in _ROLES and words[1][:1].islower():
        return words[1]  # "Premier ministre", "UN agency"
    if not words or (words[0][:1].isupper() and not _ACRONYM_WORD.fullmatch(words[0])):
        return None
    head: str | None = None
    if len(words) == 1:
        head = None if words[0][:1].isupper() else words[0].lower()  # not "OCDE"
    elif (
        len(words) <= 3
        and words[-1][:1].islower()
        and all(w.lower() not in _CONNECTORS for w in words)
    ):
        # English compounds: "UN agency", "university spokesperson"; French noun + adjective
        # ("responsable syndical") keeps its first word.
        last = words[-1].lower()
        head = last if last in _BODIES or last in _ROLES else words[0].lower()
    elif any(char.isdigit() for char in name) or not any(
        _ELIDED_ARTICLE.sub("", w)[:1].isupper() for w in words
    ):
        head = words[0].lower()
    return head


_ELIDED_CAPITAL = re.compile(r"[LD]['’]")
_ELIDED_LOWER = re.compile(r"(?:l|d)['’].+")
_NON_SPACE = re.compile(r"\S+")


def organisation_names(sentence: str) -> list[tuple[int, int, str]]:
    """Names of bodies in ``sentence`` with their spans: a capitalised word and what carries
    on its name ("Organisation mondiale de la santé", "Office for National Statistics",
    "Cour des comptes"), stopping at a verb, a preposition or punctuation."""
    found: list[tuple[int, int, str]] = []
    position = 0
    while True:
        match = _ORG_START.search(sentence, position)
        if match is None:
            return found
        position = match.end()
        start = match.start() + (2 if _ELIDED_CAPITAL.match(match.group()) else 0)
        opening = sentence[start : match.end()].lower().replace("’", "'")
        if opening in _OPENING_WORDS or opening in _DETERMINERS_START or opening == "d'après":
            continue
        words = [sentence[start : match.end()]]
        end = match.end()
        previous = "name"
        for token in _NON_SPACE.finditer(sentence, match.end()):
            word = token.group()
            bare = word.rstrip(',;:.)»”"')
            kind = _org_word_kind(word, bare, previous, words)
            if kind is None:
                break
            words.append(bare)
            end = token.start() + len(bare)
            previous = kind
            if bare != word:
                break
        while len(words) > 1 and words[-1].lower() in _CONNECTORS:
            end = sentence.rindex(words.pop(), start, end)
            end = start + len(sentence[start:end].rstrip())
        found.append((start, end, " ".join(words)))
        position = max(end, position)


def _org_word_kind(word: str, bare: str, previous: str, words: list[str]) -> str | None:
    """How ``word`` carries on a body's name ("name", "connector", "noun", "adjective"), or
    None where the name stops."""
    low = bare.lower()
    kind: str | None = None
    if word[:1] in '«“"(' or not bare:
        kind = None
    elif low in _CONNECTORS:
        # "Eleanor Vance of the Atlantic Seabird Project": a person's name ends before "of".
        kind = None if is_person_name(" ".join(words)) else "connector"
    elif _ELIDED_LOWER.fullmatch(low):
        if bare[2:][:1].isupper():
            kind = "name"
        elif previous == "connector":
            kind = "noun"
    elif bare[:1].isupper():
        kind = "name"
    elif low in _LOWER_STOPS or low in _STRONG_WORDS:
        kind = None
    elif previous == "connector":
        kind = "noun"
    elif _ADJECTIVE.search(low) and previous in {"name", "noun", "adjective"}:
        kind = "adjective"
    return kind


_STRONG_WORDS = frozenset(
    " ".join(_STRONG_VERBS.values()).split() + " ".join(_WEAK_VERBS.values()).split()
)


def _apposed(
    sentence: str, head_span: tuple[int, int], name_span: tuple[int, int, str], *, body: bool
) -> tuple[int, str] | None:
    """(distance, name) when the title at ``head_span`` is put next to the name, else None."""
    head_start, head_end = head_span
    start, end, name = name_span
    # "le ministre délégué, Arnaud Vasseur": after a determiner or a possessive the title
    # comes before its name; bare ("Nadia Ferrand, députée") it may follow it.
    before = sentence[:head_start].split()
    leading = bool(before) and before[-1].lower() in _TITLE_LEADS
    if start <= head_start < end:
        gap = 0
    elif head_end <= start:
        gap = start - head_end
    elif end <= head_start and not leading:
        gap = head_start - end
    else:
        return None
    between = sentence[min(head_end, end) : max(head_start, start)]
    if gap > _APPOSITION_GAP or re.search(r"[.;«»“”\"]", between):
        return None
    if body and head_end <= start and _OWNER_LINK.fullmatch(between):
        # "le ministère de l'Éducation nationale" is named by all of it.
        name = sentence[head_start:end]
    return gap, name


def _is_place(name: str) -> bool:
    return any(word.lower() in _PLACES for word in name.split())


def _follows_connector(sentence: str, name: str) -> bool:
    """Whether ``name`` is written right after a link word ("for National Statistics")."""
    start = sentence.find(name)
    while start != -1:
        before = sentence[:start].split()
        if before and before[-1].lower() in _CONNECTORS:
            return True
        start = sentence.find(name, start + 1)
    return False


def _single_spaced(text: str) -> str:
    """The text with every run of spaces as one space, as names are joined."""
    return " ".join(text.split())


_WORD = re.compile(r"\w+")


def _initials(name: str) -> str:
    words = re.split(r"[\s'’-]+", name)
    return "".join(word[0] for word in words if word and word.lower() not in _ACRONYM_STOPWORDS)


class ClaimantResolver:
    """Claimants of an article's sentences, with pronouns, titles and short names resolved.

    "« … », a-t-elle ajouté" and "la ministre a jugé" take the claimant named before them in
    the same paragraph (never across a paragraph break: ``paragraphs`` gives each sentence's
    paragraph, all one paragraph when None); "M. Perrin" takes the full name used earlier in
    the article ("Julien Perrin"), "l'AFLD" the name its initials stand for. When the context
    does not settle who is meant, the answer is None: no guess rather than a wrong one.
    Guesses are computed lazily and cached, so only the sentences that need one pay for it.
    """

    def __init__(
        self, sentences: Sequence[str], language: str, paragraphs: Sequence[int] | None = None
    ) -> None:
        self._sentences = sentences
        self._language = language
        self._paragraphs = list(paragraphs) if paragraphs is not None else [0] * len(sentences)
        if len(self._paragraphs) != len(sentences):
            raise ValueError("one paragraph number per sentence")
        self._resolved: dict[int, str | None] = {}
        self._guesses: dict[int, Claimant] = {}
        self._names: dict[int, list[str]] = {}
        self._organisations: dict[int, list[tuple[int, int, str]]] = {}
        self._spans: dict[tuple[int, bool], list[tuple[int, int, str]]] = {}
        # Per sentence, computed on first use: looking back over 30 sentences for each title,
        # acronym or surname read the same sentences again and again.
        self._folded_sentences: dict[int, str] = {}
        self._spaced: dict[int, str] = {}
        self._starts: dict[int, frozenset[str]] = {}

        # Surname -> (sentence positions, full names) of its mentions, in text order; filled
        # per surname, on its first lookup.
        self._by_surname: dict[str, tuple[list[int], list[str]]] = {}

    def at(self, index: int) -> str | None:
        if index not in self._resolved:
            self._resolved[index] = None  # a cycle reads "nobody", never recurses forever
            self._resolved[index] = self._resolve(index)
        return self._resolved[index]

    def guess(self, index: int) -> Claimant:
        if index not in self._guesses:
            self._guesses[index] = find_claimant(self._sentences[index], self._language)
        return self._guesses[index]

    def _resolve(self, index: int) -> str | None:
        guess = self.guess(index)
        if guess.pronoun:
            return self._antecedent(index, guess)
        name = guess.name
        if guess.anonymous or not name:
            return None
        head = descriptor_head(name)
        if head is not None:
            return self._described(index, name, head)
        if " " in name:
            return self._whole_organisation(index, name)
        return self._one_word(index, name)

    def _one_word(self, index: int, name: str) -> str | None:
        """ "Perrin" -> "Julien Perrin", "AFLD" -> its full name, "Critics" -> nobody."""
        if _ACRONYM_WORD.fullmatch(name):
            return self._acronym(index, name)
        full = self._full_name(index, name)
        opening = self._sentences[index].lstrip(' «“"').startswith(name)
        if full == name and opening and _PLURAL_WORD.search(name):
            return None  # "Critics say", "Republicans argued": a group
        return full

    def _same_paragraph(self, index: int) -> range:
        first = max(0, index - _PRONOUN_LOOKBACK)
        while first < index and self._paragraphs[first] != self._paragraphs[index]:
            first += 1
        return range(index - 1, first - 1, -1)

    def _antecedent(self, index: int, guess: Claimant) -> str | None:
        """The claimant or the one person named just before, in the same paragraph."""
        for previous in [] if guess.plural else self._same_paragraph(index):
            if self.guess(previous).anonymous:
                break
            claimant = self.at(previous)
            if claimant:
                # "he", "she" never stand for a body.
                return None if guess.personal and not is_person_name(claimant) else claimant
            people = list(dict.fromkeys(self._people_in(previous)))
            if people:
                return people[0] if len(people) == 1 else None
        return None

    def _people_in(self, index: int) -> list[str]:
        """Full names of the people a sentence mentions: "Claire Dupont", "M. Dupont", or a
        bare "Kaur" the article named in full before."""
        people = [
            self._full_name(index, name)
            for name in self._mentions(index)
            if " " not in name or is_person_name(name)
        ]
        for word in _CAPITALISED.findall(self._sentences[index]):
            full = self._person_named(index, word)
            if full and is_person_name(full) and full not in people:
                people.append(full)
        return people

    def _described(self, index: int, name: str, head: str) -> str | None:
        """Who "la ministre", "the company", "l'agence" stands for, if the article says."""
        body = head in _BODIES
        introduced = self._introduction(index, head, body=body)
        if introduced:
            return introduced
        if head not in _BODIES and head not in _ROLES:
            # A word the article never put next to a name ("l'opposition"): nobody to credit.
            return None
        # Otherwise the one person (or body) the paragraph has named so far, if only one.
        named: list[str] = []
        # "le gouvernement", "the police" are not whichever body was quoted last.
        paragraph = range(0) if head in _DISTINCT_BODIES else self._same_paragraph(index)
        for previous in paragraph:
            if self.guess(previous).anonymous:
                break
            claimant = self.at(previous)
            if claimant and is_person_name(claimant) != body:
                named.append(claimant)
            if not body:
                named += [
                    self._full_name(previous, person)
                    for person in self._mentions(previous)
                    if is_person_name(person)
                ]
            else:
                named += [
                    name
                    for _start, _end, name in self._organisations_in(previous)
                    if " " in name and not is_person_name(name) and not _is_place(name)
                ]
        if len(set(named)) == 1:
            return named[0]
        if body:
            for previous in range(index - 1, max(-1, index - _INTRODUCTION_LOOKBACK), -1):
                claimant = self.at(previous)
                if claimant and head in claimant.lower().split():
                    return claimant
        return None

    def _introduction(self, index: int, head: str, *, body: bool) -> str | None:
        """The name a title was put next to in this sentence or one before it ("le ministre du
        Travail, Étienne Marchal" for "le ministre"; "l'Agence française de …" for "l'agence")."""
        pattern = _head_pattern(head)
        folded_head = folded_case(head)
        for position in range(index, max(-1, index - _INTRODUCTION_LOOKBACK), -1):
            if folded_head not in self._folded(position):
                continue  # a cheap test first: the title is not written here in any case
            sentence = self._sentences[position]
            heads = [match.span() for match in pattern.finditer(sentence)]
            if not heads:
                continue
            names = self._named_spans(position, body=body)
            pairs = [
                pair
                for head_span in heads
                for name_span in names
                if (pair := _apposed(sentence, head_span, name_span, body=body)) is not None
            ]
            if pairs:
                return min(pairs, key=lambda pair: pair[0])[1]
        return None

    def _named_spans(self, position: int, *, body: bool) -> list[tuple[int, int, str]]:
        key = (position, body)
        if key in self._spans:
            return self._spans[key]
        sentence = self._sentences[position]
        spans = []
        if body:
            spans = [
                (start, end, name)
                for start, end, name in self._organisations_in(position)
                if not is_person_name(name) and " " in name
            ]
        else:
            for match in _NAME_CHUNK.finditer(sentence):
                name = _person(match.group())
                if name and " " in name:
                    name = _trim_name(name, sentence[: match.start()])
                    spans.append((match.start(), match.end(), name))
        self._spans[key] = spans
        return spans

    def _organisations_in(self, position: int) -> list[tuple[int, int, str]]:
        if position not in self._organisations:
            self._organisations[position] = organisation_names(self._sentences[position])
        return self._organisations[position]

    def _acronym(self, index: int, acronym: str) -> str:
        """The name whose initials the acronym is, in this sentence or one before it."""
        letters = set(acronym.upper())
        for position in range(index, max(-1, index - _INTRODUCTION_LOOKBACK), -1):
            if not letters <= self._initial_letters(position):
                continue  # no name here has these initials: its bodies need not be read
            for _start, _end, name in self._organisations_in(position):
                if " " in name and _initials(name).upper() == acronym:
                    return name
        return acronym

    def _whole_organisation(self, index: int, name: str) -> str:
        """ "National Statistics" is the tail of "Office for National Statistics" here."""
        if not _follows_connector(self._single_spaced(index), name):
            return name
        for _start, _end, found in self._organisations_in(index):
            if found != name and found.endswith(" " + name):
                # Only the tail after a link word: "Office for | National Statistics", never a
                # person's name grown with what stood before it.
                before = found[: -len(name)].split()
                if before and before[-1].lower() in _CONNECTORS and not is_person_name(found):
                    return found
        return name

    def _full_name(self, index: int, surname: str) -> str:
        """The full name last mentioned ending with this surname, in this sentence or before;
        else a body's name starting with it ("Keller" for "Keller Brands")."""
        person = self._person_named(index, surname)
        if person:
            return person
        for position in range(index, max(-1, index - _INTRODUCTION_LOOKBACK), -1):
            if surname not in self._single_spaced(position):
                continue  # bodies' names are words of the text, joined by single spaces
            for _start, _end, name in self._organisations_in(position):
                if name.startswith(surname + " "):
                    return name
        return surname

    def _person_named(self, index: int, surname: str) -> str | None:
        """The full name last mentioned ending with this surname, in this sentence or before."""
        if surname not in self._by_surname:
            # One pass per surname over the article, reading names only where the word is
            # written: reading every sentence's names for each bare surname made an article of
            # thousands of "selon l'Insee" quadratic, and reading them all once cost every
            # article that has a bare surname more than its own scoring.
            positions: list[int] = []
            names: list[str] = []
            for position, sentence in enumerate(self._sentences):
                if surname not in sentence:
                    continue
                for name in self._mentions(position):
                    if " " in name and name.rsplit(" ", 1)[1] == surname:
                        positions.append(position)
                        names.append(name)
            self._by_surname[surname] = (positions, names)
        positions, names = self._by_surname[surname]
        found = bisect_right(positions, index)
        return names[found - 1] if found else None

    def _folded(self, position: int) -> str:
        if position not in self._folded_sentences:
            self._folded_sentences[position] = folded_case(self._sentences[position])
        return self._folded_sentences[position]

    def _single_spaced(self, position: int) -> str:
        if position not in self._spaced:
            self._spaced[position] = _single_spaced(self._sentences[position])
        return self._spaced[position]

    def _initial_letters(self, position: int) -> frozenset[str]:
        """The upper-cased first letters of the sentence's words."""
        if position not in self._starts:
            words = _WORD.findall(self._sentences[position])
            self._starts[position] = frozenset(word[0].upper() for word in words)
        return self._starts[position]

    def _mentions(self, index: int) -> list[str]:
        if index not in self._names:
            self._names[index] = person_names(self._sentences[index])
        return self._names[index]


@lru_cache(maxsize=256)
def _head_pattern(head: str) -> re.Pattern[str]:
    """ "ministre" or "ministres" as a word of its own, in any case."""
    return re.compile(rf"(?<![\w'’-]){re.escape(head)}s?(?![\w'’-])", re.IGNORECASE)


_KNOWN_HEADS = _ROLES | _BODIES
