"""The JSON API, /api/v1/: who may call what, what bad input gets, and how callers authenticate."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tequio.core import choices, services
from tequio.core.models import ApiToken, AuditEvent, Goal, Membership, Organization, Person
from tequio.core.schemas import CHOICES_OF
from tequio.testing.personas import PASSWORD, PERSONAS, build_cast

API = "/api/v1"


class Caller:
    """Calls the API as one persona of a cast, with that persona's personal token."""

    def __init__(self, cast, client: Client):
        self.cast = cast
        self.client = client
        self.secrets: dict[str, str] = {}

    def secret(self, persona: str) -> str:
        if persona not in self.secrets:
            self.secrets[persona] = services.api_token_create(actor=self.cast.users[persona], name="tests")[1]
        return self.secrets[persona]

    def __call__(self, persona: str, method: str, path: str, body=None, *, query=None, **headers):
        if persona != "anonymous":
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.secret(persona)}")
        url = API + path + (f"?{urlencode(query)}" if query else "")
        if body is None:
            return self.client.generic(method, url, **headers)
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.generic(method, url, data=data, content_type="application/json", **headers)


@pytest.fixture
def api(cast, client):
    return Caller(cast, client)


def expect(anonymous, outsider, observer, ally, member, steward, convener, admin) -> dict[str, int]:
    return dict(zip(PERSONAS, (anonymous, outsider, observer, ally, member, steward, convener, admin), strict=True))


def statuses(api, method: str, path: str, body=None, *, personas=PERSONAS, **kwargs) -> dict[str, int]:
    return {persona: api(persona, method, path, body(persona) if callable(body) else body, **kwargs).status_code
            for persona in personas}


def assert_error(response, status: int, message: str | None = None, fields: tuple[str, ...] = ()):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"message", "fields"}
    assert isinstance(data["message"], str) and data["message"]
    if message is not None:
        assert message in data["message"], data
    for name in fields:
        assert name in data["fields"], data
    return data


# --- who may read what, in a members-only community ---------------------------------------

EVERY_ROLE_READS = expect(404, 404, 200, 200, 200, 200, 200, 200)
PARTICIPANT_READS = expect(404, 404, 403, 200, 200, 200, 200, 200)


@pytest.mark.parametrize(("path", "expected"), [
    ("/communities/cast", EVERY_ROLE_READS),
    ("/communities/cast/organizations", EVERY_ROLE_READS),
    ("/communities/cast/organizations/{organization}", EVERY_ROLE_READS),
    ("/communities/cast/goals", EVERY_ROLE_READS),
    ("/communities/cast/people", PARTICIPANT_READS),
    ("/communities/cast/people/{person}", PARTICIPANT_READS),
    ("/communities/cast/memberships", PARTICIPANT_READS),
])
def test_it_lets_each_persona_read_what_the_pages_show(api, cast, path, expected):
    path = path.format(organization=cast.organization.pk, person=cast.person.pk)
    assert statuses(api, "GET", path) == expected


def test_it_shows_a_public_community_to_anonymous_callers_but_never_its_people(db, client):
    cast = build_cast(privacy=choices.Privacy.PUBLIC, slug="pub")
    api = Caller(cast, client)
    assert api("anonymous", "GET", "/communities/pub").json()["role"] is None
    assert api("anonymous", "GET", "/communities/pub/organizations").json()["count"] == 3
    assert api("anonymous", "GET", "/communities/pub/goals").status_code == 200
    assert_error(api("anonymous", "GET", "/communities/pub/people"), 403)
    assert_error(api("anonymous", "GET", "/communities/pub/memberships"), 403)
    # Visible is not writable: outsiders are refused, anonymous callers asked to authenticate.
    assert_error(api("outsider", "POST", "/communities/pub/organizations", {"name": "Nope"}), 403)
    assert_error(api("anonymous", "POST", "/communities/pub/organizations", {"name": "Nope"}), 401)


def test_it_lists_the_communities_each_caller_may_open(api, cast, client):
    other = build_cast(privacy=choices.Privacy.PUBLIC, slug="pub")

    def slugs(persona, caller=api):
        return [item["slug"] for item in caller(persona, "GET", "/communities").json()["items"]]

    assert slugs("anonymous") == ["pub"]
    assert slugs("member") == ["cast", "pub"]
    assert slugs("outsider") == ["pub"]
    assert set(slugs("admin")) == {"cast", "cast-other", "pub", "pub-other"}
    assert slugs("convener", Caller(other, client)) == ["pub"]


def test_it_tells_members_their_role(api):
    assert api("steward", "GET", "/communities/cast").json()["role"] == "steward"
    assert api("admin", "GET", "/communities/cast").json()["role"] is None


def test_it_hides_another_communitys_hidden_home(api):
    assert statuses(api, "GET", "/communities/cast-other") == expect(404, 404, 404, 404, 404, 404, 404, 200)


# --- communities ------------------------------------------------------------------------------

def test_it_lets_any_signed_in_person_start_a_community_as_its_convener(api):
    got = statuses(api, "POST", "/communities", lambda persona: {"name": f"Red de {persona}"})
    assert got == expect(401, 201, 201, 201, 201, 201, 201, 201)
    response = api("outsider", "POST", "/communities", {"name": "Mesa Sonora", "privacy": "hidden", "languages": ["es", "en"]})
    assert response.status_code == 201
    assert response.json() | {"created_at": None} == {
        "slug": "mesa-sonora", "name": "Mesa Sonora", "purpose": "", "languages": ["es", "en"], "stage": "discovery",
        "privacy": "hidden", "member_led": False, "require_mfa": False, "created_at": None, "role": "convener",
    }
    assert Membership.objects.get(community__slug="mesa-sonora").user.email == "outsider@cast.test"


def test_it_refuses_a_community_whose_short_name_is_taken(api):
    data = assert_error(api("member", "POST", "/communities", {"name": "Otra", "slug": "cast"}), 400, fields=("slug",))
    assert data["message"] == "Some fields are not valid."


def test_it_lets_stewards_change_settings_and_audits_privacy(api, cast):
    got = statuses(api, "PATCH", "/communities/cast", {"purpose": "Aprender juntas"})
    assert got == expect(401, 404, 403, 403, 403, 200, 200, 200)
    response = api("steward", "PATCH", "/communities/cast", {"privacy": "hidden", "convener_organization_id": cast.organization.pk})
    assert response.json()["privacy"] == "hidden"
    cast.community.refresh_from_db()
    assert cast.community.convener_organization == cast.organization
    assert AuditEvent.objects.filter(community=cast.community, action="community.privacy", data__to="hidden").exists()


def test_it_refuses_another_communitys_organization_as_convener(api, cast):
    response = api("convener", "PATCH", "/communities/cast", {"convener_organization_id": cast.foreign_organization.pk})
    assert_error(response, 404, "No organization with id", fields=("convener_organization_id",))
    cast.community.refresh_from_db()
    assert cast.community.convener_organization != cast.foreign_organization


# --- organizations ----------------------------------------------------------------------------

def test_it_lets_contributors_add_organizations(api, cast):
    got = statuses(api, "POST", "/communities/cast/organizations", lambda persona: {"name": f"Colectiva {persona}"})
    assert got == expect(401, 404, 403, 403, 201, 201, 201, 201)
    names = set(Organization.objects.filter(community=cast.community, name__startswith="Colectiva ").values_list("name", flat=True))
    assert names == {"Colectiva member", "Colectiva steward", "Colectiva convener", "Colectiva admin"}


def test_it_returns_the_organization_it_created(api):
    body = {"name": "Observatorio Ciudadano", "kind": "iso", "state": "son", "thematic_areas": ["transparency", "datos abiertos"],
            "excluded_groups": ["youth"], "founding_year": 2011.0, "website": "https://observatorio.example.org"}
    data = api("member", "POST", "/communities/cast/organizations", body).json()
    assert data["state"] == "SON"  # the service normalises Mexico's state codes
    assert data["thematic_areas"] == ["transparency", "datos abiertos"]
    assert data["founding_year"] == 2011
    assert api("observer", "GET", f"/communities/cast/organizations/{data['id']}").json() == data


def test_it_pages_and_filters_organizations(api, cast):
    for number in range(4):
        services.organization_create(actor=cast.users["convener"], community=cast.community, name=f"Red {number}",
                                     kind="network", state="JAL", municipality="Guadalajara")

    def names(**query):
        return [item["name"] for item in api("observer", "GET", "/communities/cast/organizations", query=query).json()["items"]]

    page = api("observer", "GET", "/communities/cast/organizations", query={"limit": 2, "offset": 1}).json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (7, 2, 1, 2)
    assert names(kind="network", limit=3) == ["Red 0", "Red 1", "Red 2"]
    assert names(state="SON") == [cast.organization.name]
    assert names(q="guadalajara", offset=3) == ["Red 3"]
    assert names(theme="human_rights") == [cast.organization.name]
    assert_error(api("observer", "GET", "/communities/cast/organizations", query={"limit": 0}), 422, fields=("limit",))
    assert_error(api("observer", "GET", "/communities/cast/organizations", query={"limit": 101}), 422, fields=("limit",))
    assert_error(api("observer", "GET", "/communities/cast/organizations", query={"kind": "club"}), 422, fields=("kind",))


def test_it_lets_contributors_edit_organizations(api, cast):
    path = f"/communities/cast/organizations/{cast.organization.pk}"
    assert statuses(api, "PATCH", path, {"tier": "A"}) == expect(401, 404, 403, 403, 200, 200, 200, 200)
    response = api("member", "PATCH", path, {"kind": "iso", "founding_year": None})
    assert response.json()["kind"] == "iso"
    assert response.json()["name"] == cast.organization.name  # fields not sent are left alone


def test_it_removes_organizations_softly_and_audits_it(api, cast):
    targets = {persona: services.organization_create(actor=cast.users["convener"], community=cast.community,
                                                     name=f"Para quitar {persona}") for persona in PERSONAS}
    got = {persona: api(persona, "DELETE", f"/communities/cast/organizations/{targets[persona].pk}").status_code
           for persona in PERSONAS}
    assert got == expect(401, 404, 403, 403, 204, 204, 204, 204)
    removed = targets["member"]
    removed.refresh_from_db()
    assert removed.removed_at is not None
    assert AuditEvent.objects.filter(action="organization.remove", target_id=str(removed.pk)).exists()
    assert_error(api("member", "GET", f"/communities/cast/organizations/{removed.pk}"), 404)
    assert Organization.objects.get(pk=targets["ally"].pk).removed_at is None


def test_it_answers_404_for_unknown_and_foreign_organization_ids(api, cast):
    for pk in (cast.foreign_organization.pk, 987654):
        path = f"/communities/cast/organizations/{pk}"
        assert_error(api("convener", "GET", path), 404, f"No organization with id {pk} in this community.")
        assert_error(api("convener", "PATCH", path, {"name": "Tomada"}), 404)
        assert_error(api("convener", "DELETE", path), 404)
    cast.foreign_organization.refresh_from_db()
    assert cast.foreign_organization.name == "Foreign org"
    assert cast.foreign_organization.removed_at is None


def test_it_refuses_input_of_the_wrong_shape_with_422(api, cast):
    path = "/communities/cast/organizations"
    data = assert_error(api("member", "POST", path, {"name": "x" * 201}), 422, "The request is not valid.", fields=("name",))
    assert data["fields"]["name"] == ["Ensure this value has at most 200 characters."]
    data = assert_error(api("member", "POST", path, {"name": 5, "founding_year": "1990", "kind": "club",
                                                     "thematic_areas": "human_rights", "nickname": "x"}), 422)
    assert set(data["fields"]) == {"name", "founding_year", "kind", "thematic_areas", "nickname"}
    assert data["fields"]["nickname"] == ["Unknown field."]
    assert_error(api("member", "POST", path, {}), 422, fields=("name",))
    assert_error(api("member", "POST", path, {"name": "   "}), 422, fields=("name",))
    assert_error(api("member", "POST", path, {"name": "Nul\x00"}), 422, fields=("name",))
    assert_error(api("member", "POST", path, "[1, 2]"), 422)
    assert_error(api("member", "POST", path, "{not json"), 400, "The request body is not valid JSON.")
    assert_error(api("member", "GET", f"{path}/abc"), 422, fields=("pk",))
    assert_error(api("member", "GET", f"{path}/{2**63}"), 422, fields=("pk",))
    assert_error(api("member", "PATCH", f"{path}/{cast.organization.pk}", {"name": None}), 422, fields=("name",))
    assert Organization.objects.filter(community=cast.community).count() == 3


def test_it_refuses_what_the_service_refuses_with_400(api, cast):
    path = "/communities/cast/organizations"
    data = assert_error(api("member", "POST", path, {"name": "Nueva", "state": "XX"}), 400, fields=("state",))
    assert data["fields"]["state"] == ["Not one of Mexico's 32 states: XX"]
    assert_error(api("member", "POST", path, {"name": "Nueva", "country": "QQ"}), 400, fields=("country",))
    assert_error(api("member", "POST", path, {"name": "Nueva", "website": "not a url"}), 400, fields=("website",))
    taken = assert_error(api("member", "POST", path, {"name": cast.organization.name}), 400)
    assert taken["message"] == "An organization with this name already exists in the community."
    assert not Organization.objects.filter(name="Nueva").exists()


def test_it_stores_script_tags_as_text_and_never_renders_them(api, cast, client):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = api("member", "POST", "/communities/cast/organizations", {"name": script, "description": script})
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["name"] == script
    assert Organization.objects.get(pk=response.json()["id"]).name == script
    client.force_login(cast.users["member"])
    page = client.get(reverse("core:organization_detail", args=["cast", response.json()["id"]])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</h1>" in page


# --- people -----------------------------------------------------------------------------------

def test_it_lets_contributors_add_people_with_affiliations(api, cast):
    body = {"display_name": "Lupita", "is_pseudonym": True, "email": "Lupita@Example.org", "gender": "woman",
            "affiliations": [{"organization_id": cast.organization.pk, "position": "Coordinadora", "staff_level": "coordination"}]}
    got = statuses(api, "POST", "/communities/cast/people", lambda persona: body | {"display_name": f"Lupita {persona}"})
    assert got == expect(401, 404, 403, 403, 201, 201, 201, 201)
    data = api("member", "POST", "/communities/cast/people", body).json()
    assert data["email"] == "lupita@example.org"
    assert data["affiliations"] == [{"organization_id": cast.organization.pk, "organization_name": cast.organization.name,
                                     "position": "Coordinadora", "staff_level": "coordination", "is_primary": True}]


def test_it_adds_nobody_when_an_affiliation_names_another_communitys_organization(api, cast):
    before = Person.objects.count()
    body = {"display_name": "Infiltrada", "affiliations": [{"organization_id": cast.organization.pk},
                                                          {"organization_id": cast.foreign_organization.pk}]}
    assert_error(api("member", "POST", "/communities/cast/people", body), 404, fields=("affiliations.1.organization_id",))
    assert Person.objects.count() == before


def test_it_shows_sensitive_fields_only_to_those_allowed(db, client):
    cast = build_cast(privacy=choices.Privacy.HIDDEN, slug="hid")
    api = Caller(cast, client)
    services.person_update(actor=cast.users["member"], person=cast.person, email="m@hid.test", phone="555", age_band="25-34")
    path = f"/communities/hid/people/{cast.person.pk}"
    visible = {persona: api(persona, "GET", path).json()["email"] for persona in ("ally", "member", "steward", "convener", "admin")}
    assert visible == {"ally": None, "member": "m@hid.test", "steward": "m@hid.test", "convener": "m@hid.test", "admin": "m@hid.test"}
    as_ally = api("ally", "GET", path).json()
    assert as_ally["sensitive_visible"] is False
    assert [as_ally[name] for name in ("age_band", "gender", "email", "phone")] == [None, None, None, None]
    listed = {item["id"]: item for item in api("ally", "GET", "/communities/hid/people").json()["items"]}
    assert listed[cast.person.pk]["phone"] is None
    own = next(item for item in listed.values() if item["display_name"] == "ally")
    assert own["sensitive_visible"] is True and own["gender"] == ""


def test_it_shows_sensitive_fields_to_participants_when_the_community_is_not_hidden(api, cast):
    services.person_update(actor=cast.users["member"], person=cast.person, phone="555")
    assert api("ally", "GET", f"/communities/cast/people/{cast.person.pk}").json()["phone"] == "555"


def test_it_lets_people_edit_their_own_record_and_contributors_anyones(api, cast):
    ally_person = Person.objects.get(community=cast.community, user=cast.users["ally"])
    assert api("ally", "PATCH", f"/communities/cast/people/{ally_person.pk}", {"bio": "Hola"}).json()["bio"] == "Hola"
    got = statuses(api, "PATCH", f"/communities/cast/people/{cast.person.pk}", {"languages": ["es"]})
    assert got == expect(401, 404, 403, 403, 200, 200, 200, 200)


def test_it_removes_people_softly(api, cast):
    targets = {persona: services.person_create(actor=cast.users["convener"], community=cast.community,
                                               display_name=f"Para quitar {persona}") for persona in PERSONAS}
    got = {persona: api(persona, "DELETE", f"/communities/cast/people/{targets[persona].pk}").status_code
           for persona in PERSONAS}
    assert got == expect(401, 404, 403, 403, 204, 204, 204, 204)
    assert Person.objects.get(pk=targets["steward"].pk).removed_at is not None
    assert AuditEvent.objects.filter(action="person.remove", target_id=str(targets["steward"].pk)).exists()


def test_it_answers_404_for_unknown_and_foreign_person_ids(api, cast):
    for pk in (cast.foreign_person.pk, 987654):
        assert_error(api("convener", "GET", f"/communities/cast/people/{pk}"), 404, f"No person with id {pk}")
        assert_error(api("convener", "PATCH", f"/communities/cast/people/{pk}", {"display_name": "X"}), 404)
        assert_error(api("convener", "DELETE", f"/communities/cast/people/{pk}"), 404)
    query = {"organization": cast.foreign_organization.pk}
    assert_error(api("member", "GET", "/communities/cast/people", query=query), 404, fields=("organization",))
    cast.foreign_person.refresh_from_db()
    assert (cast.foreign_person.display_name, cast.foreign_person.removed_at) == ("Foreign person", None)


def test_it_filters_people(api, cast):
    names = [item["display_name"] for item in
             api("member", "GET", "/communities/cast/people", query={"organization": cast.organization.pk}).json()["items"]]
    assert names == ["ally", "member", "observer", "steward"]
    assert api("member", "GET", "/communities/cast/people", query={"q": "stew"}).json()["count"] == 1


def test_it_reads_people_in_the_same_number_of_queries_whatever_their_number(api, cast):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api("member", "GET", "/communities/cast/people").status_code == 200
        return len(captured)

    queries()  # the token's first use writes last_used_at; later calls in the minute do not
    before = queries()
    for number in range(6):
        services.person_create(actor=cast.users["convener"], community=cast.community, display_name=f"Persona {number}",
                               affiliations=[{"organization": cast.other_organization}])
    assert queries() == before


# --- memberships ------------------------------------------------------------------------------

def test_it_lists_members_and_their_roles(api, cast):
    items = api("ally", "GET", "/communities/cast/memberships").json()["items"]
    assert sorted(item["role"] for item in items) == sorted(["convener", "steward", "member", "ally", "observer"])
    assert {item["display_name"] for item in items} >= {"member", "steward"}
    assert all("email" not in item for item in items)


def test_it_lets_managers_change_roles_and_audits_it(api, cast):
    ally = Membership.objects.get(community=cast.community, user=cast.users["ally"])
    got = statuses(api, "PATCH", f"/communities/cast/memberships/{ally.pk}", {"role": "member"})
    assert got == expect(401, 404, 403, 403, 403, 200, 200, 200)
    ally.refresh_from_db()
    assert ally.role == "member"
    assert AuditEvent.objects.filter(action="membership.role", target_id=str(ally.pk), data__to="member").exists()


def test_it_keeps_a_manager_in_every_community(api, cast):
    steward = Membership.objects.get(community=cast.community, user=cast.users["steward"])
    convener = Membership.objects.get(community=cast.community, user=cast.users["convener"])
    assert api("convener", "PATCH", f"/communities/cast/memberships/{steward.pk}", {"role": "member"}).status_code == 200
    response = api("convener", "PATCH", f"/communities/cast/memberships/{convener.pk}", {"role": "member"})
    assert_error(response, 400, "A community needs at least one steward or convener.")
    convener.refresh_from_db()
    assert convener.role == "convener"


def test_it_refuses_unknown_roles_and_foreign_memberships(api, cast):
    ally = Membership.objects.get(community=cast.community, user=cast.users["ally"])
    assert_error(api("convener", "PATCH", f"/communities/cast/memberships/{ally.pk}", {"role": "queen"}), 422, fields=("role",))
    foreign = Membership.objects.get(community=cast.other_community)
    assert_error(api("convener", "PATCH", f"/communities/cast/memberships/{foreign.pk}", {"role": "observer"}), 404)
    foreign.refresh_from_db()
    assert foreign.role == "convener"


# --- goals ------------------------------------------------------------------------------------

def test_it_lets_managers_write_goals(api, cast):
    got = statuses(api, "POST", "/communities/cast/goals", lambda persona: {"title": f"Meta de {persona}", "horizon": "long"})
    assert got == expect(401, 404, 403, 403, 403, 201, 201, 201)
    goal = Goal.objects.get(title="Meta de steward")
    path = f"/communities/cast/goals/{goal.pk}"
    assert statuses(api, "PATCH", path, {"status": "achieved"}) == expect(401, 404, 403, 403, 403, 200, 200, 200)
    assert api("observer", "GET", "/communities/cast/goals").json()["items"][0] | {"created_at": None, "updated_at": None} == {
        "id": goal.pk, "title": "Meta de steward", "description": "", "horizon": "long", "status": "achieved",
        "position": goal.position, "created_at": None, "updated_at": None,
    }
    assert api("member", "DELETE", path).status_code == 403
    assert api("steward", "DELETE", path).status_code == 204
    assert api("steward", "DELETE", path).status_code == 404
    assert AuditEvent.objects.filter(action="goal.remove", target_id=str(goal.pk)).exists()


def test_it_answers_404_for_another_communitys_goal(api, cast):
    foreign = services.goal_create(actor=None, community=cast.other_community, title="Ajena")
    assert_error(api("convener", "PATCH", f"/communities/cast/goals/{foreign.pk}", {"title": "Mía"}), 404, "No goal with id")
    assert_error(api("convener", "DELETE", f"/communities/cast/goals/{foreign.pk}"), 404)
    foreign.refresh_from_db()
    assert (foreign.title, foreign.removed_at) == ("Ajena", None)


# --- authentication ---------------------------------------------------------------------------

def test_it_accepts_a_personal_token_and_notes_its_use(api, cast):
    response = api("member", "GET", "/communities/cast")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=cast.users["member"]).last_used_at is not None
    assert response["Cache-Control"] == "private, no-store"


def test_it_refuses_a_revoked_token(api, cast):
    secret = api.secret("member")
    services.api_token_revoke(actor=cast.users["member"], token=ApiToken.objects.get(user=cast.users["member"]))
    response = api("member", "GET", "/communities/cast", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert_error(response, 401, "The API token is not valid or has been revoked.")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer tq_not-a-real-token", "Bearer ", "Basic bWVtYmVyOnB3", "tq_without_scheme"])
def test_it_refuses_a_bad_authorization_header_rather_than_reading_anonymously(api, header):
    # Even on a route anonymous callers may read: a broken script must not silently see less.
    assert_error(api("anonymous", "GET", "/communities", HTTP_AUTHORIZATION=header), 401)


def test_it_refuses_members_without_two_factor_when_the_community_requires_it(api, cast):
    services.community_update(actor=cast.users["convener"], community=cast.community, require_mfa=True)
    assert_error(api("member", "GET", "/communities/cast/goals"), 403, "requires two-factor authentication")


def test_it_asks_for_credentials_before_any_write(api):
    response = api("anonymous", "POST", "/communities", {"name": "Sin cuenta"})
    assert_error(response, 401, "Authentication required")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_accepts_the_browser_session_with_its_csrf_token(cast):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=cast.users["member"].username, password=PASSWORD)
    assert browser.get(f"{API}/communities/cast/organizations").status_code == 200
    body = json.dumps({"name": "Desde el navegador"})
    response = browser.post(f"{API}/communities/cast/organizations", body, content_type="application/json")
    assert_error(response, 403, "CSRF")
    browser.cookies["csrftoken"] = "a" * 32
    response = browser.post(f"{API}/communities/cast/organizations", body, content_type="application/json",
                            HTTP_X_CSRFTOKEN="a" * 32)
    assert response.status_code == 201
    assert Organization.objects.filter(name="Desde el navegador").count() == 1


# --- languages and the error shape ------------------------------------------------------------

def test_it_answers_in_the_language_the_request_asks_for(api, cast):
    response = api("member", "POST", "/communities/cast/people", {"display_name": "Ana", "email": "no-es-correo"},
                   HTTP_ACCEPT_LANGUAGE="es")
    data = assert_error(response, 400, fields=("email",))
    assert response["Content-Language"] == "es"
    assert data["fields"]["email"] == ["Introduzca una dirección de correo electrónico válida."]
    response = api("member", "POST", "/communities/cast/people", {"display_name": "Ana", "email": "nope"},
                   HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    assert response.json()["fields"]["email"] == ["Enter a valid email address."]


# --- the schema and its documentation ---------------------------------------------------------

@pytest.fixture
def openapi(client):
    return client.get(f"{API}/openapi.json").json()


def test_it_declares_bearer_tokens_and_every_error_it_can_answer(openapi):
    assert openapi["components"]["securitySchemes"]["BearerToken"] | {"description": ""} == {
        "type": "http", "scheme": "bearer", "bearerFormat": "tq_…", "description": "",
    }
    assert "Anonymous" not in openapi["components"]["securitySchemes"]
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "422"} <= codes, (method, path)
            for code in codes - {"200", "201", "204"}:
                assert operation["responses"][code]["content"]["application/json"]["schema"] == error_ref
            if not operation["operationId"].startswith("core_"):
                continue  # capabilities declare their own rules
            if "{slug}" in path:
                assert {"403", "404"} <= codes, (method, path)
            if method != "get":
                assert "400" in codes, (method, path)
            anonymous_allowed = {} in operation["security"]
            assert anonymous_allowed == (method == "get"), (method, path)


def test_it_keeps_the_schema_choices_equal_to_the_models(db):
    for literal, enum in CHOICES_OF.items():
        assert set(literal.__args__) - {""} == set(enum.values), enum


def test_it_serves_interactive_docs_without_inline_script(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        assert 'src="/static/ninja/' in attributes or 'type="application/json"' in attributes
    for script_path in re.findall(r'src="(/static/ninja/[^"]+)"', html):
        assert client.get(script_path).status_code == 200
