"""The fixed cast. Every permission and journey test uses these names.

anonymous · outsider (signed in, not a member) · observer · ally · member · steward ·
convener · admin (platform administrator, not a member).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from tequio.core import choices, services
from tequio.core.models import Community, Organization, Person

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (test personas only)
PERSONAS = ["anonymous", "outsider", "observer", "ally", "member", "steward", "convener", "admin"]
ROLE_OF = {"observer": "observer", "ally": "ally", "member": "member", "steward": "steward", "convener": "convener"}


def make_user(email: str, *, superuser: bool = False):
    User = get_user_model()
    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    if superuser:
        user.is_superuser = True
        user.is_staff = True
        user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@dataclass
class Cast:
    community: Community
    users: dict
    organization: Organization
    other_organization: Organization
    person: Person  # the member's own person record
    other_community: Community
    foreign_organization: Organization  # belongs to other_community
    foreign_person: Person


def build_cast(*, privacy: str = choices.Privacy.LISTED, slug: str = "cast") -> Cast:
    """A community with one user per role, plus another community to test isolation."""
    convener = make_user(f"convener@{slug}.test")
    community = services.community_create(actor=convener, name=f"Comunidad {slug}", slug=slug, privacy=privacy,
                                           convener_organization_name=f"Convener Org {slug}")
    users = {"convener": convener}
    organization = services.organization_create(actor=convener, community=community, name=f"Fundación {slug}",
                                                kind="cso", state="SON", thematic_areas=["human_rights"])
    other_organization = services.organization_create(actor=convener, community=community, name=f"Colectivo {slug}",
                                                      kind="community_group", state="COA")
    member_person = None
    for role in ("observer", "ally", "member", "steward"):
        user = make_user(f"{role}@{slug}.test")
        _invitation, token = services.invitation_create(actor=convener, community=community, email=user.email, role=role,
                                                       organization=organization)
        membership = services.invitation_accept(user=user, token=token)
        users[role] = user
        if role == "member":
            member_person = membership.person
    users["outsider"] = make_user(f"outsider@{slug}.test")
    users["admin"] = make_user(f"admin@{slug}.test", superuser=True)
    users["anonymous"] = None
    other_owner = make_user(f"other@{slug}.test")
    other = services.community_create(actor=other_owner, name=f"Otra {slug}", slug=f"{slug}-other", privacy=choices.Privacy.HIDDEN)
    foreign_org = services.organization_create(actor=other_owner, community=other, name="Foreign org", kind="cso")
    foreign_person = services.person_create(actor=other_owner, community=other, display_name="Foreign person")
    return Cast(community, users, organization, other_organization, member_person, other, foreign_org, foreign_person)
