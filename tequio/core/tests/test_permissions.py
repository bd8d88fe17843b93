"""The permission layer: who may do what, by role, by privacy, and for the platform admin."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tequio.core import choices, services
from tequio.core.models import Membership
from tequio.core.permissions import (
    Action,
    MFARequired,
    access_for,
    get_community_for_user,
    register_actions,
    visible_communities,
)
from tequio.testing.personas import PERSONAS, build_cast, make_user

EVERYONE_IN = {"observer", "ally", "member", "steward", "convener", "admin"}
PARTICIPANTS = {"ally", "member", "steward", "convener", "admin"}
CONTRIBUTORS = {"member", "steward", "convener", "admin"}
MANAGERS = {"steward", "convener", "admin"}

# Written from the product's rules, not copied from ACTIONS: who may do what in a
# members-only or hidden community.
ALLOWED = {
    "community.view": EVERYONE_IN,
    "community.manage": MANAGERS,
    "goals.view": EVERYONE_IN,
    "goals.manage": MANAGERS,
    "charter.view": EVERYONE_IN,
    "charter.manage": MANAGERS,
    "organizations.view": EVERYONE_IN,
    "organizations.edit": CONTRIBUTORS,
    "people.view": PARTICIPANTS,
    "people.edit": CONTRIBUTORS,
    "peer_groups.view": PARTICIPANTS,
    "peer_groups.manage": MANAGERS,
    "members.view": PARTICIPANTS,
    "members.manage": MANAGERS,
    "audit.view": MANAGERS,
    "data.export": MANAGERS,
    "data.import": MANAGERS,
}
# What a public community shows to anyone, signed in or not.
PUBLIC_READS = {"community.view", "goals.view", "charter.view", "organizations.view"}


@pytest.mark.parametrize("privacy", [choices.Privacy.LISTED, choices.Privacy.HIDDEN, choices.Privacy.PUBLIC])
def test_it_allows_each_action_to_the_roles_the_product_gives_it(db, privacy):
    cast = build_cast(privacy=privacy)
    for persona in PERSONAS:
        access = access_for(cast.users[persona], cast.community)
        for action, allowed in ALLOWED.items():
            expected = persona in allowed or (privacy == choices.Privacy.PUBLIC and action in PUBLIC_READS)
            assert access.can(action) is expected, (privacy, persona, action)


def test_it_hides_members_only_and_hidden_communities_from_outsiders(db):
    for privacy in (choices.Privacy.LISTED, choices.Privacy.HIDDEN):
        cast = build_cast(privacy=privacy, slug=f"c-{privacy}")
        for persona in ("anonymous", "outsider"):
            with pytest.raises(Http404):
                get_community_for_user(cast.users[persona], cast.community.slug)


def test_it_refuses_with_403_what_a_visible_community_does_not_allow(cast):
    with pytest.raises(PermissionDenied) as refused:
        get_community_for_user(cast.users["member"], cast.community.slug, "audit.view")
    assert not isinstance(refused.value, Http404)
    assert get_community_for_user(cast.users["steward"], cast.community.slug, "audit.view").role == "steward"


def test_a_public_community_shows_its_registry_but_not_its_people_to_outsiders(db):
    cast = build_cast(privacy=choices.Privacy.PUBLIC)
    assert get_community_for_user(None, cast.community.slug, "organizations.view").role is None
    with pytest.raises(PermissionDenied):
        get_community_for_user(cast.users["outsider"], cast.community.slug, "people.view")


def test_the_platform_admin_sees_hidden_communities_without_being_a_member(cast):
    access = get_community_for_user(cast.users["admin"], cast.other_community.slug, "audit.view")
    assert access.is_admin and access.membership is None


def test_an_unknown_or_removed_community_is_not_found_even_for_its_convener(cast):
    with pytest.raises(Http404):
        get_community_for_user(cast.users["convener"], "no-such-community")
    services.community_remove(actor=cast.users["convener"], community=cast.community)
    for persona in ("convener", "admin"):
        with pytest.raises(Http404):
            get_community_for_user(cast.users[persona], cast.community.slug)


def test_a_member_who_left_loses_access(cast):
    member = cast.users["member"]
    services.membership_end(actor=member, membership=Membership.objects.get(community=cast.community, user=member))
    with pytest.raises(Http404):
        get_community_for_user(member, cast.community.slug)


def test_a_community_requiring_two_factor_stops_members_without_it(cast):
    services.community_update(actor=cast.users["convener"], community=cast.community, require_mfa=True)
    member = cast.users["member"]
    with pytest.raises(MFARequired):
        get_community_for_user(member, cast.community.slug)
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    assert get_community_for_user(member, cast.community.slug).role == "member"


def test_two_factor_requirement_does_not_apply_to_admins_or_public_readers(db):
    cast = build_cast(privacy=choices.Privacy.PUBLIC)
    services.community_update(actor=cast.users["convener"], community=cast.community, require_mfa=True)
    assert get_community_for_user(cast.users["admin"], cast.community.slug).is_admin
    assert get_community_for_user(cast.users["outsider"], cast.community.slug).role is None


@pytest.mark.parametrize(
    ("privacy", "who_sees"),
    [
        (choices.Privacy.PUBLIC, {"ally", "member", "steward", "convener", "admin"}),
        (choices.Privacy.LISTED, {"ally", "member", "steward", "convener", "admin"}),
        # In a hidden community only the person themself and the managers see them.
        (choices.Privacy.HIDDEN, {"member", "steward", "convener", "admin"}),
    ],
)
def test_sensitive_fields_follow_the_communitys_privacy_and_the_viewers_role(db, privacy, who_sees):
    cast = build_cast(privacy=privacy)
    own_record = cast.person  # the member's
    for persona in PERSONAS:
        access = access_for(cast.users[persona], cast.community)
        assert access.can_see_sensitive(own_record) is (persona in who_sees), (privacy, persona)


def test_in_a_hidden_community_members_do_not_see_each_others_sensitive_fields(db):
    cast = build_cast(privacy=choices.Privacy.HIDDEN)
    someone = services.person_create(actor=cast.users["convener"], community=cast.community, display_name="Ana",
                                     email="ana@example.org")
    assert not access_for(cast.users["member"], cast.community).can_see_sensitive(someone)
    assert access_for(cast.users["steward"], cast.community).can_see_sensitive(someone)


def test_visible_communities_are_public_ones_and_ones_own(cast):
    public = services.community_create(actor=make_user("p@example.org"), name="Abierta", privacy=choices.Privacy.PUBLIC)
    assert set(visible_communities(None)) == {public}
    assert set(visible_communities(cast.users["outsider"])) == {public}
    assert set(visible_communities(cast.users["member"])) == {public, cast.community}
    assert set(visible_communities(cast.users["admin"])) == {public, cast.community, cast.other_community}


def test_a_capability_cannot_redefine_an_action_with_other_rules():
    register_actions({"community.view": Action(frozenset({"observer", "ally", "member", "steward", "convener"}), public=True)})
    with pytest.raises(ValueError, match="registered twice"):
        register_actions({"community.view": Action(frozenset({"convener"}))})
