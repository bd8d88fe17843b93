"""Who may do what with convenings. The role rules are data (``ACTIONS``), registered
with core's one permission layer through the manifest; the object rules below add
what only the object knows (who is the rapporteur, who proposed a topic).

Every getter raises 404 when the object is not visible and 403 when it is visible
but the action is not allowed, and never looks outside the viewer's community.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tequio.core.permissions import (
    CONTRIBUTORS,
    EVERY_ROLE,
    MANAGERS,
    PARTICIPANTS,
    Action,
    CommunityAccess,
    get_object_for_user,
)

from .models import ActionItem, AgendaItem, Convening, Questionnaire, RoleAssignment, RoleKind

ACTIONS: dict[str, Action] = {
    # Titles and dates; in a public community anyone may see them (never people or places).
    "convenings.view": Action(EVERY_ROLE, public=True),
    # Reports, After Action Reviews, lessons, questionnaire results: funders read outcomes.
    "convenings.learn": Action(EVERY_ROLE),
    # Names, places, check-in, unavailability, the review written together, answering.
    "convenings.participate": Action(PARTICIPANTS),
    "convenings.propose": Action(CONTRIBUTORS),
    "convenings.vote": Action(CONTRIBUTORS),
    # Reports and action items: managers, and the rapporteur (object rule below).
    "convenings.document": Action(CONTRIBUTORS),
    "convenings.manage": Action(MANAGERS),
    "convenings.export": Action(MANAGERS),
    "convenings.calendar": Action(EVERY_ROLE),
}


def is_manager(access: CommunityAccess) -> bool:
    """Stewards, conveners and platform administrators."""
    return access.can("convenings.manage")


def get_convening_for_user(user, slug: str, pk: int, action: str = "convenings.view") -> tuple[CommunityAccess, Convening]:
    """The community access and one of its convenings, or 404/403."""
    return get_object_for_user(user, slug, Convening.objects.active().select_related("host_organization"), pk, action)


def get_questionnaire_for_user(user, slug: str, pk: int, action: str) -> tuple[CommunityAccess, Questionnaire]:
    """The community access and one of its questionnaires, or 404/403."""
    return get_object_for_user(user, slug, Questionnaire.objects.active().select_related("convening"), pk, action)


def _person_id(access: CommunityAccess) -> int | None:
    membership = access.membership
    return membership.person_id if membership is not None else None


def is_rapporteur(access: CommunityAccess, convening: Convening) -> bool:
    """Whether the viewer holds the rapporteur role at this convening."""
    person_id = _person_id(access)
    return person_id is not None and RoleAssignment.objects.filter(
        convening=convening, role=RoleKind.RAPPORTEUR, person_id=person_id).exists()


def can_write_report(access: CommunityAccess, convening: Convening) -> bool:
    """Stewards and conveners, or the convening's rapporteur."""
    if not access.can("convenings.document"):
        return False
    return is_manager(access) or is_rapporteur(access, convening)


def require_report_writer(access: CommunityAccess, convening: Convening) -> None:
    """403 unless the viewer may write the convening's report."""
    if not can_write_report(access, convening):
        raise PermissionDenied


def can_edit_agenda_item(access: CommunityAccess, item: AgendaItem) -> bool:
    """Managers, or whoever proposed the topic."""
    if is_manager(access):
        return True
    return access.can("convenings.propose") and item.created_by_id is not None and item.created_by_id == getattr(access.user, "pk", None)


def can_update_action_item(access: CommunityAccess, item: ActionItem) -> bool:
    """Managers, the owner, and the rapporteur of the convening that agreed it."""
    if not access.can("convenings.document"):
        return False
    if is_manager(access):
        return True
    person_id = _person_id(access)
    if person_id is not None and item.owner_id == person_id:
        return True
    return is_rapporteur(access, item.convening)


def get_agenda_item_for_user(user, slug: str, pk: int, item_pk: int, action: str):
    """The access, the convening and one of its active topics, or 404/403."""
    access, convening = get_convening_for_user(user, slug, pk, action)
    item = AgendaItem.objects.active().filter(convening=convening, pk=item_pk).first()
    if item is None:
        raise Http404
    item.convening = convening
    return access, convening, item


def get_action_item_for_user(user, slug: str, pk: int, item_pk: int):
    """The access, the convening and one of its action items the viewer may update, or 404/403."""
    access, convening = get_convening_for_user(user, slug, pk, "convenings.learn")
    item = ActionItem.objects.filter(convening=convening, pk=item_pk).select_related("owner", "owner_organization").first()
    if item is None:
        raise Http404
    item.convening = convening
    if not can_update_action_item(access, item):
        raise PermissionDenied
    return access, convening, item
