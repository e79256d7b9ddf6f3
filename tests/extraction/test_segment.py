# ruff: noqa: RUF001
"""Sentence splitting: exact offsets, the French/English rules, and invariants on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.extraction.segment import MAX_QUOTE_CHARS, split_sentences


def sentences(text: str, language: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, language)]


def test_it_returns_exact_offsets_for_accented_french_text() -> None:
    text = "  L'été a été sec à Orléans.  Mme Durand l'a noté !\n"
    spans = split_sentences(text, "fr")
    assert spans == [(2, 28), (30, 51)]
    assert text[2:28] == "L'été a été sec à Orléans."


def test_it_keeps_french_titles_and_abbreviations_inside_sentences() -> None:
    text = "M. Dupont et MM. Martin ont vu le Dr Vidal, etc. Puis ils sont partis."
    assert sentences(text, "fr") == [
        "M. Dupont et MM. Martin ont vu le Dr Vidal, etc.",
        "Puis ils sont partis.",
    ]


def test_it_keeps_english_abbreviations_and_initials_inside_sentences() -> None:
    text = (
        "Dr. Ruth Okafor met Sen. Bill Harmon at 9 a.m. on Monday. "
        "U.S. employers added jobs, J. K. Rowling said. See No. 5 at St. Anne's Hospital."
    )
    assert sentences(text, "en") == [
        "Dr. Ruth Okafor met Sen. Bill Harmon at 9 a.m. on Monday.",
        "U.S. employers added jobs, J. K. Rowling said.",
        "See No. 5 at St. Anne's Hospital.",
    ]


def test_it_splits_after_an_initialism_that_ends_a_sentence() -> None:
    text = "He moved to the U.S. He never came back. I said no. Then I left."
    assert sentences(text, "en") == [
        "He moved to the U.S.",
        "He never came back.",
        "I said no.",
        "Then I left.",
    ]


def test_it_does_not_split_decimals() -> None:
    assert sentences("Le taux est de 3,5 %. Il était de 3.5 en 2019.", "fr") == [
        "Le taux est de 3,5 %.",
        "Il était de 3.5 en 2019.",
    ]


def test_it_keeps_a_quotation_that_spans_sentences_in_one_sentence() -> None:
    text = (
        "Il a dit : « C'est fini. Nous partons. » Puis il est parti. "
        "\"It's done. We're out,\" she said. Then she left."
    )
    assert sentences(text, "fr") == [
        "Il a dit : « C'est fini. Nous partons. »",
        "Puis il est parti.",
        "\"It's done. We're out,\" she said.",
        "Then she left.",
    ]


def test_it_keeps_french_no_break_spaces_inside_guillemets() -> None:
    text = "«\u00a0Ce n'est pas soutenable.\u00a0Il faut agir\u00a0», a-t-il dit. Fin."
    assert sentences(text, "fr") == [
        "«\u00a0Ce n'est pas soutenable.\u00a0Il faut agir\u00a0», a-t-il dit.",
        "Fin.",
    ]


def test_it_splits_inside_a_quotation_that_runs_on_absurdly_long() -> None:
    speech = " ".join(["Nous avons tout essayé."] * (MAX_QUOTE_CHARS // 20))
    text = f"« {speech} » Puis il se tut."
    assert len(sentences(text, "fr")) > 10


def test_it_keeps_an_exclamation_followed_by_its_speech_verb_together() -> None:
    text = "« Quelle horreur ! » s'exclame-t-il. Pourquoi ? Parce que."
    assert sentences(text, "fr") == [
        "« Quelle horreur ! » s'exclame-t-il.",
        "Pourquoi ?",
        "Parce que.",
    ]


def test_it_always_ends_a_sentence_at_a_line_break() -> None:
    text = "Titre sans point\nLe texte commence ici, M.\nDupont attend.\r\n\r\nFin"
    assert sentences(text, "fr") == [
        "Titre sans point",
        "Le texte commence ici, M.",
        "Dupont attend.",
        "Fin",
    ]


def test_it_splits_ellipses_only_before_a_new_sentence() -> None:
    text = "Et voilà… la suite arrive. Encore... Puis rien."
    assert sentences(text, "fr") == ["Et voilà… la suite arrive.", "Encore...", "Puis rien."]


def test_it_counts_offsets_in_code_points_around_emoji_and_combining_marks() -> None:
    text = "Bravo 👏🏽 à l'équipe. Cafe\u0301 offert 😐. Fin."
    spans = split_sentences(text, "fr")
    assert [text[start:end] for start, end in spans] == [
        "Bravo 👏🏽 à l'équipe.",
        "Cafe\u0301 offert 😐.",
        "Fin.",
    ]
    assert spans[1][0] == text.index("Cafe")


def test_it_splits_on_ideographic_full_stops_without_spaces() -> None:
    assert sentences("今日は晴れです。明日は雨でしょう！本当？", "ja") == [
        "今日は晴れです。",
        "明日は雨でしょう！",
        "本当？",
    ]


def test_it_does_not_split_german_ordinal_dates() -> None:
    assert sentences("Am 3. Oktober ist Feiertag. Das ist gut.", "de") == [
        "Am 3. Oktober ist Feiertag.",
        "Das ist gut.",
    ]


_ALPHABET = st.sampled_from(
    [*"abcdeéàXYZ 019.,;:!?…«»“”\"'’()-\n\t\u00a0\u202f😐。", "M.", "U.S.", "Dr ", "3,5"]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_ALPHABET, max_size=80).map("".join),
    language=st.sampled_from(["fr", "en", "de", "und"]),
)
def test_it_covers_all_text_with_ordered_trimmed_non_overlapping_spans(
    text: str, language: str
) -> None:
    spans = split_sentences(text, language)
    covered: set[int] = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        assert "\n" not in piece
        covered.update(range(start, end))
        previous_end = end
    assert all(index in covered for index, char in enumerate(text) if not char.isspace())
