"""Language detection by stopword profiles and scripts."""

from __future__ import annotations

import pytest

from annotations.extraction.language import detect_language, normalise_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le gouvernement a présenté mercredi un budget qui prévoit des économies.", "fr"),
        ("The council approved a budget on Tuesday, a small increase over last year.", "en"),
        (
            "Die Regierung hat am Mittwoch einen Haushalt vorgestellt, der Einsparungen vorsieht.",
            "de",
        ),
        ("El gobierno presentó el miércoles un presupuesto que prevé ahorros para el año.", "es"),
        ("Il governo ha presentato mercoledì un bilancio che prevede risparmi per l'anno.", "it"),
        (
            "De regering heeft woensdag een begroting gepresenteerd die voorziet in bezuinigingen.",
            "nl",
        ),
        ("O governo apresentou na quarta-feira um orçamento que prevê economias para o ano.", "pt"),
        ("Правительство представило в среду проект бюджета.", "ru"),
        ("政府は水曜日に予算案を発表した。", "ja"),
        ("Η κυβέρνηση παρουσίασε την Τετάρτη το σχέδιο προϋπολογισμού.", "el"),  # noqa: RUF001
    ],
)
def test_it_detects_the_language_of_a_news_sentence(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "OK 123 !!", "Ok", "👍👍👍"])
def test_it_answers_und_when_there_is_too_little_to_go_on(text: str) -> None:
    assert detect_language(text) == "und"


def test_it_reduces_language_tags_to_their_primary_subtag() -> None:
    assert normalise_language("fr-FR") == "fr"
    assert normalise_language("EN_gb") == "en"
    assert normalise_language("") is None
