"""The consultations API: the same services and rules as the pages, one error shape."""

from __future__ import annotations

import json

from tequio.consultations.models import Consultation, Statement, Vote

BASE = "/api/v1/communities/cast/consultations"


def _send(client, method: str, path: str, body: dict | None = None):
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json")


def test_a_steward_asks_a_member_answers_and_everyone_reads_the_results(client_for, voters, consultation):
    steward, member = client_for("steward"), client_for("member")
    created = _send(steward, "POST", BASE, {"question": "¿Y ahora?", "state": "open", "seed_statements": ["Una", "Dos"]})
    assert created.status_code == 201 and created.json()["phase"] == "open"
    new = Consultation.objects.get(pk=created.json()["id"])
    statements = member.get(f"{BASE}/{new.pk}/statements").json()
    assert [item["text"] for item in statements["items"]] == ["Una", "Dos"] and statements["count"] == 2
    first = statements["items"][0]["id"]
    voted = _send(member, "POST", f"{BASE}/{new.pk}/statements/{first}/vote", {"vote": "disagree"})
    assert voted.status_code == 200 and voted.json() == {"statement_id": first, "vote": "disagree"}
    assert Vote.objects.get(statement_id=first).value == -1
    written = _send(member, "POST", f"{BASE}/{new.pk}/statements", {"text": "Tres"})
    assert written.status_code == 201 and written.json()["status"] == "accepted"

    results = client_for("observer").get(f"{BASE}/{consultation.pk}/results").json()
    assert results["participants"] == 15 and len(results["groups"]) == 3
    assert all(group["representative"] for group in results["groups"])
    assert results["your_group"] is None
    mine = client_for("anonymous").get(f"{BASE}/{consultation.pk}/results")
    assert mine.status_code == 404  # a listed community: outsiders do not see it


def test_moderators_see_and_decide_on_pending_statements(client_for, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(moderation_required=True)
    member, steward = client_for("member"), client_for("steward")
    pending = _send(member, "POST", f"{BASE}/{consultation.pk}/statements", {"text": "Pendiente"}).json()
    assert pending["status"] == "pending"
    assert member.get(f"{BASE}/{consultation.pk}/statements?status=pending").status_code == 403
    assert steward.get(f"{BASE}/{consultation.pk}/statements?status=pending").json()["count"] == 1
    decided = _send(steward, "PATCH", f"{BASE}/{consultation.pk}/statements/{pending['id']}", {"status": "spam"})
    assert decided.status_code == 200 and decided.json()["status"] == "spam"
    assert _send(member, "PATCH", f"{BASE}/{consultation.pk}/statements/{pending['id']}",
                 {"status": "accepted"}).status_code == 403
    assert Statement.objects.get(pk=pending["id"]).status == "spam"


def test_another_consultations_statement_is_not_found(client_for, consultation, cast):
    other = Consultation.objects.create(community=cast.other_community, question="¿Otra?", state="open")
    statement = Statement.objects.create(consultation=other, number=0, text="Ajena", fingerprint="x", status="accepted")
    response = _send(client_for("steward"), "PATCH", f"{BASE}/{consultation.pk}/statements/{statement.pk}",
                     {"status": "spam"})
    assert response.status_code == 404 and response.json()["message"].startswith("No statement with id")
    assert _send(client_for("steward"), "GET", f"{BASE}/{other.pk}").status_code == 404
