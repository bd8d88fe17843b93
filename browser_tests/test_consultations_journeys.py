"""Taking part in a consultation on a phone, in a real browser: with htmx and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tequio.testing.personas import PASSWORD, build_cast

from .conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    TIMEOUT_MS,
    check_page,
    save_screen,
    sign_in,
    watch_errors,
)

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
        # The pressed button went with the old card; focus is on the new statement, so a
        # keyboard user tabs straight to the answers and a screen reader reads it out.
        expect(page.locator("#vote-card blockquote")).to_be_focused()
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



def test_someone_invited_types_the_code_on_a_phone_and_takes_part_without_an_account(new_page, consultation):
    from tequio.consultations import services
    from tequio.consultations.models import InvitationLink, Participant
    from tequio.consultations.permissions import cookie_name, hash_token

    steward = consultation.created_by
    consultation = services.consultation_update(actor=steward, consultation=consultation, audience="invited")
    _link, code = services.invitation_link_create(actor=steward, consultation=consultation, max_uses=1, label="Taller")
    page = new_page(viewport=PHONE)
    page.goto("/c/cast/consultations/join/")
    page.get_by_label("Invitation code").fill(f"{code[:5].lower()} {code[5:]}")  # as read aloud, typed on a phone
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=consultation.question)).to_be_visible()
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/consultations/\d+/vote/$"))
    for number, answer in enumerate(["Agree", "Disagree", "Pass / unsure"]):
        page.get_by_role("button", name=answer, exact=True).click()
        expect(page.locator("#vote-card")).to_contain_text(f"{number + 1} of {len(STATEMENTS)} statements answered")
    page.get_by_role("link", name="Write a statement").click()
    page.get_by_label("Your statement").fill("Queremos un espacio para jóvenes en la colonia.")
    page.get_by_role("button", name="Add my statement").click()
    expect(page.get_by_role("status")).to_contain_text("Your statement is now part of the conversation")
    page.get_by_role("link", name="See the opinion map").click()
    expect(page.locator(".you")).to_contain_text(re.compile(r"You are (in|nearest to) Group [ABC]"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    # Known only by the random token in an HttpOnly cookie, of which only a hash is stored.
    cookie = next(c for c in page.context.cookies() if c["name"] == cookie_name(consultation.pk))
    assert cookie["httpOnly"]
    participant = Participant.objects.get(consultation=consultation, kind="invited")
    assert participant.user is None and participant.token_hash == hash_token(cookie["value"])
    assert participant.votes.count() == 4  # three answers and the agreement with their own statement

    # The code let one person in: the next one is told so, and nothing changes.
    other = new_page(viewport=PHONE)
    other.goto(f"/c/cast/consultations/join/{services.format_code(code)}/")
    expect(other.get_by_role("button", name="Start")).to_have_count(0)
    expect(other.get_by_role("alert")).to_contain_text(
        "This invitation has already been used by 1 person, as many as it allows. Ask for a new one.")
    assert InvitationLink.objects.get().uses == 1 and Participant.objects.filter(kind="invited").count() == 1


# --- every page of a consultation, on a phone and a desktop --------------------------------------



@pytest.fixture
def demo_consultation(transactional_db):
    """The demo's consultation (46 participants, three groups, statements awaiting moderation)."""
    from tequio.consultations.models import Consultation
    from tequio.core.demo import demo_load

    demo_load()
    return Consultation.objects.select_related("community").get(community__slug="aliadas")


def _consultation_pages(consultation, code: str) -> dict[str, tuple[str, str]]:
    """name: (who looks, path). "steward" runs the demo consultation; "lucia" is a member who has not voted."""
    from django.urls import reverse

    slug = consultation.community.slug

    def page(name: str) -> str:
        return reverse(f"consultations:{name}", args=[slug, consultation.pk])

    return {
        "consultation-list": ("lucia", reverse("consultations:consultation_list", args=[slug])),
        "consultation-detail": ("lucia", page("consultation_detail")),
        "consultation-vote": ("lucia", page("vote")),
        "consultation-statement": ("lucia", page("statement_create")),
        "consultation-results": ("lucia", page("results")),
        "consultation-report": ("lucia", page("report")),
        "consultation-moderation": ("steward", page("moderation")),
        "consultation-invitations": ("steward", page("invitations")),
        "consultation-settings": ("steward", page("consultation_edit")),
        "consultation-new": ("steward", reverse("consultations:consultation_create", args=[slug])),
        "consultation-join": ("invited", reverse("consultations:join", args=[slug])),
        "consultation-join-link": ("invited", reverse("consultations:join_link", args=[slug, code])),
    }


def test_the_consultation_pages_load_cleanly_and_fit_a_phone(new_page, demo_consultation):
    from tequio.consultations import services
    from tequio.core.demo import DEMO_PASSWORD, email_for

    steward = demo_consultation.community.memberships.filter(role="steward").select_related("user").first().user
    _link, code = services.invitation_link_create(actor=steward, consultation=demo_consultation, max_uses=5, label="Taller")
    # Lucía has answered a few statements, so that the map shows where she stands.
    lucia = type(steward).objects.get(email=email_for("lucia.mendez"))
    for statement in demo_consultation.statements.filter(status="accepted").order_by("number")[:8]:
        services.vote_cast(actor=lucia, consultation=demo_consultation, statement_id=statement.pk,
                           value="agree" if statement.number % 3 == 0 else "disagree")
    services.analysis_compute(consultation_id=demo_consultation.pk, force=True)
    pages = _consultation_pages(demo_consultation, services.format_code(code))
    accounts = {"lucia": email_for("lucia.mendez"), "steward": steward.email, "invited": None}
    problems: list[str] = []
    for viewport_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        for who, email in accounts.items():
            page = new_page(viewport=viewport, locale="es-MX")
            errors = watch_errors(page)
            if email:
                sign_in(page, email, DEMO_PASSWORD)
            for name, (viewer, path) in pages.items():
                if viewer != who:
                    continue
                page.goto(path)
                check_page(page, f"{name}/{viewport_name}", errors, problems, viewport)
                save_screen(page, f"{name}-{viewport_name}")
                if SCREENSHOTS and name == "consultation-report" and viewport_name == "desktop":
                    page.emulate_media(media="print")
                    save_screen(page, f"{name}-print")
                    page.emulate_media(media="screen")
    assert not problems, "\n".join(problems)


def test_an_htmx_vote_after_the_session_ended_says_so_instead_of_doing_nothing(new_page, consultation):
    page = new_page(viewport=PHONE)
    sign_in(page, "member@cast.test", PASSWORD)
    page.goto(f"/c/cast/consultations/{consultation.pk}/vote/")
    problem = page.locator("#htmx-problem")
    expect(problem).to_be_hidden()
    statement = page.locator("#vote-card blockquote").inner_text()
    page.context.clear_cookies()  # signed out elsewhere, or the session expired
    page.get_by_role("button", name="Agree", exact=True).click()
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Reload the page")
    assert page.locator("#vote-card blockquote").inner_text() == statement  # nothing swapped in
