"""The network API: same services and permissions as the pages, one error shape."""

from __future__ import annotations

import pytest

from tequio.network import services
from tequio.network.models import Tie

from .conftest import DAY


def api(ncast, tail: str) -> str:
    return f"/api/v1/communities/{ncast.community.slug}/network/{tail}"


def test_a_member_records_a_tie_and_the_partner_confirms_it(ncast, client):
    client.force_login(ncast.users["member"])
    response = client.post(api(ncast, "ties"), {"source_id": ncast.mine.pk, "target_id": ncast.theirs.pk,
                                                "type": "joint_activity", "started_on": "2024-03-01"},
                           content_type="application/json")
    assert response.status_code == 201
    tie = response.json()
    assert tie["status"] == "pending"
    client.force_login(ncast.partner)
    confirmed = client.post(api(ncast, f"ties/{tie['id']}/confirm"), {}, content_type="application/json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"target_id": "self"}, 400, "target_id"),
    ({"target_id": "foreign"}, 404, "target_id"),
    ({"type": "friendship"}, 422, "type"),
    ({"ended_on": "2020-01-01"}, 400, "ended_on"),
])
def test_bad_input_gets_one_error_shape_and_changes_nothing(ncast, client, body, status, field):
    values = {"source_id": ncast.mine.pk, "target_id": ncast.theirs.pk, "type": "joint_activity", "started_on": "2024-03-01"}
    values.update(body)
    if values["target_id"] == "self":
        values["target_id"] = ncast.mine.pk
    if values["target_id"] == "foreign":
        values["target_id"] = ncast.cast.foreign_organization.pk
    client.force_login(ncast.users["member"])
    response = client.post(api(ncast, "ties"), values, content_type="application/json")
    assert response.status_code == status
    assert set(response.json()) == {"message", "fields"} and field in response.json()["fields"]
    assert not Tie.objects.exists()


def test_a_duplicate_is_a_400(ncast, client):
    services.tie_record(actor=ncast.users["member"], community=ncast.community, source=ncast.mine, target=ncast.theirs,
                        type="joint_activity", started_on=DAY)
    client.force_login(ncast.users["member"])
    response = client.post(api(ncast, "ties"), {"source_id": ncast.theirs.pk, "target_id": ncast.mine.pk,
                                                "type": "joint_activity"}, content_type="application/json")
    assert response.status_code == 400 and "already recorded" in response.json()["message"]


def test_metrics_come_from_the_cache(ncast, client):
    services.tie_record(actor=ncast.users["member"], community=ncast.community, source=ncast.mine, target=ncast.theirs,
                        type="joint_activity", started_on=DAY)
    client.force_login(ncast.users["observer"])
    data = client.get(api(ncast, "metrics")).json()
    assert data["status"] == "ready" and data["summary"]["ties"] == 1
    assert {row["id"] for row in data["organizations"] if row["degree"]} == {ncast.mine.pk, ncast.theirs.pk}
    assert client.get(api(ncast, "metrics"), {"type": "referral"}).json()["summary"]["ties"] == 0


def test_outsiders_get_nothing(ncast, client):
    client.force_login(ncast.users["outsider"])
    assert client.get(api(ncast, "ties")).status_code == 404
