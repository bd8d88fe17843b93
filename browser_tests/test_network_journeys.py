"""The network, clicked through: ties confirmed by both sides, the survey on a phone, the map."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tequio.network import services
from tequio.network.models import Tie, WaveStatus
from tequio.network.tests.conftest import build_network_cast
from tequio.testing.personas import PASSWORD

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def ncast(transactional_db):
    return build_network_cast()


def test_a_member_records_a_tie_and_the_other_organization_confirms_it(ncast, new_page):
    slug = ncast.community.slug
    member = new_page()
    sign_in(member, ncast.users["member"].email, PASSWORD)
    member.goto(f"/c/{slug}/")
    member.get_by_role("navigation", name="Community").get_by_role("link", name="Network").click()
    member.get_by_role("link", name="Ties", exact=True).click()
    member.get_by_role("link", name="Record a tie").click()
    member.get_by_label("Other organization").select_option(label=ncast.theirs.name)
    member.get_by_label("Type of tie").select_option("joint_activity")
    member.get_by_label("Started on").fill("2024-03-01")
    member.get_by_role("button", name="Record").click()
    expect(member.get_by_role("status")).to_contain_text("Tie recorded")
    expect(member.locator("main")).to_contain_text("Not yet confirmed")

    partner = new_page()
    sign_in(partner, ncast.partner.email, PASSWORD)
    partner.goto(f"/c/{slug}/")
    partner.get_by_role("link", name=re.compile(r"1 tie waits for your organization")).click()
    partner.get_by_role("link", name=re.compile(re.escape(ncast.mine.name))).click()
    partner.get_by_role("button", name="Confirm this tie").click()
    expect(partner.get_by_role("status")).to_contain_text(f"Tie confirmed for {ncast.theirs.name}")
    expect(partner.locator("main")).to_contain_text("Confirmed by both")
    assert Tie.objects.get().confirmed


def test_a_respondent_answers_the_network_survey_on_a_phone(ncast, new_page):
    slug = ncast.community.slug
    wave = services.wave_create(actor=ncast.users["steward"], community=ncast.community, title="Medición 2024",
                                opens_on=date(2024, 1, 1), status=WaveStatus.OPEN)
    phone = new_page(viewport=PHONE)
    sign_in(phone, ncast.users["member"].email, PASSWORD)
    phone.goto(f"/c/{slug}/")
    phone.get_by_role("link", name="Network survey open: Medición 2024").click()
    phone.get_by_role("link", name="Answer for my organization").click()
    expect(phone.locator("main")).to_contain_text("Step 1 of 2")
    phone.get_by_label(ncast.theirs.name).check()
    phone.get_by_label("Universidad del Norte").check()
    phone.get_by_role("button", name="Next: rate each one").click()

    for partner, scores in ((ncast.theirs.name, "4334"), ("Universidad del Norte", "3223")):
        section = phone.get_by_role("region", name=partner)
        section.get_by_role("group", name="Your relationship").get_by_role("radio", name=re.compile("^Coordination")).check()
        section.get_by_label("How often you work together").select_option("monthly")
        items = ["Reliability", "Support of the mission", "Openness to discussion", "Power and influence"]
        for item, score in zip(items, scores, strict=True):
            group = section.get_by_role("group", name=re.compile(f"^{item}"))
            group.get_by_role("radio", name=re.compile(f"^{score} ·")).check()
    phone.get_by_role("group", name=re.compile("contribute")).get_by_label("Specialized expertise").check()
    phone.get_by_role("button", name="Send answers").click()

    expect(phone.get_by_role("status")).to_contain_text("your answers count in this wave")
    own = phone.get_by_role("region", name=f"Answers of {ncast.mine.name}")
    expect(own.get_by_role("row").filter(has_text=ncast.theirs.name)).to_contain_text("Coordination")
    # Trust (4, 3, 3) is 3.33; value has unanswered items, so it is missing, not guessed.
    expect(own.get_by_role("row").filter(has_text=ncast.theirs.name)).to_contain_text("3.33—")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    response = wave.responses.get()
    assert response.submitted_at and response.ratings.get(partner=ncast.theirs).reliability == 4


def _rate(ncast, wave, user, organization, partners, score):
    response = services.survey_partners_select(actor=user, wave=wave, organization=organization, partners=partners)
    services.survey_answer_save(actor=user, response=response, submit=True, ratings={
        p.pk: {"intensity": "cooperation", "reliability": score, "mission": score, "openness": score,
               "power": score, "involvement": score, "resources": score} for p in partners})


def test_a_funder_reads_the_map_and_compares_two_waves(ncast, new_page):
    slug = ncast.community.slug
    steward = ncast.users["steward"]
    for a, b, start in ((ncast.convener_org, ncast.mine, date(2023, 1, 1)), (ncast.convener_org, ncast.theirs, date(2023, 1, 1)),
                        (ncast.mine, ncast.theirs, date(2024, 5, 1)), (ncast.extra[0], ncast.mine, date(2024, 6, 1))):
        services.tie_record(actor=steward, community=ncast.community, source=a, target=b, type="joint_activity",
                            started_on=start)
    first = services.wave_create(actor=steward, community=ncast.community, title="Primera ola",
                                 opens_on=date(2023, 6, 1), status=WaveStatus.OPEN)
    second = services.wave_create(actor=steward, community=ncast.community, title="Segunda ola",
                                  opens_on=date(2024, 6, 1), status=WaveStatus.OPEN)
    rated = [ncast.theirs, ncast.extra[0], ncast.extra[1]]
    _rate(ncast, first, ncast.users["member"], ncast.mine, rated, 2)
    _rate(ncast, second, ncast.users["member"], ncast.mine, rated, 4)
    _rate(ncast, second, ncast.partner, ncast.theirs, [ncast.mine], 3)

    funder = new_page()
    sign_in(funder, ncast.users["observer"].email, PASSWORD)
    funder.goto(f"/c/{slug}/network/")
    the_map = funder.get_by_role("img", name=re.compile("Network of"))
    expect(the_map).to_be_visible()
    expect(the_map.locator("circle")).to_have_count(6)
    # Zooming in (map.js) narrows the drawing's box; "Whole map" gives it back.
    whole = the_map.get_attribute("viewBox")
    funder.get_by_role("button", name="Zoom in").click()
    zoomed = the_map.get_attribute("viewBox")
    assert float(zoomed.split()[2]) < float(whole.split()[2])
    funder.get_by_role("button", name="Whole map").click()
    expect(the_map).to_have_attribute("viewBox", whole)
    expect(funder.locator("main")).to_contain_text("Dependence on the convener")
    measures = funder.get_by_role("region", name="Measures by organization")
    expect(measures.get_by_role("row")).to_have_count(7)

    funder.get_by_text("Date, filters and comparison").click()
    funder.get_by_label("Network as it stood on").fill("2024-01-15")
    funder.get_by_role("button", name="Show").click()
    pairs = funder.locator("ul.figures li").filter(has_text=re.compile(r"^\s*\d+\s*connected pairs"))
    expect(pairs).to_have_text(re.compile(r"^\s*2\s*connected pairs\s*$"))  # only the convener's, then

    funder.get_by_role("link", name="Network survey").click()
    funder.get_by_role("link", name="Compare waves side by side").click()
    table = funder.get_by_role("table", name="Network scores by wave")
    expect(table.get_by_role("columnheader").nth(1)).to_contain_text("Primera ola")
    expect(table.get_by_role("columnheader").nth(2)).to_contain_text("Segunda ola")
    expect(table.get_by_role("row").filter(has_text="Trust (mean over pairs)")).to_contain_text("2.00")
    expect(table.get_by_role("row").filter(has_text="Trust (mean over pairs)")).to_contain_text("3.75")
    # One rating per organization and wave: too few to show without revealing an answer.
    received = funder.get_by_role("row").filter(has_text=ncast.theirs.name)
    expect(received).to_contain_text("·")
    expect(received).not_to_contain_text("4.00")
