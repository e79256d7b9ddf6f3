"""Who a sentence quotes or credits: FR and EN reporting patterns."""

from __future__ import annotations

import re

import pytest

from annotations.extraction.claimants import find_claimant, guess_claimant


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        ("Le chômage a reculé à 7,1 %, selon l'Insee.", "fr", "Insee"),
        (
            "« Nous avons créé 400 000 emplois », a déclaré la ministre du Travail, "
            "Claire Fontanel, lors d'un déplacement à Rouen.",
            "fr",
            "Claire Fontanel",
        ),
        (
            "Le député Pierre Caradec affirme que la moitié des emplois sont précaires.",
            "fr",
            "Pierre Caradec",
        ),
        (
            "Santé publique France estime que la canicule a causé 2 800 décès.",
            "fr",
            "Santé publique France",
        ),
        (
            "D'après un rapport de la Cour des comptes publié en juillet, les aides coûtent 25 milliards.",
            "fr",
            "Cour des comptes",
        ),
        ("D'après un sondage Ifop publié dimanche, 68 % des Français sont opposés.", "fr", "Ifop"),
        (
            "« C'est une loi sans dents », regrette Mathieu Garnier, porte-parole.",
            "fr",
            "Mathieu Garnier",
        ),
        (
            "Pour l'économiste Julien Marchetti, la baisse s'explique par l'apprentissage.",
            "fr",
            "Julien Marchetti",
        ),
        (
            "Le maire, Rémi Castel, assure que « tout le monde a été contacté ».",
            "fr",
            "Rémi Castel",
        ),
        ("« Qui va payer ? », rétorque Mme Roussel.", "fr", "Roussel"),
        (
            '"This budget puts more police on the street," Mayor Dana Whitfield said after the vote.',
            "en",
            "Dana Whitfield",
        ),
        (
            "According to the National Weather Service, rainfall was half the average.",
            "en",
            "National Weather Service",
        ),
        (
            "Earl Dawson, president of the county farm bureau, said growers cut water use by 20%.",
            "en",
            "Earl Dawson",
        ),
        ('"Wages have not kept up," said Rep. Greg Paulson of Indiana.', "en", "Greg Paulson"),
        (
            "U.S. employers added 175,000 jobs in April, the Labor Department said Friday.",
            "en",
            "Labor Department",
        ),
    ],
)
def test_it_guesses_the_claimant(sentence: str, language: str, expected: str) -> None:
    assert guess_claimant(sentence, language) == expected


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Le gouvernement se félicite de cette annonce.", "fr"),
        ("Les volets restaient clos, les terrasses vides.", "fr"),
        ("La hausse des taux d'intérêt explique ce retournement.", "fr"),
        ("Pour les ménages, la différence est considérable.", "fr"),
        ("The reservoir is at 31% of capacity.", "en"),
    ],
)
def test_it_names_nobody_when_nobody_is_quoted(sentence: str, language: str) -> None:
    assert guess_claimant(sentence, language) is None


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("« Mes équipes sont épuisées, mais elles tiennent », ajoute-t-elle.", "fr"),
        ("« On verra », a-t-il lancé dans l'hémicycle.", "fr"),
        ("Elle rappelle que l'impôt a été supprimé en 2018.", "fr"),
        ('"When patients cannot move upstairs, everyone waits," she said.', "en"),
    ],
)
def test_it_reports_a_pronoun_subject_for_the_pipeline_to_resolve(
    sentence: str, language: str
) -> None:
    guess = find_claimant(sentence, language)
    assert guess.pronoun
    assert guess.name is None


def test_reporting_verbs_sharing_a_beginning_are_each_found_whole() -> None:
    # The verbs are matched through a trie of their letters: every word of the list, the longest
    # one that fits, never the beginning of a longer word that is not in the list.
    from annotations.extraction.claimants import _verb_pattern

    pattern = re.compile(rf"(?<!\w)(?:{_verb_pattern('dit dis déclare déclaré déclarent')})(?!\w)")
    text = "il dit, tu dis, ils déclarent, elle a déclaré, on déclare, il déclarera, dites"
    assert pattern.findall(text) == ["dit", "dis", "déclarent", "déclaré", "déclare"]


@pytest.mark.parametrize("space", ["  ", "\u202f", "\u00a0"])
def test_a_body_named_with_odd_spaces_keeps_its_whole_name(space: str) -> None:
    from annotations.extraction.pipeline import attribute_sentences

    text = f"Inflation fell to 2.9% in October, the Office for National{space}Statistics said."
    assert attribute_sentences(text, "en")[0][2] == "Office for National Statistics"
