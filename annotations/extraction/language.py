"""Language identification from stopword profiles and writing systems.

News text is dense in function words, so counting hits against a short list per language
separates the Latin-script languages the workbench meets; other scripts mostly identify
themselves. When the evidence is thin or two languages are close, the answer is "und"
(undetermined) and the extractor falls back to generic rules.
"""

# Typographic quotes and apostrophes are the data these rules read, not typos.

from __future__ import annotations

import re
from collections import Counter

from .lexicon import word_set

UNDETERMINED = "und"

# Frequent function words. A word shared by several languages ("de", "la", "que") counts for
# each of them; the words a language does not share decide.
_PROFILES: dict[str, frozenset[str]] = {
    "en": word_set(
        "the a and of to in is that it was for on are with as his they be at this have from "
        "by not but what were which their has would been will there said who more its than "
        "an or had he she we you them these those into about when also after over up out "
        "all can do if so just"
    ),
    "fr": word_set(
        "le la les des du de et est une un que qui dans pour pas sur au aux avec ce cette il "
        "elle ils sont ont mais plus par son sa ses été était nous vous leur selon entre aussi "
        "où comme ne lui fait dont été être avait deux après"
    ),
    "de": word_set(
        "der die das und ist nicht ein eine zu den mit von sich des auf für im dem auch es "
        "an als wird werden hat nach bei aus wie noch oder sind war einer über dass vor nur "
        "ich sie er wir haben kann"
    ),
    "es": word_set(
        "el los las y que del en un una por con para es se lo su al como más pero sus le ya "
        "fue este esta ha muy también entre cuando sobre sin desde hay han porque según"
    ),
    "it": word_set(
        "il di che e la per un una non sono del della dei delle con si è nel alla al anche più "
        "ma come questo gli le da ha hanno stato essere dal sul loro secondo nella"
    ),
    "nl": word_set(
        "de het een en van is dat op te in niet zijn met voor die er maar ook als bij door "
        "dan aan naar om nog wordt werd heeft hebben deze meer over uit worden tot wij ze"
    ),
    "pt": word_set(
        "o os as de do da dos das que e em um uma não para com por no na nos se mais ao como "
        "foi são mas à pelo pela seu sua também já ele ela está entre quando muito segundo"
    ),
}
_WORD = re.compile(r"[^\W\d_]+")
# Letters a language owns among the Latin-script ones: a weak tie-breaker, never decisive alone
# (counted with str.count, which costs next to nothing next to a regex).
_MARKS: dict[str, str] = {"fr": "œîûùêë", "es": "ñ¿¡", "pt": "ãõ", "de": "ßäöü", "it": "ìò"}
_SAMPLE_CHARS = 2000
_MIN_HITS = 3
_MIN_MARGIN = 1.25
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20cf]")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff]")),
)
_UKRAINIAN = re.compile(r"[іїєґ]", re.IGNORECASE)
_PERSIAN_URDU = re.compile(r"[پچژگکیےۓ]")


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of ``text``'s language, or "und" when unsure.

    Recognised: fr, en, de, es, it, nl, pt by stopwords; ja, ko, zh, el, he, th, hi, ru, uk, ar
    by writing system. Only the first few thousand characters are read.
    """
    sample = text[:_SAMPLE_CHARS]
    if _NON_LATIN.search(sample):
        by_script = _detect_script(sample)
        if by_script is not None:
            return by_script
    return _detect_latin(sample.lower())


def _detect_script(sample: str) -> str | None:
    letters = sum(1 for _ in _WORD.finditer(sample)) or 1
    counts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPTS}
    name, count = max(counts.items(), key=lambda item: item[1])
    # Kanji and kana mix in Japanese: any kana means Japanese rather than Chinese.
    if counts["ja"] and name == "zh":
        name, count = "ja", counts["zh"] + counts["ja"]
    if count < max(3, letters // 4):
        return None
    if name == "cyrillic":
        return "uk" if _UKRAINIAN.search(sample) else "ru"
    if name == "arabic":
        return UNDETERMINED if _PERSIAN_URDU.search(sample) else "ar"
    return name


def _detect_latin(lowered: str) -> str:
    words = _WORD.findall(lowered)
    if len(words) < 3:
        return UNDETERMINED
    counts = Counter(words)
    scores: dict[str, float] = {}
    for language, profile in _PROFILES.items():
        hits = sum(counts[word] for word in profile.intersection(counts))
        marks = sum(lowered.count(char) for char in _MARKS.get(language, ""))
        scores[language] = hits + min(marks, hits) * 0.5
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < _MIN_HITS or best_score < second_score * _MIN_MARGIN:
        return UNDETERMINED
    return best


def normalise_language(code: str | None) -> str | None:
    """Reduce a language tag ("fr-FR", "EN", "pt_BR") to its ISO 639-1 primary subtag."""
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return primary or None
