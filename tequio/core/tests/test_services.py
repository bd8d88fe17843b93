"""Writes of the core domain: validated, atomic, audited, tenant-bound."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tequio.core import choices, selectors, services
from tequio.core.models import (
    Affiliation,
    AuditEvent,
    Charter,
    Invitation,
    Membership,
    Organization,
    Person,
)
from tequio.core.permissions import access_for
from tequio.testing.personas import make_user

CHARTER = {
    "roles_responsibilities": "Stewards prepare the sessions; members bring cases.",
    "leadership_model": choices.LeadershipModel.ROTATING,
    "rotation_period_months": 6,
    "decision_rule": choices.DecisionRule.CONSENT,
    "adopted_on": date(2025, 1, 31),
    "adopted_how": "Assembly of 31 January",
}


def _membership(cast, persona: str) -> Membership:
    return Membership.objects.active().get(community=cast.community, user=cast.users[persona])


def _audit(community, action: str):
    return list(AuditEvent.objects.filter(community=community, action=action))


# --- audit ---------------------------------------------------------------------

def test_a_role_change_is_audited_with_who_what_and_from_to(cast):
    services.membership_change_role(actor=cast.users["convener"], membership=_membership(cast, "member"), role="steward")
    [event] = _audit(cast.community, "membership.role")
    assert event.actor == cast.users["convener"]
    assert event.data == {"from": "member", "to": "steward", "user": cast.users["member"].pk}


def test_when_the_audit_cannot_be_written_the_action_does_not_happen(cast, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.membership_change_role(actor=cast.users["convener"], membership=_membership(cast, "member"), role="steward")
    with pytest.raises(RuntimeError):
        services.community_update(actor=cast.users["convener"], community=cast.community, privacy=choices.Privacy.PUBLIC)
    with pytest.raises(RuntimeError):
        services.organization_remove(actor=cast.users["convener"], organization=cast.organization)
    assert _membership(cast, "member").role == "member"
    cast.community.refresh_from_db()
    assert cast.community.privacy == choices.Privacy.LISTED
    assert Organization.objects.active().filter(pk=cast.organization.pk).exists()


def test_privacy_and_two_factor_changes_are_audited_but_a_rename_is_not(cast):
    convener = cast.users["convener"]
    services.community_update(actor=convener, community=cast.community, name="Nuevo nombre")
    services.community_update(actor=convener, community=cast.community, privacy=choices.Privacy.HIDDEN, require_mfa=True)
    assert [e.data for e in _audit(cast.community, "community.privacy")] == [{"from": "listed", "to": "hidden"}]
    assert [e.data for e in _audit(cast.community, "community.require_mfa")] == [{"from": False, "to": True}]
    assert not AuditEvent.objects.filter(community=cast.community, action="community.name").exists()


# --- the last steward or convener -------------------------------------------------

def test_the_last_manager_can_neither_step_down_nor_leave(db):
    convener = make_user("solo@example.org")
    community = services.community_create(actor=convener, name="Sola")
    only = Membership.objects.get(community=community, user=convener)
    with pytest.raises(ValidationError, match="at least one steward or convener"):
        services.membership_change_role(actor=convener, membership=only, role=choices.Role.MEMBER)
    with pytest.raises(ValidationError, match="at least one steward or convener"):
        services.membership_end(actor=convener, membership=only)
    only.refresh_from_db()
    assert only.role == choices.Role.CONVENER and only.ended_at is None


def test_a_manager_may_step_down_once_another_remains(cast):
    convener = cast.users["convener"]
    services.membership_change_role(actor=convener, membership=_membership(cast, "convener"), role=choices.Role.MEMBER)
    # Now the steward is the last manager.
    with pytest.raises(ValidationError):
        services.membership_end(actor=cast.users["steward"], membership=_membership(cast, "steward"))


def test_a_role_must_be_one_of_the_five(cast):
    with pytest.raises(ValidationError):
        services.membership_change_role(actor=cast.users["convener"], membership=_membership(cast, "member"), role="owner")


# --- invitations -----------------------------------------------------------------

def test_an_invitation_is_mailed_after_commit_with_a_working_link(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=cast.users["convener"], community=cast.community, email=" Nueva@Example.org ", role="ally",
            organization=cast.organization, message="Bienvenida",
        )
    assert invitation.email == "nueva@example.org"
    [mail] = mailoutbox
    assert mail.to == ["nueva@example.org"]
    assert services.invitation_url(token) in mail.body
    assert "Bienvenida" in mail.body
    # Only the hash is stored.
    assert token not in Invitation.objects.filter(pk=invitation.pk).values_list("token_hash", flat=True)[0]


def test_accepting_joins_with_the_role_and_the_organization(cast):
    invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                   email="nueva@example.org", role="ally", organization=cast.other_organization)
    user = make_user("nueva@example.org")
    membership = services.invitation_accept(user=user, token=token)
    assert membership.role == "ally"
    assert Affiliation.objects.filter(person=membership.person, organization=cast.other_organization).exists()
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by == user
    assert _audit(cast.community, "membership.join")[0].data == {"role": "ally", "invitation": invitation.pk}


def test_accepting_links_the_person_already_in_the_registry(cast):
    existing = services.person_create(actor=cast.users["convener"], community=cast.community, display_name="Rosa",
                                      email="rosa@example.org")
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                    email="rosa@example.org")
    membership = services.invitation_accept(user=make_user("rosa@example.org"), token=token)
    assert membership.person == existing
    assert Person.objects.filter(community=cast.community, email="rosa@example.org").count() == 1


def test_an_invitation_works_once(cast):
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                    email="nueva@example.org")
    services.invitation_accept(user=make_user("nueva@example.org"), token=token)
    with pytest.raises(ValidationError, match="no longer valid"):
        services.invitation_accept(user=cast.users["outsider"], token=token)
    assert not Membership.objects.filter(community=cast.community, user=cast.users["outsider"]).exists()


def test_an_invitation_expires_after_fourteen_days(cast):
    invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                   email="tarde@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=14, seconds=1)):
        assert invitation.status == "expired"
        with pytest.raises(ValidationError, match="no longer valid"):
            services.invitation_accept(user=cast.users["outsider"], token=token)
        with pytest.raises(ValidationError, match="Only pending"):
            services.invitation_revoke(actor=cast.users["convener"], invitation=invitation)


def test_a_revoked_invitation_cannot_be_accepted(cast):
    invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                   email="nueva@example.org")
    services.invitation_revoke(actor=cast.users["convener"], invitation=invitation)
    with pytest.raises(ValidationError):
        services.invitation_accept(user=cast.users["outsider"], token=token)
    assert [e.target_id for e in _audit(cast.community, "invitation.revoke")] == [str(invitation.pk)]


def test_an_unknown_token_or_a_current_member_is_refused(cast):
    with pytest.raises(ValidationError):
        services.invitation_accept(user=cast.users["outsider"], token="not-a-token")
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community,
                                                    email="someone@example.org")
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_accept(user=cast.users["member"], token=token)
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_create(actor=cast.users["convener"], community=cast.community, email=cast.users["ally"].email)


def test_someone_who_left_can_rejoin_with_a_new_invitation(cast):
    member = cast.users["member"]
    services.membership_end(actor=member, membership=_membership(cast, "member"))
    _invitation, token = services.invitation_create(actor=cast.users["convener"], community=cast.community, email=member.email)
    membership = services.invitation_accept(user=member, token=token)
    assert membership.person == cast.person
    assert Membership.objects.filter(community=cast.community, user=member).count() == 2


# --- the charter -----------------------------------------------------------------

def test_each_adoption_is_a_new_version_and_earlier_ones_stay_as_they_were(cast):
    convener = cast.users["convener"]
    first = services.charter_adopt(actor=convener, community=cast.community, **CHARTER)
    second = services.charter_adopt(actor=convener, community=cast.community,
                                    **{**CHARTER, "decision_rule": choices.DecisionRule.MAJORITY, "adopted_on": date(2025, 7, 1)})
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.decision_rule == choices.DecisionRule.CONSENT
    assert selectors.current_charter(cast.community) == second
    assert [e.data["version"] for e in _audit(cast.community, "charter.adopt")] == [2, 1]


def test_versions_are_numbered_per_community(cast):
    services.charter_adopt(actor=cast.users["convener"], community=cast.community, **CHARTER)
    other_owner = Membership.objects.get(community=cast.other_community).user
    assert services.charter_adopt(actor=other_owner, community=cast.other_community, **CHARTER).version == 1


def test_a_rotating_leadership_needs_a_rotation_period_and_a_fixed_one_drops_it(cast):
    convener = cast.users["convener"]
    with pytest.raises(ValidationError) as error:
        services.charter_adopt(actor=convener, community=cast.community, **{**CHARTER, "rotation_period_months": None})
    assert "rotation_period_months" in error.value.message_dict
    assert not Charter.objects.filter(community=cast.community).exists()
    fixed = services.charter_adopt(actor=convener, community=cast.community,
                                   **{**CHARTER, "leadership_model": choices.LeadershipModel.FIXED})
    assert fixed.rotation_period_months is None


@pytest.mark.parametrize(
    ("adopted_on", "months", "due"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no 31 February: the month's last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 1, 31), 11, date(2025, 12, 31)),
        (date(2025, 1, 31), 13, date(2026, 2, 28)),
        (date(2025, 3, 15), 60, date(2030, 3, 15)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
    ],
)
def test_the_review_comes_due_after_the_chosen_number_of_months(adopted_on, months, due):
    assert Charter(adopted_on=adopted_on, review_period_months=months).review_due_on == due


def test_the_review_is_due_from_its_date_in_the_communitys_time_zone(cast):
    charter = services.charter_adopt(actor=cast.users["convener"], community=cast.community,
                                     **{**CHARTER, "review_period_months": 1})
    # 23:30 on 27 February in Mexico City is already 28 February in UTC.
    with time_machine.travel("2025-02-27 23:30 -0600", tick=False):
        assert not charter.review_is_due
    with time_machine.travel("2025-02-28 00:30 -0600", tick=False):
        assert charter.review_is_due


def test_a_review_period_outside_one_to_sixty_months_is_refused(cast):
    for months in (0, 61):
        with pytest.raises(ValidationError):
            services.charter_adopt(actor=cast.users["convener"], community=cast.community,
                                   **{**CHARTER, "review_period_months": months})


# --- soft removal ----------------------------------------------------------------

def test_a_removed_organization_disappears_from_the_registry_but_its_row_and_audit_stay(cast):
    convener = cast.users["convener"]
    services.organization_remove(actor=convener, organization=cast.organization)
    access = access_for(convener, cast.community)
    assert cast.organization not in selectors.organizations_for(access)
    assert selectors.organization_detail(access, cast.organization.pk) is None
    assert Organization.objects.get(pk=cast.organization.pk).removed_at is not None
    assert _audit(cast.community, "organization.remove")[0].target_repr == cast.organization.name
    # Its name is free again.
    services.organization_create(actor=convener, community=cast.community, name=cast.organization.name)


def test_a_removed_person_leaves_the_registry_but_keeps_their_membership(cast):
    services.person_remove(actor=cast.users["steward"], person=cast.person)
    access = access_for(cast.users["steward"], cast.community)
    assert cast.person not in selectors.people_for(access)
    assert _membership(cast, "member").person_id == cast.person.pk
    assert _audit(cast.community, "person.remove")


def test_removed_goals_and_peer_groups_are_audited_and_hidden(cast):
    convener = cast.users["convener"]
    goal = services.goal_create(actor=convener, community=cast.community, title="Mapear la red")
    group = services.peer_group_create(actor=convener, community=cast.community, name="Directivas")
    services.goal_remove(actor=convener, goal=goal)
    services.peer_group_remove(actor=convener, group=group)
    assert selectors.goals_for(cast.community) == []
    assert list(selectors.peer_groups_for(cast.community)) == []
    assert {e.action for e in AuditEvent.objects.filter(community=cast.community)} >= {"goal.remove", "peer_group.remove"}


# --- the community is the tenant ------------------------------------------------------

def test_an_affiliation_to_another_communitys_organization_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.affiliation_set(actor=cast.users["convener"], person=cast.person, organization=cast.foreign_organization)
    assert "organization" in error.value.message_dict
    assert not Affiliation.objects.filter(organization=cast.foreign_organization).exists()


def test_an_affiliation_to_a_removed_organization_is_refused(cast):
    services.organization_remove(actor=cast.users["convener"], organization=cast.other_organization)
    with pytest.raises(ValidationError):
        services.affiliation_set(actor=cast.users["convener"], person=cast.person, organization=cast.other_organization)


def test_a_person_created_with_a_foreign_affiliation_is_not_created(cast):
    with pytest.raises(ValidationError):
        services.person_create(actor=cast.users["convener"], community=cast.community, display_name="Lupe",
                               affiliations=[{"organization": cast.foreign_organization}])
    assert not Person.objects.filter(display_name="Lupe").exists()


def test_other_communities_people_and_organizations_cannot_be_borrowed(cast):
    convener = cast.users["convener"]
    with pytest.raises(ValidationError):
        services.peer_group_create(actor=convener, community=cast.community, name="Mixto", members=[cast.foreign_person])
    with pytest.raises(ValidationError):
        services.invitation_create(actor=convener, community=cast.community, email="x@example.org",
                                   organization=cast.foreign_organization)
    with pytest.raises(ValidationError):
        services.community_update(actor=convener, community=cast.community, convener_organization=cast.foreign_organization)


def test_creating_a_community_makes_its_creator_convener_with_a_person_and_organization(db):
    user = make_user("founder@example.org")
    community = services.community_create(actor=user, name="Red Sonora", purpose="Aprender juntas",
                                          convener_organization_name="Fundación Norte")
    membership = Membership.objects.get(community=community, user=user)
    assert membership.role == choices.Role.CONVENER
    assert membership.person.affiliations.get().organization == community.convener_organization
    assert community.slug == "red-sonora"
    assert _audit(community, "community.create")


def test_an_unknown_field_or_language_is_refused(cast):
    with pytest.raises(ValidationError, match="Unknown fields"):
        services.organization_update(actor=cast.users["convener"], organization=cast.organization, community=cast.other_community)
    with pytest.raises(ValidationError):
        services.community_update(actor=cast.users["convener"], community=cast.community, languages=["fr"])
