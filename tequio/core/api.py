"""Core API routes: communities, organizations, people, memberships, goals.

Each operation starts like a page does: ``get_community_for_user`` with the action it
needs (404 when the community is not visible, 403 when the action is not allowed),
then looks up ids only inside that community, so another community's id is a 404.
Writes call the same services as the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from tequio.api import PUBLIC_READ, NotFound, errors

from . import selectors, services
from .models import Goal, Membership, Organization
from .permissions import CommunityAccess, get_community_for_user, visible_communities
from .schemas import (
    MAX_ID,
    CommunityDetailOut,
    CommunityIn,
    CommunityPageOut,
    CommunityPatch,
    GoalIn,
    GoalOut,
    GoalPageOut,
    GoalPatch,
    MembershipOut,
    MembershipPageOut,
    MembershipPatch,
    OrganizationFilters,
    OrganizationIn,
    OrganizationOut,
    OrganizationPageOut,
    OrganizationPatch,
    PageIn,
    PersonFilters,
    PersonIn,
    PersonOut,
    PersonPageOut,
    PersonPatch,
    page_of,
)

router = Router()

SLUG = Path(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$", description="The community's short name.")
PK = Path(..., ge=1, le=MAX_ID)

# Errors each kind of operation can answer; all in the one shape (ErrorOut).
READ_ERRORS = errors(401, 403, 404, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 422)


def _organization(access: CommunityAccess, pk: int, field: str | None = None) -> Organization:
    organization = Organization.objects.active().filter(community=access.community, pk=pk).first()
    if organization is None:
        message = _("No organization with id %(id)s in this community.") % {"id": pk}
        raise NotFound(message, {field: [message]} if field else None)
    return organization


# --- communities ---------------------------------------------------------------------

def _community_out(access: CommunityAccess) -> CommunityDetailOut:
    return CommunityDetailOut.model_validate(access.community, from_attributes=True).model_copy(update={"role": access.role})


@router.get("/communities", response={200: CommunityPageOut, **errors(401, 422)}, auth=PUBLIC_READ,
            tags=["communities"])
def community_list(request: HttpRequest, page: Query[PageIn]):
    """Communities the caller may open: public ones and their own (all, for administrators)."""
    return page_of(visible_communities(request.user).order_by("name", "id"), page)


@router.post("/communities", response={201: CommunityDetailOut, **errors(400, 401, 403, 422)}, tags=["communities"])
def community_create(request: HttpRequest, payload: CommunityIn):
    """Start a community; the caller becomes its convener."""
    community = services.community_create(actor=request.user, **payload.model_dump(exclude={"slug"}),
                                          slug=payload.slug or "")
    return Status(201, _community_out(get_community_for_user(request.user, community.slug)))


@router.get("/communities/{slug}", response={200: CommunityDetailOut, **READ_ERRORS}, auth=PUBLIC_READ,
            tags=["communities"])
def community_detail(request: HttpRequest, slug: str = SLUG):
    return _community_out(get_community_for_user(request.user, slug))


@router.patch("/communities/{slug}", response={200: CommunityDetailOut, **WRITE_ERRORS}, tags=["communities"])
def community_update(request: HttpRequest, payload: CommunityPatch, slug: str = SLUG):
    """Change a community's settings (stewards and conveners)."""
    access = get_community_for_user(request.user, slug, "community.manage")
    fields = payload.model_dump(exclude_unset=True)
    if "convener_organization_id" in fields:
        pk = fields.pop("convener_organization_id")
        fields["convener_organization"] = _organization(access, pk, "convener_organization_id") if pk else None
    community = services.community_update(actor=request.user, community=access.community, **fields)
    return _community_out(get_community_for_user(request.user, community.slug))


# --- organizations ---------------------------------------------------------------------

@router.get("/communities/{slug}/organizations", response={200: OrganizationPageOut, **READ_ERRORS},
            auth=PUBLIC_READ, tags=["organizations"])
def organization_list(request: HttpRequest, filters: Query[OrganizationFilters], slug: str = SLUG):
    """The community's registry of organizations, by name; filter by kind, state, theme or text."""
    access = get_community_for_user(request.user, slug, "organizations.view")
    queryset = selectors.organizations_for(
        access, query=filters.q, kind=filters.kind or "", state=filters.state, theme=filters.theme
    )
    return page_of(queryset, filters)


@router.post("/communities/{slug}/organizations", response={201: OrganizationOut, **WRITE_ERRORS},
             tags=["organizations"])
def organization_create(request: HttpRequest, payload: OrganizationIn, slug: str = SLUG):
    access = get_community_for_user(request.user, slug, "organizations.edit")
    return Status(201, services.organization_create(actor=request.user, community=access.community, **payload.model_dump()))


@router.get("/communities/{slug}/organizations/{pk}", response={200: OrganizationOut, **READ_ERRORS},
            auth=PUBLIC_READ, tags=["organizations"])
def organization_detail(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    access = get_community_for_user(request.user, slug, "organizations.view")
    return _organization(access, pk)


@router.patch("/communities/{slug}/organizations/{pk}", response={200: OrganizationOut, **WRITE_ERRORS},
              tags=["organizations"])
def organization_update(request: HttpRequest, payload: OrganizationPatch, slug: str = SLUG, pk: int = PK):
    access = get_community_for_user(request.user, slug, "organizations.edit")
    organization = _organization(access, pk)
    return services.organization_update(actor=request.user, organization=organization,
                                        **payload.model_dump(exclude_unset=True))


@router.delete("/communities/{slug}/organizations/{pk}", response={204: None, **WRITE_ERRORS},
               tags=["organizations"])
def organization_delete(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    """Remove an organization from the registry (soft removal, audited)."""
    access = get_community_for_user(request.user, slug, "organizations.edit")
    services.organization_remove(actor=request.user, organization=_organization(access, pk))
    return Status(204, None)


# --- people ----------------------------------------------------------------------------

def _person(access: CommunityAccess, pk: int):
    person = selectors.person_detail(access, pk)
    if person is None:
        raise NotFound(_("No person with id %(id)s in this community.") % {"id": pk})
    return person


def _person_out(access: CommunityAccess, person) -> PersonOut:
    return PersonOut.of(person, show_sensitive=access.can_see_sensitive(person))


@router.get("/communities/{slug}/people", response={200: PersonPageOut, **READ_ERRORS}, auth=PUBLIC_READ,
            tags=["people"])
def person_list(request: HttpRequest, filters: Query[PersonFilters], slug: str = SLUG):
    """People of the community (participants only). Sensitive fields are null unless you may see them."""
    access = get_community_for_user(request.user, slug, "people.view")
    if filters.organization is not None:
        _organization(access, filters.organization, "organization")
    queryset = selectors.people_for(
        access, query=filters.q, staff_level=filters.staff_level or "",
        organization=str(filters.organization or ""),
    ).order_by("display_name", "id")
    page = page_of(queryset, filters)
    page["items"] = [_person_out(access, person) for person in page["items"]]
    return page


@router.post("/communities/{slug}/people", response={201: PersonOut, **WRITE_ERRORS}, tags=["people"])
def person_create(request: HttpRequest, payload: PersonIn, slug: str = SLUG):
    """Add a person, with affiliations to organizations of the same community."""
    access = get_community_for_user(request.user, slug, "people.edit")
    affiliations = []
    for index, item in enumerate(payload.affiliations):
        data = item.model_dump()
        data["organization"] = _organization(access, data.pop("organization_id"), f"affiliations.{index}.organization_id")
        affiliations.append(data)
    with transaction.atomic():
        person = services.person_create(actor=request.user, community=access.community, affiliations=affiliations,
                                        **payload.model_dump(exclude={"affiliations"}))
    return Status(201, _person_out(access, _person(access, person.pk)))


@router.get("/communities/{slug}/people/{pk}", response={200: PersonOut, **READ_ERRORS}, auth=PUBLIC_READ,
            tags=["people"])
def person_detail(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    access = get_community_for_user(request.user, slug, "people.view")
    return _person_out(access, _person(access, pk))


@router.patch("/communities/{slug}/people/{pk}", response={200: PersonOut, **WRITE_ERRORS}, tags=["people"])
def person_update(request: HttpRequest, payload: PersonPatch, slug: str = SLUG, pk: int = PK):
    """Edit a person's record: people editors may edit anyone, participants their own record."""
    access = get_community_for_user(request.user, slug, "people.view")
    person = _person(access, pk)
    if not (access.can("people.edit") or (person.user_id and person.user_id == request.user.pk)):
        raise PermissionDenied
    services.person_update(actor=request.user, person=person, **payload.model_dump(exclude_unset=True))
    return _person_out(access, _person(access, pk))


@router.delete("/communities/{slug}/people/{pk}", response={204: None, **WRITE_ERRORS}, tags=["people"])
def person_delete(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    """Remove a person (soft removal, audited); their account and membership stay."""
    access = get_community_for_user(request.user, slug, "people.edit")
    services.person_remove(actor=request.user, person=_person(access, pk))
    return Status(204, None)


# --- memberships -----------------------------------------------------------------------

@router.get("/communities/{slug}/memberships", response={200: MembershipPageOut, **READ_ERRORS},
            auth=PUBLIC_READ, tags=["memberships"])
def membership_list(request: HttpRequest, page: Query[PageIn], slug: str = SLUG):
    """Active members and their roles (participants only)."""
    access = get_community_for_user(request.user, slug, "members.view")
    result = page_of(selectors.memberships_for(access.community).order_by("role", "person__display_name", "id"), page)
    result["items"] = [MembershipOut.of(membership) for membership in result["items"]]
    return result


@router.patch("/communities/{slug}/memberships/{pk}", response={200: MembershipOut, **WRITE_ERRORS},
              tags=["memberships"])
def membership_update(request: HttpRequest, payload: MembershipPatch, slug: str = SLUG, pk: int = PK):
    """Change a member's role; a community always keeps a steward or convener."""
    access = get_community_for_user(request.user, slug, "members.manage")
    membership = Membership.objects.active().filter(community=access.community, pk=pk).first()
    if membership is None:
        raise NotFound(_("No membership with id %(id)s in this community.") % {"id": pk})
    membership = services.membership_change_role(actor=request.user, membership=membership, role=payload.role)
    return MembershipOut.of(Membership.objects.select_related("person").get(pk=membership.pk))


# --- goals -----------------------------------------------------------------------------

def _goal(access: CommunityAccess, pk: int) -> Goal:
    goal = Goal.objects.active().filter(community=access.community, pk=pk).first()
    if goal is None:
        raise NotFound(_("No goal with id %(id)s in this community.") % {"id": pk})
    return goal


@router.get("/communities/{slug}/goals", response={200: GoalPageOut, **READ_ERRORS}, auth=PUBLIC_READ,
            tags=["goals"])
def goal_list(request: HttpRequest, page: Query[PageIn], slug: str = SLUG):
    """Goals and objectives, in the community's order."""
    access = get_community_for_user(request.user, slug, "goals.view")
    return page_of(Goal.objects.active().filter(community=access.community).order_by("position", "id"), page)


@router.post("/communities/{slug}/goals", response={201: GoalOut, **WRITE_ERRORS}, tags=["goals"])
def goal_create(request: HttpRequest, payload: GoalIn, slug: str = SLUG):
    access = get_community_for_user(request.user, slug, "goals.manage")
    return Status(201, services.goal_create(actor=request.user, community=access.community, **payload.model_dump()))


@router.patch("/communities/{slug}/goals/{pk}", response={200: GoalOut, **WRITE_ERRORS}, tags=["goals"])
def goal_update(request: HttpRequest, payload: GoalPatch, slug: str = SLUG, pk: int = PK):
    access = get_community_for_user(request.user, slug, "goals.manage")
    return services.goal_update(actor=request.user, goal=_goal(access, pk), **payload.model_dump(exclude_unset=True))


@router.delete("/communities/{slug}/goals/{pk}", response={204: None, **WRITE_ERRORS}, tags=["goals"])
def goal_delete(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    """Remove a goal (soft removal, audited)."""
    access = get_community_for_user(request.user, slug, "goals.manage")
    services.goal_remove(actor=request.user, goal=_goal(access, pk))
    return Status(204, None)

