"""iCalendar feeds with private links, and reminder emails sent by the task queue."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tequio.convenings import services, tasks
from tequio.convenings.models import ActionItem, CalendarFeed, Convening
from tequio.core import choices
from tequio.core import services as core_services
from tequio.core.models import Membership


def events(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_a_private_link_serves_the_community_calendar_without_signing_in(cast, convening, client_for):
    _feed, token = services.calendar_feed_create(actor=cast.users["member"], community=cast.community, kind="community")
    assert CalendarFeed.objects.get().token_hash != token  # only a hash is kept
    response = client_for("anonymous").get(reverse("convenings:calendar_feed", args=[cast.community.slug, token]))
    assert response["Content-Type"].startswith("text/calendar")
    [event] = events(response)
    assert str(event["summary"]) == convening.title
    assert event.decoded("dtstart") == convening.starts_at.replace(microsecond=0)
    # Where people meet stays on the platform.
    assert "Casa de la Cultura" not in response.content.decode()


def test_the_personal_feed_shows_my_role_and_my_action_items(cast, convening, steward, client_for):
    services.role_assign(actor=steward, convening=convening, role="rapporteur", person=cast.person)
    services.action_item_create(actor=steward, convening=convening, title="Enviar la relatoría", owner=cast.person,
                                due_on=timezone.localdate() + timedelta(days=5))
    _feed, token = services.calendar_feed_create(actor=cast.users["member"], community=cast.community, kind="person")
    summaries = {str(event["summary"]) for event in events(client_for("anonymous").get(
        reverse("convenings:calendar_feed", args=[cast.community.slug, token])))}
    assert summaries == {f"{convening.title} (your role: Rapporteur)", "Due: Enviar la relatoría"}


def test_a_link_stops_working_when_turned_off_or_when_its_owner_leaves(cast, convening, client_for):
    member = cast.users["member"]
    feed, token = services.calendar_feed_create(actor=member, community=cast.community, kind="community")
    link = reverse("convenings:calendar_feed", args=[cast.community.slug, token])
    assert client_for("anonymous").get(link).status_code == 200
    core_services.membership_end(actor=member, membership=Membership.objects.get(user=member, community=cast.community,
                                                                                  ended_at__isnull=True))
    assert client_for("anonymous").get(link).status_code == 404
    _feed, second = services.calendar_feed_create(actor=cast.users["ally"], community=cast.community, kind="community")
    services.calendar_feed_revoke(actor=cast.users["ally"], feed=_feed)
    assert client_for("anonymous").get(reverse("convenings:calendar_feed", args=[cast.community.slug, second])).status_code == 404
    # A token is bound to its community.
    assert client_for("anonymous").get(reverse("convenings:calendar_feed", args=[cast.other_community.slug, token])).status_code == 404


def test_the_public_calendar_exists_only_for_public_communities(cast, convening, client_for):
    public = reverse("convenings:calendar_public", args=[cast.community.slug])
    assert client_for("member").get(public).status_code == 404
    core_services.community_update(actor=cast.users["convener"], community=cast.community, privacy=choices.Privacy.PUBLIC)
    assert len(events(client_for("anonymous").get(public))) == 1


def test_the_calendar_page_shows_a_new_link_once(cast, client_for):
    client = client_for("member")
    page = reverse("convenings:calendar", args=[cast.community.slug])
    body = client.post(page, {"kind": "person"}).content.decode()
    assert "/convenings/calendar/cal_" in body
    assert "/convenings/calendar/cal_" not in client.get(page).content.decode()


def test_planning_a_convening_queues_its_reminder(cast, steward, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    start = timezone.now() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        convening = services.convening_create(actor=steward, community=cast.community, title="Con recordatorio",
                                              starts_at=start, ends_at=start + timedelta(hours=3))
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("send_convening_reminder") and task.args_kwargs["args"] == [convening.pk]
    assert abs((task.run_after - (start - timedelta(days=2))).total_seconds()) < 1


def test_the_reminder_is_sent_once_to_the_members_when_due(cast, convening):
    # Reminders are written in the community's (first) language.
    core_services.community_update(actor=cast.users["convener"], community=cast.community, languages=["en"])
    with time_machine.travel(convening.starts_at - timedelta(days=5)):
        assert tasks.send_convening_reminder.call(convening.pk) == 0  # too early: the convening moved later
    with time_machine.travel(convening.starts_at - timedelta(days=1)):
        sent = tasks.send_convening_reminder.call(convening.pk)
        again = tasks.send_convening_reminder.call(convening.pk)
    recipients = {message.to[0] for message in mail.outbox}
    assert sent == len(recipients) == 5 and again == 0  # every member, observers included
    assert "Reminder: Encuentro en Hermosillo" in mail.outbox[0].subject
    # The email leaves the place out: it is behind sign-in.
    assert "Casa de la Cultura" not in mail.outbox[0].body
    assert Convening.objects.get().reminder_sent_at is not None


def test_moving_a_convening_rearms_its_reminder(cast, convening, steward):
    with time_machine.travel(convening.starts_at - timedelta(days=1)):
        tasks.send_convening_reminder.call(convening.pk)
    services.convening_update(actor=steward, convening=convening, starts_at=convening.starts_at + timedelta(days=7),
                              ends_at=convening.ends_at + timedelta(days=7))
    assert Convening.objects.get().reminder_sent_at is None


def test_the_owner_is_reminded_before_an_action_item_falls_due(cast, convening, steward):
    due = timezone.localdate() + timedelta(days=10)
    item = services.action_item_create(actor=steward, convening=convening, title="Traducir el estudio", owner=cast.person,
                                       due_on=due)
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        assert tasks.send_action_item_reminder.call(item.pk) == 1
        assert tasks.send_action_item_reminder.call(item.pk) == 0
    assert mail.outbox[0].to == [cast.users["member"].email]
    services.action_item_update(actor=steward, item=item, status="done")
    assert ActionItem.objects.get().status == "done"
