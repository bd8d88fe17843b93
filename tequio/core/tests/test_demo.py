"""The demo: three learning communities of a fictional program, the same on every load."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tequio.core import choices, demo, registry
from tequio.core.models import (
    AuditEvent,
    Charter,
    Community,
    Goal,
    Invitation,
    Membership,
    Organization,
    PeerGroup,
    Person,
)
from tequio.core.registry import Capability

EARLIEST = datetime(2018, 10, 1, tzinfo=ZoneInfo("UTC"))
LATEST = datetime(2020, 12, 31, tzinfo=ZoneInfo("UTC"))


def _snapshot() -> dict:
    """Everything a visitor can see of the demo, without database ids."""
    communities = Community.objects.filter(slug__in=demo.DEMO_SLUGS)
    return {
        "communities": sorted(communities.values_list("slug", "name", "stage", "privacy", "member_led", "created_at")),
        "organizations": sorted(Organization.objects.filter(community__in=communities).values_list(
            "community__slug", "name", "kind", "country", "state", "municipality", "thematic_areas", "tier")),
        "people": sorted(Person.objects.filter(community__in=communities).values_list(
            "community__slug", "display_name", "is_pseudonym", "gender", "affiliations__organization__name",
            "affiliations__position", "affiliations__staff_level", "created_at")),
        "memberships": sorted(Membership.objects.filter(community__in=communities).values_list(
            "community__slug", "user__email", "role", "person__display_name", "joined_at")),
        "goals": sorted(Goal.objects.filter(community__in=communities).values_list(
            "community__slug", "title", "horizon", "status", "position", "created_at")),
        "charters": sorted(Charter.objects.filter(community__in=communities).values_list(
            "community__slug", "version", "leadership_model", "rotation_period_months", "decision_rule", "adopted_on")),
        "peer_groups": sorted(PeerGroup.objects.filter(community__in=communities).values_list(
            "community__slug", "name", "basis", "members__display_name")),
        "invitations": sorted(Invitation.objects.filter(community__in=communities).values_list(
            "community__slug", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at")),
        "audit": list(AuditEvent.objects.filter(community__in=communities).order_by("created_at", "action", "target_repr")
                      .values_list("community__slug", "action", "target_repr", "created_at")),
    }


def _remove_demo() -> None:
    Community.objects.filter(slug__in=demo.DEMO_SLUGS).delete()
    get_user_model().objects.filter(email__endswith="@" + demo.DEMO_DOMAIN).delete()


def _replace_demo_seeds(monkeypatch, **extra: Capability) -> None:
    # Only the seed hooks change: the apps stay installed (their URLs, navigation, panels).
    capabilities = {label: replace(capability, demo_seed=None) for label, capability in registry._capabilities.items()}
    monkeypatch.setattr(registry, "_capabilities", {**capabilities, **extra})


@pytest.fixture
def core_only(monkeypatch):
    """The demo of core alone: each capability app tests its own ``demo_seed``."""
    _replace_demo_seeds(monkeypatch)


def test_it_loads_the_three_groups_of_the_guide_once(db, core_only):
    data = demo.demo_load()

    group1, group2, group3 = (data.communities[key] for key in ("group1", "group2", "group3"))
    group1_orgs = Organization.objects.filter(community=group1).exclude(pk=group1.convener_organization_id)
    assert group1_orgs.filter(kind=choices.OrganizationKind.CSO).count() == 7
    assert group1_orgs.filter(kind=choices.OrganizationKind.ISO).count() == 3
    assert {org.state for org in group1_orgs.filter(country="MX")} == {"BCN", "CMX", "SON"}
    assert Organization.objects.filter(community=group2, kind=choices.OrganizationKind.CSO).count() == 14
    leaders = Person.objects.filter(community=group3).exclude(user=data.users["mariana.villasenor"])
    assert leaders.count() == 8
    assert {a.organization.state for person in leaders for a in person.affiliations.all()} == {"SON", "COA"}
    # Group 1 rotated its leadership: two charter versions, the second one rotating.
    assert list(group1.charters.order_by("version").values_list("leadership_model", flat=True)) == ["fixed", "rotating"]
    roles = Membership.objects.filter(community__in=data.communities.values()).values_list("role", flat=True)
    assert set(roles) == set(choices.Role.values)
    assert group3.privacy == choices.Privacy.HIDDEN
    # Written through the services: every join and role change is in the audit log.
    assert AuditEvent.objects.filter(community=group1, action="membership.role").count() == 3
    assert AuditEvent.objects.filter(community=group1, action="membership.join").count() == group1.memberships.count() - 1

    loaded = _snapshot()
    assert demo.demo_load() is None
    assert _snapshot() == loaded


def test_it_writes_the_same_demo_every_time_dated_in_its_story(db, core_only):
    demo.demo_load()
    first = _snapshot()
    _remove_demo()
    demo.demo_load()

    assert _snapshot() == first
    stamps = [row[-1] for row in first["audit"]] + [row[-1] for row in first["memberships"]]
    stamps += [row[-1] for row in first["goals"]] + [row[-1] for row in first["communities"]]
    assert all(EARLIEST <= stamp <= LATEST for stamp in stamps)


def test_each_printed_account_signs_in_with_the_demo_password_and_no_other(db, client, core_only):
    demo.demo_load()
    accounts = demo.demo_accounts()
    assert [account.role for account in accounts] == ["convener", "steward", "member", "ally", "observer", "admin"]

    for account in accounts:
        client.logout()
        wrong = client.post(reverse("account_login"), {"login": account.email, "password": "tequio-demo"})
        assert "_auth_user_id" not in client.session, wrong
        response = client.post(reverse("account_login"), {"login": account.email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, account.email
        if account.role == "admin":
            assert client.get(reverse("admin:index")).status_code == 200
            continue
        memberships = Membership.objects.active().filter(user__email=account.email, role=account.role)
        assert sorted(account.communities) == sorted(m.community.name for m in memberships)
        for membership in memberships:
            assert client.get(reverse("core:community_home", args=[membership.community.slug])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_command_loads_once_prints_the_accounts_and_reloads_on_reset(monkeypatch):
    seeded = []
    stub = Capability(label="stub", name="Stub", demo_seed=lambda *, demo: seeded.append(sorted(demo.communities)))
    _replace_demo_seeds(monkeypatch, stub=stub)

    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    text = out.getvalue()
    assert all(account.email in text for account in demo.demo_accounts())
    assert demo.DEMO_PASSWORD in text
    assert "Demo only" in text
    assert seeded == [["group1", "group2", "group3"]]
    loaded = _snapshot()

    again = StringIO()
    call_command("demo", no_serve=True, stdout=again)
    assert "already loaded" in again.getvalue()
    assert len(seeded) == 1

    Organization.objects.filter(name__startswith="Jóvenes Constructores").update(name="Cambiado")
    reset = StringIO()
    call_command("demo", no_serve=True, reset=True, stdout=reset)
    assert "Database emptied" in reset.getvalue()
    assert _snapshot() == loaded
    assert len(seeded) == 2


def test_every_installed_capability_adds_to_the_demo_in_the_same_load(db):
    data = demo.demo_load()

    assert sorted(data.communities) == ["group1", "group2", "group3"]
    assert demo.demo_load() is None
