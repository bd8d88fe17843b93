"""Bad input gets a clear, translated error and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tequio.core import services
from tequio.core.models import Affiliation, AuditEvent, Goal, Organization, PeerGroup, Person

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TOO_BIG = "99999999999999999999999"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, cast, *args) -> str:
    return reverse(f"core:{name}", args=[cast.community.slug, *args])


def snapshot(cast) -> dict:
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "goals": list(Goal.objects.order_by("pk").values()),
        "affiliations": list(Affiliation.objects.order_by("pk").values()),
        "groups": list(PeerGroup.objects.order_by("pk").values("pk", "name", "members")),
        "audit": AuditEvent.objects.count(),
    }


# --- script in text fields -------------------------------------------------------------

def test_script_typed_into_names_is_shown_as_text_everywhere(cast):
    convener = cast.users["convener"]
    organization = services.organization_create(actor=convener, community=cast.community, name=f"Org {SCRIPT}",
                                                description=SCRIPT, offers=SCRIPT, municipality=SCRIPT)
    person = services.person_create(actor=convener, community=cast.community, display_name=f"Ana {SCRIPT}", bio=SCRIPT,
                                    affiliations=[{"organization": organization, "position": SCRIPT}])
    services.goal_create(actor=convener, community=cast.community, title=f"Meta {SCRIPT}", description=SCRIPT)
    group = services.peer_group_create(actor=convener, community=cast.community, name=f"Grupo {SCRIPT}")
    services.invitation_create(actor=convener, community=cast.community, email="x@example.org", message=SCRIPT)
    client = client_for(convener)
    pages = [
        url("community_home", cast), url("organizations", cast), url("organization_detail", cast, organization.pk),
        url("organization_edit", cast, organization.pk), url("people", cast), url("person_detail", cast, person.pk),
        url("person_edit", cast, person.pk), url("goals", cast), url("peer_groups", cast),
        url("peer_group_edit", cast, group.pk), url("invitations", cast), url("audit", cast),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "<script>alert" not in response.text, page
        assert "<img src=x" not in response.text, page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in client.get(url("organizations", cast)).text


def test_an_invitation_message_with_script_is_harmless_on_the_accept_page(cast):
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                    email="x@example.org", message=f"Hola\n{SCRIPT}")
    for client in (Client(), client_for(cast.users["outsider"])):
        page = client.get(reverse("core:invitation_accept", args=[token])).text
        assert "<script>alert" not in page


# --- unknown ids and other communities' ids ----------------------------------------------

@pytest.mark.parametrize("path", [
    "organizations/{id}/", "organizations/{id}/edit/", "people/{id}/", "people/{id}/edit/", "goals/{id}/edit/",
    "peer-groups/{id}/edit/", "members/{id}/remove/", "charter/v{id}/",
])
def test_unknown_ids_are_not_found(cast, path):
    client = client_for(cast.users["convener"])
    for value in ("424242", TOO_BIG):
        assert client.get(f"/c/{cast.community.slug}/{path.format(id=value)}").status_code == 404


def test_an_unknown_community_or_a_malformed_address_is_not_found(cast):
    client = client_for(cast.users["admin"])
    assert client.get("/c/no-such-community/").status_code == 404
    assert client.get("/c/%3Cscript%3E/").status_code == 404
    assert client.get(f"/c/{cast.community.slug}/organizations/abc/").status_code == 404


def test_another_communitys_records_cannot_be_reached_through_this_one(cast):
    client = client_for(cast.users["convener"])
    before = snapshot(cast)
    assert client.get(url("organization_detail", cast, cast.foreign_organization.pk)).status_code == 404
    assert client.post(url("organization_remove", cast, cast.foreign_organization.pk)).status_code == 404
    assert client.post(url("person_remove", cast, cast.foreign_person.pk)).status_code == 404
    assert client.post(url("person_edit", cast, cast.foreign_person.pk), {"display_name": "Robado"}).status_code == 404
    assert snapshot(cast) == before
    assert cast.foreign_person.display_name == Person.objects.get(pk=cast.foreign_person.pk).display_name


def test_another_communitys_organization_in_a_form_is_an_invalid_choice(cast):
    client = client_for(cast.users["convener"])
    before = snapshot(cast)
    for value in (cast.foreign_organization.pk, TOO_BIG, "abc"):
        response = client.post(url("affiliation_add", cast, cast.person.pk),
                               {"organization": value, "staff_level": "field", "position": "Enlace"})
        assert response.status_code == 200
        assert "Select a valid choice. That choice is not one of the available choices." in response.text
    response = client.post(url("invitations", cast), {"email": "x@example.org", "role": "member",
                                                      "organization": cast.foreign_organization.pk})
    assert "Select a valid choice." in response.text
    assert snapshot(cast) == before


@pytest.mark.parametrize("value", ["foreign", TOO_BIG, f"-{TOO_BIG}", "abc"])
def test_peer_group_members_must_be_people_of_this_community(cast, value):
    group = services.peer_group_create(actor=cast.users["convener"], community=cast.community, name="Enlaces")
    member = str(cast.foreign_person.pk) if value == "foreign" else value
    before = snapshot(cast)
    response = client_for(cast.users["convener"]).post(
        url("peer_group_edit", cast, group.pk), {"name": "Enlaces", "basis": "role", "members": [cast.person.pk, member]}
    )
    assert response.status_code == 200
    assert "not one of the available choices" in response.text or "is not a valid value" in response.text
    assert snapshot(cast) == before


def test_the_api_answers_unknown_and_foreign_ids_with_its_error_shape(cast):
    client = client_for(cast.users["convener"])
    base = f"/api/v1/communities/{cast.community.slug}"
    for path in (f"{base}/organizations/424242", f"{base}/organizations/{cast.foreign_organization.pk}",
                 f"{base}/people/{cast.foreign_person.pk}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert set(response.json()) == {"message", "fields"}
    response = client.patch(f"{base}/people/{cast.foreign_person.pk}", {"display_name": "Robado"}, content_type="application/json")
    assert response.status_code == 404
    assert Person.objects.get(pk=cast.foreign_person.pk).display_name == "Foreign person"


# --- over-long and malformed values ------------------------------------------------------

def test_an_over_long_name_is_refused_with_the_limit_and_nothing_is_saved(cast):
    before = snapshot(cast)
    response = client_for(cast.users["member"]).post(url("organization_create", cast),
                                                     {"name": "x" * 201, "kind": "cso", "country": "MX"})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    response = client_for(cast.users["steward"]).post(url("goals", cast), {"title": "y" * 201, "horizon": "short",
                                                                          "status": "active"})
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    assert snapshot(cast) == before


def test_an_over_long_edit_leaves_the_record_as_it_was(cast):
    before = snapshot(cast)
    response = client_for(cast.users["member"]).post(url("person_edit", cast, cast.person.pk),
                                                     {"display_name": "z" * 121})
    assert response.status_code == 200
    assert "Ensure this value has at most 120 characters (it has 121)." in response.text
    assert snapshot(cast) == before


def test_values_outside_the_choices_are_refused(cast):
    before = snapshot(cast)
    client = client_for(cast.users["member"])
    response = client.post(url("organization_create", cast), {"name": "Válida", "kind": "mafia", "country": "ZZ",
                                                              "founding_year": "1066"})
    assert response.status_code == 200
    assert response.text.count("Select a valid choice.") == 2
    assert snapshot(cast) == before


def test_the_api_refuses_over_long_and_malformed_bodies_with_field_errors(cast):
    client = client_for(cast.users["convener"])
    before = snapshot(cast)
    base = f"/api/v1/communities/{cast.community.slug}"
    response = client.post(f"{base}/organizations", {"name": "x" * 201, "kind": "cso"}, content_type="application/json")
    assert response.status_code in (400, 422)
    body = response.json()
    assert body["message"] and any("name" in field for field in body["fields"])
    response = client.post(f"{base}/goals", "{not json", content_type="application/json")
    assert response.status_code in (400, 422) and set(response.json()) == {"message", "fields"}
    assert snapshot(cast) == before


def test_nonsense_in_list_filters_and_pages_is_ignored(cast):
    client = client_for(cast.users["member"])
    response = client.get(url("organizations", cast), {"page": "abc", "kind": "mafia", "state": "\x00", "q": "x" * 500})
    assert response.status_code == 200
    response = client.get(url("people", cast), {"page": TOO_BIG, "staff_level": json.dumps({"a": 1})})
    assert response.status_code == 200


# --- in Spanish ----------------------------------------------------------------------------

def test_errors_are_in_spanish_when_the_browser_asks_for_spanish(cast):
    client = client_for(cast.users["steward"])
    before = snapshot(cast)
    response = client.post(url("goals", cast), {"title": "", "horizon": "short", "status": "active"},
                           HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200
    assert "Este campo es obligatorio." in response.text
    response = client.post(url("organization_create", cast), {"name": "x" * 201, "kind": "cso", "country": "MX"},
                           HTTP_ACCEPT_LANGUAGE="es")
    assert "Asegúrese de que este valor tenga menos de 200 caracteres (tiene 201)." in response.text
    response = client.post(url("invitations", cast), {"email": "no-es-correo", "role": "member"}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Introduzca una dirección de correo electrónico válida." in response.text
    assert snapshot(cast) == before
