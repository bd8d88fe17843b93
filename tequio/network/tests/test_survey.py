"""The network survey: answering for one's organization, scores, privacy, waves side by side."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tequio.core import services as core
from tequio.network import services
from tequio.network.models import SurveyRating, SurveyResponse, Tie, TieOrigin, WaveStatus
from tequio.testing.personas import make_user


@pytest.fixture
def wave(ncast):
    return services.wave_create(actor=ncast.users["steward"], community=ncast.community, title="Wave 2024",
                                opens_on=date(2024, 1, 1), status=WaveStatus.OPEN)


def speaker_for(ncast, organization, email):
    """A member account affiliated with `organization`."""
    user = make_user(email)
    _invitation, token = core.invitation_create(actor=ncast.users["convener"], community=ncast.community,
                                               email=email, role="member", organization=organization)
    core.invitation_accept(user=user, token=token)
    return user


def answer(wave, user, organization, ratings: dict, submit=True):
    from tequio.core.models import Organization

    partners = list(Organization.objects.filter(pk__in=ratings))
    response = services.survey_partners_select(actor=user, wave=wave, organization=organization, partners=partners)
    return services.survey_answer_save(actor=user, response=response, ratings=ratings, submit=submit)


def items(reliability, mission, openness, power=3, involvement=3, resources=3, intensity="cooperation"):
    return {"intensity": intensity, "frequency": "monthly", "reliability": reliability, "mission": mission,
            "openness": openness, "power": power, "involvement": involvement, "resources": resources}


def test_a_respondent_answers_on_a_phone_in_two_steps(ncast, wave, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:wave_answer", args=[ncast.community.slug, wave.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Step 1 of 2" in page.content.decode()
    response = client.post(url, {"organization": ncast.mine.pk, "step": "select", "partners": [ncast.theirs.pk, ncast.extra[0].pk]})
    assert response.status_code == 302 and "step=rate" in response["Location"]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert ncast.theirs.name in body and "Reliability" in body and "A great deal" in body
    data = {"organization": ncast.mine.pk, "step": "rate", "action": "submit", "contributions": ["expertise"],
            "outcomes": ["knowledge"]}
    for partner in (ncast.theirs, ncast.extra[0]):
        data |= {f"p{partner.pk}-intensity": "coordination", f"p{partner.pk}-frequency": "monthly",
                 f"p{partner.pk}-reliability": "4", f"p{partner.pk}-mission": "3", f"p{partner.pk}-openness": "4",
                 f"p{partner.pk}-power": "2", f"p{partner.pk}-involvement": "3", f"p{partner.pk}-resources": ""}
    response = client.post(f"{url}?organization={ncast.mine.pk}&step=rate", data)
    assert response.status_code == 302
    saved = SurveyResponse.objects.get(wave=wave, organization=ncast.mine)
    assert saved.submitted_at is not None and saved.contributions == ["expertise"]
    rating = saved.ratings.get(partner=ncast.theirs)
    assert (rating.intensity, rating.reliability, rating.resources) == ("coordination", 4, None)


def test_a_rating_outside_one_to_four_is_refused_and_nothing_is_saved(ncast, wave):
    response = services.survey_partners_select(actor=ncast.users["member"], wave=wave, organization=ncast.mine,
                                               partners=[ncast.theirs])
    with pytest.raises(ValidationError) as error:
        services.survey_answer_save(actor=ncast.users["member"], response=response,
                                    ratings={ncast.theirs.pk: items(5, 3, 3)}, submit=True)
    assert "Ratings go from 1 to 4; 5 is outside that scale." in error.value.messages
    rating = SurveyRating.objects.get(response=response)
    assert rating.reliability is None and rating.intensity == ""
    response.refresh_from_db()
    assert response.submitted_at is None


def test_a_tampered_form_gets_the_same_translated_error(ncast, wave, client, spanish):
    spanish("Ratings go from 1 to 4; %(value)s is outside that scale.", "Las calificaciones van de 1 a 4; %(value)s está fuera de la escala.")
    services.survey_partners_select(actor=ncast.users["member"], wave=wave, organization=ncast.mine, partners=[ncast.theirs])
    client.force_login(ncast.users["member"])
    url = reverse("network:wave_answer", args=[ncast.community.slug, wave.pk])
    with translation.override("es"):
        response = client.post(url, {"organization": ncast.mine.pk, "step": "rate", "action": "submit",
                                     f"p{ncast.theirs.pk}-intensity": "cooperation", f"p{ncast.theirs.pk}-reliability": "0"},
                               HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "0 está fuera de la escala" in response.content.decode()
    assert SurveyRating.objects.get().reliability is None


def test_an_organization_cannot_rate_itself_or_one_of_another_community(ncast, wave):
    for partner, message in ((ncast.mine, "An organization cannot rate itself."),
                             (ncast.cast.foreign_organization, "That organization is not part of this community.")):
        with pytest.raises(ValidationError) as error:
            services.survey_partners_select(actor=ncast.users["member"], wave=wave, organization=ncast.mine, partners=[partner])
        assert message in error.value.messages
    assert not SurveyResponse.objects.exists()


def test_a_closed_wave_takes_no_answers(ncast, wave):
    services.wave_update(actor=ncast.users["steward"], wave=wave, status=WaveStatus.CLOSED)
    with pytest.raises(ValidationError, match="not open"):
        services.survey_partners_select(actor=ncast.users["member"], wave=wave, organization=ncast.mine, partners=[ncast.theirs])


@pytest.fixture
def answered(ncast, wave):
    """Four organizations rate the cast's organization; two are rated by fewer than three."""
    raters = [(ncast.theirs, ncast.partner)]
    for index, organization in enumerate(ncast.extra):
        raters.append((organization, speaker_for(ncast, organization, f"speaker{index}@cast.test")))
    mine = ncast.mine
    answer(wave, raters[0][1], raters[0][0], {mine.pk: items(4, 4, 4), ncast.extra[0].pk: items(2, 2, None)})
    answer(wave, raters[1][1], raters[1][0], {mine.pk: items(3, 3, 3)})
    answer(wave, raters[2][1], raters[2][0], {mine.pk: items(2, 3, 4, power=1, involvement=1, resources=1)})
    answer(wave, raters[3][1], raters[3][0], {mine.pk: items(1, 2, 3), ncast.theirs.pk: items(4, 4, 4)})
    answer(wave, ncast.users["member"], mine, {ncast.theirs.pk: items(3, 3, 2)})
    services.snapshot_request(community=ncast.community, wave=wave, background=False)
    return raters


def test_scores_per_pair_per_organization_and_for_the_network(ncast, wave, answered, client):
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:wave_detail", args=[ncast.community.slug, wave.pk]))
    results = page.context["results"]
    rows = {row.organization_id: row for row in results.rows}
    mine = rows[ncast.mine.pk]
    # Trust received: pairs (4,4,4)=4, (3,3,3)=3, (2,3,4)=3, (1,2,3)=2 -> 3.0 over 4 raters.
    assert (mine.trust_received.value, mine.trust_received.n) == (3.0, 4)
    # Value received: 3, 3, 1, 3 -> 2.5.
    assert mine.value_received.value == 2.5
    # The network, both bases, labelled: 6 complete trust pairs (one lacks an item).
    trust = results.network["trust"]
    assert trust["dyad"].n == 6
    assert trust["dyad"].value == pytest.approx((4 + 3 + 3 + 2 + 4 + 8 / 3) / 6, abs=1e-3)
    assert trust["organization"].n == 2  # the cast's organization and the other one received complete trust
    body = page.content.decode()
    assert "Mean over pairs" in body and "Mean over organizations" in body


def test_other_members_see_only_aggregates_and_a_respondent_sees_its_own_answers(ncast, wave, answered, client):
    url = reverse("network:wave_detail", args=[ncast.community.slug, wave.pk])
    client.force_login(ncast.users["member"])
    rows = {row.organization_id: row for row in client.get(url).context["results"].rows}
    # The cast's organization was rated 4 times: shown. The other organization only twice: hidden.
    assert rows[ncast.mine.pk].trust_received.value == 3.0
    assert rows[ncast.theirs.pk].trust_received.hidden and rows[ncast.theirs.pk].trust_received.value is None
    # ...except from its own people.
    client.force_login(ncast.partner)
    page = client.get(url)
    own = {row.organization_id: row for row in page.context["results"].rows}
    assert own[ncast.theirs.pk].trust_received.value == pytest.approx((8 / 3 + 4) / 2, abs=1e-3)
    # The partner sees its organization's own answers, pair by pair, and nobody else's.
    answers = page.context["own_responses"]
    assert [name for name, _response, _rows in answers] == [ncast.theirs.name]
    body = page.content.decode()
    assert "Answers of " + ncast.theirs.name in body
    client.force_login(ncast.users["observer"])
    observer = client.get(url)
    assert observer.context["own_responses"] == []
    assert "Answers of" not in observer.content.decode()


def test_the_api_gives_the_same_aggregates_and_hides_small_ones(ncast, wave, answered, client):
    client.force_login(ncast.users["observer"])
    data = client.get(f"/api/v1/communities/{ncast.community.slug}/network/surveys/{wave.pk}/scores").json()
    by_org = {row["organization_id"]: row for row in data["organizations"]}
    assert by_org[ncast.mine.pk]["trust_received"] == {"value": 3.0, "n": 4, "hidden": False}
    assert by_org[ncast.theirs.pk]["trust_received"]["hidden"] is True
    assert by_org[ncast.theirs.pk]["trust_received"]["value"] is None


def test_waves_compare_side_by_side(ncast, wave, answered, client):
    second = services.wave_create(actor=ncast.users["steward"], community=ncast.community, title="Wave 2025",
                                  opens_on=date(2025, 1, 1), status=WaveStatus.OPEN)
    answer(second, ncast.partner, ncast.theirs, {ncast.mine.pk: items(4, 4, 4)})
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:wave_compare", args=[ncast.community.slug]),
                      {"wave": [wave.pk, second.pk]})
    columns = page.context["columns"]
    assert [c.wave.title for c in columns] == ["Wave 2024", "Wave 2025"]
    body = page.content.decode()
    assert body.index("Wave 2024") < body.index("Wave 2025")
    assert "mean over pairs" in body and "mean over organizations" in body
    # A change column, last wave minus first; a hidden mean gives no change either.
    assert "last minus first" in body
    rows = {label: change for label, _cells, change in page.context["network_rows"]}
    firsts = {label: cells[0] for label, cells, _change in page.context["network_rows"]}
    lasts = {label: cells[-1] for label, cells, _change in page.context["network_rows"]}
    for label, change in rows.items():
        first, last = firsts[label], lasts[label]
        if first is None or last is None or first.hidden or last.hidden or first.value is None or last.value is None:
            assert change is None
        else:
            assert change == pytest.approx(last.value - first.value)
    pairs = next(change for label, _values, change in page.context["facts"] if label == "Pairs reported")
    assert pairs == columns[1].data["pairs_reported"] - columns[0].data["pairs_reported"]


def test_a_steward_adds_the_reported_ties_to_the_network(ncast, wave, answered, client):
    client.force_login(ncast.users["steward"])
    client.post(reverse("network:wave_ties", args=[ncast.community.slug, wave.pk]))
    ties = Tie.objects.filter(origin=TieOrigin.SURVEY)
    assert ties.count() == 6
    both = ties.get(source=min(ncast.mine, ncast.theirs, key=lambda o: o.pk), target=max(ncast.mine, ncast.theirs, key=lambda o: o.pk))
    assert both.confirmed  # the two organizations reported each other
    assert ties.exclude(pk=both.pk).filter(source_confirmed_at__isnull=False, target_confirmed_at__isnull=False).count() == 0


def test_only_stewards_see_who_answered_and_drafts(ncast, client):
    draft = services.wave_create(actor=ncast.users["steward"], community=ncast.community, title="Draft",
                                 opens_on=date(2024, 1, 1))
    client.force_login(ncast.users["member"])
    assert client.get(reverse("network:wave_detail", args=[ncast.community.slug, draft.pk])).status_code == 404
    client.force_login(ncast.users["steward"])
    page = client.get(reverse("network:wave_detail", args=[ncast.community.slug, draft.pk]))
    assert page.status_code == 200 and page.context["responded"] == []
