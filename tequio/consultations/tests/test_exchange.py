"""Consultations travel with the full community export, anonymously, and come back equal."""

from __future__ import annotations

import json

from tequio.consultations import services
from tequio.consultations.models import Consultation, Participant, Vote
from tequio.core.io.community_export import canonical, community_export, community_import


def test_a_community_export_carries_its_consultations_and_imports_back_equal(cast, voters, consultation, steward):
    services.statement_moderate(actor=steward, statement=consultation.statements.last(), status="rejected")
    services.invitation_link_create(actor=steward, consultation=consultation, max_uses=7, label="Taller")
    exported = json.loads(json.dumps(community_export(actor=steward, community=cast.community)))
    tables = exported["capabilities"]["consultations"]
    assert len(tables["votes"]) == Vote.objects.count()
    # Votes leave by participant number only: no account, no cookie token, no code.
    assert {row["kind"] for row in tables["participants"]} == {"imported"}
    assert "user" not in tables["participants"][0] and "code_hash" not in tables["invitation_links"][0]

    imported = community_import(actor=cast.users["admin"], data=exported, slug="copia")
    copy = Consultation.objects.get(community=imported)
    assert copy.analysis.group_count == consultation.analysis.group_count
    assert Participant.objects.filter(consultation=copy, user__isnull=False).count() == 0
    again = community_export(actor=steward, community=imported)
    assert canonical(again)["capabilities"]["consultations"] == canonical(exported)["capabilities"]["consultations"]
