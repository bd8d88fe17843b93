"""The one permission layer of Tequio.

Every page and API route asks this module, through ``get_community_for_user`` and
``CommunityAccess.can``, whether the viewer may see or change something. Capability
apps add their own actions through their manifest (``registry.Capability.actions``);
the rules stay here, as data, so that the URL-walk test can check them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .choices import Privacy, Role
from .models import Community, Membership, Person

MANAGERS = frozenset({Role.CONVENER, Role.STEWARD})
CONTRIBUTORS = MANAGERS | {Role.MEMBER}
PARTICIPANTS = CONTRIBUTORS | {Role.ALLY}
EVERY_ROLE = PARTICIPANTS | {Role.OBSERVER}


@dataclass(frozen=True)
class Action:
    """Who may do something in a community.

    ``roles``: the community roles allowed. ``public``: also anyone (signed in or not)
    when the community is public. Platform administrators may do everything.
    """

    roles: frozenset[str]
    public: bool = False


ACTIONS: dict[str, Action] = {
    "community.view": Action(EVERY_ROLE, public=True),
    "community.manage": Action(MANAGERS),
    "goals.view": Action(EVERY_ROLE, public=True),
    "goals.manage": Action(MANAGERS),
    "charter.view": Action(EVERY_ROLE, public=True),
    "charter.manage": Action(MANAGERS),
    "organizations.view": Action(EVERY_ROLE, public=True),
    "organizations.edit": Action(CONTRIBUTORS),
    # People are never public: names can put someone at risk. Observers (funders)
    # see counts, not the people.
    "people.view": Action(PARTICIPANTS),
    "people.edit": Action(CONTRIBUTORS),
    "peer_groups.view": Action(PARTICIPANTS),
    "peer_groups.manage": Action(MANAGERS),
    "members.view": Action(PARTICIPANTS),
    "members.manage": Action(MANAGERS),
    "audit.view": Action(MANAGERS),
    "data.export": Action(MANAGERS),
    "data.import": Action(MANAGERS),
}


def register_actions(actions: dict[str, Action]) -> None:
    """Called by core when it reads a capability's manifest."""
    for name, action in actions.items():
        if name in ACTIONS and ACTIONS[name] != action:
            raise ValueError(f"Permission action {name!r} registered twice with different rules")
        ACTIONS[name] = action


class MFARequired(PermissionDenied):
    """The community requires two-factor authentication and the member has none."""


@dataclass
class CommunityAccess:
    community: Community
    user: object
    role: str | None
    is_admin: bool
    membership: Membership | None = None
    _person: Person | None = field(default=None, repr=False)

    @property
    def is_member(self) -> bool:
        return self.role is not None

    def can(self, action: str) -> bool:
        rule = ACTIONS[action]
        if self.is_admin:
            return True
        if self.role in rule.roles:
            return True
        return rule.public and self.community.privacy == Privacy.PUBLIC

    def require(self, action: str) -> None:
        if not self.can(action):
            raise PermissionDenied

    def can_see_sensitive(self, person: Person) -> bool:
        """Sensitive fields (age, gender, contact) follow the community's privacy.

        The person themself, stewards, conveners and admins always see them; other
        participants only when the community is not hidden; never outsiders or observers.
        """
        if self.is_admin or self.role in MANAGERS:
            return True
        if person.user_id is not None and person.user_id == getattr(self.user, "pk", None):
            return True
        return self.role in PARTICIPANTS and self.community.privacy != Privacy.HIDDEN


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def _has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def access_for(user, community: Community) -> CommunityAccess:
    membership = None
    if getattr(user, "is_authenticated", False):
        membership = Membership.objects.active().filter(community=community, user=user).first()
    return CommunityAccess(
        community=community,
        user=user,
        role=membership.role if membership else None,
        is_admin=is_platform_admin(user),
        membership=membership,
    )


def _member_access(user, slug: str) -> CommunityAccess | None:
    """A member's access in one query (the membership joined to its community), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = (
        Membership.objects.active().filter(user=user, community__slug=slug, community__removed_at__isnull=True)
        .select_related("community").first()
    )
    if membership is None:
        return None
    return CommunityAccess(community=membership.community, user=user, role=membership.role,
                           is_admin=is_platform_admin(user), membership=membership)


def get_community_for_user(user, slug: str, action: str = "community.view") -> CommunityAccess:
    """The community named ``slug`` and the viewer's access to it.

    404 when the viewer may not know it exists (hidden or members-only and not a
    member), 403 when it is visible but ``action`` is not allowed.
    """
    access = _member_access(user, slug)
    if access is None:
        community = Community.objects.active().filter(slug=slug).first()
        if community is None:
            raise Http404
        access = CommunityAccess(community=community, user=user, role=None, is_admin=is_platform_admin(user))
    if not access.can("community.view"):
        # A members-only community is listed by name in the directory, but its
        # pages are for members: for outsiders it does not exist here either.
        raise Http404
    if access.membership is not None and access.community.require_mfa and not access.is_admin and not _has_mfa(user):
        raise MFARequired
    access.require(action)
    return access


def get_object_for_user(user, slug: str, queryset, pk: int, action: str):
    """The viewer's access to community ``slug`` and the row ``pk`` of ``queryset`` in it.

    The one way capability apps look up a row named in a URL: 404/403 as for the
    community, then 404 when the row is not in that community (an id from another
    community is never trusted). The row's ``community`` is the one already read.
    """
    access = get_community_for_user(user, slug, action)
    row = queryset.filter(community=access.community, pk=pk).first()
    if row is None:
        raise Http404
    row.community = access.community
    return access, row


def visible_communities(user):
    """Communities the viewer may open: public ones, and their own."""
    queryset = Community.objects.active()
    if is_platform_admin(user):
        return queryset
    if getattr(user, "is_authenticated", False):
        from django.db.models import Q

        return queryset.filter(
            Q(privacy=Privacy.PUBLIC) | Q(memberships__user=user, memberships__ended_at__isnull=True)
        ).distinct()
    return queryset.filter(privacy=Privacy.PUBLIC)
