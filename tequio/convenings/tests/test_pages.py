"""The convening page, the timeline and the home panel: what each persona sees, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tequio.convenings import services
from tequio.core import choices
from tequio.core import services as core_services


def url(cast, name, *args):
    return reverse(f"convenings:{name}", args=[cast.community.slug, *args])


def queries(client, path) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def held(cast, steward, days_ago: int, *, people, index: int):
    start = timezone.now() - timedelta(days=days_ago)
    convening = services.convening_create(actor=steward, community=cast.community, title=f"Encuentro {index}",
                                          starts_at=start, ends_at=start + timedelta(hours=8))
    services.session_create(actor=steward, convening=convening, title="Plenaria")
    for number in range(3):
        item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title=f"Tema {index}.{number}")
        services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    services.role_assign(actor=steward, convening=convening, role="facilitator", person=people[0])
    services.role_assign(actor=steward, convening=convening, role="rapporteur", person=people[1])
    for person in people:
        services.attendance_record(actor=steward, convening=convening, person=person)
    services.action_item_create(actor=steward, convening=convening, title=f"Acuerdo {index}", owner=people[0])
    services.connection_add(actor=steward, convening=convening, organization_a=cast.organization,
                            organization_b=cast.other_organization)
    services.report_save(actor=steward, convening=convening, publish=True, insights="Aprendizajes")
    services.aar_save(actor=steward, convening=convening, version=0, keep="Rotar")
    return convening


def test_the_convening_page_and_timeline_do_not_grow_in_queries(cast, convening, steward, client_for, member_org_two):
    people = [cast.person, member_org_two.persons.get(community=cast.community)]
    held(cast, steward, 40, people=people, index=0)
    client = client_for("member")
    detail, line = url(cast, "convening_detail", convening.pk), url(cast, "timeline")
    few = (queries(client, detail), queries(client, line))
    for index in range(1, 6):
        held(cast, steward, 40 - index, people=people, index=index)
    assert (queries(client, detail), queries(client, line)) == few


def test_the_timeline_shows_attendance_roles_and_the_members_share_of_topics(cast, steward, client_for, member_org_two):
    core_services.person_update(actor=steward, person=cast.person, display_name="Ana Lucía Pérez")
    people = [cast.person, member_org_two.persons.get(community=cast.community)]
    convening = held(cast, steward, 10, people=people, index=1)
    services.agenda_item_propose(actor=cast.users["convener"], convening=convening, title="Del convocante")
    page = client_for("member").get(url(cast, "timeline")).content.decode()
    assert "2 participants" in page
    assert "4 topics, 75% proposed by members" in page
    assert f"Facilitator: {cast.person.display_name}, {cast.organization.name}" in page
    assert "Agenda topics proposed by members: 75%." in page
    assert "Roles held by members rather than the convener: 100%." in page
    convener = cast.users["convener"].persons.get(community=cast.community)
    services.role_assign(actor=steward, convening=convening, role="host", person=convener)
    page = client_for("member").get(url(cast, "timeline")).content.decode()
    assert "Roles held by members rather than the convener: 67%." in page
    observer = client_for("observer").get(url(cast, "timeline")).content.decode()
    assert f"Facilitator: {cast.organization.name}" in observer and cast.person.display_name not in observer


def test_the_page_hides_the_place_from_observers_and_the_public(cast, convening, client_for):
    assert "Casa de la Cultura" in client_for("ally").get(url(cast, "convening_detail", convening.pk)).content.decode()
    assert "Casa de la Cultura" not in client_for("observer").get(url(cast, "convening_detail", convening.pk)).content.decode()
    core_services.community_update(actor=cast.users["convener"], community=cast.community, privacy=choices.Privacy.PUBLIC)
    anonymous = client_for("anonymous").get(url(cast, "convening_detail", convening.pk))
    assert anonymous.status_code == 200 and "Casa de la Cultura" not in anonymous.content.decode()


def test_another_communitys_convening_is_not_found_here(cast, client_for):
    other = services.convening_create(actor=cast.users["convener"], community=cast.other_community, title="Ajeno",
                                      starts_at=timezone.now(), ends_at=timezone.now())
    assert client_for("steward").get(url(cast, "convening_detail", other.pk)).status_code == 404


def test_the_community_home_shows_the_next_convening_and_open_action_items(cast, convening, steward, client_for):
    services.action_item_create(actor=steward, convening=convening, title="Preparar la visita de campo", owner=cast.person)
    page = client_for("member").get(reverse("core:community_home", args=[cast.community.slug])).content.decode()
    assert convening.title in page and "Preparar la visita de campo" in page and "1 open action item" in page


def test_a_steward_plans_a_convening_from_the_form(cast, client_for):
    response = client_for("steward").post(url(cast, "convening_create"), {
        "title": "Encuentro en Tijuana", "starts_at": "2030-01-30T09:00", "ends_at": "2030-01-31T17:00", "mode": "in_person",
        "place": "Centro Cultural Tijuana", "held_alongside": "Foro de la sociedad civil", "objectives": "Aprender",
        "online_url": "", "host_organization": str(cast.organization.pk)})
    assert response.status_code == 302
    page = client_for("member").get(response["Location"]).content.decode()
    assert "Foro de la sociedad civil" in page and cast.organization.name in page
    bad = client_for("steward").post(url(cast, "convening_create"), {
        "title": "X", "starts_at": "2030-01-30T09:00", "ends_at": "2030-01-29T17:00", "mode": "in_person"})
    assert "cannot end before it starts" in bad.content.decode()


def test_the_convening_page_numbers_convenings_in_order(cast, convening, steward, client_for, member_org_two):
    # The count is plain SQL: the convening must not count itself as one of the earlier ones.
    people = [cast.person, member_org_two.persons.get(community=cast.community)]
    earlier = held(cast, steward, 40, people=people, index=0)
    client = client_for("member")
    assert client.get(url(cast, "convening_detail", earlier.pk)).context["page"].number == 1
    assert client.get(url(cast, "convening_detail", convening.pk)).context["page"].number == 2
