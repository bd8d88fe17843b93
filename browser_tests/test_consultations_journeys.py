"""Taking part in a consultation on a phone, in a real browser: with htmx and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tequio.testing.personas import PASSWORD, build_cast

from .conftest import PHONE, TIMEOUT_MS, sign_in

pytestmark = pytest.mark.browser

STATEMENTS = [
    "La prioridad debe ser la prevención de la violencia con jóvenes en las colonias.",
    "Necesitamos más espacios seguros para adolescentes fuera del horario escolar.",
    "La mediación comunitaria debe llegar a cada colonia con alta incidencia de violencia.",
    "Debemos concentrarnos en incidir en la reforma estatal de justicia penal.",
    "Sin cambios en la política pública, nuestros proyectos no van a escalar.",
    "Debemos documentar y publicar datos sobre detenciones arbitrarias.",
    "Antes de crecer, cada organización necesita diversificar su financiamiento.",
    "La comunidad debería crear un fondo común para cubrir costos operativos.",
    "Hace falta capacitación en administración para las organizaciones pequeñas.",
    "Las mujeres y jóvenes con quienes trabajamos deben definir las prioridades.",
    "Necesitamos compartir información entre organizaciones de forma segura.",
    "La comunidad debería aceptar fondos del gobierno estatal.",
]


@pytest.fixture
def consultation(transactional_db):
    """An open consultation in the cast community, with fifteen members who voted in three camps."""
    from tequio.consultations import services
    from tequio.consultations.tests.conftest import add_members, vote_in_camps

    cast = build_cast()
    consultation = services.consultation_create(
        actor=cast.users["steward"], community=cast.community, question="¿Qué debe priorizar la comunidad?",
        state="open", seed_statements=STATEMENTS,
    )
    vote_in_camps(consultation, add_members(cast, 15))
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    return consultation


def test_a_member_votes_on_ten_statements_writes_one_and_sees_the_map_on_a_phone(new_page, consultation):
    page = new_page(viewport=PHONE)
    sign_in(page, "member@cast.test", PASSWORD)
    page.goto("/c/cast/")
    page.get_by_role("link", name="Take part").first.click()
    expect(page).to_have_url(re.compile(r"/consultations/\d+/vote/$"))
    vote_url = page.url

    answers = ["Agree", "Disagree", "Pass / unsure"]
    seen = []
    for number in range(10):
        statement = page.locator("#vote-card blockquote").inner_text()
        assert statement in STATEMENTS and statement not in seen
        seen.append(statement)
        page.get_by_role("button", name=answers[number % 3], exact=True).click()
        # htmx swaps the card in place: the next statement, the progress, no page load.
        expect(page.locator("#vote-card")).to_contain_text(f"{number + 1} of {len(STATEMENTS)} statements answered")
        assert page.url == vote_url
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Write a statement").click()
    page.get_by_label("Your statement").fill("Queremos becas para terminar la preparatoria.")
    page.get_by_role("button", name="Add my statement").click()
    expect(page.get_by_role("status")).to_contain_text("Your statement is now part of the conversation")
    expect(page).to_have_url(vote_url)

    page.get_by_role("link", name="See the opinion map").click()
    opinion_map = page.get_by_role("img", name="Opinion map")
    expect(opinion_map).to_be_visible()
    assert page.locator("figure.map polygon").count() == 3
    expect(page.locator(".you")).to_contain_text(re.compile(r"You are (in|nearest to) Group [ABC]"))
    box = opinion_map.bounding_box()
    assert box["width"] <= PHONE["width"]


def test_without_javascript_each_vote_is_a_form_post_and_a_redirect(browser, live_server, consultation):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, "ally@cast.test", PASSWORD)
        page.goto(f"/c/cast/consultations/{consultation.pk}/vote/")
        for number in range(2):
            first = page.locator("#vote-card blockquote").inner_text()
            with page.expect_navigation():
                page.get_by_role("button", name="Agree", exact=True).click()
            expect(page.locator("#vote-card")).to_contain_text(f"{number + 1} of {len(STATEMENTS)} statements answered")
            assert page.locator("#vote-card blockquote").inner_text() != first
    finally:
        context.close()

