"""Attendance, the rapporteur's report, connections, action items, After Action Reviews and lessons."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tequio.convenings import selectors, services
from tequio.convenings.models import ActionItem, AfterActionReview, Attendance, Connection, Report
from tequio.core.permissions import access_for


def url(cast, name, *args):
    return reverse(f"convenings:{name}", args=[cast.community.slug, *args])


def past_convening(cast, steward, days_ago: int, title: str = "Antes"):
    start = timezone.now() - timedelta(days=days_ago)
    return services.convening_create(actor=steward, community=cast.community, title=title, starts_at=start,
                                     ends_at=start + timedelta(hours=8))


# --- attendance -----------------------------------------------------------------------------

def test_a_participant_checks_in_with_the_link_during_the_convening(cast, convening, client_for):
    link = url(cast, "checkin", convening.pk, convening.checkin_token)
    with time_machine.travel(convening.starts_at + timedelta(hours=1)):
        response = client_for("member").post(link)
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.person, attendance.organization, attendance.method) == (cast.person, cast.organization, "self")


def test_a_wrong_check_in_link_or_a_check_in_a_week_early_is_refused(cast, convening, client_for):
    client = client_for("member")
    with time_machine.travel(convening.starts_at):
        response = client.post(url(cast, "checkin", convening.pk, "not-the-token"))
    assert "not valid" in response.content.decode()
    response = client.post(url(cast, "checkin", convening.pk, convening.checkin_token))
    assert "one day before" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_steward_records_attendance_and_first_timers_are_counted(cast, steward, member_org_two):
    first = past_convening(cast, steward, 60, "Primero")
    second = past_convening(cast, steward, 30, "Segundo")
    ally = cast.users["ally"].persons.get(community=cast.community)
    services.attendance_record(actor=steward, convening=first, person=cast.person)
    services.attendance_record(actor=steward, convening=second, person=cast.person)
    services.attendance_record(actor=steward, convening=second, person=ally)
    services.role_assign(actor=steward, convening=second, role="rapporteur", person=ally)
    summary = selectors.attendance_for(second)
    rows = {row.attendance.person_id: row for row in summary.rows}
    assert rows[ally.pk].first_time and not rows[cast.person.pk].first_time
    assert rows[ally.pk].role_label == "Rapporteur" and rows[cast.person.pk].role_label == "Participant"
    assert summary.first_timers == 1 and summary.organizations == 1
    assert dict(summary.staff_levels) == {"Field / staff": 2}


def test_attendance_of_someone_from_another_community_is_refused(cast, convening, steward):
    with pytest.raises(ValidationError, match="not a member of this community"):
        services.attendance_record(actor=steward, convening=convening, person=cast.foreign_person)


def test_observers_see_counts_but_not_names(cast, convening, steward, client_for):
    services.attendance_record(actor=steward, convening=convening, person=cast.person)
    page = client_for("observer").get(url(cast, "attendance", convening.pk)).content.decode()
    assert "1 person came" in page
    assert cast.person.display_name not in page


# --- report ---------------------------------------------------------------------------------

def test_the_rapporteur_writes_the_report_and_a_member_who_is_not_cannot(cast, convening, steward, client_for):
    edit = url(cast, "report_edit", convening.pk)
    assert client_for("member").get(edit).status_code == 403
    ally_person = cast.users["ally"].persons.get(community=cast.community)
    services.role_assign(actor=steward, convening=convening, role="rapporteur", person=cast.person)
    assert ally_person  # allies read reports; only contributors document them
    response = client_for("member").post(edit, {"insights": "La **mediación** funciona", "decisions": "Rotar la relatoría",
                                                "methodologies": "", "resources": "", "publish": "on"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.rapporteur == cast.person and report.published_at is not None
    page = client_for("observer").get(url(cast, "report", convening.pk)).content.decode()
    assert "<strong>mediación</strong>" in page


def test_a_draft_report_is_hidden_from_observers(cast, convening, steward, client_for):
    services.report_save(actor=steward, convening=convening, insights="Borrador")
    assert "Borrador" not in client_for("observer").get(url(cast, "report", convening.pk)).content.decode()
    assert "Borrador" in client_for("member").get(url(cast, "report", convening.pk)).content.decode()


def test_script_in_a_report_is_not_run(cast, convening, steward, client_for):
    services.report_save(actor=steward, convening=convening, publish=True, insights="<script>alert(1)</script> ok")
    page = client_for("member").get(url(cast, "report", convening.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_new_connections_are_kept_as_one_unordered_pair(cast, convening, steward):
    services.connection_add(actor=steward, convening=convening, organization_a=cast.other_organization,
                            organization_b=cast.organization, description="Compartir guías")
    with pytest.raises(ValidationError, match="already recorded"):
        services.connection_add(actor=steward, convening=convening, organization_a=cast.organization,
                                organization_b=cast.other_organization)
    with pytest.raises(ValidationError, match="two different"):
        services.connection_add(actor=steward, convening=convening, organization_a=cast.organization,
                                organization_b=cast.organization)
    with pytest.raises(ValidationError, match="not part of this community"):
        services.connection_add(actor=steward, convening=convening, organization_a=cast.organization,
                                organization_b=cast.foreign_organization)
    assert Connection.objects.count() == 1
    made = selectors.connections_made(cast.community)
    assert {made[0]["organization_a_id"], made[0]["organization_b_id"]} == {cast.organization.pk, cast.other_organization.pk}
    assert made[0]["convening_id"] == convening.pk


# --- action items -----------------------------------------------------------------------------

def test_open_action_items_show_on_the_next_convenings_page(cast, steward, convening, client_for):
    before = past_convening(cast, steward, 30)
    item = services.action_item_create(actor=steward, convening=before, title="Enviar la relatoría", owner=cast.person,
                                       due_on=timezone.localdate() + timedelta(days=3))
    services.action_item_create(actor=steward, convening=before, title="Ya hecho", status="done")
    page = client_for("member").get(url(cast, "convening_detail", convening.pk)).content.decode()
    follow_ups = page[page.index('id="follow-ups"'):]
    assert "Enviar la relatoría" in follow_ups and "Ya hecho" not in follow_ups
    # The owner updates its status from there and comes back to the same page.
    edit = url(cast, "action_item_edit", before.pk, item.pk) + f"?next={convening.pk}"
    response = client_for("member").post(edit, {"status": "done", "next": str(convening.pk)})
    assert response.status_code == 302 and response["Location"].endswith(f"/{convening.pk}/#follow-ups")
    item.refresh_from_db()
    assert item.status == "done" and item.completed_at is not None


def test_only_the_owner_rapporteur_or_stewards_update_an_action_item(cast, steward, convening, client_for):
    item = services.action_item_create(actor=steward, convening=convening, title="X", owner=cast.person)
    other = cast.users["ally"]
    assert client_for("ally").get(url(cast, "action_item_edit", convening.pk, item.pk)).status_code == 403
    assert other  # allies may read action items, not change them
    with pytest.raises(ValidationError, match="not a member of this community"):
        services.action_item_create(actor=steward, convening=convening, title="Y", owner=cast.foreign_person)
    assert ActionItem.objects.count() == 1


# --- After Action Review and lessons ----------------------------------------------------------

def test_lessons_are_found_without_accents_or_capitals(cast, convening, steward, client_for):
    services.aar_save(actor=steward, convening=convening, version=0, keep="Mantener la PARTICIPACIÓN de jóvenes",
                      change="Convocar con más anticipación")
    results = selectors.lessons_search(access_for(steward, cast.community), "participacion jovenes")
    assert [review.convening for review in results.reviews] == [convening]
    assert selectors.lessons_search(access_for(steward, cast.community), "participación adultos").reviews == []
    page = client_for("observer").get(url(cast, "lessons") + "?q=Participacion").content.decode()
    assert convening.title in page


def test_each_lesson_found_shows_the_passage_that_mentions_the_search(cast, convening, steward, client_for):
    filler = " ".join(f"palabra{index}" for index in range(80))
    services.aar_save(actor=steward, convening=convening, version=0, keep="Rotar la relatoría.",
                      change=f"{filler} Cuidar la participación de quienes se conectan a distancia.")
    services.report_save(actor=steward, convening=convening, publish=True, decisions="Más **participación** juvenil.")
    page = client_for("member").get(url(cast, "lessons") + "?q=participacion").content.decode()
    assert "What should we change?" in page and "Cuidar la participación" in page and "palabra0 " not in page
    assert "Rotar la relatoría" not in page  # the part that does not mention it is left out
    assert "Decisions:" in page and "Más participación juvenil." in page


def test_two_people_editing_the_review_do_not_overwrite_each_other(cast, convening, steward, client_for):
    services.aar_save(actor=steward, convening=convening, version=0, expected="Primera versión")
    with pytest.raises(ValidationError, match="Someone else saved"):
        services.aar_save(actor=cast.users["member"], convening=convening, version=0, expected="Otra versión")
    assert AfterActionReview.objects.get().expected == "Primera versión"
    response = client_for("member").post(url(cast, "aar", convening.pk), {
        "version": "0", "expected": "Mi texto", "happened": "", "why_different": "", "keep": "", "change": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "Someone else saved" in body and "Mi texto" in body
    assert 'name="version" value="1"' in body


def test_lesson_search_query_count_does_not_grow(cast, steward, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("member")
    page = url(cast, "lessons") + "?q=participacion"
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for index in range(6):
        convening = past_convening(cast, steward, 10 + index, f"C{index}")
        services.aar_save(actor=steward, convening=convening, version=0, keep=f"Participación {index}")
    with CaptureQueriesContext(connection) as many:
        client.get(page)
    assert len(many) == len(few)
