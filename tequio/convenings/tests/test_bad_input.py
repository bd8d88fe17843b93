"""The five refusals of the issue, as a Spanish-speaking member meets them: a clear message
in their language, and nothing changed."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tequio.convenings import services
from tequio.convenings.models import AgendaVote, Questionnaire, Response, RoleAssignment


def call(cast, persona: str, method: str, path: str, body: dict) -> tuple[int, dict]:
    client = Client()
    client.force_login(cast.users[persona])
    response = client.generic(method, f"/api/v1/communities/{cast.community.slug}{path}", json.dumps(body),
                              content_type="application/json", HTTP_ACCEPT_LANGUAGE="es")
    return response.status_code, response.json()


def test_a_vote_over_budget(cast, convening):
    services.convening_settings_update(actor=cast.users["steward"], community=cast.community, votes_per_organization=1,
                                       reminder_days_before=2)
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Tema")
    services.agenda_vote(actor=cast.users["member"], item=item, delta=1)
    status, error = call(cast, "member", "POST", f"/convenings/{convening.pk}/agenda/{item.pk}/votes", {"delta": 1})
    assert status == 400 and "1" in error["message"] and "votos" in error["message"]
    assert AgendaVote.objects.get().dots == 1


def test_a_vote_after_the_agenda_closed(cast, convening):
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="Tema")
    services.agenda_set_open(actor=cast.users["steward"], convening=convening, is_open=False)
    status, error = call(cast, "member", "POST", f"/convenings/{convening.pk}/agenda/{item.pk}/votes", {"delta": 1})
    assert (status, error["message"]) == (400, "La agenda de este encuentro está cerrada: ya no se aceptan propuestas ni votos.")
    assert not AgendaVote.objects.exists()


def test_a_role_given_to_a_non_member(cast, convening):
    status, error = call(cast, "steward", "PUT", f"/convenings/{convening.pk}/roles",
                         {"role": "rapporteur", "person_id": cast.foreign_person.pk})
    assert status == 400 and error["fields"] == {"person_id": ["Esta persona no es integrante de esta comunidad."]}
    assert not RoleAssignment.objects.exists()


def test_an_answer_to_a_closed_questionnaire(cast, steward):
    poll = services.questionnaire_create(actor=steward, community=cast.community, builtin="post_convening")
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="closed")
    status, error = call(cast, "member", "POST", f"/questionnaires/{poll.pk}/responses", {"answers": {"useful": "5"}})
    assert (status, error["message"]) == (400, "Esta encuesta está cerrada: ya no se aceptan respuestas.")
    assert not Response.objects.exists()


def test_a_malformed_xlsform(cast):
    client = Client()
    client.force_login(cast.users["steward"])
    response = client.post(reverse("convenings:questionnaire_import", args=[cast.community.slug]),
                           {"file": SimpleUploadedFile("encuesta.xlsx", b"PK\x03\x04 roto")}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Esta no es una hoja de cálculo XLSForm (.xlsx)." in response.content.decode()
    assert not Questionnaire.objects.exists()
