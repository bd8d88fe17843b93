"""Role suggestions with their reasons, the steward's confirmation, and the rules they keep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tequio.convenings import selectors, services
from tequio.convenings.models import RoleAssignment, Unavailability
from tequio.core import services as core_services
from tequio.core.models import AuditEvent
from tequio.core.permissions import access_for


def suggestions_of(cast, convening) -> dict:
    access = access_for(cast.users["steward"], cast.community)
    return {s.role: s for s in selectors.role_suggestions(access, convening)}


def earlier(cast, steward, days: int, title: str):
    start = cast.community.created_at - timedelta(days=days)
    return services.convening_create(actor=steward, community=cast.community, title=title, starts_at=start,
                                     ends_at=start + timedelta(hours=8))


def test_each_suggestion_says_why(cast, convening, member_org_two):
    suggestion = suggestions_of(cast, convening)["facilitator"]
    assert suggestion.person is not None
    assert suggestion.reason.startswith(f"{suggestion.person.display_name}, {suggestion.organization_name}: has never been facilitator")
    assert "has not held any role yet" in suggestion.reason


def test_the_reason_counts_convenings_since_the_organizations_last_role(cast, steward, member_org_two):
    past = earlier(cast, steward, 30, "Antes")
    services.role_assign(actor=steward, convening=past, role="facilitator", person=cast.person)
    upcoming = earlier(cast, steward, 20, "Después")
    suggestions = suggestions_of(cast, upcoming)
    # The member's organization facilitated last time: now another organization does...
    assert suggestions["facilitator"].organization_name != cast.organization.name
    # ... and it comes back for a role the others have not left it.
    co_facilitator = suggestions["co_facilitator"]
    assert co_facilitator.organization_name == cast.organization.name
    assert f"{cast.organization.name} last held a role 1 convening ago" in co_facilitator.reason


def test_the_same_data_gives_the_same_suggestion(cast, convening, member_org_two):
    first = [(s.role, s.person.pk if s.person else None, s.reason) for s in suggestions_of(cast, convening).values()]
    second = [(s.role, s.person.pk if s.person else None, s.reason) for s in suggestions_of(cast, convening).values()]
    assert first == second


def test_the_convener_is_not_suggested_once_the_community_is_member_led(cast, convening):
    core_services.community_update(actor=cast.users["convener"], community=cast.community, member_led=True)
    cast.community.refresh_from_db()
    convener_person = cast.users["convener"].persons.get(community=cast.community)
    chosen = {s.person.pk for s in suggestions_of(cast, convening).values() if s.person}
    assert convener_person.pk not in chosen


def test_observers_are_never_suggested(cast, convening):
    observer_person = cast.users["observer"].persons.get(community=cast.community)
    chosen = {s.person.pk for s in suggestions_of(cast, convening).values() if s.person}
    assert observer_person.pk not in chosen


def test_someone_who_marked_themselves_unavailable_is_skipped(cast, convening):
    for user in (cast.users["member"], cast.users["steward"], cast.users["ally"]):
        person = user.persons.get(community=cast.community)
        services.unavailability_set(actor=user, convening=convening, person=person, unavailable=True)
    chosen = {s.person.pk for s in suggestions_of(cast, convening).values() if s.person}
    assert chosen.isdisjoint(set(Unavailability.objects.values_list("person_id", flat=True)))


def test_a_role_given_to_someone_outside_the_community_is_refused_and_changes_nothing(cast, convening, steward):
    with pytest.raises(ValidationError) as error:
        services.role_assign(actor=steward, convening=convening, role="facilitator", person=cast.foreign_person)
    assert error.value.message_dict["person"] == ["This person is not a member of this community."]
    assert not RoleAssignment.objects.exists()


def test_a_role_given_to_an_observer_is_refused_and_changes_nothing(cast, convening, steward):
    observer_person = cast.users["observer"].persons.get(community=cast.community)
    with pytest.raises(ValidationError) as error:
        services.role_assign(actor=steward, convening=convening, role="rapporteur", person=observer_person)
    assert error.value.message_dict["person"] == ["Observers follow the convenings but do not take roles in them."]
    assert not RoleAssignment.objects.exists()


def test_facilitator_and_rapporteur_of_one_organization_are_refused(cast, convening, steward):
    steward_person = steward.persons.get(community=cast.community)
    services.role_assign(actor=steward, convening=convening, role="facilitator", person=cast.person)
    with pytest.raises(ValidationError, match="different organizations"):
        services.role_assign(actor=steward, convening=convening, role="rapporteur", person=steward_person)
    assert list(RoleAssignment.objects.values_list("role", flat=True)) == ["facilitator"]


def test_confirming_roles_is_all_or_nothing(cast, convening, steward):
    steward_person = steward.persons.get(community=cast.community)
    with pytest.raises(ValidationError):
        services.roles_confirm(actor=steward, convening=convening, choices={
            "facilitator": (cast.person, "", True), "rapporteur": (steward_person, "", False)})
    assert not RoleAssignment.objects.exists()


def test_role_changes_are_audited(cast, convening, steward):
    services.role_assign(actor=steward, convening=convening, role="host", person=cast.person)
    assert AuditEvent.objects.filter(action="convening.role", community=cast.community).exists()


def test_the_steward_accepts_the_suggestions_on_the_page(cast, convening, client_for, member_org_two):
    client = client_for("steward")
    url = reverse("convenings:roles", args=[cast.community.slug, convening.pk])
    page = client.get(url).content.decode()
    suggestions = suggestions_of(cast, convening)
    assert suggestions["facilitator"].reason in page.replace("&#x27;", "'")
    data = {role: str(s.person.pk) for role, s in suggestions.items() if s.person}
    response = client.post(url, data)
    assert response.status_code == 302
    saved = {a.role: a for a in RoleAssignment.objects.filter(convening=convening)}
    assert set(saved) == set(data)
    assert all(a.from_suggestion and a.reason for a in saved.values())


def test_a_member_can_say_they_are_unavailable_but_not_assign_roles(cast, convening, client_for):
    client = client_for("member")
    url = reverse("convenings:role_unavailable", args=[cast.community.slug, convening.pk])
    assert client.post(url, {"unavailable": "1"}).status_code == 302
    assert Unavailability.objects.filter(person=cast.person).exists()
    roles_url = reverse("convenings:roles", args=[cast.community.slug, convening.pk])
    assert client.post(roles_url, {"facilitator": str(cast.person.pk)}).status_code == 403
