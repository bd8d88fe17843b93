"""Who may do what with consultations.

The role rules are data (``ACTIONS``), registered with core's one permission layer
through the manifest. ``get_consultation_for_user`` adds the one rule core cannot know:
someone invited by a link takes part in that consultation, and sees its pages, without
being able to see the community. They are recognized by a random token in a cookie.

404 when the consultation is not visible to the viewer, 403 when it is visible but the
action is not allowed; ids are only looked up inside the community named in the URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tequio.core.permissions import (
    EVERY_ROLE,
    MANAGERS,
    PARTICIPANTS,
    Action,
    CommunityAccess,
    get_community_for_user,
)

from .models import Consultation, ConsultationState, Participant, ParticipantKind

ACTIONS: dict[str, Action] = {
    # The question, the opinion map and the report. Statements are anonymous; in a public
    # community anyone may read them.
    "consultations.view": Action(EVERY_ROLE, public=True),
    # Voting and writing statements as a member. Observers (funders) read, they do not vote.
    "consultations.participate": Action(PARTICIPANTS),
    "consultations.moderate": Action(MANAGERS),
    "consultations.manage": Action(MANAGERS),
}

COOKIE_PREFIX = "tq_consultation_"


def cookie_name(consultation_pk: int) -> str:
    """One cookie per consultation: a participant cannot be followed from one to another."""
    return f"{COOKIE_PREFIX}{consultation_pk}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class ConsultationAccess:
    """A consultation and what the viewer may do with it.

    ``access`` is None when the viewer cannot see the community at all (someone invited
    by a link to a hidden community); ``participant`` is None until they vote or write.
    """

    consultation: Consultation
    access: CommunityAccess | None
    participant: Participant | None
    user: object

    def _can(self, action: str) -> bool:
        return self.access is not None and self.access.can(action)

    @property
    def can_manage(self) -> bool:
        return self._can("consultations.manage")

    @property
    def can_moderate(self) -> bool:
        return self._can("consultations.moderate")

    @property
    def can_view(self) -> bool:
        return self._can("consultations.view") or self.participant is not None

    @property
    def can_participate(self) -> bool:
        """May vote and write (when the consultation is open)."""
        if self.participant is not None and self.participant.kind != ParticipantKind.MEMBER:
            return True
        return self._can("consultations.participate")

    @property
    def sees_community(self) -> bool:
        return self._can("community.view")

    def require(self, need: str) -> None:
        allowed = {
            "view": self.can_view, "participate": self.can_participate,
            "moderate": self.can_moderate, "manage": self.can_manage,
        }[need]
        if not allowed:
            if self.access is None and self.participant is None:
                raise Http404
            raise PermissionDenied


def participant_for_request(request, consultation: Consultation) -> Participant | None:
    """The viewer's participant row: by account, else by the cookie token."""
    user = request.user
    if getattr(user, "is_authenticated", False):
        participant = Participant.objects.filter(consultation=consultation, user=user).first()
        if participant is not None:
            return participant
    token = request.COOKIES.get(cookie_name(consultation.pk))
    if not token:
        return None
    return Participant.objects.filter(consultation=consultation, token_hash=hash_token(token)).first()


def get_consultation_for_user(request, slug: str, pk: int, need: str = "view") -> ConsultationAccess:
    """The consultation ``pk`` of community ``slug`` and the viewer's rights, or 404/403."""
    try:
        access = get_community_for_user(request.user, slug)
    except Http404:
        access = None
    queryset = Consultation.objects.active().select_related("community")
    if access is not None:
        consultation = queryset.filter(community=access.community, pk=pk).first()
    else:
        consultation = queryset.filter(community__slug=slug, community__removed_at__isnull=True, pk=pk).first()
    if consultation is None:
        raise Http404
    if access is not None:
        # One community object for the whole request (the page layout reads it).
        consultation.community = access.community
    result = ConsultationAccess(consultation=consultation, access=access,
                                participant=participant_for_request(request, consultation), user=request.user)
    if consultation.state == ConsultationState.DRAFT and not result.can_manage:
        raise Http404
    result.require(need)
    return result
