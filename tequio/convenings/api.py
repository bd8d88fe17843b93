"""API routes of the convenings capability, mounted under /api/v1/ by core.

Each operation starts like a page: ``get_community_for_user`` with the action it needs,
ids looked up only inside that community (another community's id is a 404), writes
through the same services as the pages, errors in the one shape.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from tequio.api import PUBLIC_READ, NotFound, errors
from tequio.core.models import Organization, Person
from tequio.core.permissions import CommunityAccess, get_community_for_user
from tequio.core.schemas import MAX_ID, PageIn, page_of

from . import selectors, services
from .models import ActionItem, Convening, Questionnaire, QuestionnaireStatus, RoleAssignment
from .permissions import can_update_action_item, can_write_report
from .schemas import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemOut,
    AgendaOut,
    AttendanceIn,
    AttendanceOut,
    AttendeeOut,
    ConnectionIn,
    ConnectionOut,
    ConveningDetailOut,
    ConveningFilters,
    ConveningIn,
    ConveningOut,
    ConveningPageOut,
    ConveningPatch,
    QuestionnaireDetailOut,
    QuestionnaireOut,
    QuestionnairePageOut,
    ReportIn,
    ReportOut,
    ResponseIn,
    ResponseOut,
    ResponsePageOut,
    ResultsOut,
    RoleIn,
    RoleOut,
    RoleSuggestionOut,
    SessionOut,
    VoteIn,
    VoteOut,
)

router = Router(tags=["convenings"])

SLUG = Path(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$", description="The community's short name.")
PK = Path(..., ge=1, le=MAX_ID)
READ_ERRORS = errors(401, 403, 404, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 422)
BASE = "/communities/{slug}"


def _convening(access: CommunityAccess, pk: int) -> Convening:
    convening = Convening.objects.active().filter(community=access.community, pk=pk).select_related("community").first()
    if convening is None:
        raise NotFound(_("No convening with id %(id)s in this community.") % {"id": pk})
    return convening


def _organization(access: CommunityAccess, pk: int | None, field: str) -> Organization | None:
    if pk is None:
        return None
    organization = Organization.objects.active().filter(community=access.community, pk=pk).first()
    if organization is None:
        raise ValidationError({field: _("That organization is not part of this community.")})
    return organization


def _person(access: CommunityAccess, pk: int | None, field: str) -> Person | None:
    # The same answer for "no such person" and "someone of another community": ids do not leak.
    if pk is None:
        return None
    person = Person.objects.active().filter(community=access.community, pk=pk).first()
    if person is None:
        raise ValidationError({field: _("This person is not a member of this community.")})
    return person


def _convening_out(access: CommunityAccess, convening: Convening) -> dict:
    data = ConveningOut.model_validate(convening, from_attributes=True).model_dump()
    if not access.can("convenings.participate"):
        data["place"] = data["online_url"] = None
    return data


def _role_out(access: CommunityAccess, assignment: RoleAssignment) -> dict:
    show = access.can("convenings.participate")
    return {
        "role": assignment.role, "person_id": assignment.person_id if show else None,
        "person_name": assignment.person.display_name if show else None, "organization_id": assignment.organization_id,
        "organization_name": assignment.organization.name if assignment.organization else None,
        "staff_level": assignment.staff_level, "from_suggestion": assignment.from_suggestion, "reason": assignment.reason if show else "",
    }


# --- convenings -----------------------------------------------------------------------------

@router.get(f"{BASE}/convenings", response={200: ConveningPageOut, **READ_ERRORS}, auth=PUBLIC_READ)
def convening_list(request: HttpRequest, filters: Query[ConveningFilters], slug: str = SLUG):
    """The community's convenings: upcoming, past, or all."""
    access = get_community_for_user(request.user, slug, "convenings.view")
    if filters.when == "all":
        queryset = Convening.objects.active().filter(community=access.community).order_by("-starts_at", "-id")
    else:
        queryset = selectors.convenings_for(access, when=filters.when)
    page = page_of(queryset, filters)
    page["items"] = [_convening_out(access, convening) for convening in page["items"]]
    return page


@router.post(f"{BASE}/convenings", response={201: ConveningOut, **WRITE_ERRORS})
def convening_create(request: HttpRequest, payload: ConveningIn, slug: str = SLUG):
    """Plan a convening (stewards and conveners)."""
    access = get_community_for_user(request.user, slug, "convenings.manage")
    data = payload.model_dump()
    data["host_organization"] = _organization(access, data.pop("host_organization_id"), "host_organization_id")
    convening = services.convening_create(actor=request.user, community=access.community, **data)
    return Status(201, _convening_out(access, convening))


@router.get(f"{BASE}/convenings/{{convening_id}}", response={200: ConveningDetailOut, **READ_ERRORS}, auth=PUBLIC_READ)
def convening_detail(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """A convening with its sessions and roles (names for participants only)."""
    access = get_community_for_user(request.user, slug, "convenings.view")
    convening = _convening(access, convening_id)
    data = _convening_out(access, convening)
    data["number"] = selectors.convening_index(convening) + 1
    data["sessions"] = [SessionOut.model_validate(session, from_attributes=True) for session in convening.sessions.all()]
    data["roles"] = [_role_out(access, assignment) for assignment in selectors.roles_of(convening)]
    return data


@router.patch(f"{BASE}/convenings/{{convening_id}}", response={200: ConveningOut, **WRITE_ERRORS})
def convening_update(request: HttpRequest, payload: ConveningPatch, slug: str = SLUG, convening_id: int = PK):
    """Change a convening; ``agenda_open: false`` closes proposals and votes."""
    access = get_community_for_user(request.user, slug, "convenings.manage")
    convening = _convening(access, convening_id)
    data = payload.model_dump(exclude_unset=True)
    if "host_organization_id" in data:
        data["host_organization"] = _organization(access, data.pop("host_organization_id"), "host_organization_id")
    for name in ("title", "starts_at", "ends_at", "objectives", "mode", "place", "online_url", "held_alongside", "agenda_open"):
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    convening = services.convening_update(actor=request.user, convening=convening, **data)
    return _convening_out(access, convening)


# --- agenda ---------------------------------------------------------------------------------

def _agenda_out(access: CommunityAccess, convening: Convening, organization_id: int | None = None) -> dict:
    agenda = selectors.agenda_for(access, convening, organization_id=organization_id)
    return {
        "agenda_open": convening.agenda_open, "budget": agenda.budget, "spent": agenda.spent,
        "organization_id": agenda.organization.pk if agenda.organization else None,
        "items": [
            {"id": row.item.pk, "title": row.item.title, "description": row.item.description,
             "proposer_kind": row.item.proposer_kind, "organization_id": row.item.organization_id,
             "session_id": row.item.session_id, "rank": row.rank, "dots": row.dots,
             "organizations": row.organizations, "mine": row.mine}
            for row in agenda.ranked
        ],
    }


@router.get(f"{BASE}/convenings/{{convening_id}}/agenda", response={200: AgendaOut, **READ_ERRORS}, auth=PUBLIC_READ, tags=["agenda"])
def agenda_detail(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """The topics ranked by dot votes, with your organization's budget and dots."""
    access = get_community_for_user(request.user, slug, "convenings.view")
    return _agenda_out(access, _convening(access, convening_id))


@router.post(f"{BASE}/convenings/{{convening_id}}/agenda", response={201: AgendaItemOut, **WRITE_ERRORS}, tags=["agenda"])
def agenda_item_create(request: HttpRequest, payload: AgendaItemIn, slug: str = SLUG, convening_id: int = PK):
    """Propose a topic while the agenda is open."""
    access = get_community_for_user(request.user, slug, "convenings.propose")
    convening = _convening(access, convening_id)
    item = services.agenda_item_propose(
        actor=request.user, convening=convening, title=payload.title, description=payload.description,
        organization=_organization(access, payload.organization_id, "organization_id"))
    row = next(row for row in _agenda_out(access, convening)["items"] if row["id"] == item.pk)
    return Status(201, row)


@router.post(f"{BASE}/convenings/{{convening_id}}/agenda/{{agenda_item_id}}/votes", response={200: VoteOut, **WRITE_ERRORS}, tags=["agenda"])
def agenda_vote(request: HttpRequest, payload: VoteIn, slug: str = SLUG, convening_id: int = PK, agenda_item_id: int = PK):
    """Add or take back one of your organization's dots on a topic (within its budget)."""
    access = get_community_for_user(request.user, slug, "convenings.vote")
    convening = _convening(access, convening_id)
    item = convening.agenda_items.active().filter(pk=agenda_item_id).first()
    if item is None:
        raise NotFound(_("No agenda item with id %(id)s in this convening.") % {"id": agenda_item_id})
    item.convening = convening
    result = services.agenda_vote(actor=request.user, item=item, delta=payload.delta,
                                  organization=_organization(access, payload.organization_id, "organization_id"))
    return {"item_id": item.pk, "organization_id": result.organization.pk, "dots": result.dots, "spent": result.spent,
            "budget": result.budget, "remaining": max(result.budget - result.spent, 0)}


# --- roles ----------------------------------------------------------------------------------

@router.get(f"{BASE}/convenings/{{convening_id}}/roles", response={200: list[RoleOut], **READ_ERRORS}, auth=PUBLIC_READ, tags=["roles"])
def role_list(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """Who holds each role (names for participants only)."""
    access = get_community_for_user(request.user, slug, "convenings.view")
    return [_role_out(access, assignment) for assignment in selectors.roles_of(_convening(access, convening_id))]


@router.get(f"{BASE}/convenings/{{convening_id}}/roles/suggestions", response={200: list[RoleSuggestionOut], **READ_ERRORS}, tags=["roles"])
def role_suggestions(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """The rotation engine's suggestion for every role, with its reason (stewards and conveners)."""
    access = get_community_for_user(request.user, slug, "convenings.manage")
    return [
        {"role": suggestion.role, "person_id": suggestion.person.pk if suggestion.person else None,
         "person_name": suggestion.person.display_name if suggestion.person else None,
         "organization_name": suggestion.organization_name, "reason": suggestion.reason, "confirmed": suggestion.fixed}
        for suggestion in selectors.role_suggestions(access, _convening(access, convening_id))
    ]


@router.put(f"{BASE}/convenings/{{convening_id}}/roles", response={200: list[RoleOut], **WRITE_ERRORS}, tags=["roles"])
def role_set(request: HttpRequest, payload: RoleIn, slug: str = SLUG, convening_id: int = PK):
    """Give a role to a person of the community (replacing whoever held it), or free it with
    ``person_id: null``. Answers every role of the convening."""
    access = get_community_for_user(request.user, slug, "convenings.manage")
    convening = _convening(access, convening_id)
    if payload.person_id is None:
        assignment = RoleAssignment.objects.filter(convening=convening, role=payload.role).first()
        if assignment is not None:
            services.role_unassign(actor=request.user, assignment=assignment)
    else:
        person = _person(access, payload.person_id, "person_id")
        suggested = {s.role: s for s in selectors.role_suggestions(access, convening)}.get(payload.role)
        from_suggestion = bool(suggested and suggested.person and suggested.person.pk == person.pk)
        services.role_assign(actor=request.user, convening=convening, role=payload.role, person=person,
                             reason=payload.reason or (suggested.reason if from_suggestion else ""),
                             from_suggestion=from_suggestion)
    return [_role_out(access, assignment) for assignment in selectors.roles_of(convening)]


# --- attendance -----------------------------------------------------------------------------

@router.get(f"{BASE}/convenings/{{convening_id}}/attendance", response={200: AttendanceOut, **READ_ERRORS}, tags=["attendance"])
def attendance_detail(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """Counts, first-timers and staff levels; the list of people for participants only."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    summary = selectors.attendance_for(_convening(access, convening_id))
    levels: dict[str, int] = {}
    for row in summary.rows:
        if row.attendance.staff_level:
            levels[row.attendance.staff_level] = levels.get(row.attendance.staff_level, 0) + 1
    people = None
    if access.can("convenings.participate"):
        people = [
            AttendeeOut(person_id=row.attendance.person_id, person_name=row.attendance.person.display_name,
                        organization_id=row.attendance.organization_id, staff_level=row.attendance.staff_level,
                        role=row.role_label, first_time=row.first_time, method=row.attendance.method)
            for row in summary.rows
        ]
    return {"count": len(summary.rows), "organizations": summary.organizations, "first_timers": summary.first_timers,
            "staff_levels": levels, "people": people}


@router.post(f"{BASE}/convenings/{{convening_id}}/attendance", response={201: AttendeeOut, **WRITE_ERRORS}, tags=["attendance"])
def attendance_create(request: HttpRequest, payload: AttendanceIn, slug: str = SLUG, convening_id: int = PK):
    """Record that a person of the community came (stewards and conveners)."""
    access = get_community_for_user(request.user, slug, "convenings.manage")
    convening = _convening(access, convening_id)
    person = _person(access, payload.person_id, "person_id") if payload.person_id else services.person_of(access.community, request.user)
    if person is None:
        raise ValidationError({"person_id": _("Say who came: you have no person record in this community.")})
    record = services.attendance_record(actor=request.user, convening=convening, person=person,
                                        organization=_organization(access, payload.organization_id, "organization_id"))
    row = next(row for row in selectors.attendance_for(convening).rows if row.attendance.pk == record.pk)
    return Status(201, AttendeeOut(person_id=record.person_id, person_name=record.person.display_name,
                                   organization_id=record.organization_id, staff_level=record.staff_level,
                                   role=row.role_label, first_time=row.first_time, method=record.method))


# --- report, connections, action items --------------------------------------------------------

@router.get(f"{BASE}/convenings/{{convening_id}}/report", response={200: ReportOut, **READ_ERRORS}, tags=["reports"])
def report_detail(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """The rapporteur's report (drafts only for participants)."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    report = selectors.report_of(_convening(access, convening_id))
    if report is None or (report.published_at is None and not access.can("convenings.participate")):
        raise NotFound(_("This convening has no report yet."))
    return report


@router.put(f"{BASE}/convenings/{{convening_id}}/report", response={200: ReportOut, **WRITE_ERRORS}, tags=["reports"])
def report_save(request: HttpRequest, payload: ReportIn, slug: str = SLUG, convening_id: int = PK):
    """Write the report (the rapporteur, stewards and conveners); ``publish`` shows it to observers."""
    access = get_community_for_user(request.user, slug, "convenings.document")
    convening = _convening(access, convening_id)
    if not can_write_report(access, convening):
        raise PermissionDenied
    texts = {name: value for name, value in payload.model_dump(exclude={"publish"}).items() if value is not None}
    return services.report_save(actor=request.user, convening=convening, publish=payload.publish, **texts)


@router.get(f"{BASE}/convenings/{{convening_id}}/connections", response={200: list[ConnectionOut], **READ_ERRORS}, tags=["reports"])
def connection_list(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """New connections between organizations made at the convening."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    return selectors.connections_of(_convening(access, convening_id))


@router.post(f"{BASE}/convenings/{{convening_id}}/connections", response={201: ConnectionOut, **WRITE_ERRORS}, tags=["reports"])
def connection_create(request: HttpRequest, payload: ConnectionIn, slug: str = SLUG, convening_id: int = PK):
    """Record a new connection between two organizations of the community."""
    access = get_community_for_user(request.user, slug, "convenings.document")
    convening = _convening(access, convening_id)
    if not can_write_report(access, convening):
        raise PermissionDenied
    connection = services.connection_add(
        actor=request.user, convening=convening, description=payload.description,
        organization_a=_organization(access, payload.organization_a_id, "organization_a_id"),
        organization_b=_organization(access, payload.organization_b_id, "organization_b_id"))
    return Status(201, connection)


def _action_out(access: CommunityAccess, item: ActionItem) -> dict:
    data = ActionItemOut.model_validate(item, from_attributes=True).model_dump()
    if not access.can("convenings.participate"):
        data["owner_id"] = None
    return data


@router.get(f"{BASE}/convenings/{{convening_id}}/action-items", response={200: list[ActionItemOut], **READ_ERRORS}, tags=["action items"])
def action_item_list(request: HttpRequest, slug: str = SLUG, convening_id: int = PK):
    """Action items agreed at the convening."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    return [_action_out(access, item) for item in _convening(access, convening_id).action_items.all()]


@router.post(f"{BASE}/convenings/{{convening_id}}/action-items", response={201: ActionItemOut, **WRITE_ERRORS}, tags=["action items"])
def action_item_create(request: HttpRequest, payload: ActionItemIn, slug: str = SLUG, convening_id: int = PK):
    """Add an action item with owner, due date and status (the rapporteur, stewards, conveners)."""
    access = get_community_for_user(request.user, slug, "convenings.document")
    convening = _convening(access, convening_id)
    if not can_write_report(access, convening):
        raise PermissionDenied
    item = services.action_item_create(
        actor=request.user, convening=convening, title=payload.title, due_on=payload.due_on, status=payload.status,
        owner=_person(access, payload.owner_id, "owner_id"),
        owner_organization=_organization(access, payload.owner_organization_id, "owner_organization_id"))
    return Status(201, _action_out(access, item))


@router.patch(f"{BASE}/action-items/{{action_item_id}}", response={200: ActionItemOut, **WRITE_ERRORS}, tags=["action items"])
def action_item_update(request: HttpRequest, payload: ActionItemPatch, slug: str = SLUG, action_item_id: int = PK):
    """Update an action item (its owner, the rapporteur, stewards and conveners)."""
    access = get_community_for_user(request.user, slug, "convenings.document")
    item = ActionItem.objects.filter(convening__community=access.community, convening__removed_at__isnull=True, pk=action_item_id).select_related("convening").first()
    if item is None:
        raise NotFound(_("No action item with id %(id)s in this community.") % {"id": action_item_id})
    if not can_update_action_item(access, item):
        raise PermissionDenied
    data = payload.model_dump(exclude_unset=True)
    if "owner_id" in data:
        data["owner"] = _person(access, data.pop("owner_id"), "owner_id")
    if "owner_organization_id" in data:
        data["owner_organization"] = _organization(access, data.pop("owner_organization_id"), "owner_organization_id")
    for name in ("title", "status"):
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    return _action_out(access, services.action_item_update(actor=request.user, item=item, **data))


# --- questionnaires -------------------------------------------------------------------------

def _questionnaire(access: CommunityAccess, pk: int) -> Questionnaire:
    queryset = Questionnaire.objects.active().filter(community=access.community, pk=pk, is_template=False)
    if not access.can("convenings.manage"):
        queryset = queryset.exclude(status=QuestionnaireStatus.DRAFT)
    questionnaire = queryset.select_related("community").first()
    if questionnaire is None:
        raise NotFound(_("No questionnaire with id %(id)s in this community.") % {"id": pk})
    return questionnaire


@router.get(f"{BASE}/questionnaires", response={200: QuestionnairePageOut, **READ_ERRORS}, tags=["questionnaires"])
def questionnaire_list(request: HttpRequest, page: Query[PageIn], slug: str = SLUG):
    """Questionnaires sent in the community, newest first."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    return page_of(selectors.questionnaires_for(access).filter(is_template=False), page)


@router.get(f"{BASE}/questionnaires/{{questionnaire_id}}", response={200: QuestionnaireDetailOut, **READ_ERRORS}, tags=["questionnaires"])
def questionnaire_detail(request: HttpRequest, slug: str = SLUG, questionnaire_id: int = PK):
    """A questionnaire with its questions and options, to answer it."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    questionnaire = _questionnaire(access, questionnaire_id)
    data = QuestionnaireOut.model_validate(questionnaire, from_attributes=True).model_dump()
    data["response_count"] = questionnaire.responses.count()
    data["answered"] = selectors.has_answered(questionnaire, request.user)
    data["questions"] = [
        {"name": q.name, "kind": q.kind, "text": q.text, "help": q.help, "required": q.required,
         "choices": [{"value": c.value, "label": c.label} for c in q.choices.all()]}
        for q in selectors.questions_of(questionnaire)
    ]
    return data


@router.post(f"{BASE}/questionnaires/{{questionnaire_id}}/responses", response={201: ResponseOut, **WRITE_ERRORS}, tags=["questionnaires"])
def response_create(request: HttpRequest, payload: ResponseIn, slug: str = SLUG, questionnaire_id: int = PK):
    """Answer an open questionnaire, once."""
    access = get_community_for_user(request.user, slug, "convenings.participate")
    questionnaire = _questionnaire(access, questionnaire_id)
    response = services.response_submit(actor=request.user, questionnaire=questionnaire, answers=payload.answers)
    return Status(201, {"id": response.pk, "questionnaire_id": questionnaire.pk})


@router.get(f"{BASE}/questionnaires/{{questionnaire_id}}/responses", response={200: ResponsePageOut, **READ_ERRORS},
            tags=["questionnaires"])
def response_list(request: HttpRequest, page: Query[PageIn], slug: str = SLUG, questionnaire_id: int = PK):
    """Individual responses in the order they came (stewards and conveners, as the export; audited).
    An anonymous questionnaire's responses name no respondent and give only the day."""
    access = get_community_for_user(request.user, slug, "convenings.export")
    questionnaire = _questionnaire(access, questionnaire_id)
    total, rows = services.questionnaire_responses_read(actor=request.user, questionnaire=questionnaire,
                                                        offset=page.offset, limit=page.limit)
    return {"count": total, "limit": page.limit, "offset": page.offset, "items": rows}


@router.get(f"{BASE}/questionnaires/{{questionnaire_id}}/results", response={200: ResultsOut, **READ_ERRORS}, tags=["questionnaires"])
def questionnaire_results(request: HttpRequest, slug: str = SLUG, questionnaire_id: int = PK):
    """Aggregated results with the response rate."""
    access = get_community_for_user(request.user, slug, "convenings.learn")
    results = selectors.questionnaire_results(_questionnaire(access, questionnaire_id))
    return {
        "questionnaire_id": questionnaire_id, "responses": results.responses, "expected": results.expected,
        "response_rate": results.response_rate,
        "questions": [
            {"name": r.question.name, "kind": r.question.kind, "text": r.question.text, "answered": r.answered,
             "bars": [{"label": b.label, "count": b.count, "percent": b.percent} for b in r.bars],
             "average": r.average, "minimum": r.minimum, "maximum": r.maximum, "texts": r.texts}
            for r in results.questions
        ],
    }
