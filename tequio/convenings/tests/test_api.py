"""The convenings API: same services and permissions as the pages, one error shape."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tequio.convenings import services
from tequio.convenings.models import AgendaVote, Response, RoleAssignment


@pytest.fixture
def api(cast):
    def call(persona: str, method: str, path: str, body=None, language: str = "en"):
        client = Client()
        if cast.users[persona] is not None:
            client.force_login(cast.users[persona])
        data = json.dumps(body) if body is not None else None
        response = client.generic(method, f"/api/v1/communities/{cast.community.slug}{path}", data or "",
                                  content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
        return response.status_code, (response.json() if response.content else None)

    return call


def test_a_steward_plans_a_convening_and_a_member_proposes_and_votes(api, cast):
    status, convening = api("steward", "POST", "/convenings", {
        "title": "Encuentro en Saltillo", "starts_at": "2030-03-05T09:00:00-06:00", "ends_at": "2030-03-05T17:00:00-06:00",
        "mode": "hybrid", "place": "Centro de las Artes", "host_organization_id": cast.organization.pk})
    assert status == 201 and convening["place"] == "Centro de las Artes"
    status, item = api("member", "POST", f"/convenings/{convening['id']}/agenda", {"title": "Seguridad digital"})
    assert status == 201 and item["proposer_kind"] == "member" and item["organization_id"] == cast.organization.pk
    status, vote = api("member", "POST", f"/convenings/{convening['id']}/agenda/{item['id']}/votes", {"delta": 1})
    assert status == 200 and vote == {"item_id": item["id"], "organization_id": cast.organization.pk, "dots": 1, "spent": 1,
                                      "budget": 5, "remaining": 4}
    status, agenda = api("observer", "GET", f"/convenings/{convening['id']}/agenda")
    assert status == 200 and agenda["items"][0]["dots"] == 1
    # Observers see the convening, not where it happens.
    status, seen = api("observer", "GET", f"/convenings/{convening['id']}")
    assert status == 200 and seen["place"] is None and seen["number"] == 1


def test_a_vote_over_budget_answers_400_in_the_one_error_shape_translated(api, cast, convening):
    services.convening_settings_update(actor=cast.users["steward"], community=cast.community, votes_per_organization=1,
                                       reminder_days_before=2)
    item = services.agenda_item_propose(actor=cast.users["member"], convening=convening, title="A")
    path = f"/convenings/{convening.pk}/agenda/{item.pk}/votes"
    assert api("member", "POST", path, {"delta": 1})[0] == 200
    status, error = api("member", "POST", path, {"delta": 1}, language="es")
    assert status == 400 and set(error) == {"message", "fields"}
    assert error["message"]  # translated by the catalogs; English source below
    status, error = api("member", "POST", path, {"delta": 1})
    assert "used all its 1 votes" in error["message"]
    assert AgendaVote.objects.get().dots == 1


def test_a_role_for_someone_of_another_community_is_refused_like_an_unknown_id(api, cast, convening):
    status, error = api("steward", "PUT", f"/convenings/{convening.pk}/roles",
                        {"role": "facilitator", "person_id": cast.foreign_person.pk})
    assert status == 400 and error["fields"] == {"person_id": ["This person is not a member of this community."]}
    assert not RoleAssignment.objects.exists()
    status, roles = api("steward", "PUT", f"/convenings/{convening.pk}/roles", {"role": "facilitator", "person_id": cast.person.pk})
    assert status == 200 and roles[0]["person_id"] == cast.person.pk


def test_role_suggestions_are_for_stewards(api, cast, convening):
    assert api("member", "GET", f"/convenings/{convening.pk}/roles/suggestions")[0] == 403
    status, suggestions = api("steward", "GET", f"/convenings/{convening.pk}/roles/suggestions")
    assert status == 200 and [s["role"] for s in suggestions] == ["facilitator", "co_facilitator", "rapporteur", "host"]
    assert all(s["reason"] for s in suggestions if s["person_id"])


def test_another_communitys_convening_is_not_found(api, cast):
    other = services.convening_create(actor=cast.users["convener"], community=cast.other_community, title="Ajeno",
                                      starts_at=cast.community.created_at, ends_at=cast.community.created_at)
    assert api("steward", "GET", f"/convenings/{other.pk}")[0] == 404


def test_answering_through_the_api_and_reading_results(api, cast, convening, steward):
    poll = services.questionnaire_create(actor=steward, community=cast.community, convening=convening, builtin="post_convening")
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    status, detail = api("member", "GET", f"/questionnaires/{poll.pk}")
    assert status == 200 and detail["answered"] is False and len(detail["questions"]) == 9
    answers = {"useful": "5", "participation": "4", "learned": "4", "new_contacts": 3, "valued": ["1"], "one_word": "Red"}
    assert api("member", "POST", f"/questionnaires/{poll.pk}/responses", {"answers": answers})[0] == 201
    status, results = api("observer", "GET", f"/questionnaires/{poll.pk}/results")
    assert status == 200 and results["responses"] == 1
    useful = next(q for q in results["questions"] if q["name"] == "useful")
    assert useful["average"] == 5.0 and useful["bars"][-1] == {"label": "Strongly agree", "count": 1, "percent": 100}


@pytest.mark.parametrize("anonymous", [True, False])
def test_stewards_read_individual_responses_page_by_page_and_the_read_is_audited(api, cast, convening, steward, anonymous):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tequio.core.models import AuditEvent

    poll = services.questionnaire_create(actor=steward, community=cast.community, convening=convening,
                                         builtin="post_convening", anonymous=anonymous)
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    ranking = [c.value for c in poll.questions.get(name="next_topics").choices.all()]
    answers = {"useful": "5", "participation": "4", "learned": "4", "new_contacts": 3, "valued": ["1", "3"],
               "next_topics": list(reversed(ranking)), "one_word": "Red"}
    short = {"useful": "2", "participation": "3", "learned": "2"}
    assert api("member", "POST", f"/questionnaires/{poll.pk}/responses", {"answers": answers})[0] == 201
    assert api("ally", "POST", f"/questionnaires/{poll.pk}/responses", {"answers": short})[0] == 201
    path = f"/questionnaires/{poll.pk}/responses"
    # Individual answers are the export's data: stewards and conveners only.
    assert api("member", "GET", path)[0] == 403 and api("observer", "GET", path)[0] == 403
    status, page = api("steward", "GET", path + "?limit=1")
    assert status == 200 and page["count"] == 2 and len(page["items"]) == 1
    first = page["items"][0]
    assert first["answers"] == {**answers, "new_contacts": 3.0}
    if anonymous:
        assert first["respondent"] is None and first["submitted_at"] is None and first["submitted_on"]
    else:
        assert first["respondent"]["name"] == cast.users["member"].persons.get(community=cast.community).display_name
        assert first["submitted_at"]
    status, rest = api("steward", "GET", path + "?limit=1&offset=1")
    assert rest["items"][0]["answers"] == short and rest["items"][0]["id"] != first["id"]
    assert AuditEvent.objects.filter(action="questionnaire.responses_read", target_id=str(poll.pk)).count() == 2
    # The same queries for a page of one as for a page of many.
    with CaptureQueriesContext(connection) as one:
        api("steward", "GET", path + "?limit=1")
    with CaptureQueriesContext(connection) as two:
        api("steward", "GET", path + "?limit=2")
    assert len(one) == len(two)


def test_an_answer_to_a_closed_questionnaire_answers_400_and_changes_nothing(api, cast, steward):
    poll = services.questionnaire_create(actor=steward, community=cast.community, builtin="post_convening")
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="open")
    services.questionnaire_set_status(actor=steward, questionnaire=poll, status="closed")
    status, error = api("member", "POST", f"/questionnaires/{poll.pk}/responses", {"answers": {"useful": "5"}})
    assert status == 400 and error["message"] == "This questionnaire is closed: answers are no longer accepted."
    assert not Response.objects.exists()


def test_reports_and_action_items_through_the_api(api, cast, convening, steward):
    status, _report = api("member", "PUT", f"/convenings/{convening.pk}/report", {"insights": "x"})
    assert status == 403
    services.role_assign(actor=steward, convening=convening, role="rapporteur", person=cast.person)
    status, report = api("member", "PUT", f"/convenings/{convening.pk}/report", {"insights": "Aprendimos", "publish": True})
    assert status == 200 and report["published_at"]
    status, item = api("member", "POST", f"/convenings/{convening.pk}/action-items",
                       {"title": "Compartir la guía", "owner_id": cast.person.pk, "due_on": "2030-01-31"})
    assert status == 201 and item["due_on"] == "2030-01-31"
    status, item = api("member", "PATCH", f"/action-items/{item['id']}", {"status": "done"})
    assert status == 200 and item["status"] == "done"
    status, pair = api("member", "POST", f"/convenings/{convening.pk}/connections",
                       {"organization_a_id": cast.organization.pk, "organization_b_id": cast.other_organization.pk})
    assert status == 201 and {pair["organization_a_id"], pair["organization_b_id"]} == {cast.organization.pk, cast.other_organization.pk}


def test_an_invalid_body_is_refused_with_fields(api, cast, convening):
    status, error = api("steward", "POST", "/convenings", {"title": "", "starts_at": "mañana", "ends_at": "2030-01-01T00:00:00Z"})
    assert status == 422 and {"title", "starts_at"} <= set(error["fields"])
    status, error = api("steward", "POST", "/convenings", {"title": "X", "starts_at": "2030-01-02T00:00:00Z",
                                                           "ends_at": "2030-01-01T00:00:00Z"})
    assert status == 400 and "end before it starts" in json.dumps(error)
