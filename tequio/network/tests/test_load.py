"""Loading a community's network from the database: the organizations' registration days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.test import override_settings
from django.utils import timezone

from tequio.core.models import Organization
from tequio.network import selectors
from tequio.network.analysis.graph import network_at


@override_settings(TIME_ZONE="America/Mexico_City")
def test_an_organization_registered_in_the_evening_is_on_that_days_map(ncast):
    # 18:05 in Mexico City on 23 November is already 24 November in UTC, as the database keeps it.
    evening = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)
    Organization.objects.filter(pk=ncast.extra[2].pk).update(created_at=evening)
    with timezone.override("America/Mexico_City"):
        loaded = selectors.network_load(ncast.community)
    on_the_day = network_at(loaded.net, date(2026, 11, 23))
    the_day_before = network_at(loaded.net, date(2026, 11, 22))
    ids = lambda net: {node.id for node in net.nodes}  # noqa: E731
    assert ncast.extra[2].pk in ids(on_the_day)
    assert ncast.extra[2].pk not in ids(the_day_before)
