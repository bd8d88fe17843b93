"""Who may do what with the network. Role rules are data (``ACTIONS``), registered with
core's one permission layer through the manifest; the object rules below add what only
the object knows (which organization the viewer speaks for).

Relations between organizations can expose people at risk (who works with whom on
violence or justice), so the network is never public, even in a public community.
Survey answers leave the respondent's organization only as aggregates.

Every getter raises 404 when the object is not visible and 403 when it is visible but
the action is not allowed, and never looks outside the viewer's community.
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
    get_community_for_user,
    get_object_for_user,
)

from .models import Answer, Ask, Stakeholder, SurveyWave, Tie, WaveStatus

ACTIONS: dict[str, Action] = {
    # The map, measures, survey aggregates, ally suggestions: funders (observers) included.
    "network.view": Action(EVERY_ROLE),
    # Record ties (involving one's own organization), confirm or decline them.
    "network.record": Action(CONTRIBUTORS),
    # Answer the network survey for one's own organization.
    "network.survey": Action(CONTRIBUTORS),
    # Asks and offers: allies bring contacts and expertise too.
    "network.asks": Action(PARTICIPANTS),
    # The stakeholder map rates outside actors (a government office "opposed"): members only.
    "network.stakeholders": Action(CONTRIBUTORS),
    # Waves, any tie, imports, exports, recomputation.
    "network.manage": Action(MANAGERS),
    "network.export": Action(MANAGERS),
}


def is_manager(access: CommunityAccess) -> bool:
    return access.can("network.manage")


def can_record_tie(access: CommunityAccess, mine: set[int], source_id: int, target_id: int) -> bool:
    """Managers record any tie; members only ties of an organization they belong to."""
    if is_manager(access):
        return True
    return access.can("network.record") and bool({source_id, target_id} & mine)


def can_edit_tie(access: CommunityAccess, mine: set[int], tie: Tie) -> bool:
    return is_manager(access) or (access.can("network.record") and bool({tie.source_id, tie.target_id} & mine))


def can_confirm_tie(access: CommunityAccess, mine: set[int], tie: Tie) -> list[int]:
    """The ends of the tie the viewer may confirm or decline: those they speak for.

    Not stewards as such: a confirmation is worth something only when it comes from the
    organization itself.
    """
    if not access.can("network.record"):
        return []
    return [org for org in (tie.source_id, tie.target_id) if org in mine]


def can_answer_survey(access: CommunityAccess, mine: set[int], wave: SurveyWave) -> bool:
    return wave.status == WaveStatus.OPEN and access.can("network.survey") and bool(mine)


def can_edit_stakeholder(access: CommunityAccess, stakeholder: Stakeholder) -> bool:
    return access.can("network.stakeholders")


def can_manage_ask(access: CommunityAccess, mine: set[int], ask: Ask) -> bool:
    """Close an ask, accept or decline its answers: its organization's people, or managers."""
    return is_manager(access) or (access.can("network.asks") and ask.organization_id in mine)


def can_answer_ask(access: CommunityAccess, mine: set[int], ask: Ask) -> bool:
    return access.can("network.asks") and bool(mine - {ask.organization_id})


def can_act_for(access: CommunityAccess, mine: set[int], organization_id: int) -> bool:
    """Speak for an organization in ally suggestions: its own people, or managers."""
    return is_manager(access) or organization_id in mine


def get_tie_for_user(user, slug: str, pk: int, action: str = "network.view") -> tuple[CommunityAccess, Tie]:
    return get_object_for_user(user, slug, Tie.objects.active().select_related("source", "target", "recorded_by"), pk, action)


def get_wave_for_user(user, slug: str, pk: int, action: str = "network.view") -> tuple[CommunityAccess, SurveyWave]:
    access, wave = get_object_for_user(user, slug, SurveyWave.objects.active(), pk, action)
    if wave.status == WaveStatus.DRAFT and not is_manager(access):
        raise Http404
    return access, wave


def get_stakeholder_for_user(user, slug: str, pk: int, action: str = "network.stakeholders") -> tuple[CommunityAccess, Stakeholder]:
    return get_object_for_user(user, slug, Stakeholder.objects.active(), pk, action)


def get_ask_for_user(user, slug: str, pk: int, action: str = "network.asks") -> tuple[CommunityAccess, Ask]:
    return get_object_for_user(user, slug, Ask.objects.active().select_related("organization"), pk, action)


def get_answer_for_user(user, slug: str, pk: int, action: str = "network.asks") -> tuple[CommunityAccess, Answer]:
    access = get_community_for_user(user, slug, action)
    answer = (
        Answer.objects.filter(ask__community=access.community, ask__removed_at__isnull=True, pk=pk)
        .select_related("ask", "ask__organization", "ask__community", "organization").first()
    )
    if answer is None:
        raise Http404
    return access, answer


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
