"""API routes of the network capability, /api/v1/communities/{slug}/network/...

Same permission checks and services as the pages. Survey answers leave only as the
aggregates the wave page shows; a respondent reads its own answers on the page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tequio.api import NotFound, errors
from tequio.core.api import PK, SLUG
from tequio.core.models import Organization
from tequio.core.permissions import CommunityAccess, get_community_for_user
from tequio.core.schemas import page_of

from . import selectors, services
from .models import SnapshotStatus, Stakeholder
from .params import NetworkParams
from .permissions import (
    can_answer_ask,
    can_confirm_tie,
    can_edit_tie,
    can_manage_ask,
    can_record_tie,
    get_answer_for_user,
    get_ask_for_user,
    get_tie_for_user,
    get_wave_for_user,
    require,
)
from .schemas import (
    AnswerIn,
    AnswerOut,
    AskFilters,
    AskIn,
    AskOut,
    AskPageOut,
    ConfirmIn,
    MetricsFilters,
    MetricsOut,
    StakeholderIn,
    StakeholderOut,
    TieFilters,
    TieIn,
    TieOut,
    TiePageOut,
    WaveOut,
    WaveScoresOut,
)

router = Router(tags=["network"])

READ_ERRORS = errors(401, 403, 404, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 422)


def _organization(access: CommunityAccess, pk: int | None, field: str) -> Organization:
    organization = Organization.objects.active().filter(community=access.community, pk=pk).first() if pk else None
    if organization is None:
        message = _("No organization with id %(id)s in this community.") % {"id": pk}
        raise NotFound(message, {field: [message]})
    return organization


# --- ties -------------------------------------------------------------------------------------


@router.get("/communities/{slug}/network/ties", response={200: TiePageOut, **READ_ERRORS})
def tie_list(request: HttpRequest, filters: Query[TieFilters], slug: str = SLUG):
    """The community's ties, newest first; filter by status, type or organization."""
    access = get_community_for_user(request.user, slug, "network.view")
    queryset = selectors.ties_for(access, status=filters.status or "", type=filters.type or "",
                                  organization=filters.organization)
    return page_of(queryset, filters)


@router.post("/communities/{slug}/network/ties", response={201: TieOut, **WRITE_ERRORS})
def tie_create(request: HttpRequest, payload: TieIn, slug: str = SLUG):
    """Record a tie. Your organization's side is confirmed; the other organization confirms its own."""
    access = get_community_for_user(request.user, slug, "network.record")
    if payload.source_id == payload.target_id:
        raise ValidationError({"target_id": _("An organization cannot have a tie with itself.")})
    source = _organization(access, payload.source_id, "source_id")
    target = _organization(access, payload.target_id, "target_id")
    mine = selectors.organizations_of(access)
    require(can_record_tie(access, mine, source.pk, target.pk))
    tie = services.tie_record(
        actor=request.user, community=access.community, source=source, target=target, type=payload.type,
        directed=payload.directed, started_on=payload.started_on, ended_on=payload.ended_on, note=payload.note,
        speaks_for=mine,
    )
    return Status(201, tie)


@router.get("/communities/{slug}/network/ties/{pk}", response={200: TieOut, **READ_ERRORS})
def tie_detail(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    _access, tie = get_tie_for_user(request.user, slug, pk)
    return tie


def _speaking_for(access: CommunityAccess, mine: set[int], organization_id: int | None) -> Organization:
    """The organization named, or the caller's only one when none is named."""
    if organization_id is None:
        if len(mine) != 1:
            raise ValidationError({"organization_id": _("Say on behalf of which of your organizations.")})
        organization_id = next(iter(mine))
    return _organization(access, organization_id, "organization_id")


def _side(request, access, tie, organization_id):
    allowed = can_confirm_tie(access, selectors.organizations_of(access), tie)
    require(bool(allowed))
    if organization_id is None:
        if len(allowed) > 1:
            raise ValidationError({"organization_id": _("Say which organization you confirm for.")})
        organization_id = allowed[0]
    require(organization_id in allowed)
    return tie.source if organization_id == tie.source_id else tie.target


@router.post("/communities/{slug}/network/ties/{pk}/confirm", response={200: TieOut, **WRITE_ERRORS})
def tie_confirm(request: HttpRequest, payload: ConfirmIn, slug: str = SLUG, pk: int = PK):
    """Confirm a tie for your organization (one of its two ends)."""
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    return services.tie_confirm(actor=request.user, tie=tie, organization=_side(request, access, tie, payload.organization_id))


@router.post("/communities/{slug}/network/ties/{pk}/decline", response={200: TieOut, **WRITE_ERRORS})
def tie_decline(request: HttpRequest, payload: ConfirmIn, slug: str = SLUG, pk: int = PK):
    """Say, for your organization, that this tie does not exist; it leaves the network."""
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    return services.tie_decline(actor=request.user, tie=tie, organization=_side(request, access, tie, payload.organization_id))


@router.delete("/communities/{slug}/network/ties/{pk}", response={204: None, **WRITE_ERRORS})
def tie_delete(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    """Remove a tie (soft removal, audited): its organizations' people, or stewards."""
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    require(can_edit_tie(access, selectors.organizations_of(access), tie))
    services.tie_remove(actor=request.user, tie=tie)
    return Status(204, None)


# --- measures ---------------------------------------------------------------------------------------


@router.get("/communities/{slug}/network/metrics", response={200: MetricsOut, **READ_ERRORS})
def metrics(request: HttpRequest, filters: Query[MetricsFilters], slug: str = SLUG):
    """The cached measures of the network at a date, with filters; computed first when missing."""
    access = get_community_for_user(request.user, slug, "network.view")
    params = NetworkParams(at=filters.at, types=tuple(filters.type), kinds=tuple(filters.kind),
                           themes=tuple(filters.theme), confirmed_only=filters.confirmed)
    snapshot = selectors.snapshot_get(access.community, params)
    if not selectors.snapshot_is_current(snapshot) and (
        snapshot is None or snapshot.status not in (SnapshotStatus.PENDING, SnapshotStatus.RUNNING)
    ):
        snapshot = services.snapshot_request(community=access.community, params=params)
    data = snapshot.data or {}
    organizations = []
    if data:
        totals = data.get("brokerage", {}).get("total") or [0] * len(data["ids"])
        for i, node in enumerate(data["ids"]):
            organizations.append({
                "id": node, "degree": data["degree"][i], "betweenness": data["betweenness"][i],
                "closeness": data["closeness"][i], "eigenvector": data["eigenvector"][i],
                "constraint": data["constraint"][i], "brokerage": totals[i], "community": data["community"][i],
            })
    return {
        "status": snapshot.status, "stale": snapshot.stale, "computed_at": snapshot.computed_at,
        "day": data.get("day"), "summary": data.get("summary"),
        "modularity": data.get("communities", {}).get("modularity"), "communities": data.get("communities", {}).get("count"),
        "ei_index": data.get("ei", {}).get("index"), "convener": data.get("convener"), "organizations": organizations,
    }


# --- survey waves ---------------------------------------------------------------------------------------


@router.get("/communities/{slug}/network/surveys", response={200: list[WaveOut], **READ_ERRORS})
def wave_list(request: HttpRequest, slug: str = SLUG):
    access = get_community_for_user(request.user, slug, "network.view")
    queryset = selectors.waves_for(access.community)
    if not access.can("network.manage"):
        queryset = queryset.exclude(status="draft")
    return list(queryset[:100])


@router.get("/communities/{slug}/network/surveys/{pk}/scores", response={200: WaveScoresOut, **READ_ERRORS})
def wave_scores(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    """Aggregate trust and value of a wave; means of fewer than three ratings are hidden from others."""
    access, wave = get_wave_for_user(request.user, slug, pk)
    snapshot = selectors.wave_snapshot_get(wave)
    if not selectors.snapshot_is_current(snapshot) and (
        snapshot is None or snapshot.status not in (SnapshotStatus.PENDING, SnapshotStatus.RUNNING)
    ):
        snapshot = services.snapshot_request(community=access.community, wave=wave)
    results = selectors.wave_results(access, wave, snapshot, selectors.respondent_organizations(access),
                                     selectors.organization_names(access.community))
    return {
        "wave": wave, "status": snapshot.status, "computed_at": snapshot.computed_at,
        "responses": results.data.get("responses", 0), "eligible": results.data.get("eligible", 0),
        "network": [
            {"measure": measure, "mean_over_pairs": cells["dyad"].__dict__, "mean_over_organizations": cells["organization"].__dict__}
            for measure, cells in results.network.items()
        ],
        "organizations": [
            {"organization_id": row.organization_id, "name": row.name, "trust_received": row.trust_received.__dict__,
             "value_received": row.value_received.__dict__, "trust_given": row.trust_given.__dict__,
             "value_given": row.value_given.__dict__}
            for row in results.rows
        ],
    }


# --- stakeholders --------------------------------------------------------------------------------------------


@router.get("/communities/{slug}/network/stakeholders", response={200: list[StakeholderOut], **READ_ERRORS})
def stakeholder_list(request: HttpRequest, slug: str = SLUG):
    access = get_community_for_user(request.user, slug, "network.stakeholders")
    return list(selectors.stakeholders_for(access.community)[:500])


@router.post("/communities/{slug}/network/stakeholders", response={201: StakeholderOut, **WRITE_ERRORS})
def stakeholder_create(request: HttpRequest, payload: StakeholderIn, slug: str = SLUG):
    """Place an outside actor on the stakeholder map."""
    access = get_community_for_user(request.user, slug, "network.stakeholders")
    held_by = [_organization(access, pk, "held_by") for pk in payload.held_by]
    fields = payload.model_dump(exclude={"held_by"})
    stakeholder = services.stakeholder_create(actor=request.user, community=access.community, held_by=held_by, **fields)
    return Status(201, Stakeholder.objects.prefetch_related("held_by").get(pk=stakeholder.pk))


# --- asks and offers ------------------------------------------------------------------------------------------------


@router.get("/communities/{slug}/network/asks", response={200: AskPageOut, **READ_ERRORS})
def ask_list(request: HttpRequest, filters: Query[AskFilters], slug: str = SLUG):
    access = get_community_for_user(request.user, slug, "network.asks")
    return page_of(selectors.asks_for(access.community, kind=filters.kind or "", topic=filters.topic or "",
                                      status=filters.status or ""), filters)


@router.post("/communities/{slug}/network/asks", response={201: AskOut, **WRITE_ERRORS})
def ask_create(request: HttpRequest, payload: AskIn, slug: str = SLUG):
    """Post a need or an offer on behalf of your organization."""
    access = get_community_for_user(request.user, slug, "network.asks")
    mine = selectors.organizations_of(access)
    organization = _speaking_for(access, mine, payload.organization_id)
    require(organization.pk in mine or access.can("network.manage"))
    ask = services.ask_create(actor=request.user, community=access.community, organization=organization,
                              kind=payload.kind, topic=payload.topic, title=payload.title, body=payload.body)
    return Status(201, ask)


@router.post("/communities/{slug}/network/asks/{pk}/answers", response={201: AnswerOut, **WRITE_ERRORS})
def answer_create(request: HttpRequest, payload: AnswerIn, slug: str = SLUG, pk: int = PK):
    """Answer a need (you can help) or an offer (you would like it) for your organization."""
    access, ask = get_ask_for_user(request.user, slug, pk)
    mine = selectors.organizations_of(access)
    require(can_answer_ask(access, mine, ask))
    organization = _speaking_for(access, mine - {ask.organization_id}, payload.organization_id)
    require(organization.pk in mine)
    return Status(201, services.answer_create(actor=request.user, ask=ask, organization=organization, body=payload.body))


@router.post("/communities/{slug}/network/answers/{pk}/accept", response={200: AnswerOut, **WRITE_ERRORS})
def answer_accept(request: HttpRequest, slug: str = SLUG, pk: int = PK):
    """Accept an answer to your organization's ask: a referral or resource-sharing tie is recorded."""
    access, answer = get_answer_for_user(request.user, slug, pk)
    require(can_manage_ask(access, selectors.organizations_of(access), answer.ask))
    return services.answer_accept(actor=request.user, answer=answer)
