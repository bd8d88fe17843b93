"""What people do in Tequio, clicked through in a real browser."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tequio.core import choices, services
from tequio.testing.personas import PASSWORD, make_user

from .conftest import PHONE, invitation_path, sign_in

pytestmark = pytest.mark.browser


def field(page, label: str):
    """The form field whose label is exactly this (Django adds a colon)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def test_a_convener_starts_a_community_with_goals_and_a_charter(page):
    make_user("convener@example.org")
    sign_in(page, "convener@example.org", PASSWORD)

    page.get_by_role("link", name="Start a community").click()
    field(page, "Name").fill("Comunidad de Aprendizaje Sonora")
    page.get_by_label("Short name").fill("sonora")
    page.get_by_label("Purpose").fill("Compartir prácticas de **prevención** entre organizaciones.")
    page.get_by_role("checkbox", name="English").check()
    page.get_by_label("Stage").select_option(choices.Stage.IDEATION)
    page.get_by_label("Privacy").select_option(choices.Privacy.HIDDEN)
    page.get_by_role("button", name="Create community").click()

    expect(page).to_have_url("/c/sonora/goals/")
    expect(page.get_by_role("status")).to_contain_text("Community created")
    for title, horizon in [
        ("Conocernos y mapear quién hace qué", choices.Horizon.SHORT),
        ("Tres convenciones regionales", choices.Horizon.MEDIUM),
        ("Una agenda común de prevención", choices.Horizon.LONG),
    ]:
        page.get_by_label("Title").fill(title)
        page.get_by_label("Horizon").select_option(horizon)
        page.get_by_role("button", name="Add goal").click()
        expect(page.get_by_role("status")).to_contain_text("Goal added")

    page.get_by_role("navigation", name="Community").get_by_role("link", name="Charter").click()
    page.get_by_role("link", name="Write the charter").click()
    page.get_by_label("Roles and responsibilities").fill("La convocante facilita; las integrantes comparten.")
    page.get_by_label("Leadership model").select_option(choices.LeadershipModel.ROTATING)
    page.get_by_label("Decision rule").select_option(choices.DecisionRule.CONSENT)
    page.get_by_label("Adopted on").fill("2024-02-01")
    page.get_by_label("Adopted how").fill("Asamblea de fundación")
    page.get_by_role("button", name="Adopt").click()
    # A rotating leadership without a period is refused, with the reason beside the field.
    expect(page.get_by_text("A rotating leadership needs a rotation period.")).to_be_visible()
    page.get_by_label("Rotation period (months)").fill("6")
    page.get_by_role("button", name="Adopt").click()
    expect(page.get_by_role("status")).to_contain_text("New charter version adopted")

    page.get_by_role("navigation", name="Community").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comunidad de Aprendizaje Sonora")
    expect(page.locator("main")).to_contain_text("Ideation")
    expect(page.locator("main strong", has_text="prevención")).to_be_visible()  # markdown rendered
    goals = page.get_by_role("region", name="Goals and objectives")
    for horizon, title in [
        ("Short term", "Conocernos y mapear quién hace qué"),
        ("Medium term", "Tres convenciones regionales"),
        ("Long term", "Una agenda común de prevención"),
    ]:
        expect(goals.get_by_role("heading", name=horizon)).to_be_visible()
        expect(goals.get_by_role("listitem").filter(has_text=title)).to_be_visible()
    charter = page.get_by_role("region", name="Charter")
    expect(charter).to_contain_text("Version 1")
    expect(charter).to_contain_text("Rotating (rotates every 6 months)")
    expect(charter).to_contain_text("Consent")
    expect(page.locator("main")).to_contain_text("Your role: Convener")


def test_an_invited_person_signs_up_accepts_and_sees_the_community_with_their_role(new_page, mailoutbox):
    convener = make_user("convener@example.org")
    community = services.community_create(actor=convener, name="Red de Líderes Locales", slug="lideres",
                                           privacy=choices.Privacy.HIDDEN)
    organization = services.organization_create(actor=convener, community=community, name="Colectivo Tijuana",
                                                kind="cso", state="BCN")
    convener_page = new_page()
    sign_in(convener_page, "convener@example.org", PASSWORD)
    convener_page.goto(f"/c/{community.slug}/")
    convener_page.get_by_role("link", name="Invitations").click()
    convener_page.get_by_label("Email").fill("Rosa.Flores@example.org")
    convener_page.get_by_label("Role").select_option(choices.Role.STEWARD)
    convener_page.get_by_label("Organization").select_option(label="Colectivo Tijuana")
    convener_page.get_by_role("button", name="Send invitation").click()
    expect(convener_page.get_by_role("status")).to_contain_text(re.compile(r"Invitation sent to rosa\.flores@example\.org", re.I))

    link = invitation_path(mailoutbox, "rosa.flores@example.org")
    guest = new_page()
    guest.goto(link)
    expect(guest.get_by_role("heading", level=1)).to_have_text("You are invited to Red de Líderes Locales")
    guest.get_by_role("link", name="Create an account").click()
    guest.locator("#id_email").fill("rosa.flores@example.org")
    guest.locator("#id_password1").fill(PASSWORD)
    guest.locator("#id_password2").fill(PASSWORD)
    guest.locator("main form button[type=submit]").click()

    expect(guest).to_have_url(link)
    expect(guest.get_by_role("heading", level=1)).to_have_text("Join Red de Líderes Locales")
    expect(guest.locator("main")).to_contain_text("You are invited with the role: Steward.")
    guest.get_by_role("button", name="Accept and join").click()

    expect(guest).to_have_url(f"/c/{community.slug}/")
    expect(guest.get_by_role("status")).to_contain_text("Welcome to Red de Líderes Locales.")
    expect(guest.locator("main")).to_contain_text("Your role: Steward")
    # A hidden community is listed to its members on the home page, and only to them.
    guest.get_by_role("link", name="Tequio", exact=True).click()
    mine = guest.get_by_role("region", name="Your communities").get_by_role("listitem")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Red de Líderes Locales")
    expect(mine).to_contain_text("2 members")
    guest.goto(f"/c/{community.slug}/people/")
    expect(guest.locator("main")).to_contain_text("Colectivo Tijuana")

    convener_page.reload()
    expect(convener_page.get_by_role("row").filter(has_text="rosa.flores@example.org")).to_contain_text("Accepted")
    assert community.memberships.get(user__email="rosa.flores@example.org").person.affiliations.get().organization == organization


def _spanish(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


def test_the_language_switcher_changes_the_page_language_and_back(rich_community, new_page):
    page = new_page(locale="en-US")
    page.goto(f"/c/{rich_community.slug}/")
    html = page.locator("html")
    switcher = page.locator("form.lang")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    switcher.get_by_role("button", name="Español").click()
    expect(html).to_have_attribute("lang", "es")
    expect(page).to_have_url(f"/c/{rich_community.slug}/")
    expect(switcher.get_by_role("button", name="Español")).to_have_count(0)
    expect(switcher.get_by_role("button", name="English")).to_have_attribute("lang", "en")
    if _spanish("Sign in") != "Sign in":  # only once the Spanish catalog is compiled
        expect(page.get_by_role("link", name=_spanish("Sign in"))).to_be_visible()
        expect(page.get_by_role("heading", name=_spanish("Goals and objectives"))).to_be_visible()

    switcher.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(switcher.get_by_role("button", name="Español")).to_have_attribute("lang", "es")


def test_the_browser_language_is_the_first_choice(rich_community, new_page):
    page = new_page(locale="es-MX")
    page.goto(f"/c/{rich_community.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("form.lang").get_by_role("button", name="English")).to_be_visible()


def test_the_community_home_fits_a_phone_without_sideways_scrolling(rich_community, new_page):
    page = new_page(viewport=PHONE)
    page.goto(f"/c/{rich_community.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(rich_community.name)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"
    # Tap targets of the main navigation stay reachable: nothing is pushed off-screen.
    for link in page.get_by_role("navigation", name="Community").get_by_role("link").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
