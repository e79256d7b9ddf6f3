from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.anchoring import (
    Anchor,
    Selector,
    reanchor,
    reanchor_all,
    selector_for,
)

ARTICLE = (
    "« Le chômage a reculé », affirme le ministre.\n"
    "Selon l'Insee, le taux de chômage était de 7,3 % au premier trimestre 🙂.\n"
    "Il était de 7,1 % un an plus tôt, soit une hausse de 0,2 point.\n"
    "Le ministre cite pourtant une baisse « historique » du chômage des jeunes.\n"
)
CLAIM = "le taux de chômage était de 7,3 % au premier trimestre"


def highlight(text: str, quote: str, occurrence: int = 0) -> Selector:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return selector_for(text, start, start + len(quote))


def occurrences(text: str, quote: str) -> int:
    return sum(text.startswith(quote, i) for i in range(len(text)))


def covered(text: str, anchor: Anchor) -> str:
    assert anchor.start is not None
    assert anchor.end is not None
    assert 0 <= anchor.start < anchor.end <= len(text)
    return text[anchor.start : anchor.end]


def test_it_builds_selectors_in_code_points() -> None:
    start = ARTICLE.index("7,3 %")
    selector = selector_for(ARTICLE, start, start + 5, context=4)

    assert selector.exact == "7,3 %"
    assert selector.prefix == " de "
    assert selector.suffix == " au "


def test_it_clips_context_at_the_text_edges() -> None:
    selector = selector_for(ARTICLE, 0, 3)

    assert selector.prefix == ""
    assert selector.suffix == ARTICLE[3:35]


def test_it_rejects_empty_or_out_of_range_spans() -> None:
    with pytest.raises(ValueError, match="start < end"):
        selector_for(ARTICLE, 5, 5)
    with pytest.raises(ValueError, match="start < end"):
        selector_for(ARTICLE, 0, len(ARTICLE) + 1)
    with pytest.raises(ValueError, match="start < end"):
        Selector(3, 2, "x", "", "")
    with pytest.raises(ValueError, match="exact"):
        Selector(2, 3, "", "", "")


def test_it_keeps_every_anchor_by_position_when_the_text_is_unchanged() -> None:
    selectors = [selector_for(ARTICLE, i, i + 7) for i in range(0, len(ARTICLE) - 7, 5)]

    anchors = reanchor_all(ARTICLE, ARTICLE, selectors)

    assert [(a.start, a.end, a.method) for a in anchors] == [
        (s.start, s.end, "position") for s in selectors
    ]
    assert all(a.score == 1.0 for a in anchors)


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: "Mis à jour 🙂 le 3 mai.\n" + t,  # insertion at the very start
        lambda t: t.replace("affirme le ministre", "assure le ministre du Travail"),
        lambda t: t.replace("« Le chômage a reculé », ", ""),  # deletion
    ],
)
def test_it_shifts_a_highlight_after_an_edit_before_it(edit: object) -> None:
    assert callable(edit)
    new_text: str = edit(ARTICLE)
    selector = highlight(ARTICLE, CLAIM)

    anchor = reanchor(new_text, selector, old_text=ARTICLE)

    assert anchor.method == "shifted"
    assert anchor.start == new_text.index(CLAIM)
    assert covered(new_text, anchor) == CLAIM


def test_it_finds_a_moved_quote_by_exact_search_without_the_old_text() -> None:
    new_text = "Correction : un chiffre a été rectifié.\n" + ARTICLE

    anchor = reanchor(new_text, highlight(ARTICLE, CLAIM))

    assert anchor.method == "exact"
    assert covered(new_text, anchor) == CLAIM


def test_it_counts_an_emoji_as_one_code_point() -> None:
    selector = highlight(ARTICLE, "7,1 %")
    new_text = ARTICLE.replace("trimestre 🙂", "trimestre 🙂🙂")

    anchor = reanchor(new_text, selector, old_text=ARTICLE)

    assert anchor.start == selector.start + 1
    assert covered(new_text, anchor) == "7,1 %"


def test_it_falls_back_to_fuzzy_when_the_quote_itself_was_corrected() -> None:
    selector = highlight(ARTICLE, CLAIM)
    edited = "le taux de chômage était de 7,4 % au premier trimestre"
    new_text = ARTICLE.replace(CLAIM, edited)

    for anchor in (
        reanchor(new_text, selector, old_text=ARTICLE),
        reanchor(new_text, selector),
    ):
        assert anchor.method == "fuzzy"
        assert covered(new_text, anchor) == edited
        assert 0.7 <= anchor.score < 1.0


def test_it_lands_on_the_rewritten_sentence_after_a_larger_correction() -> None:
    sentence = "Il était de 7,1 % un an plus tôt, soit une hausse de 0,2 point."
    rewritten = "Il était de 7,0 % un an auparavant, soit une hausse de 0,3 point."
    new_text = "Mise à jour.\n" + ARTICLE.replace(sentence, rewritten)

    anchor = reanchor(new_text, highlight(ARTICLE, sentence), old_text=ARTICLE)

    assert anchor.method == "fuzzy"
    assert covered(new_text, anchor) == rewritten


def test_it_orphans_a_highlight_whose_sentence_was_deleted() -> None:
    deleted = "Il était de 7,1 % un an plus tôt, soit une hausse de 0,2 point.\n"
    new_text = ARTICLE.replace(deleted, "")

    anchor = reanchor(new_text, highlight(ARTICLE, deleted.strip()), old_text=ARTICLE)

    assert anchor == Anchor(None, None, "orphan", 0.0)
    assert anchor.is_orphan


def test_it_returns_one_anchor_per_selector_in_order_orphans_included() -> None:
    deleted = "Il était de 7,1 % un an plus tôt, soit une hausse de 0,2 point.\n"
    new_text = "Chapeau.\n" + ARTICLE.replace(deleted, "")
    quotes = ["affirme le ministre", deleted.strip(), "historique", "7,1 %", CLAIM]

    anchors = reanchor_all(ARTICLE, new_text, [highlight(ARTICLE, q) for q in quotes])

    assert [a.method for a in anchors] == [
        "shifted",
        "orphan",
        "shifted",
        "orphan",
        "shifted",
    ]
    for quote, anchor in zip(quotes, anchors, strict=True):
        if not anchor.is_orphan:
            assert covered(new_text, anchor) == quote


def test_it_never_fuzzy_matches_a_quote_shorter_than_three_characters() -> None:
    text = "Le taux : 7 %. Fin."
    selector = selector_for(text, text.index("7 %"), text.index("7 %") + 2)  # "7 "
    new_text = text.replace("7 %", "8%")

    assert reanchor(new_text, selector, old_text=text).is_orphan


def test_it_chooses_the_repeated_quote_whose_context_matches() -> None:
    text = (
        "À Paris, selon la préfecture, le taux a augmenté de 3 % cette année.\n"
        "À Lyon, selon la métropole, le taux a augmenté de 3 % cette année.\n"
    )
    selector = highlight(text, "le taux a augmenté de 3 %", occurrence=1)
    new_text = "Deux villes, deux chiffres.\n" + text

    anchor = reanchor(new_text, selector)

    assert anchor.method == "exact"
    assert anchor.start == new_text.index("le taux a augmenté de 3 %", new_text.index("Lyon"))


def test_it_breaks_a_context_tie_by_closeness_to_the_old_position() -> None:
    block = "Le taux a augmenté de 3 % en un an, dit-il. "
    text = block * 5
    selector = selector_for(text, 2 * len(block), 3 * len(block))
    new_text = "«" + text

    anchor = reanchor(new_text, selector)

    assert anchor.method == "exact"
    assert anchor.start == 2 * len(block) + 1


def test_it_prefers_the_occurrence_with_matching_context_for_fuzzy_matches() -> None:
    text = (
        "À Paris, selon la préfecture, le taux a augmenté de 3 % cette année.\n"
        "À Lyon, selon la métropole, le taux a augmenté de 3 % cette année.\n"
    )
    selector = highlight(text, "le taux a augmenté de 3 %", occurrence=1)
    new_text = text.replace("augmenté de 3 %", "augmenté de 4 %")

    anchor = reanchor(new_text, selector)

    assert anchor.method == "fuzzy"
    assert anchor.start == new_text.index("le taux", new_text.index("Lyon"))


# Letters, accents (precomposed and combining), guillemets, emoji, spaces and newlines. A small
# alphabet makes repeated quotes and near-duplicates frequent, which is the hard case.
ALPHABET = "abcdeé e\u0301«»🙂 \n"
texts = st.text(alphabet=ALPHABET, min_size=1, max_size=200)


@st.composite
def highlighted_texts(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(texts)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 40)))
    return text, start, end


@st.composite
def edits_outside(draw: st.DrawFn, text: str, start: int, end: int) -> tuple[str, int]:
    """Apply random edits that leave text[start:end] alone; return the text and the new start."""
    for _ in range(draw(st.integers(1, 12))):
        before = draw(st.booleans())
        low, high = (0, start) if before else (end, len(text))
        position = draw(st.integers(low, high))
        removed = draw(st.integers(0, min(5, high - position)))
        inserted = draw(st.text(alphabet=ALPHABET, max_size=6))
        text = text[:position] + inserted + text[position + removed :]
        if before:
            shift = len(inserted) - removed
            start, end = start + shift, end + shift
    return text, start


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), highlighted=highlighted_texts())
def test_it_reanchors_to_the_same_quote_after_edits_outside_it(
    data: st.DataObject, highlighted: tuple[str, int, int]
) -> None:
    old_text, start, end = highlighted
    selector = selector_for(old_text, start, end)
    new_text, new_start = data.draw(edits_outside(old_text, start, end))

    with_diff = reanchor(new_text, selector, old_text=old_text)
    without_diff = reanchor(new_text, selector)
    [batched] = reanchor_all(old_text, new_text, [selector])

    assert batched == with_diff
    for anchor in (with_diff, without_diff):
        assert anchor.method in ("position", "shifted", "exact")
        assert covered(new_text, anchor) == selector.exact
    if occurrences(new_text, selector.exact) == 1:
        assert with_diff.start == without_diff.start == new_start


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    highlighted=highlighted_texts(),
    inserted=st.text(alphabet=ALPHABET, max_size=8),
)
def test_it_returns_a_valid_span_or_an_orphan_after_edits_inside(
    data: st.DataObject, highlighted: tuple[str, int, int], inserted: str
) -> None:
    old_text, start, end = highlighted
    selector = selector_for(old_text, start, end)
    position = data.draw(st.integers(start, end - 1))
    removed = data.draw(st.integers(0, len(old_text) - position))
    new_text = old_text[:position] + inserted + old_text[position + removed :]

    for anchor in (
        reanchor(new_text, selector, old_text=old_text),
        reanchor(new_text, selector),
    ):
        assert 0.0 <= anchor.score <= 1.0
        if anchor.is_orphan:
            assert anchor.start is None
            assert anchor.end is None
        else:
            assert anchor.start is not None
            assert anchor.end is not None
            assert 0 <= anchor.start < anchor.end <= len(new_text)
            if anchor.method != "fuzzy":
                assert new_text[anchor.start : anchor.end] == selector.exact
