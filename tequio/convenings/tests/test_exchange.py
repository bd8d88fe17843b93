"""The convenings part of the full community export re-imports with equal content."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tequio.convenings import services
from tequio.convenings.models import Answer, Connection, Convening, Report
from tequio.core import services as core_services
from tequio.core.io import community_export
from tequio.core.models import Community


def fill(cast, steward, convening):
    services.convening_settings_update(actor=steward, community=cast.community, votes_per_organization=3, reminder_days_before=1)
    group = core_services.peer_group_create(
        actor=steward, community=cast.community, name="Direcciones", members=[cast.person])
    services.session_create(actor=steward, convening=convening, title="Mesa", kind="parallel", peer_group=group)
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Tema")
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    services.role_assign(actor=steward, convening=convening, role="rapporteur", person=cast.person)
    services.attendance_record(actor=steward, convening=convening, person=cast.person)
    services.report_save(actor=steward, convening=convening, publish=True, insights="Participación activa")
    services.connection_add(actor=steward, convening=convening, organization_a=cast.other_organization,
                            organization_b=cast.organization, description="Guías")
    services.action_item_create(actor=steward, convening=convening, title="Enviar", owner=cast.person,
                                due_on=timezone.localdate() + timedelta(days=3))
    services.aar_save(actor=steward, convening=convening, version=0, keep="Mantener la rotación")
    poll = services.questionnaire_create(actor=steward, community=cast.community, convening=convening, builtin="post_convening")
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    services.response_submit(actor=cast.users["member"], questionnaire=poll, answers={
        "useful": "5", "participation": "4", "learned": "3", "valued": ["1", "2"], "next_topics": ["2", "1"], "one_word": "Red"})


def test_export_then_import_gives_equal_convenings(cast, steward, convening):
    fill(cast, steward, convening)
    first = json.loads(community_export.dumps(community_export.community_export(actor=steward, community=cast.community)))
    tables = first["capabilities"]["convenings"]
    assert {len(tables[name]) for name in ("convenings", "sessions", "agenda_items", "agenda_votes", "roles", "reports")} == {1}
    assert "token" not in json.dumps(tables).replace("checkin_token", "")  # calendar links are not exported
    Community.objects.filter(pk=cast.community.pk).delete()
    assert not Convening.objects.exists()

    community = community_export.community_import(actor=None, data=copy.deepcopy(first))
    second = community_export.community_export(actor=None, community=community)
    assert community_export.canonical(second) == community_export.canonical(first)
    assert Report.objects.get().search_text == "participacion activa"
    assert Answer.objects.filter(question__questionnaire__community=community).count() == 8
    connection = Connection.objects.get()
    assert connection.organization_a_id < connection.organization_b_id


def test_a_broken_reference_refuses_the_whole_import(cast, steward, convening):
    fill(cast, steward, convening)
    data = community_export.community_export(actor=steward, community=cast.community)
    data["capabilities"]["convenings"]["roles"][0]["person"] = 999_999
    with pytest.raises(ValidationError, match="unknown person"):
        community_export.community_import(actor=None, data=data, slug="copia")
    assert not Community.objects.filter(slug="copia").exists()
    assert Convening.objects.count() == 1
