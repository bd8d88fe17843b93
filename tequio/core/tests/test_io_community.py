"""The full community export (JSON) and its import into an instance without it."""

from __future__ import annotations

import copy
import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from tequio.core import registry, services
from tequio.core.io import community_export
from tequio.core.models import AuditEvent, Community, Invitation, Membership, Organization, Person
from tequio.testing.personas import make_user


def enrich(cast):
    """Every kind of row the export carries, including removed ones."""
    convener, community = cast.users["convener"], cast.community
    services.goal_create(actor=convener, community=community, title="Mapear actores", horizon="short")
    removed_goal = services.goal_create(actor=convener, community=community, title="Viejo objetivo", horizon="long")
    services.goal_remove(actor=convener, goal=removed_goal)
    charter_fields = {"roles_responsibilities": "Todos", "leadership_model": "rotating", "rotation_period_months": 6,
                      "decision_rule": "consent", "adopted_on": datetime.date(2024, 3, 1), "adopted_how": "Asamblea"}
    services.charter_adopt(actor=convener, community=community, **charter_fields)
    services.charter_adopt(actor=convener, community=community, **{**charter_fields, "leadership_model": "fixed", "adopted_on": datetime.date(2025, 3, 1)})
    removed = services.organization_create(actor=convener, community=community, name="Cerrada", kind="donor")
    services.organization_remove(actor=convener, organization=removed)
    pseudonym = services.person_create(
        actor=convener, community=community, display_name="Colibrí", is_pseudonym=True, languages=["es"], gender="woman",
        email="colibri@example.org", affiliations=[{"organization": cast.organization, "position": "Enlace", "staff_level": "volunteer"},
                                                   {"organization": cast.other_organization, "staff_level": "field"}],
    )
    group = services.peer_group_create(actor=convener, community=community, name="Directoras", basis="role", members=[pseudonym, cast.person])
    assert group.members.count() == 2
    services.invitation_create(actor=convener, community=community, email="pending@example.org")
    return pseudonym


def export(cast, **options):
    return community_export.community_export(actor=cast.users["convener"], community=cast.community, **options)


def test_it_exports_everything_but_invitations(cast):
    enrich(cast)
    data = export(cast)
    assert data["format"] == "tequio.community" and data["community"]["slug"] == cast.community.slug
    assert len(data["organizations"]) == Organization.objects.filter(community=cast.community).count()
    assert [charter["version"] for charter in data["charters"]] == [1, 2]
    assert {row["user"] for row in data["memberships"]} >= {"steward@cast.test", "convener@cast.test"}
    assert any(row["removed_at"] for row in data["goals"])
    text = community_export.dumps(data)
    # Core's invitations hold secrets; capabilities may export their own (hashed) links.
    assert "invitations" not in data
    assert "pending@example.org" not in text
    assert all(invitation.token_hash not in text for invitation in Invitation.objects.all())
    assert "foreign" not in text.lower()  # nothing of the other community
    assert AuditEvent.objects.filter(community=cast.community, action="data.export", data__kind="community").exists()


def test_export_then_import_into_an_instance_without_it_gives_equal_content(cast):
    enrich(cast)
    # Someone who exists only through this community: the import must create their account.
    lone = make_user("lone@example.org")
    services.invitation_accept(user=lone, token=services.invitation_create(actor=cast.users["convener"], community=cast.community, email=lone.email)[1])
    first = json.loads(community_export.dumps(export(cast, include_audit=True)))
    Community.objects.filter(pk=cast.community.pk).delete()
    lone.delete()

    community = community_export.community_import(actor=None, data=copy.deepcopy(first))
    second = community_export.community_export(actor=None, community=community, include_audit=True)
    # The import records itself in the audit log: one event more than the export carried.
    own = [event for event in second["audit_events"] if event["action"] == "data.import"]
    assert len(own) == 1 and own[0]["data"]["from"] == first["community"]["slug"]
    second["audit_events"].remove(own[0])
    assert len(first["audit_events"]) > 5
    assert community_export.canonical(second) == community_export.canonical(first)

    recreated = get_user_model().objects.get(email="lone@example.org")
    assert not recreated.has_usable_password()
    assert Membership.objects.get(community=community, user=recreated).role == "member"
    steward = get_user_model().objects.get(email="steward@cast.test")
    assert steward.has_usable_password()  # matched, not replaced
    assert community.convener_organization.name == "Convener Org cast"


def test_import_under_another_short_name(cast):
    enrich(cast)
    data = export(cast)
    community = community_export.community_import(actor=cast.users["admin"], data=data, slug="copia")
    assert community.slug == "copia" and community.pk != cast.community.pk
    assert community_export.canonical(export(cast))["people"] == community_export.canonical(
        community_export.community_export(actor=None, community=community))["people"]
    # The copy is independent of the original.
    assert not Person.objects.filter(community=community, pk__in=Person.objects.filter(community=cast.community).values("pk")).exists()


def test_an_existing_short_name_is_refused(cast):
    data = export(cast)
    with pytest.raises(ValidationError, match="already exists"):
        community_export.community_import(actor=None, data=data)


def broken(cast, change):
    data = json.loads(community_export.dumps(export(cast)))
    change(data)
    before = (Community.objects.count(), Organization.objects.count(), get_user_model().objects.count())
    with pytest.raises(ValidationError) as raised:
        community_export.community_import(actor=None, data=data, slug="broken")
    assert (Community.objects.count(), Organization.objects.count(), get_user_model().objects.count()) == before
    return " | ".join(raised.value.messages)


def test_unknown_ids_are_refused_and_nothing_is_created(cast):
    def change(data):
        data["affiliations"][0]["person"] = 987654
        data["users"].append({"email": "new@example.org", "first_name": "", "last_name": ""})
    assert "affiliations[0].person" in broken(cast, change)


def test_ids_of_another_community_are_unknown_here(cast):
    def change(data):
        data["peer_groups"] = [{"id": 1, "name": "G", "basis": "role", "description": "", "members": [cast.foreign_person.pk],
                                "created_at": timezone.now().isoformat(), "removed_at": None}]
    assert "peer_groups[0].members" in broken(cast, change)


def test_invalid_values_are_reported_with_their_path(cast):
    def change(data):
        data["organizations"][0]["kind"] = "cartel"
        data["organizations"][1]["founding_year"] = "antiguo"
        data["people"][0]["surprise"] = 1
        data["memberships"][0]["user"] = "nobody@example.org"
    messages = broken(cast, change)
    for path in ("organizations[0].kind", "organizations[1].founding_year", "people[0]: Unknown fields: surprise", "memberships[0].user"):
        assert path in messages


@pytest.mark.parametrize("data", [None, [], {"format": "other"}, {"format": "tequio.community", "version": 99}, {"format": "tequio.community", "version": 1}])
def test_what_is_not_an_export_is_refused(db, data):
    with pytest.raises(ValidationError):
        community_export.community_import(actor=None, data=data)


def test_capabilities_export_and_import_their_rows_through_the_registry(cast, monkeypatch):
    # A capability whose rows (notes about people, replies to notes) live in a dict, by community.
    store = {cast.community.pk: {
        "notes": [{"id": 70 + index, "person": person.pk, "text": f"nota {index}"}
                  for index, person in enumerate(Person.objects.filter(community=cast.community).order_by("pk"))],
    }}
    store[cast.community.pk]["replies"] = [{"id": 5, "note": 71, "people": [cast.person.pk], "text": "sí"}]

    def import_rows(data, community, id_maps):
        rows = data["capabilities"]["notes_app"]
        notes = {row["id"]: 900 + n for n, row in enumerate(rows["notes"])}
        store[community.pk] = {
            "notes": [{"id": notes[row["id"]], "person": id_maps["person"][row["person"]].pk, "text": row["text"]} for row in rows["notes"]],
            "replies": [{"id": 1, "note": notes[row["note"]], "people": [id_maps["person"][pk].pk for pk in row["people"]],
                         "text": row["text"]} for row in rows["replies"]],
        }

    capability = registry.Capability(label="notes_app", name="Notes", export=lambda community: store[community.pk], import_=import_rows)
    monkeypatch.setitem(registry._capabilities, "notes_app", capability)
    first = export(cast)
    community = community_export.community_import(actor=None, data=first, slug="con-notas")
    assert {row["person"] for row in store[community.pk]["notes"]} == set(Person.objects.filter(community=community).values_list("pk", flat=True))
    second = community_export.community_export(actor=None, community=community)
    assert second["capabilities"] != first["capabilities"]  # other ids...
    assert community_export.canonical(second)["capabilities"] == community_export.canonical(first)["capabilities"]  # same content
    store[community.pk]["replies"][0]["note"] = store[community.pk]["notes"][0]["id"]  # a reply moved to another note
    assert community_export.canonical(community_export.community_export(actor=None, community=community))["capabilities"] != \
        community_export.canonical(first)["capabilities"]


def test_rows_of_capabilities_not_installed_are_refused_unless_skipped(cast):
    data = export(cast)
    data["capabilities"]["retired_app"] = {"events": [{"title": "x"}]}
    with pytest.raises(ValidationError, match="retired_app"):
        community_export.community_import(actor=None, data=data, slug="sin")
    assert not Community.objects.filter(slug="sin").exists()
    assert community_export.community_import(actor=None, data=data, slug="sin", skip_unknown_capabilities=True).slug == "sin"
