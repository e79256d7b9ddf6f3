"""The desk's day in French (../shared/docs/desk-day.md, tests/web/desk_day.py): the same review
loop, with a French article and the interface in French; and the French workspace pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from annotations.models import Article, Workspace
from tests.conftest import Receiver
from tests.web.desk_day import Day, Echo, Upload, Words, play_desk_day

pytestmark = pytest.mark.browser

UPLOAD = Upload(
    name="loyers-lyon.html",
    html=(
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Les loyers flambent à Lyon | Le Progrès du Rhône</title>"
        '<meta property="og:title" content="Les loyers flambent à Lyon"></head><body>'
        "<nav>Accueil | Politique</nav><article><h1>Les loyers flambent à Lyon</h1>"
        "<p>Les loyers ont augmenté de 12 % en deux ans à Lyon, selon l'Observatoire des "
        "loyers.</p><p>« C'est la plus forte hausse de France », affirme le maire. Le "
        "gouvernement promet une loi d'ici 2027.</p></article><footer>© 2026</footer>"
        "</body></html>"
    ),
    title="Les loyers flambent à Lyon",
)

FRENCH = Day(
    locale="fr-FR",
    prefix="fr",
    text=(
        "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee.\n"
        "« Nous avons créé plus de 40 000 emplois en un an », a déclaré la ministre du Travail "
        "lors d'un débat télévisé.\n"
        "Le déficit public atteindra 5,1 % du PIB en 2026, prévoit Bercy.\n"
        "L'opposition affirme que le chômage des jeunes a augmenté de 3 % depuis janvier 📈.\n"
        "Pour le député Marc Lefort, « la réforme des retraites coûtera 12 milliards d'euros » "
        "d'ici 2030.\n"
        "Les prix de l'énergie ont baissé de 8 % sur un an, d'après la Commission de régulation.\n"
        "La réunion s'est tenue dans une ambiance cordiale."
    ),
    quote="« la réforme des retraites coûtera 12 milliards d'euros »",
    quote_narrower="la réforme des retraites coûtera 12 milliards d'euros",
    part="le chômage des jeunes a augmenté de 3 % depuis janvier",
    part_wider="que le chômage des jeunes a augmenté de 3 % depuis janvier",
    claimant="Marc Lefort, député",
    source_url="https://www.cor-retraites.fr/rapport-2025",
    source_title="Rapport annuel du Conseil d'orientation des retraites",
    bobs_source_title="BOB-Q7 note de la Cour des comptes",
    words=Words(
        awaiting="en attente de votre verdict",
        claim_created="Affirmation créée.",
        highlight_added="Votre surlignage a été ajouté à cette affirmation.",
        candidate_accepted="Candidate acceptée",
        dismissed="3 candidates écartées.",
        withdrawn="Affirmation retirée.",
        saved="Enregistré",
        disputed_queue="Contestées",
        final_verdict="Plutôt faux",
        nothing_waiting="Rien n'attend ici.",
        workspace_created="Espace de travail créé",
        settings_saved="Réglages enregistrés.",
        member_added="{name} ajouté.",
        published="{n} affirmations publiées.",
        public_verdict="Lire la vérification",
        dashboard_status="Affirmations par statut au fil du temps",
        alpha_aid="un alpha négatif",
        release_frozen="La publication est en cours de gel",
    ),
    upload=UPLOAD,
    added_label="Parodie",
    review_url="https://verificateurs.example/2026/12/bilan-emploi",
    organisation="Les Vérificateurs",
    search="reforme retraites",  # without its accent
    echo=Echo(
        language="en",
        text=(
            "Pensions row goes on.\n"
            "MP Marc Lefort repeated on Tuesday that the pension reform will cost 12 billion euros "
            "by 2030.\n"
            "The debate resumes next week."
        ),
        sentence="the pension reform will cost 12 billion euros by 2030",
        reference_url="https://verif.example/2026/retraites-12-milliards",
        reference_text="La réforme des retraites coûtera 12 milliards d'euros d'ici 2030.",
        reference_language="fr",
        publisher="Vérif Exemple",
        rating="Trompeur",
    ),
    # The desk names its scale in French on the settings page (the slugs stay the same).
    scale_names={
        "false": "Faux",
        "mostly-false": "Plutôt faux",
        "half-true": "À moitié vrai",
        "mostly-true": "Plutôt vrai",
        "true": "Vrai",
        "unverifiable": "Invérifiable",
    },
    # One run of the day with the keyboard alone: no mouse call at all.
    keyboard_only=True,
)


def test_it_plays_the_desks_day_in_french_with_the_keyboard_alone(
    session: Any,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    receiver: Receiver,
) -> None:
    play_desk_day(
        session,
        FRENCH,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
        receiver=receiver,
    )


@pytest.fixture
def french_article(workspace: Workspace, alice: User) -> Article:
    from annotations.services.articles import article_create

    return article_create(
        user=alice,
        workspace=workspace,
        text=FRENCH.text,
        title="Le bilan de l'emploi",
        language="fr",
    )


def test_it_works_in_french_from_the_workspace_to_a_new_article(
    session: Any, workspace: Workspace, french_article: Article, erin: User
) -> None:
    annotator = session(erin, locale="fr-FR")
    page = annotator.open("/")
    expect(page.locator("h1")).to_have_text("Vos espaces de travail")
    annotator.shot("home")
    page.click("text=Desk")
    expect(page.locator("h1")).to_have_text("Desk")
    expect(page.locator("table.articles")).to_contain_text("Le bilan de l'emploi")
    expect(page.locator("a.button.primary")).to_have_text("Ajouter un article")
    annotator.shot("workspace")

    page.click("a.button.primary")
    page.fill("#id_text", "Selon le ministère, 12 000 logements ont été rénovés 🏠 en 2024.")
    page.fill("#id_title", "Rénovation")
    annotator.shot("article-add")
    page.click("form.add-article button[type=submit]")
    page.wait_for_selector("#doc [data-s]")
    expect(page.locator("#open-help")).to_contain_text("Raccourcis")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help")).to_contain_text("Accepter la candidate en cours")
    annotator.shot("help")
    page.keyboard.press("Escape")
    expect(page.locator("#doc")).to_contain_text("12 000 logements ont été rénovés 🏠 en 2024.")
    assert Article.objects.filter(title="Rénovation", workspace=workspace).exists()
