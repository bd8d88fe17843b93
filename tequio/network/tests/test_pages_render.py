"""Every page of the network renders in both languages for a steward, with real content."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tequio.network import services
from tequio.network.models import WaveStatus

from .conftest import DAY


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_renders(ncast, client, language):
    steward = ncast.users["steward"]
    tie = services.tie_record(actor=ncast.users["member"], community=ncast.community, source=ncast.mine,
                              target=ncast.theirs, type="referral", started_on=DAY)
    wave = services.wave_create(actor=steward, community=ncast.community, title="Ola", opens_on=date(2024, 1, 1),
                                status=WaveStatus.OPEN)
    stakeholder = services.stakeholder_create(actor=steward, community=ncast.community, name="Fiscalía",
                                              sector="government", influence=5, alignment=2)
    ask = services.ask_create(actor=ncast.partner, community=ncast.community, organization=ncast.theirs, kind="offer",
                              topic="expertise", title="Talleres")
    slug = ncast.community.slug
    client.force_login(steward)
    names = [("network:map", []), ("network:ties", []), ("network:tie_create", []), ("network:tie_detail", [tie.pk]),
             ("network:tie_edit", [tie.pk]), ("network:exchange", []), ("network:import", []), ("network:waves", []),
             ("network:wave_detail", [wave.pk]), ("network:wave_edit", [wave.pk]), ("network:wave_answer", [wave.pk]),
             ("network:wave_compare", []), ("network:stakeholders", []), ("network:stakeholder_edit", [stakeholder.pk]),
             ("network:allies", []), ("network:asks", []), ("network:ask_detail", [ask.pk])]
    for name, args in names:
        response = client.get(reverse(name, args=[slug, *args]), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, name
        assert f'lang="{language}"' in response.content.decode(), name
    page = client.get(reverse("network:map", args=[slug]), {"since": "2024-01-01", "size": "eigenvector"},
                      HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and "<svg" in page.content.decode()
