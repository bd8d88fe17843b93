"""Reads of the core domain, scoped to what the viewer may see, bounded in queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from . import choices
from .cached import community_cache_drop, community_cached
from .models import (
    Affiliation,
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
from .permissions import CommunityAccess, visible_communities

PAGE_SIZE = 25


def paginate(queryset, page_number, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(page_number)


def community_directory(*, user) -> dict[str, list[Community]]:
    """The viewer's communities, and others they may see listed (public and members-only)."""
    mine: list[Community] = []
    if getattr(user, "is_authenticated", False):
        mine = list(
            # A subquery, not a join: filtering on the join would make the count below
            # count only the viewer's own membership.
            Community.objects.active().filter(pk__in=Membership.objects.active().filter(user=user).values("community"))
            .annotate(member_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True), distinct=True))
            .order_by("name")
        )
    mine_ids = {community.pk for community in mine}
    listed = [
        community
        for community in Community.objects.listed().annotate(
            member_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True), distinct=True)
        ).order_by("name")[:200]
        if community.pk not in mine_ids
    ]
    return {"mine": mine, "listed": listed}


def goals_for(community: Community) -> list[Goal]:
    return list(Goal.objects.active().filter(community=community))


def current_charter(community: Community) -> Charter | None:
    return Charter.objects.filter(community=community).order_by("-version").first()


@dataclass
class CommunitySummary:
    organizations_by_kind: list[tuple[str, int]]
    people_by_staff_level: list[tuple[str, int]]
    members_by_role: list[tuple[str, int]]
    organization_count: int
    people_count: int
    member_count: int


SUMMARY = "summary"


def summary_changed(community_id: int) -> None:
    """Called by the services that change organizations, people, affiliations or memberships."""
    community_cache_drop(SUMMARY, community_id)


def _summary_counts(community: Community) -> dict[str, dict[str, int] | int]:
    """The raw counts in four aggregate queries, whatever the size."""
    kinds = Organization.objects.active().filter(community=community).values_list("kind").annotate(n=Count("id"))
    levels = (
        Affiliation.objects.filter(person__community=community, person__removed_at__isnull=True, is_primary=True)
        .values_list("staff_level").annotate(n=Count("person", distinct=True))
    )
    roles = Membership.objects.active().filter(community=community).values_list("role").annotate(n=Count("id"))
    return {
        "kinds": dict(kinds.values_list("kind", "n")),
        "levels": dict(levels.values_list("staff_level", "n")),
        "roles": dict(roles.values_list("role", "n")),
        "people": Person.objects.active().filter(community=community).count(),
    }


def community_summary(community: Community) -> CommunitySummary:
    """Counts for the home page: organizations by kind, people by staff level, members by role."""
    # Cached (see core/cached.py): at national scale these counts cost more than the rest of the page.
    counts = community_cached(SUMMARY, community.pk, lambda: _summary_counts(community))
    kinds, levels, roles = counts["kinds"], counts["levels"], counts["roles"]
    # Labels are looked up on every read, so the cached counts serve every language.
    return CommunitySummary(
        organizations_by_kind=[(label, kinds[value]) for value, label in choices.OrganizationKind.choices if kinds.get(value)],
        people_by_staff_level=[(label, levels[value]) for value, label in choices.StaffLevel.choices if levels.get(value)],
        members_by_role=[(label, roles[value]) for value, label in choices.Role.choices if roles.get(value)],
        organization_count=sum(kinds.values()),
        people_count=counts["people"],
        member_count=sum(roles.values()),
    )


def organizations_for(access: CommunityAccess, *, query: str = "", kind: str = "", state: str = "",
                      theme: str = "") -> QuerySet[Organization]:
    """Organizations of the community, filtered; annotated with their people count."""
    queryset = Organization.objects.active().filter(community=access.community)
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(municipality__icontains=query) | Q(description__icontains=query))
    if kind:
        queryset = queryset.filter(kind=kind)
    if state:
        queryset = queryset.filter(state=state)
    if theme:
        # JSON containment differs between SQLite and PostgreSQL; a quoted substring works on both.
        queryset = queryset.filter(thematic_areas__icontains=f'"{theme}"')
    # A correlated subquery, not a JOIN + GROUP BY: the count is computed for the rows of
    # the page only, and the paginator's COUNT(*) leaves it out (bench: 400 organizations).
    people = (
        Affiliation.objects.filter(organization=OuterRef("pk"), person__removed_at__isnull=True)
        .order_by().values("organization").annotate(n=Count("pk")).values("n")
    )
    return queryset.annotate(people_count=Coalesce(Subquery(people), 0)).order_by("name", "id")


def organization_detail(access: CommunityAccess, pk: int) -> Organization | None:
    return (
        Organization.objects.active().filter(community=access.community, pk=pk)
        .prefetch_related(Prefetch("affiliations", queryset=Affiliation.objects.filter(person__removed_at__isnull=True).select_related("person")))
        .first()
    )


def people_for(access: CommunityAccess, *, query: str = "", staff_level: str = "", organization: str = "") -> QuerySet[Person]:
    queryset = Person.objects.active().filter(community=access.community)
    if query:
        queryset = queryset.filter(display_name__icontains=query)
    if staff_level:
        queryset = queryset.filter(affiliations__staff_level=staff_level).distinct()
    if organization.isdigit():
        queryset = queryset.filter(affiliations__organization_id=int(organization))
    return queryset.prefetch_related(
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization").filter(organization__removed_at__isnull=True))
    )


def person_detail(access: CommunityAccess, pk: int) -> Person | None:
    return (
        Person.objects.active().filter(community=access.community, pk=pk)
        .prefetch_related(Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization")))
        .first()
    )


def memberships_for(community: Community) -> QuerySet[Membership]:
    return Membership.objects.active().filter(community=community).select_related("user", "person").order_by("role", "person__display_name")


def invitations_for(community: Community) -> QuerySet[Invitation]:
    return Invitation.objects.filter(community=community).select_related("organization", "invited_by")


def peer_groups_for(community: Community) -> QuerySet[PeerGroup]:
    return PeerGroup.objects.active().filter(community=community).prefetch_related(
        Prefetch("members", queryset=Person.objects.active().order_by("display_name"))
    )


def audit_events_for(community: Community) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(community=community).select_related("actor")


def staff_levels_present(people) -> Counter:
    counter: Counter = Counter()
    for person in people:
        for affiliation in person.affiliations.all():
            counter[affiliation.staff_level] += 1
    return counter


__all__ = ["visible_communities"]
