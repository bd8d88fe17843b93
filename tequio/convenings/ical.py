"""iCalendar feeds (RFC 5545) built with the ``icalendar`` package.

Feeds carry titles, times and links, never places or people's names beyond the
subscriber's own role: a calendar synced to a phone or a cloud account leaves the
platform's protection, and for some members where they meet is a safety matter.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODID = "-//Tequio//Convenings//ES"


def _uid(kind: str, pk: int) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "tequio"
    return f"{kind}-{pk}@{host}"


def _url(community, convening_pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("convenings:convening_detail", args=[community.slug, convening_pk])


def build_calendar(community, convenings, *, roles: dict[int, str] | None = None, action_items=(), name: str = "") -> bytes:
    """The feed: one event per convening (with the subscriber's role in its title), and
    one all-day event per open action item due."""
    roles = roles or {}
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name or community.name)
    stamp = timezone.now()
    for convening in convenings:
        event = Event()
        title = convening.title
        if convening.pk in roles:
            title = _("%(title)s (your role: %(role)s)") % {"title": title, "role": roles[convening.pk]}
        event.add("uid", _uid("convening", convening.pk))
        event.add("dtstamp", stamp)
        event.add("dtstart", convening.starts_at)
        event.add("dtend", convening.ends_at)
        event.add("summary", title)
        event.add("description", _("Agenda and details: %(url)s") % {"url": _url(community, convening.pk)})
        event.add("url", _url(community, convening.pk))
        event.add("last-modified", convening.updated_at)
        calendar.add_component(event)
    for item in action_items:
        event = Event()
        event.add("uid", _uid("action-item", item.pk))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + timedelta(days=1))
        event.add("summary", _("Due: %(title)s") % {"title": item.title})
        event.add("description", _("Agreed at “%(convening)s”: %(url)s") % {
            "convening": item.convening.title, "url": _url(community, item.convening_id)})
        calendar.add_component(event)
    return calendar.to_ical()
