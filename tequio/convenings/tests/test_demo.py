"""The demo seed: convenings in Tijuana, Mexico City, Sonora and Coahuila, 2018-2020."""

from __future__ import annotations

import itertools

import pytest

from tequio.convenings.models import (
    ActionItem,
    AfterActionReview,
    AgendaItem,
    Attendance,
    Convening,
    Questionnaire,
    Report,
    Response,
    RoleAssignment,
)
from tequio.core.demo import demo_load


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        data = demo_load()
        yield data
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def test_it_tells_each_communitys_convenings_with_rotating_roles(demo, db):
    for key, events in demo.events.items():
        community = demo.communities[key]
        past = Convening.objects.filter(community=community, starts_at__year__lte=2020).order_by("starts_at")
        assert past.count() == len(events)
        facilitators = [r.organization_id for r in RoleAssignment.objects.filter(convening__in=past, role="facilitator").order_by("convening__starts_at")]
        assert len(facilitators) == len(events)
        # Nobody facilitates twice in a row.
        assert all(a != b for a, b in itertools.pairwise(facilitators))
        for convening in past:
            roles = RoleAssignment.objects.filter(convening=convening)
            facilitator = roles.get(role="facilitator")
            rapporteur = roles.get(role="rapporteur")
            assert facilitator.organization_id != rapporteur.organization_id
            assert Report.objects.get(convening=convening).published_at is not None
            assert AfterActionReview.objects.filter(convening=convening).exists()
            assert Attendance.objects.filter(convening=convening).count() >= 3
            questionnaire = Questionnaire.objects.get(convening=convening)
            assert questionnaire.status == "closed"
            assert Response.objects.filter(questionnaire=questionnaire).exists()
            assert convening.starts_at.year in (2018, 2019, 2020)
    places = set(Convening.objects.values_list("place", flat=True))
    assert any("Tijuana" in place for place in places) and any("Saltillo" in place for place in places)
    assert any("Hermosillo" in place for place in places) and any("Ciudad de México" in place for place in places)


def test_members_take_over_the_agenda_and_the_last_agreements_stay_open(demo, db):
    community = demo.communities["group1"]
    items = AgendaItem.objects.filter(convening__community=community, convening__starts_at__year__lte=2020)
    first, last = items.order_by("convening__starts_at").first().convening, items.order_by("-convening__starts_at").first().convening
    assert items.filter(convening=first, proposer_kind="convener").exists()
    assert not items.filter(convening=last, proposer_kind="convener").exists()
    assert ActionItem.objects.filter(convening=last, status="open").count() == 2
    upcoming = Convening.objects.upcoming().filter(community=community).get()
    assert upcoming.agenda_open and AgendaItem.objects.filter(convening=upcoming).exists()
    # A questionnaire waits, open and unanswered, so that answering can be tried too.
    waiting = Questionnaire.objects.get(convening=upcoming)
    assert waiting.status == "open" and not Response.objects.filter(questionnaire=waiting).exists()
