"""Convenings clicked through in a real browser: agenda on a phone, roles, report, questionnaire."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tequio.testing.personas import PASSWORD, build_cast

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    from tequio.convenings import services

    cast = build_cast(slug="viaje")
    start = timezone.now() + timedelta(days=12)
    convening = services.convening_create(
        actor=cast.users["steward"], community=cast.community, title="Encuentro en Saltillo", starts_at=start,
        ends_at=start + timedelta(hours=8), place="Centro de las Artes, Saltillo",
    )
    return cast, convening


def path(cast, *parts) -> str:
    return "/c/" + cast.community.slug + "/" + "/".join(str(part) for part in parts) + "/"


def test_a_member_proposes_and_votes_on_a_phone(world, new_page):
    cast, convening = world
    page = new_page(viewport=PHONE)
    sign_in(page, cast.users["member"].email, PASSWORD)
    page.goto(path(cast, "convenings", convening.pk, "agenda"))

    page.get_by_role("textbox", name="Topic").fill("Seguridad digital para organizaciones")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_role("status")).to_contain_text("Topic proposed")
    ranking = page.locator("#agenda-list")
    expect(ranking).to_contain_text("5 of 5 votes left")

    # The vote goes through htmx: the list is swapped in place, the page is not reloaded.
    page.evaluate("window.__stayed = true")
    ranking.get_by_role("button", name="Add a vote to Seguridad digital para organizaciones").click()
    expect(page.locator("#agenda-list")).to_contain_text("4 of 5 votes left")
    expect(page.locator("#agenda-list")).to_contain_text("1 vote")
    assert page.evaluate("window.__stayed === true")
    page.locator("#agenda-list").get_by_role("button", name="Add a vote to Seguridad digital para organizaciones").click()
    expect(page.locator("#agenda-list")).to_contain_text("3 of 5 votes left")
    page.locator("#agenda-list").get_by_role("button", name="Take a vote back from Seguridad digital para organizaciones").click()
    expect(page.locator("#agenda-list")).to_contain_text("4 of 5 votes left")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_steward_accepts_the_role_suggestions(world, new_page):
    cast, convening = world
    page = new_page()
    sign_in(page, cast.users["steward"].email, PASSWORD)
    page.goto(path(cast, "convenings", convening.pk))
    page.get_by_role("link", name="Suggest and confirm roles").click()
    expect(page.get_by_text(re.compile(r"has never been facilitator"))).to_be_visible()
    page.get_by_role("button", name="Confirm roles").click()
    expect(page.get_by_role("status")).to_contain_text("Roles confirmed")
    confirmed = page.get_by_role("heading", name="Confirmed roles").locator("xpath=..")
    expect(confirmed).to_contain_text("Facilitator")
    expect(confirmed).to_contain_text("Rapporteur")


def test_the_steward_files_a_report_with_an_action_item_that_follows_up_next_time(world, new_page):
    from tequio.convenings import services

    cast, convening = world
    page = new_page()
    sign_in(page, cast.users["steward"].email, PASSWORD)
    page.goto(path(cast, "convenings", convening.pk, "report"))
    page.get_by_role("link", name="Write the report").click()
    page.get_by_label("Key insights").fill("- La **mediación** funciona mejor con acuerdos previos.")
    page.get_by_label("Decisions").fill("Rotar la relatoría.")
    page.get_by_label("Publish (observers can read it)").check()
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_role("status")).to_contain_text("Report saved")
    expect(page.locator("main strong", has_text="mediación")).to_be_visible()

    page.get_by_role("link", name="Add an action item").click()
    page.get_by_label(re.compile(r"^Action:?$")).fill("Compartir la guía de mediación")
    page.get_by_label(re.compile(r"^Owner:?$")).select_option(label=cast.person.display_name)
    page.get_by_label("Due on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Action item added")
    expect(page.locator("#actions")).to_contain_text("Compartir la guía de mediación")

    later = services.convening_create(actor=cast.users["steward"], community=cast.community, title="Siguiente encuentro",
                                      starts_at=convening.starts_at + timedelta(days=60),
                                      ends_at=convening.ends_at + timedelta(days=60))
    page.goto(path(cast, "convenings", later.pk))
    expect(page.locator("#follow-ups")).to_contain_text("Compartir la guía de mediación")

    # The owner closes it from a phone, at the next convening's follow-up list.
    owner = new_page(viewport=PHONE)
    sign_in(owner, cast.users["member"].email, PASSWORD)
    owner.goto(path(cast, "convenings", later.pk))
    follow_ups = owner.locator("#follow-ups")
    expect(follow_ups).to_contain_text("Agreed at Encuentro en Saltillo")
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    follow_ups.get_by_role("link", name="Update “Compartir la guía de mediación”").click()
    owner.get_by_label("Status").select_option(label="Done")
    owner.get_by_role("button", name="Save").click()
    expect(owner.get_by_role("status")).to_contain_text("Action item saved")
    expect(owner).to_have_url(re.compile(rf"/convenings/{later.pk}/#follow-ups$"))
    expect(owner.locator("#follow-ups")).not_to_contain_text("Compartir la guía de mediación")


def test_a_member_answers_the_questionnaire_on_a_phone_and_an_observer_reads_the_results(world, new_page):
    from tequio.convenings import services

    cast, convening = world
    poll = services.questionnaire_create(actor=cast.users["steward"], community=cast.community, convening=convening,
                                         builtin="post_convening")
    services.questionnaire_set_status(actor=cast.users["steward"], questionnaire=poll, status="open")

    page = new_page(viewport=PHONE)
    sign_in(page, cast.users["member"].email, PASSWORD)
    page.goto(path(cast, "questionnaires", poll.pk, "answer"))
    for question in ("The convening was useful for my organization's work.", "I could participate and be heard.",
                     "I learned something I will apply."):
        page.get_by_role("group", name=question).get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name="What did you value most?").get_by_label("New contacts and alliances").check()
    ranking = page.get_by_role("group", name="Rank the topics for the next convening.")
    ranking.get_by_label("Security and digital care").select_option("1")
    ranking.get_by_label("Fundraising and sustainability").select_option("2")
    page.get_by_label("How many new contacts did you make?").fill("4")
    page.get_by_label("One word for this convening").fill("Confianza")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page).to_have_url(re.compile(rf"/questionnaires/{poll.pk}/results/$"))

    observer = new_page()
    sign_in(observer, cast.users["observer"].email, PASSWORD)
    observer.goto(path(cast, "questionnaires", poll.pk, "results"))
    expect(observer.get_by_text("1 response", exact=False).first).to_be_visible()
    chart = observer.get_by_role("img", name="The convening was useful for my organization's work.")
    expect(chart).to_be_visible()
    expect(observer.locator("main")).to_contain_text("Confianza")
