"""Claimant attribution in news text (issue 12): who made the claim, FR and EN.

Every example is invented for these tests (people, places and figures are made up).
"""

from __future__ import annotations

import pytest

from annotations.extraction.claimants import guess_claimant
from annotations.extraction.pipeline import attribute_sentences, extract_candidates
from annotations.extraction.scoring import RuleScorer


def claimants(text: str, language: str) -> list[str | None]:
    return [claimant for _start, _end, claimant in attribute_sentences(text, language)]


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        # A quote, then the reporting verb and the speaker.
        (
            "« Nous ouvrirons trois écoles en 2027 », a déclaré la maire de Valbrune, "
            "Odile Castagnet.",
            "fr",
            "Odile Castagnet",
        ),
        ("« La ligne sera prolongée », affirme Julien Roussel.", "fr", "Julien Roussel"),
        ('"Costs rose by 8%," Senator Maria Lopez told reporters.', "en", "Maria Lopez"),
        # Inverted attribution after the quote.
        ('"The bridge will reopen in May," said the mayor, Tom Haverly.', "en", "Tom Haverly"),
        (
            "“We cut waiting times by a third,” said Chief Executive Nora Bell.",
            "en",
            "Nora Bell",
        ),
        # "selon", "d'après", "according to".
        ("Le trafic a baissé de 12 %, selon l'Insee.", "fr", "Insee"),
        (
            "D'après un rapport de la Cour des comptes publié jeudi, la dette a doublé.",
            "fr",
            "Cour des comptes",
        ),
        (
            "Road deaths fell by 9% last year, according to the Office for Road Safety.",
            "en",
            "Office for Road Safety",
        ),
        (
            "Fares rose 6% in March, the Office for Transport Statistics said on Tuesday.",
            "en",
            "Office for Transport Statistics",
        ),
        # A reporting verb after its subject.
        (
            "La sénatrice Agnès Morel estime que la réforme coûtera 3 milliards d'euros.",
            "fr",
            "Agnès Morel",
        ),
        (
            "Greta Lind, chief economist at Harbor Bank, said rates would fall by June.",
            "en",
            "Greta Lind",
        ),
    ],
)
def test_it_names_who_made_the_claim(sentence: str, language: str, expected: str) -> None:
    assert claimants(sentence, language) == [expected]


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        (
            "Interrogé par le député Marc Aubry, le ministre du Budget, Henri Lacaze, a assuré "
            "que le déficit baisserait.",
            "fr",
            "Henri Lacaze",
        ),
        (
            "Asked by Councillor Ruth Denby about the cost, Mayor Alan Pryce said the project "
            "would cost $4 million.",
            "en",
            "Alan Pryce",
        ),
        (
            "Ellen Shaw of the Coastal Birds Trust said the turbines would kill 300 gulls a year.",
            "en",
            "Ellen Shaw",
        ),
    ],
)
def test_only_the_speaker_of_two_people_is_credited(
    sentence: str, language: str, expected: str
) -> None:
    assert claimants(sentence, language) == [expected]


def test_titles_surnames_and_pronouns_resolve_within_the_paragraph_fr() -> None:
    text = (
        "La ministre de la Santé, Claire Dupont, a annoncé mardi à Lyon un plan pour l'hôpital. "
        "« Nous recruterons 4 000 infirmiers », a-t-elle ajouté. "
        "Mme Dupont a précisé que le budget atteindrait 2 milliards d'euros. "
        "La ministre estime que les délais d'attente baisseront de moitié. "
        "Selon elle, 80 hôpitaux sont concernés."
    )
    assert claimants(text, "fr") == ["Claire Dupont"] * 5


def test_titles_surnames_and_pronouns_resolve_within_the_paragraph_en() -> None:
    text = (
        "State Sen. Maria Lopez introduced the bill on Monday. "
        "The senator said 300,000 workers would get a raise. "
        '"It is long overdue," she said. '
        "Lopez added that the wage had not risen since 2019."
    )
    # Introducing a bill is an act, not a claim: nobody is credited with that sentence.
    assert claimants(text, "en") == [None] + ["Maria Lopez"] * 3


def test_a_pronoun_is_not_resolved_across_a_paragraph_break() -> None:
    fr = (
        "Le maire, Paul Verdier, a annoncé que la piscine rouvrira en juin.\n\n"
        "« C'est une erreur », a-t-elle ajouté."
    )
    assert claimants(fr, "fr") == ["Paul Verdier", None]
    en = 'Mayor Alan Pryce said the pool would reopen in June.\n\n"It is a mistake," she said.'
    assert claimants(en, "en") == ["Alan Pryce", None]
    # A title stays in its paragraph too, unless the article put it next to a name before.
    titled = "Alan Pryce said the pool would reopen in June.\n\nThe mayor said it was late."
    assert claimants(titled, "en") == ["Alan Pryce", None]
    introduced = "Mayor Alan Pryce said the pool would reopen.\n\nThe mayor said it was late."
    assert claimants(introduced, "en") == ["Alan Pryce", "Alan Pryce"]


def test_a_title_with_two_candidates_is_left_unresolved() -> None:
    text = (
        "Le biologiste Yves Marnier et la géographe Inès Vidal ont présenté leurs travaux. "
        "Le chercheur a affirmé que les crues seraient deux fois plus fréquentes."
    )
    assert claimants(text, "fr") == [None, None]


def test_institutions_and_their_initials() -> None:
    text = (
        "L'Agence nationale de l'eau (ANE) a publié son bilan annuel jeudi. "
        "Selon l'ANE, 40 % des nappes sont sous la normale. "
        "L'agence estime que les restrictions dureront jusqu'en octobre."
    )
    assert claimants(text, "fr")[1:] == ["Agence nationale de l'eau"] * 2
    en = (
        "Brightwater Energy will close its plant in Dunmoor, the firm said on Monday. "
        "The company said demand had fallen by 18% since 2022."
    )
    assert claimants(en, "en") == ["Brightwater Energy", "Brightwater Energy"]


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Les pompiers sont intervenus vers 22 heures rue des Lilas.", "fr"),
        ("Le conseil municipal se réunira le 4 mars.", "fr"),
        ("Critics say the plan is too costly.", "en"),
        ("Some parents said the letter came as a shock.", "en"),
        ("The mayor has not said whether she will sign the measure.", "en"),
        ("The results were announced shortly after midnight.", "en"),
        ("« On n'a rien vu venir », témoigne une habitante.", "fr"),
        ('"We are tired," a resident said.', "en"),
    ],
)
def test_no_guess_for_narration_groups_and_unnamed_speakers(sentence: str, language: str) -> None:
    assert claimants(sentence, language) == [None]


def test_an_unnamed_speaker_stops_a_pronoun_from_reaching_past_them() -> None:
    text = (
        "Le directeur du site, Alain Ferrand, a confirmé la fermeture. "
        "« On l'a appris par la presse », témoigne un salarié. "
        "Il affirme que 40 postes sont menacés."
    )
    assert claimants(text, "fr") == ["Alain Ferrand", None, None]


def test_a_quoted_verb_is_the_speakers_words_not_a_report() -> None:
    assert guess_claimant('"Ask anyone and they say the same," he said.', "en") is None
    text = 'Dr. Amal Reyes runs the clinic. "Ask anyone and they say the same," she said.'
    assert claimants(text, "en") == [None, "Amal Reyes"]


def test_candidates_carry_the_same_claimants_as_attribute_sentences() -> None:
    text = (
        "La ministre de la Santé, Claire Dupont, a présenté le plan mardi. "
        "« Nous recruterons 4 000 infirmiers d'ici à 2027 », a-t-elle ajouté.\n\n"
        "« C'est insuffisant », a-t-il répondu."
    )
    result = extract_candidates(text, language="fr", scorer=RuleScorer(), threshold=0.0)
    assert [candidate.claimant for candidate in result.candidates] == claimants(text, "fr")
