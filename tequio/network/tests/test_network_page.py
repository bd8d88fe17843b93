"""The network page: a server-drawn map from cached measures, filters, dates, the convener."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tequio.core import services as core
from tequio.network import services
from tequio.network.models import MetricSnapshot, SnapshotStatus, Tie
from tequio.network.params import NetworkParams
from tequio.network.svg import KIND_COLORS

from .conftest import DAY


def tie(ncast, a, b, type="joint_activity", start=DAY, end=None, actor=None):
    return services.tie_record(actor=actor or ncast.users["convener"], community=ncast.community, source=a, target=b,
                               type=type, started_on=start, ended_on=end)


@pytest.fixture
def woven(ncast):
    """A small network: the convener tied to everyone, members tied among themselves."""
    orgs = [ncast.mine, ncast.theirs, *ncast.extra]
    for org in orgs:
        tie(ncast, ncast.convener_org, org, start=date(2023, 1, 1))
    tie(ncast, ncast.mine, ncast.theirs, start=date(2024, 5, 1), actor=ncast.users["member"])
    tie(ncast, ncast.extra[0], ncast.extra[1], type="data_sharing", start=date(2024, 6, 1))
    tie(ncast, ncast.extra[1], ncast.extra[2], type="referral", start=date(2024, 6, 1))
    return orgs


def map_url(ncast, **query):
    url = reverse("network:map", args=[ncast.community.slug])
    return url


def test_the_map_is_drawn_on_the_server_with_nodes_coloured_by_kind(ncast, woven, client):
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:map", args=[ncast.community.slug]))
    body = page.content.decode()
    svg = re.search(r"<svg[^>]*class=\"network-map\".*?</svg>", body, re.S).group(0)
    assert svg.count("<circle") == 6
    assert f'fill="{KIND_COLORS["academia"]}"' in svg and f'fill="{KIND_COLORS["government"]}"' in svg
    assert "<title>Universidad del Norte · Academia</title>" in svg
    assert 'marker-mid="url(#tq-arrow)"' in svg  # the referral
    assert 'stroke-dasharray="4 3"' in svg  # ties not yet confirmed
    assert "<script" not in svg
    summary = page.context["data"]["summary"]
    assert (summary["nodes"], summary["ties"]) == (6, 8)


def test_nodes_are_sized_by_the_chosen_measure(ncast, woven, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])

    def radius(size, name):
        body = client.get(url, {"size": size}).content.decode()
        return float(re.search(rf'r="([\d.]+)" fill="[^"]+"><title>{re.escape(name)}', body).group(1))

    # The convener is the hub: largest by degree; a leaf is smaller.
    assert radius("degree", ncast.convener_org.name) > radius("degree", "Red de Mediación")
    assert radius("betweenness", ncast.convener_org.name) > radius("betweenness", "Red de Mediación")


def test_filters_by_type_kind_theme_and_confirmation_give_their_own_measures(ncast, woven, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])
    only_data = client.get(url, {"type": "data_sharing"}).context["data"]["summary"]
    assert only_data["ties"] == 1
    kinds = client.get(url, {"kind": ["academia", "government"]}).context["data"]["summary"]
    assert (kinds["nodes"], kinds["ties"]) == (2, 1)
    theme = client.get(url, {"theme": "human_rights"}).context["data"]["summary"]
    assert theme["nodes"] == 2  # the cast's organization and the university
    confirmed = client.get(url, {"confirmed": "1"}).context["data"]["summary"]
    assert confirmed["ties"] == 0  # the convener records for nobody; the member only for one side
    assert MetricSnapshot.objects.filter(community=ncast.community).count() == 4


def test_the_map_at_a_date_is_the_network_as_it_stood(ncast, woven, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])
    then = client.get(url, {"at": "2024-01-15"}).context["data"]["summary"]
    assert then["ties"] == 5  # only the convener's
    assert then["components"] == 1


def test_between_two_dates_it_shows_what_changed(ncast, woven, client):
    ended = tie(ncast, ncast.mine, ncast.extra[2], start=date(2023, 1, 1), end=date(2024, 3, 1))
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:map", args=[ncast.community.slug]), {"since": "2024-02-01", "at": "2024-07-01"})
    comparison = page.context["comparison"]
    assert comparison["formed_count"] == 3 and comparison["new_pairs"] == 3
    assert comparison["ended_count"] == 1 and comparison["lost_pairs"] == 1
    body = page.content.decode()
    assert 'class="new"' in body and 'class="lost"' in body
    assert ended.source.name in body


def test_new_ties_since_a_convening_count_the_ties_made_there(ncast, woven, client):
    services.tie_record_from_convening(actor=ncast.users["convener"], community=ncast.community,
                                       organization_a=ncast.theirs, organization_b=ncast.extra[0], on=date(2024, 6, 1),
                                       label="Encuentro de Saltillo")
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])
    assert "2024-06-01 · Encuentro de Saltillo" in client.get(url).content.decode()
    page = client.get(url, {"convening": "2024-06-01"})
    since = page.context["comparison"]
    assert since["formed_count"] == 3  # the tie made at the convening, and two more that day
    assert "New ties since the convening of 2024-06-01" in page.content.decode()


def test_convener_dependence_is_shown(ncast, woven, client):
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:map", args=[ncast.community.slug]))
    convener = page.context["convener"]
    assert convener["name"] == ncast.convener_org.name
    assert convener["tie_share"] == pytest.approx(5 / 8, abs=1e-3)
    assert convener["components_without"] == 2  # the cast pair, and the chain of the three others
    assert "Dependence on the convener" in page.content.decode()


def test_the_page_reads_the_cache_and_a_change_makes_it_stale(ncast, woven, client, django_capture_on_commit_callbacks):
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])
    client.get(url)
    snapshot = MetricSnapshot.objects.get(community=ncast.community)
    computed = snapshot.computed_at
    client.get(url)
    snapshot.refresh_from_db()
    assert snapshot.computed_at == computed  # read, not recomputed
    with django_capture_on_commit_callbacks(execute=True):
        tie(ncast, ncast.theirs, ncast.extra[2])
    snapshot.refresh_from_db()
    assert snapshot.stale and snapshot.status == SnapshotStatus.PENDING  # queued for the worker
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="compute_metric_snapshot").exists()
    page = client.get(url)
    assert "New figures are being computed" in page.content.decode()
    assert page.context["data"]["summary"]["ties"] == 8  # the figures computed before the change
    assert services.metric_snapshot_compute(snapshot_id=snapshot.pk, generation=snapshot.generation)
    assert client.get(url).context["data"]["summary"]["ties"] == 9


def test_a_task_overtaken_by_a_newer_request_does_nothing(ncast, woven):
    first = services.snapshot_request(community=ncast.community, params=NetworkParams(), background=True)
    second = services.snapshot_request(community=ncast.community, params=NetworkParams(), background=True)
    assert not services.metric_snapshot_compute(snapshot_id=first.pk, generation=first.generation)
    assert services.metric_snapshot_compute(snapshot_id=second.pk, generation=second.generation)
    assert not services.metric_snapshot_compute(snapshot_id=second.pk, generation=second.generation)  # ran twice


def test_large_networks_are_computed_in_the_background(ncast, woven, client, monkeypatch):
    monkeypatch.setattr(services, "SYNC_TIE_LIMIT", 3)
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:map", args=[ncast.community.slug]))
    assert "being computed" in page.content.decode()
    assert MetricSnapshot.objects.get().status == SnapshotStatus.PENDING


def test_only_stewards_recompute(ncast, woven, client):
    url = reverse("network:recompute", args=[ncast.community.slug])
    client.force_login(ncast.users["member"])
    assert client.post(url).status_code == 403
    client.force_login(ncast.users["steward"])
    response = client.post(url, {"type": "joint_activity"})
    assert response.status_code == 302 and "type=joint_activity" in response["Location"]
    snapshot = MetricSnapshot.objects.get(key=NetworkParams(types=("joint_activity",)).key())
    assert snapshot.status == SnapshotStatus.PENDING


def test_yesterdays_today_is_recomputed(ncast, woven, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])
    client.get(url)
    MetricSnapshot.objects.update(computed_at=timezone.now() - timedelta(days=1))
    client.get(url)
    assert timezone.localdate(MetricSnapshot.objects.get().computed_at) == timezone.localdate()


def _grow(ncast, count: int) -> None:
    convener = ncast.users["convener"]
    organizations = [
        core.organization_create(actor=convener, community=ncast.community, name=f"Organización {i}", kind="cso",
                                 thematic_areas=["health"])
        for i in range(count)
    ]
    for i, org in enumerate(organizations):
        for other in organizations[i + 1 : i + 4]:
            Tie.objects.create(community=ncast.community, source=org, target=other, type="joint_activity",
                               started_on=DAY, source_confirmed_at=timezone.now())


def _queries(client, url) -> int:
    client.get(url)  # warm: the snapshot is computed and cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_query_count_of_the_network_page_does_not_grow_with_the_data(ncast, woven, client):
    client.force_login(ncast.users["member"])
    url = reverse("network:map", args=[ncast.community.slug])
    small = _queries(client, url)
    _grow(ncast, 60)
    services.snapshot_request(community=ncast.community, params=NetworkParams(), background=False)
    large = _queries(client, url)
    assert large == small
    assert client.get(url).context["data"]["summary"]["nodes"] == 66
