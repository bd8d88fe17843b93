"""Every core page costs the same number of queries whatever the size of the community.

Two communities are built through the services, one with 3 and one with 30 of everything
(organizations, people, affiliations, members, goals, charter versions, peer groups,
invitations, audit events), and each page is counted in both, signed in the same way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tequio.core import choices, registry, services
from tequio.core.models import Community, Membership, Organization, Person
from tequio.testing.personas import make_user

ROLES = [choices.Role.MEMBER, choices.Role.ALLY, choices.Role.OBSERVER]


def _community(size: int, slug: str):
    """A community with ``size`` of everything; returns (community, {persona: user}, ids)."""
    convener = make_user(f"convener@{slug}.test")
    community = services.community_create(actor=convener, name=f"Comunidad {slug}", slug=slug,
                                           convener_organization_name=f"Convocante {slug}")
    organizations = [
        services.organization_create(actor=convener, community=community, name=f"Organización {n}", kind="cso",
                                     state="SON", municipality="Hermosillo", thematic_areas=["mediation", "human_rights"],
                                     excluded_groups=["youth"], offers="Talleres", seeks="Datos")
        for n in range(size)
    ]
    people = [
        services.person_create(
            actor=convener, community=community, display_name=f"Persona {n}", age_band="25-34", gender="woman",
            affiliations=[
                {"organization": organizations[n], "position": "Coordinadora", "staff_level": "coordination"},
                {"organization": organizations[(n + 1) % size], "staff_level": "field", "is_primary": False},
            ],
        )
        for n in range(size)
    ]
    users = {"convener": convener}
    for persona, role in (("steward", choices.Role.STEWARD), ("member", choices.Role.MEMBER)):
        users[persona] = make_user(f"{persona}@{slug}.test")
        _invitation, token = services.invitation_create(actor=convener, community=community, email=users[persona].email,
                                                        role=role, organization=organizations[0])
        services.invitation_accept(user=users[persona], token=token)
    for n in range(size):
        user = make_user(f"m{n}@{slug}.test")
        _invitation, token = services.invitation_create(actor=convener, community=community, email=user.email,
                                                        role=ROLES[n % 3], organization=organizations[n])
        services.invitation_accept(user=user, token=token)
        services.invitation_create(actor=convener, community=community, email=f"pending{n}@{slug}.test")
    for n in range(size):
        goal = services.goal_create(actor=convener, community=community, title=f"Objetivo {n}",
                                    description="**Con** markdown", horizon=choices.Horizon.values[n % 3])
        if n % 4 == 0:
            services.goal_update(actor=convener, goal=goal, status=choices.GoalStatus.ACHIEVED)
        services.charter_adopt(
            actor=convener, community=community, roles_responsibilities=f"- Versión {n}",
            leadership_model=choices.LeadershipModel.ROTATING, rotation_period_months=6,
            decision_rule=choices.DecisionRule.CONSENSUS, adopted_on=date(2020, 1, 1), adopted_how="consenso",
        )
        services.peer_group_create(actor=convener, community=community, name=f"Grupo {n}",
                                   members=people[: n + 1])
    group = community.peer_groups.order_by("pk").first()
    ids = {
        "goal": community.goals.order_by("pk").first().pk,
        "organization": organizations[0].pk,
        "person": people[0].pk,
        "group": group.pk,
        "membership": Membership.objects.get(community=community, user=users["member"]).pk,
    }
    return community, users, ids


def _pages(slug: str, ids: dict) -> dict[str, tuple[str, list]]:
    return {
        "community_home": ("core:community_home", [slug]),
        "community_edit": ("core:community_edit", [slug]),
        "goals": ("core:goals", [slug]),
        "goal_edit": ("core:goal_edit", [slug, ids["goal"]]),
        "organizations": ("core:organizations", [slug]),
        "organization_create": ("core:organization_create", [slug]),
        "organization_detail": ("core:organization_detail", [slug, ids["organization"]]),
        "organization_edit": ("core:organization_edit", [slug, ids["organization"]]),
        "people": ("core:people", [slug]),
        "person_create": ("core:person_create", [slug]),
        "person_detail": ("core:person_detail", [slug, ids["person"]]),
        "person_edit": ("core:person_edit", [slug, ids["person"]]),
        "charter": ("core:charter", [slug]),
        "charter_version": ("core:charter_version", [slug, 1]),
        "charter_adopt": ("core:charter_adopt", [slug]),
        "peer_groups": ("core:peer_groups", [slug]),
        "peer_group_edit": ("core:peer_group_edit", [slug, ids["group"]]),
        "members": ("core:members", [slug]),
        "member_remove": ("core:member_remove", [slug, ids["membership"]]),
        "invitations": ("core:invitations", [slug]),
        "audit": ("core:audit", [slug]),
    }


MEMBER_PAGES = ["community_home", "goals", "organizations", "organization_detail", "people", "person_detail",
                "charter", "charter_version", "peer_groups", "members"]


def _counts(user, pages: dict[str, tuple[str, list]], names: list[str]) -> dict[str, tuple[int, int]]:
    """{page: (status, queries)}, each page requested once before it is counted."""
    client = Client()
    client.force_login(user)
    counts = {}
    for name in names:
        url = reverse(pages[name][0], args=pages[name][1])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts[name] = (response.status_code, len(queries.captured_queries))
    return counts


def test_every_core_page_costs_the_same_queries_with_3_or_30_of_everything(db):
    small, small_users, small_ids = _community(3, "pequena")
    large, large_users, large_ids = _community(30, "grande")
    small_pages, large_pages = _pages(small.slug, small_ids), _pages(large.slug, large_ids)

    steward_small = _counts(small_users["steward"], small_pages, list(small_pages))
    steward_large = _counts(large_users["steward"], large_pages, list(large_pages))
    member_small = _counts(small_users["member"], small_pages, MEMBER_PAGES)
    member_large = _counts(large_users["member"], large_pages, MEMBER_PAGES)

    assert all(status == 200 for status, _queries in [*steward_small.values(), *member_small.values()])
    assert steward_large == steward_small
    assert member_large == member_small


def test_the_directory_costs_the_same_queries_for_one_community_or_six(db):
    one, six = make_user("one@directory.test"), make_user("six@directory.test")
    services.community_create(actor=one, name="Única", slug="unica")
    for n in range(6):
        services.community_create(actor=six, name=f"Comunidad {n}", slug=f"comunidad-{n}",
                                  privacy=choices.Privacy.PUBLIC if n % 2 else choices.Privacy.LISTED)
    pages = {"home": ("core:home", [])}

    assert _counts(one, pages, ["home"]) == _counts(six, pages, ["home"])


def test_bench_pages_count_the_same_queries_on_the_demo_and_on_generated_data(db):
    from tequio.bench import pages
    from tequio.bench.generate import generate

    generate(scale=0.02)  # 1 community, 40 organizations, 200 people, and the demo
    big = pages.target_for(pages.largest_bench_community())
    small = pages.target_for(pages.demo_community())

    assert big.people > small.people
    assert [page.name for page in big.pages] == [page.name for page in small.pages]
    assert pages.query_counts(big) == pages.query_counts(small)


def test_bench_generate_writes_the_same_data_every_time(db, monkeypatch):
    from django.contrib.auth import get_user_model

    from tequio.bench import generate as bench

    # Core's rows only: each capability app tests its own hooks.
    monkeypatch.setattr(registry, "_capabilities", {
        label: replace(capability, demo_seed=None, bench_generate=None)
        for label, capability in registry._capabilities.items()
    })

    def snapshot():
        communities = Community.objects.filter(slug__startswith=bench.SLUG_PREFIX)
        return (
            sorted(communities.values_list("slug", "name", "stage", "created_at", "convener_organization__name")),
            sorted(Organization.objects.filter(community__in=communities).values_list("community__slug", "name", "kind", "state")),
            sorted(Person.objects.filter(community__in=communities).values_list(
                "community__slug", "display_name", "user__email", "affiliations__organization__name", "affiliations__staff_level")),
            sorted(Membership.objects.filter(community__in=communities).values_list("community__slug", "user__email", "role", "joined_at")),
        )

    data = bench.generate(scale=0.02)
    first = snapshot()
    assert (len(first[0]), len(first[1]), len(first[3])) == (1, 40, 60)
    assert Person.objects.filter(community__slug__startswith=bench.SLUG_PREFIX).count() == 200
    assert data.members_by_community[data.communities[0].pk]
    Community.objects.filter(slug__startswith=bench.SLUG_PREFIX).delete()
    get_user_model().objects.filter(email__endswith="@" + bench.EMAIL_DOMAIN).delete()
    bench.generate(scale=0.02)

    assert snapshot() == first
