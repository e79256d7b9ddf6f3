"""The rule scorer: claim kinds, explainable weights, and what it must not mistake for claims."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.extraction.scoring import BIAS, KINDS, RuleScorer, SentenceScorer

RULES = RuleScorer()
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("sentence", "language", "kind"),
    [
        ("Le taux de chômage a reculé à 7,1 % au troisième trimestre.", "fr", "quantity"),
        ("Une trentaine de départements restent en vigilance orange.", "fr", "quantity"),
        ("Les chômeurs de longue durée attendent plus de 40 mois.", "fr", "quantity"),
        ("Two-thirds of the victims were older than 75.", "en", "quantity"),
        ("Le déficit public devrait atteindre 5 % du PIB en 2027.", "fr", "prediction"),
        ("The deficit will reach $2 trillion by 2030.", "en", "prediction"),
        ("La hausse des prix s'explique par la flambée de l'énergie.", "fr", "causation"),
        ("Prices rose because of the drought.", "en", "causation"),
        ("Un arrêté interdit l'arrosage des jardins dans 87 communes.", "fr", "laws_rules"),
        ("The law bans smoking in bars and restaurants across the state.", "en", "laws_rules"),
        (
            "Je me souviens que mon père travaillait à l'usine du village.",
            "fr",
            "personal_experience",
        ),
        ("I grew up in a small town with my parents and my sister.", "en", "personal_experience"),
        ("« Nous avons créé 400 000 emplois », a déclaré la ministre.", "fr", "quotation"),
        ("According to the auditor, the city spent $118 million.", "en", "quotation"),
        ("Le candidat affirme avoir voté contre la réforme en 2017.", "fr", "other"),
        ("He promised to cut taxes for every family in the state.", "en", "other"),
    ],
)
def test_it_names_the_kind_of_claim(sentence: str, language: str, kind: str) -> None:
    assert kind in RULES.score(sentence, language).kinds


@pytest.mark.parametrize(
    ("claim", "not_claim", "language"),
    [
        (
            "Le taux de chômage a reculé à 7,1 % de la population active, selon l'Insee.",
            "Les volets restaient clos, les terrasses vides.",
            "fr",
        ),
        (
            "Fiat-Chrysler announced it will invest $1 billion, creating 2,000 new jobs.",
            "Good evening, and welcome to the debate, thank you all for coming.",
            "en",
        ),
        (
            "Les chômeurs de plus de 50 ans restent en moyenne 680 jours sans emploi.",
            "« Je cherche depuis 40 mois, mon mari aussi », raconte Sophie, 52 ans.",
            "fr",
        ),
        (
            "Is the unemployment rate really at 4 percent?",
            "Is that right?",
            "en",
        ),
    ],
)
def test_it_ranks_a_checkable_claim_above_a_sentence_that_is_not_one(
    claim: str, not_claim: str, language: str
) -> None:
    assert RULES.score(claim, language).score > RULES.score(not_claim, language).score


def test_it_scores_personal_testimony_below_the_same_figure_stated_as_fact() -> None:
    fact = "Les demandeurs d'emploi cherchent depuis plus de 40 mois en moyenne."
    testimony = "Je cherche depuis plus de 40 mois et ma famille n'en peut plus."
    assert RULES.score(testimony, "fr").score < 0.35 < RULES.score(fact, "fr").score


def reason_weight(reason: str) -> float:
    match = re.search(r"\(([+-]\d+\.\d)\)$", reason)
    assert match, reason
    return float(match.group(1))


def test_it_explains_the_score_with_reasons_whose_weights_add_up() -> None:
    result = RULES.score("Le prix du gaz a augmenté de 12 % en 2022 à cause de la guerre.", "fr")
    weights = [reason_weight(reason) for reason in result.reasons]
    assert any(reason.startswith("percentage") for reason in result.reasons)
    assert any(reason.startswith("cause or effect") for reason in result.reasons)
    assert result.score == pytest.approx(1 / (1 + math.exp(-(BIAS + sum(weights)))), abs=1e-3)


@pytest.mark.parametrize(
    "sentence",
    [
        "Il est arrivé vers 23 heures, samedi, devant la mairie.",
        "Marcel, 84 ans, ne sort plus de chez lui.",
        "Le gouvernement pourrait recourir à l'article 49.3 de la Constitution.",
        "La réunion se tiendra du 21 au 23 novembre.",
    ],
)
def test_it_does_not_take_times_ages_dates_or_article_numbers_for_figures(sentence: str) -> None:
    reasons = RULES.score(sentence, "fr").reasons
    assert not any(reason.startswith("figure") for reason in reasons)


def test_it_applies_generic_rules_to_languages_without_their_own() -> None:
    figure = RULES.score(
        "Die Arbeitslosigkeit stieg im Mai um 3,5 Prozent auf 2,9 Millionen.", "de"
    )
    plain = RULES.score("Das Wetter war schön und wir sind spazieren gegangen.", "de")
    assert "quantity" in figure.kinds
    assert figure.score > plain.score


def test_it_keeps_scores_between_zero_and_one_and_kinds_in_the_known_set() -> None:
    for sentence in ["", "?", "1 2 3 4 5 6 7 8 9 % $ € loi hausse " * 20]:
        result = RULES.score(sentence, "fr")
        assert 0.0 <= result.score <= 1.0
        assert set(result.kinds) <= set(KINDS)


def test_it_refuses_weights_for_features_that_do_not_exist() -> None:
    with pytest.raises(ValueError, match="unknown rule features"):
        RuleScorer(weights={"percentag": 2.0})


def test_it_lets_a_weight_override_change_the_score() -> None:
    sentence = "Le chômage a baissé de 3 %."
    louder = RuleScorer(weights={"percentage": 4.0}).score(sentence, "fr").score
    assert louder > RULES.score(sentence, "fr").score


def test_it_satisfies_the_scorer_protocol_and_names_its_version() -> None:
    assert isinstance(RULES, SentenceScorer)
    assert RULES.name == "rules-1"
    assert RuleScorer(version="rules-2", use_ner=True).name == "rules-2+ner"


def test_it_keeps_spacy_and_scikit_learn_out_of_the_default_path() -> None:
    code = (
        "import sys\n"
        "from annotations.extraction import extract_candidates\n"
        "extract_candidates('Le chômage a reculé de 3 %, selon l\\'Insee.')\n"
        "print('spacy' in sys.modules, 'sklearn' in sys.modules)\n"
    )
    # Our own interpreter running fixed code: nothing untrusted reaches the subprocess.
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert output.split() == ["False", "False"]


def test_it_adds_french_named_entities_when_ner_is_enabled() -> None:
    result = RuleScorer(use_ner=True).score(
        "Claire Fontanel a inauguré la nouvelle gare de Rouen avec la SNCF.", "fr"
    )
    assert any(reason.startswith("named entity (NER)") for reason in result.reasons)
