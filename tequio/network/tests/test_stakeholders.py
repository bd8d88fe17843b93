"""The stakeholder map: outside actors on a 1-5 grid with four quadrants."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tequio.network import services
from tequio.network.models import Stakeholder


def add(ncast, name, **fields):
    values = {"sector": "government", "influence": 4, "alignment": 4, "interest": 2}
    values.update(fields)
    return services.stakeholder_create(actor=ncast.users["member"], community=ncast.community, name=name, **values)


def test_the_grid_has_four_quadrants_and_places_each_stakeholder(ncast, client):
    add(ncast, "Fiscalía", influence=5, alignment=1, held_by=[ncast.mine])
    add(ncast, "Universidad", sector="academia", influence=2, alignment=5)
    add(ncast, "Sin alineación", alignment=None)
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:stakeholders", args=[ncast.community.slug]))
    body = page.content.decode()
    grid = re.search(r'<svg[^>]*class="stakeholder-grid".*?</svg>', body, re.S).group(0)
    for label in ("Key allies: engage closely", "Influential, not aligned: open a dialogue",
                  "Aligned supporters: keep involved", "Monitor"):
        assert label in grid
    assert grid.count("<circle") == 2  # the third has no alignment: listed, not placed
    rows = {row["stakeholder"].name: row for row in page.context["rows"]}
    assert rows["Fiscalía"]["quadrant"] == "Influential, not aligned: open a dialogue"
    assert rows["Universidad"]["quadrant"] == "Aligned supporters: keep involved"
    assert rows["Sin alineación"]["point"] is None
    assert ncast.mine.name in body  # who holds the relation


def test_power_and_interest_read_the_same_map_another_way(ncast, client):
    add(ncast, "Cámara de Comercio", influence=4, alignment=2, interest=1)
    client.force_login(ncast.users["member"])
    page = client.get(reverse("network:stakeholders", args=[ncast.community.slug]), {"mode": "power_interest"})
    assert page.context["rows"][0]["quadrant"] == "Keep satisfied"
    assert "Manage closely" in page.content.decode()


@pytest.mark.parametrize(("field", "value"), [("influence", 6), ("alignment", 0), ("interest", "many")])
def test_a_score_outside_one_to_five_is_refused(ncast, field, value):
    with pytest.raises(ValidationError):
        add(ncast, "Fuera de escala", **{field: value})
    assert not Stakeholder.objects.exists()


def test_a_holder_from_another_community_is_refused(ncast):
    with pytest.raises(ValidationError, match="not part of this community"):
        add(ncast, "Otro", held_by=[ncast.cast.foreign_organization])
    assert not Stakeholder.objects.exists()


def test_members_edit_and_remove_observers_and_allies_cannot_see_it(ncast, client):
    stakeholder = add(ncast, "Congreso")
    client.force_login(ncast.users["member"])
    edit = reverse("network:stakeholder_edit", args=[ncast.community.slug, stakeholder.pk])
    client.post(edit, {"name": "Congreso del Estado", "sector": "government", "influence": "3", "alignment": "2",
                       "held_by": [ncast.theirs.pk]})
    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.influence) == ("Congreso del Estado", 3)
    assert list(stakeholder.held_by.all()) == [ncast.theirs]
    client.post(reverse("network:stakeholder_remove", args=[ncast.community.slug, stakeholder.pk]))
    assert not Stakeholder.objects.active().exists()
    for persona in ("observer", "ally"):
        client.force_login(ncast.users[persona])
        assert client.get(reverse("network:stakeholders", args=[ncast.community.slug])).status_code == 403
