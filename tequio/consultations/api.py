"""API routes of the consultations capability, mounted under /api/v1/ by core.

Each operation starts like a page: a permission-checked getter (404 when not visible,
403 when not allowed), ids looked up only inside that community, writes through the same
services as the pages, errors in the one shape. Taking part through the API is for
members (with a token or their session); people invited by a link use the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from tequio.api import PUBLIC_READ, NotFound, errors
from tequio.core.permissions import get_community_for_user
from tequio.core.schemas import MAX_ID, PageIn, page_of

from . import selectors, services
from .models import Statement, StatementStatus
from .permissions import ConsultationAccess, get_consultation_for_user
from .schemas import (
    ConsultationIn,
    ConsultationOut,
    ConsultationPageOut,
    ConsultationResultsOut,
    StatementFilters,
    StatementIn,
    StatementModerationIn,
    StatementOut,
    StatementPageOut,
    StatementVoteIn,
    StatementVoteOut,
)

router = Router(tags=["consultations"])

SLUG = Path(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$", description="The community's short name.")
PK = Path(..., ge=1, le=MAX_ID)
BASE = "/communities/{slug}/consultations"
READ_ERRORS = errors(401, 403, 404, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 422)


def _statement(ca: ConsultationAccess, pk: int) -> Statement:
    statement = Statement.objects.filter(consultation=ca.consultation, pk=pk).first()
    if statement is None:
        raise NotFound(_("No statement with id %(id)s in this consultation.") % {"id": pk})
    statement.consultation = ca.consultation
    return statement


@router.get(BASE, response={200: ConsultationPageOut, **READ_ERRORS}, auth=PUBLIC_READ)
def consultation_list(request: HttpRequest, page: Query[PageIn], slug: str = SLUG):
    """The community's consultations, newest first (drafts for stewards only)."""
    access = get_community_for_user(request.user, slug, "consultations.view")
    return page_of(selectors.consultations_for(access), page)


@router.post(BASE, response={201: ConsultationOut, **WRITE_ERRORS})
def consultation_create(request: HttpRequest, payload: ConsultationIn, slug: str = SLUG):
    """Ask a question (stewards and conveners), with the statements that start it."""
    access = get_community_for_user(request.user, slug, "consultations.manage")
    consultation = services.consultation_create(actor=request.user, community=access.community, **payload.model_dump())
    return Status(201, consultation)


@router.get(f"{BASE}/{{consultation_id}}", response={200: ConsultationOut, **READ_ERRORS}, auth=PUBLIC_READ)
def consultation_detail(request: HttpRequest, slug: str = SLUG, consultation_id: int = PK):
    return get_consultation_for_user(request, slug, consultation_id).consultation


@router.get(f"{BASE}/{{consultation_id}}/statements", response={200: StatementPageOut, **READ_ERRORS}, auth=PUBLIC_READ)
def statement_list(request: HttpRequest, filters: Query[StatementFilters], slug: str = SLUG, consultation_id: int = PK):
    """Accepted statements in order; other statuses for moderators."""
    ca = get_consultation_for_user(request, slug, consultation_id)
    if filters.status != StatementStatus.ACCEPTED and not ca.can_moderate:
        raise PermissionDenied
    queryset = Statement.objects.filter(consultation=ca.consultation, status=filters.status).order_by("number")
    return page_of(queryset, filters)


@router.post(f"{BASE}/{{consultation_id}}/statements", response={201: StatementOut, **WRITE_ERRORS})
def statement_create(request: HttpRequest, payload: StatementIn, slug: str = SLUG, consultation_id: int = PK):
    """Write a statement; it is shown at once, or after moderation if the consultation asks for it."""
    ca = get_consultation_for_user(request, slug, consultation_id, "participate")
    statement = services.statement_submit(actor=request.user, consultation=ca.consultation, participant=ca.participant,
                                          text=payload.text)
    return Status(201, statement)


@router.patch(f"{BASE}/{{consultation_id}}/statements/{{statement_id}}", response={200: StatementOut, **WRITE_ERRORS})
def statement_moderate(request: HttpRequest, payload: StatementModerationIn, slug: str = SLUG, consultation_id: int = PK,
                       statement_id: int = PK):
    """Accept, reject or mark as spam (moderators)."""
    ca = get_consultation_for_user(request, slug, consultation_id, "moderate")
    return services.statement_moderate(actor=request.user, statement=_statement(ca, statement_id), status=payload.status)


@router.post(f"{BASE}/{{consultation_id}}/statements/{{statement_id}}/vote", response={200: StatementVoteOut, **WRITE_ERRORS})
def vote_cast(request: HttpRequest, payload: StatementVoteIn, slug: str = SLUG, consultation_id: int = PK, statement_id: int = PK):
    """Agree, disagree or pass; a later vote on the same statement replaces the earlier one."""
    ca = get_consultation_for_user(request, slug, consultation_id, "participate")
    services.vote_cast(actor=request.user, consultation=ca.consultation, participant=ca.participant,
                       statement_id=statement_id, value=payload.vote)
    return {"statement_id": statement_id, "vote": payload.vote}


def _statement_out(item: selectors.StatementResult) -> dict:
    def counts(bar: dict) -> dict:
        return {"agree": bar["agree"], "disagree": bar["disagree"], "passes": bar["passes"]}

    bars = item.bars or []
    return {
        "id": item.statement.pk, "text": item.statement.text, "direction": item.direction, "score": item.score,
        "everyone": counts(bars[0]) if bars else {"agree": 0, "disagree": 0, "passes": 0},
        "groups": [counts(bar) for bar in bars[1:]],
    }


@router.get(f"{BASE}/{{consultation_id}}/results", response={200: ConsultationResultsOut, **READ_ERRORS}, auth=PUBLIC_READ)
def results(request: HttpRequest, slug: str = SLUG, consultation_id: int = PK):
    """The opinion groups and what they agree and differ on, from the last computation."""
    ca = get_consultation_for_user(request, slug, consultation_id)
    data = selectors.results(ca)
    return {
        "computed_at": data.snapshot.computed_at if data.snapshot else None,
        "participants": data.data.get("n_participants", 0),
        "votes": data.data.get("n_votes", 0),
        "groups": [{"letter": group.letter, "size": group.size,
                    "representative": [_statement_out(item) for item in group.representative]} for group in data.groups],
        "common_ground": [_statement_out(item) for item in data.common_ground],
        "consensus_agree": [_statement_out(item) for item in data.consensus_agree],
        "consensus_disagree": [_statement_out(item) for item in data.consensus_disagree],
        "divisive": [_statement_out(item) for item in data.divisive],
        "your_group": data.viewer_group_letter or None,
    }
