"""Pages of the convenings capability.

Each view: a permission-checked getter (404 when not visible, 403 when not allowed),
a form, one service, a redirect. htmx requests get a partial of the same template.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tequio.core.models import Organization
from tequio.core.permissions import get_community_for_user
from tequio.core.selectors import paginate
from tequio.core.views import render_community, url_for_each
from tequio.core.views import run_service as _run

from . import ical, selectors, services
from .forms import (
    AARForm,
    ActionItemForm,
    ActionStatusForm,
    AgendaItemForm,
    AnswerForm,
    AttendanceForm,
    CalendarFeedForm,
    ConnectionForm,
    ConveningForm,
    LessonsSearchForm,
    QuestionForm,
    QuestionnaireForm,
    ReportForm,
    RolesForm,
    ScheduleForm,
    SessionForm,
    SettingsForm,
    VoteForm,
    XLSFormImportForm,
)
from .models import (
    AfterActionReview,
    Attendance,
    CalendarFeed,
    Connection,
    FeedKind,
    Question,
    QuestionnaireStatus,
    RoleAssignment,
    Session,
)
from .permissions import (
    can_edit_agenda_item,
    can_write_report,
    get_action_item_for_user,
    get_agenda_item_for_user,
    get_convening_for_user,
    get_questionnaire_for_user,
    require_report_writer,
)


def _message_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _detail(slug: str, convening_pk: int):
    return redirect("convenings:convening_detail", slug, convening_pk)


# --- convenings ------------------------------------------------------------------

def convening_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.view")
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    page = paginate(selectors.convenings_for(access, when=when), request.GET.get("page"))
    return render_community(request, "convenings/convening_list.html", access, page=page, when=when)


def convening_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.manage")
    form = ConveningForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            result["convening"] = services.convening_create(actor=request.user, community=access.community, **form.service_fields())

        if _run(form, call):
            messages.success(request, _("Convening planned. Open its agenda to proposals and add sessions."))
            return _detail(slug, result["convening"].pk)
    return render_community(request, "convenings/convening_form.html", access, form=form)


def convening_detail(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk)
    page = selectors.convening_page(access, convening)
    return render_community(
        request, "convenings/convening_detail.html", access, convening=convening, page=page,
        show_people=access.can("convenings.participate"),
        can_write_report=can_write_report(access, convening),
        checkin_url=_checkin_url(request, access, convening),
    )


def _checkin_url(request: HttpRequest, access, convening) -> str:
    """The self check-in link for stewards, while check-in can still be used."""
    if not access.can("convenings.manage") or timezone.now() > convening.ends_at + services.CHECKIN_MARGIN:
        return ""
    return request.build_absolute_uri(reverse("convenings:checkin", args=[access.community.slug, convening.pk, convening.checkin_token]))


def convening_edit(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    form = ConveningForm(request.POST or None, instance=convening, community=access.community)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if _run(form, lambda: services.convening_update(actor=request.user, convening=convening, **fields)):
            messages.success(request, _("Convening saved."))
            return _detail(slug, convening_pk)
    return render_community(request, "convenings/convening_form.html", access, form=form, convening=convening)


def convening_remove(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    if request.method == "POST":
        services.convening_remove(actor=request.user, convening=convening)
        messages.success(request, _("Convening removed."))
        return redirect("convenings:convening_list", slug)
    return render_community(request, "core/confirm_remove.html", access, object=convening,
                            cancel_url=reverse("convenings:convening_detail", args=[slug, convening_pk]))


# --- sessions --------------------------------------------------------------------

def session_create(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    form = SessionForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid() and _run(
            form, lambda: services.session_create(actor=request.user, convening=convening, **form.cleaned_data)):
        messages.success(request, _("Session added."))
        return _detail(slug, convening_pk)
    return render_community(request, "convenings/session_form.html", access, form=form, convening=convening)


def _session(convening, session_pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("convening__community"), convening=convening, pk=session_pk)


def session_edit(request: HttpRequest, slug: str, convening_pk: int, session_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    session = _session(convening, session_pk)
    form = SessionForm(request.POST or None, instance=session, community=access.community)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if _run(form, lambda: services.session_update(actor=request.user, session=_session(convening, session_pk), **fields)):
            messages.success(request, _("Session saved."))
            return _detail(slug, convening_pk)
    return render_community(request, "convenings/session_form.html", access, form=form, convening=convening, session=session)


def session_remove(request: HttpRequest, slug: str, convening_pk: int, session_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    session = _session(convening, session_pk)
    if request.method == "POST":
        services.session_remove(actor=request.user, session=session)
        messages.success(request, _("Session removed; its topics are unscheduled."))
        return _detail(slug, convening_pk)
    return render_community(request, "core/confirm_remove.html", access, object=session,
                            cancel_url=reverse("convenings:convening_detail", args=[slug, convening_pk]))


# --- agenda ----------------------------------------------------------------------

def _proposing_organizations(access) -> list[Organization]:
    # One's own organizations: a select of every organization would grow with the registry
    # (stewards who enter a topic for another organization use the API's organization_id).
    return services.voting_organizations(access.community, access.user)


def _organization_param(request) -> int | None:
    value = request.POST.get("organization") or request.GET.get("organization") or ""
    return int(value) if value.isdigit() and len(value) < 19 else None


def _agenda_context(access, convening, request, **extra) -> dict:
    agenda = selectors.agenda_for(access, convening, organization_id=_organization_param(request))
    return {
        "convening": convening, "agenda": agenda,
        "can_vote": access.can("convenings.vote") and convening.agenda_open and agenda.organization is not None,
        "can_propose": access.can("convenings.propose") and convening.agenda_open,
        "show_people": access.can("convenings.participate"),
        **extra,
    }


def agenda(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk)
    organizations = _proposing_organizations(access) if access.can("convenings.propose") else []
    form = AgendaItemForm(request.POST or None, organizations=organizations)
    if request.method == "POST":
        access.require("convenings.propose")
        if form.is_valid():
            data = form.cleaned_data

            def call():
                services.agenda_item_propose(actor=request.user, convening=convening, title=data["title"],
                                             description=data["description"], organization=form.chosen_organization())

            if _run(form, call):
                messages.success(request, _("Topic proposed. Members can now vote on it."))
                return redirect("convenings:agenda", slug, convening_pk)
    context = _agenda_context(access, convening, request, form=form)
    return render_community(request, "convenings/agenda.html", access, **context)


def agenda_ranking(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    """The ranked list alone: what the agenda page polls to stay live."""
    access, convening = get_convening_for_user(request.user, slug, convening_pk)
    return render(request, "convenings/partials/_agenda_list.html", {"community": access.community, "access": access,
                                                                     **_agenda_context(access, convening, request)})


@require_POST
def agenda_vote(request: HttpRequest, slug: str, convening_pk: int, agenda_item_pk: int) -> HttpResponse:
    access, convening, item = get_agenda_item_for_user(request.user, slug, convening_pk, agenda_item_pk, "convenings.vote")
    form = VoteForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("A vote adds or takes back one dot at a time.")
    else:
        organization = None
        if form.cleaned_data["organization"]:
            organization = Organization.objects.active().filter(community=access.community, pk=form.cleaned_data["organization"]).first()
            if organization is None:
                raise Http404
        try:
            services.agenda_vote(actor=request.user, item=item, delta=form.cleaned_data["delta"], organization=organization)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "convenings/partials/_agenda_list.html",
                      {"community": access.community, "access": access, "vote_error": error,
                       **_agenda_context(access, convening, request)})
    if error:
        messages.error(request, error)
    url = reverse("convenings:agenda", args=[slug, convening_pk])
    organization = _organization_param(request)
    return redirect(f"{url}?organization={organization}#item-{item.pk}" if organization else f"{url}#item-{item.pk}")


def agenda_item_edit(request: HttpRequest, slug: str, convening_pk: int, agenda_item_pk: int) -> HttpResponse:
    access, convening, item = get_agenda_item_for_user(request.user, slug, convening_pk, agenda_item_pk, "convenings.propose")
    if not can_edit_agenda_item(access, item):
        raise PermissionDenied
    form = AgendaItemForm(request.POST or None, initial={"title": item.title, "description": item.description})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.agenda_item_update(actor=request.user, item=item, title=data["title"], description=data["description"])):
            messages.success(request, _("Topic saved."))
            return redirect("convenings:agenda", slug, convening_pk)
    return render_community(request, "convenings/agenda_item_form.html", access, form=form, convening=convening, item=item)


def agenda_item_remove(request: HttpRequest, slug: str, convening_pk: int, agenda_item_pk: int) -> HttpResponse:
    access, _convening, item = get_agenda_item_for_user(request.user, slug, convening_pk, agenda_item_pk, "convenings.propose")
    if not can_edit_agenda_item(access, item):
        raise PermissionDenied
    if request.method == "POST":
        services.agenda_item_remove(actor=request.user, item=item)
        messages.success(request, _("Topic withdrawn; its votes went back to the organizations."))
        return redirect("convenings:agenda", slug, convening_pk)
    return render_community(request, "core/confirm_remove.html", access, object=item,
                            cancel_url=reverse("convenings:agenda", args=[slug, convening_pk]))


def agenda_schedule(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    ranked = selectors.agenda_ranking(convening)
    sessions = list(Session.objects.filter(convening=convening).select_related("peer_group"))
    form = ScheduleForm(request.POST or None, items=[row.item for row in ranked], sessions=sessions)
    if request.method == "POST" and form.is_valid() and _run(
            form, lambda: services.agenda_schedule(actor=request.user, convening=convening, placements=form.placements())):
        messages.success(request, _("Agenda scheduled."))
        return redirect("convenings:agenda", slug, convening_pk)
    rows = [(row, form[f"item_{row.item.pk}"]) for row in ranked]
    return render_community(request, "convenings/agenda_schedule.html", access, form=form, convening=convening, rows=rows,
                            sessions=sessions)


@require_POST
def agenda_close(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    _access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    is_open = request.POST.get("open") == "1"
    services.agenda_set_open(actor=request.user, convening=convening, is_open=is_open)
    messages.success(request, _("The agenda is open again.") if is_open else _("The agenda is closed: no more proposals or votes."))
    return redirect("convenings:agenda", slug, convening_pk)


# --- roles -----------------------------------------------------------------------

def roles(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.participate")
    suggestions = selectors.role_suggestions(access, convening) if access.can("convenings.manage") else []
    form = RolesForm(request.POST or None, community=access.community, suggestions=suggestions) if access.can("convenings.manage") else None
    if request.method == "POST":
        access.require("convenings.manage")
        if form.is_valid() and _run(form, lambda: services.roles_confirm(actor=request.user, convening=convening, choices=form.choices())):
            messages.success(request, _("Roles confirmed."))
            return redirect("convenings:roles", slug, convening_pk)
    person = selectors.viewer_person(access)
    unavailable = bool(person) and convening.unavailabilities.filter(person=person).exists()
    return render_community(
        request, "convenings/roles.html", access, convening=convening, suggestions=suggestions, form=form,
        assignments=selectors.roles_of(convening), person=person, unavailable=unavailable,
        rows=[(suggestion, form[suggestion.role]) for suggestion in suggestions] if form else [],
    )


@require_POST
def role_free(request: HttpRequest, slug: str, convening_pk: int, role_assignment_pk: int) -> HttpResponse:
    _access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    assignment = get_object_or_404(RoleAssignment, convening=convening, pk=role_assignment_pk)
    services.role_unassign(actor=request.user, assignment=assignment)
    messages.success(request, _("Role freed."))
    return redirect("convenings:roles", slug, convening_pk)


@require_POST
def role_unavailable(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.participate")
    person = selectors.viewer_person(access)
    if person is None:
        raise PermissionDenied
    unavailable = request.POST.get("unavailable") == "1"
    try:
        services.unavailability_set(actor=request.user, convening=convening, person=person, unavailable=unavailable)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("Noted: you will not be suggested for a role at this convening.") if unavailable
                         else _("Noted: you may be suggested for a role at this convening."))
    target = "convenings:convening_detail" if request.POST.get("next") == "detail" else "convenings:roles"
    return redirect(target, slug, convening_pk)


# --- attendance ------------------------------------------------------------------

def attendance(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.learn")
    form = AttendanceForm(request.POST or None, community=access.community) if access.can("convenings.manage") else None
    if request.method == "POST":
        access.require("convenings.manage")
        if form.is_valid():
            data = form.cleaned_data
            if _run(form, lambda: services.attendance_record(actor=request.user, convening=convening, person=data["person"],
                                                             organization=data["organization"])):
                messages.success(request, _("Attendance recorded."))
                return redirect("convenings:attendance", slug, convening_pk)
    return render_community(
        request, "convenings/attendance.html", access, convening=convening, summary=selectors.attendance_for(convening),
        form=form, show_people=access.can("convenings.participate"),
        checkin_url=_checkin_url(request, access, convening),
    )


@require_POST
def attendance_remove(request: HttpRequest, slug: str, convening_pk: int, attendance_pk: int) -> HttpResponse:
    _access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.manage")
    record = get_object_or_404(Attendance, convening=convening, pk=attendance_pk)
    services.attendance_remove(actor=request.user, attendance=record)
    messages.success(request, _("Attendance record removed."))
    return redirect("convenings:attendance", slug, convening_pk)


@login_required
def checkin(request: HttpRequest, slug: str, convening_pk: int, token: str) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.participate")
    error = None
    if request.method == "POST":
        try:
            services.attendance_check_in(actor=request.user, convening=convening, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Welcome! You are checked in."))
            return _detail(slug, convening_pk)
    return render_community(request, "convenings/checkin.html", access, convening=convening, error=error,
                            token_ok=token == convening.checkin_token)


# --- report, connections, action items -------------------------------------------------

def report(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.learn")
    item = selectors.report_of(convening)
    if item is not None and item.published_at is None and not access.can("convenings.participate"):
        item = None
    writer = can_write_report(access, convening)
    return render_community(
        request, "convenings/report.html", access, convening=convening, report=item,
        connections=selectors.connections_of(convening),
        action_items=list(convening.action_items.select_related("owner", "owner_organization")),
        can_write=writer, show_people=access.can("convenings.participate"), my_person_id=selectors.viewer_person_id(access),
        connection_form=ConnectionForm(community=access.community) if writer else None,
        action_form=ActionItemForm(community=access.community) if writer else None,
    )


def report_edit(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.document")
    require_report_writer(access, convening)
    current = selectors.report_of(convening)
    initial = {name: getattr(current, name) for name in services.REPORT_FIELDS} if current else {}
    initial["publish"] = bool(current and current.published_at)
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        publish = data.pop("publish")
        if _run(form, lambda: services.report_save(actor=request.user, convening=convening, publish=publish, **data)):
            messages.success(request, _("Report saved."))
            return redirect("convenings:report", slug, convening_pk)
    return render_community(request, "convenings/report_form.html", access, form=form, convening=convening)


@require_POST
def connection_add(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.document")
    require_report_writer(access, convening)
    form = ConnectionForm(request.POST, community=access.community)
    if form.is_valid():
        try:
            services.connection_add(actor=request.user, convening=convening, **form.cleaned_data)
        except ValidationError as error:
            _message_errors(request, error)
        else:
            messages.success(request, _("Connection recorded."))
    else:
        messages.error(request, _("Choose two organizations of the community."))
    return redirect(reverse("convenings:report", args=[slug, convening_pk]) + "#connections")


@require_POST
def connection_remove(request: HttpRequest, slug: str, convening_pk: int, connection_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.document")
    require_report_writer(access, convening)
    connection = get_object_or_404(Connection, convening=convening, pk=connection_pk)
    services.connection_remove(actor=request.user, connection=connection)
    messages.success(request, _("Connection removed."))
    return redirect(reverse("convenings:report", args=[slug, convening_pk]) + "#connections")


def action_item_create(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.document")
    require_report_writer(access, convening)
    form = ActionItemForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid() and _run(
            form, lambda: services.action_item_create(actor=request.user, convening=convening, **form.service_fields())):
        messages.success(request, _("Action item added."))
        return redirect(reverse("convenings:report", args=[slug, convening_pk]) + "#actions")
    return render_community(request, "convenings/action_item_form.html", access, form=form, convening=convening)


def action_item_edit(request: HttpRequest, slug: str, convening_pk: int, action_item_pk: int) -> HttpResponse:
    access, convening, item = get_action_item_for_user(request.user, slug, convening_pk, action_item_pk)
    full = access.can("convenings.manage") or can_write_report(access, convening)
    form_class = ActionItemForm if full else ActionStatusForm
    kwargs = {"instance": item, "community": access.community} if full else {"initial": {"status": item.status}}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields() if full else {"status": form.cleaned_data["status"]}
        if _run(form, lambda: services.action_item_update(actor=request.user, item=item, **fields)):
            messages.success(request, _("Action item saved."))
            back = request.POST.get("next", "")
            # Follow-ups are updated from a later convening's page: go back there (same community only).
            if back.isdigit() and len(back) < 19:
                return redirect(reverse("convenings:convening_detail", args=[slug, int(back)]) + "#follow-ups")
            return redirect(reverse("convenings:report", args=[slug, convening_pk]) + "#actions")
    back = request.GET.get("next") or request.POST.get("next") or ""
    return render_community(request, "convenings/action_item_form.html", access, form=form, convening=convening, item=item,
                            next=back if back.isdigit() and len(back) < 19 else "")


# --- After Action Review and lessons -------------------------------------------------------

def aar(request: HttpRequest, slug: str, convening_pk: int) -> HttpResponse:
    access, convening = get_convening_for_user(request.user, slug, convening_pk, "convenings.learn")
    review = selectors.aar_of(convening) or AfterActionReview(convening=convening)
    can_edit = access.can("convenings.participate")
    form = None
    if can_edit:
        form = AARForm(request.POST or None, instance=review, initial={"version": review.version})
    if request.method == "POST":
        access.require("convenings.participate")
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in AfterActionReview.TEXT_FIELDS}
            if _run(form, lambda: services.aar_save(actor=request.user, convening=convening, version=form.cleaned_data["version"], **data)):
                messages.success(request, _("After Action Review saved."))
                return redirect("convenings:aar", slug, convening_pk)
            latest = selectors.aar_of(convening)
            if latest is not None:
                # Let them merge: the newest saved text above, theirs in the form, the newest version to save over.
                form.data = form.data.copy()
                form.data["version"] = latest.version
                review = latest
    return render_community(request, "convenings/aar.html", access, convening=convening, review=review, form=form)


def lessons(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.learn")
    form = LessonsSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.lessons_search(access, query)
    template = "convenings/partials/_lessons.html" if request.htmx else "convenings/lessons.html"
    return render_community(request, template, access, form=form, results=results)


def timeline(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.view")
    page = paginate(selectors.timeline(access), request.GET.get("page"), per_page=selectors.TIMELINE_PAGE)
    page.object_list = list(page.object_list)
    selectors.label_timeline(page.object_list, detail_url=url_for_each("convenings:convening_detail", slug))
    ownership = None
    if access.can("convenings.learn"):
        ownership = selectors.ownership_summary(access.community, convenings=page.paginator.count)
    return render_community(request, "convenings/timeline.html", access, page=page, ownership=ownership,
                            show_people=access.can("convenings.participate"))


def settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.manage")
    current = selectors.settings_for(access.community)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.convening_settings_update(actor=request.user, community=access.community, **data)):
            messages.success(request, _("Settings saved."))
            return redirect("convenings:convening_list", slug)
    return render_community(request, "convenings/settings.html", access, form=form)


# --- questionnaires --------------------------------------------------------------------

def questionnaire_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.learn")
    page = paginate(selectors.questionnaires_for(access), request.GET.get("page"))
    return render_community(request, "convenings/questionnaire_list.html", access, page=page)


def questionnaire_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.manage")
    templates = selectors.templates_for(access.community)
    initial = {"start_from": "builtin:post_convening"}
    convening_id = request.GET.get("convening", "")
    if convening_id.isdigit() and len(convening_id) < 19:
        initial["convening"] = int(convening_id)
    form = QuestionnaireForm(request.POST or None, community=access.community, templates=templates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        start = data.pop("start_from") or ""
        kind, _sep, key = start.partition(":")
        template = next((t for t in templates if kind == "template" and str(t.pk) == key), None)
        result = {}

        def call():
            result["questionnaire"] = services.questionnaire_create(
                actor=request.user, community=access.community, template=template,
                builtin=key if kind == "builtin" else "", **data)

        if _run(form, call):
            messages.success(request, _("Questionnaire created as a draft. Review the questions, then open it."))
            return redirect("convenings:questionnaire_detail", slug, result["questionnaire"].pk)
    return render_community(request, "convenings/questionnaire_form.html", access, form=form)


def questionnaire_import(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "convenings.manage")
    form = XLSFormImportForm(request.POST or None, request.FILES or None, community=access.community)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            questionnaire = services.questionnaire_import_xlsform(
                actor=request.user, community=access.community, file=data["file"], convening=data["convening"],
                anonymous=data["anonymous"], language=(get_language() or "es")[:2])
        except services.ImportProblems as error:
            problems = error.problems
        else:
            messages.success(request, _("Questionnaire imported as a draft."))
            return redirect("convenings:questionnaire_detail", slug, questionnaire.pk)
    return render_community(request, "convenings/questionnaire_import.html", access, form=form, problems=problems)


def questionnaire_detail(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    """The manager's page of a questionnaire: its questions, status and links."""
    access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.manage")
    form = QuestionnaireForm(request.POST or None, instance=questionnaire, community=access.community, creating=False)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if _run(form, lambda: services.questionnaire_update(actor=request.user, questionnaire=questionnaire, **data)):
            messages.success(request, _("Questionnaire saved."))
            return redirect("convenings:questionnaire_detail", slug, questionnaire_pk)
    return render_community(
        request, "convenings/questionnaire_detail.html", access, questionnaire=questionnaire, form=form,
        questions=selectors.questions_of(questionnaire), question_form=QuestionForm(),
        answer_url=request.build_absolute_uri(reverse("convenings:questionnaire_answer", args=[slug, questionnaire_pk])),
    )


def question_add(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.manage")
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.question_add(actor=request.user, questionnaire=questionnaire, kind=data["kind"], text=data["text"],
                                                    help=data["help"], required=data["required"], choices=form.choice_list())):
            messages.success(request, _("Question added."))
            return redirect("convenings:questionnaire_detail", slug, questionnaire_pk)
    return render_community(request, "convenings/question_form.html", access, form=form, questionnaire=questionnaire)


def _question(questionnaire, question_pk: int) -> Question:
    question = get_object_or_404(Question.objects.prefetch_related("choices"), questionnaire=questionnaire, pk=question_pk)
    question.questionnaire = questionnaire
    return question


def question_edit(request: HttpRequest, slug: str, questionnaire_pk: int, question_pk: int) -> HttpResponse:
    access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.manage")
    question = _question(questionnaire, question_pk)
    initial = {"kind": question.kind, "text": question.text, "help": question.help, "required": question.required,
               "choices": "\n".join(choice.label for choice in question.choices.all())}
    form = QuestionForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choices = form.choice_list() if question.has_choices else None
        if _run(form, lambda: services.question_update(actor=request.user, question=question, text=data["text"], help=data["help"],
                                                       required=data["required"], choices=choices)):
            messages.success(request, _("Question saved."))
            return redirect("convenings:questionnaire_detail", slug, questionnaire_pk)
    return render_community(request, "convenings/question_form.html", access, form=form, questionnaire=questionnaire, question=question)


@require_POST
def question_remove(request: HttpRequest, slug: str, questionnaire_pk: int, question_pk: int) -> HttpResponse:
    _access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.manage")
    try:
        services.question_remove(actor=request.user, question=_question(questionnaire, question_pk))
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("Question removed."))
    return redirect("convenings:questionnaire_detail", slug, questionnaire_pk)


@require_POST
def questionnaire_status(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    _access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.manage")
    action = request.POST.get("action", "")
    try:
        if action == "template":
            template = services.questionnaire_save_as_template(actor=request.user, questionnaire=questionnaire)
            messages.success(request, _("Saved as a reusable template."))
            return redirect("convenings:questionnaire_detail", slug, template.pk)
        if action == "remove":
            services.questionnaire_remove(actor=request.user, questionnaire=questionnaire)
            messages.success(request, _("Questionnaire removed."))
            return redirect("convenings:questionnaire_list", slug)
        services.questionnaire_set_status(actor=request.user, questionnaire=questionnaire, status=action)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("The questionnaire is open for answers.") if action == QuestionnaireStatus.OPEN
                         else _("The questionnaire is closed."))
    return redirect("convenings:questionnaire_detail", slug, questionnaire_pk)


def questionnaire_answer(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.participate")
    if questionnaire.is_template or (questionnaire.status == QuestionnaireStatus.DRAFT and not access.can("convenings.manage")):
        raise Http404
    questions = selectors.questions_of(questionnaire)
    form = AnswerForm(request.POST or None, questions=questions)
    answered = selectors.has_answered(questionnaire, request.user)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        if not form.errors and _run(form, lambda: services.response_submit(actor=request.user, questionnaire=questionnaire, answers=answers)):
            messages.success(request, _("Thank you! Your answers are saved."))
            return redirect("convenings:questionnaire_results", slug, questionnaire_pk)
    return render_community(request, "convenings/questionnaire_answer.html", access, questionnaire=questionnaire, form=form,
                            questions=questions, answered=answered)


RESULTS_HTML_SECONDS = 7 * 24 * 60 * 60


def questionnaire_results(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.learn")
    if questionnaire.is_template or (questionnaire.status == QuestionnaireStatus.DRAFT and not access.can("convenings.manage")):
        raise Http404
    results = selectors.questionnaire_results(questionnaire)
    # A closed questionnaire's answers no longer change: its charts are drawn once per language.
    questions_html = None
    if questionnaire.status == QuestionnaireStatus.CLOSED and questionnaire.closed_at is not None:
        key = f"convenings:results-html:v1:{questionnaire.pk}:{questionnaire.closed_at.timestamp()}:{get_language()}"
        questions_html = cache.get(key)
        if questions_html is None:
            questions_html = render_to_string("convenings/partials/_results_questions.html", {"results": results}, request=request)
            cache.set(key, questions_html, RESULTS_HTML_SECONDS)
        # Safe: rendered by our own template just above (or earlier, under this same key).
        questions_html = mark_safe(questions_html)
    return render_community(request, "convenings/questionnaire_results.html", access, questionnaire=questionnaire,
                            results=results, questions_html=questions_html)


def _export(request: HttpRequest, slug: str, questionnaire_pk: int, file_format: str) -> HttpResponse:
    _access, questionnaire = get_questionnaire_for_user(request.user, slug, questionnaire_pk, "convenings.export")
    filename, content_type, content = services.questionnaire_export(actor=request.user, questionnaire=questionnaire, file_format=file_format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def questionnaire_export_csv(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    return _export(request, slug, questionnaire_pk, "csv")


def questionnaire_export_xlsx(request: HttpRequest, slug: str, questionnaire_pk: int) -> HttpResponse:
    return _export(request, slug, questionnaire_pk, "xlsx")


# --- calendar ----------------------------------------------------------------------------

def calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """Private calendar links: create (shown once) or turn off."""
    access = get_community_for_user(request.user, slug, "convenings.calendar")
    new_link = None
    if request.method == "POST":
        if request.POST.get("revoke", "").isdigit():
            feed = get_object_or_404(CalendarFeed, community=access.community, user=request.user,
                                     pk=int(request.POST["revoke"][:18]), revoked_at__isnull=True)
            services.calendar_feed_revoke(actor=request.user, feed=feed)
            messages.success(request, _("Calendar link turned off."))
            return redirect("convenings:calendar", slug)
        form = CalendarFeedForm(request.POST)
        if form.is_valid():
            try:
                _feed, token = services.calendar_feed_create(actor=request.user, community=access.community, kind=form.cleaned_data["kind"])
            except ValidationError as error:
                _message_errors(request, error)
            else:
                new_link = request.build_absolute_uri(reverse("convenings:calendar_feed", args=[slug, token]))
    public_url = request.build_absolute_uri(reverse("convenings:calendar_public", args=[slug])) if access.community.privacy == "public" else ""
    return render_community(request, "convenings/calendar.html", access, feeds=selectors.feeds_of(access.community, request.user),
                            new_link=new_link, public_url=public_url, kinds=FeedKind)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def calendar_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The feed of a public community: no token needed, nothing private in it."""
    access = get_community_for_user(request.user, slug, "convenings.view")
    if access.community.privacy != "public":
        raise Http404
    community = access.community
    return _ics_response(ical.build_calendar(community, selectors.calendar_convenings(community)), f"{community.slug}.ics")


def calendar_feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A private feed: the token stands in for the session (calendar apps cannot sign in);
    the membership is checked at every fetch, so leaving the community ends the feed."""
    feed = services.calendar_feed_for_token(token)
    if feed is None or feed.community.slug != slug or feed.community.removed_at is not None:
        raise Http404
    try:
        access = get_community_for_user(feed.user, slug, "convenings.calendar")
    except PermissionDenied:
        raise Http404 from None
    community = access.community
    roles, items = ({}, [])
    name = community.name
    if feed.kind == FeedKind.PERSON and feed.person is not None:
        roles, items = selectors.calendar_person_extras(feed.person)
        name = _("%(community)s: my calendar") % {"community": community.name}
    content = ical.build_calendar(community, selectors.calendar_convenings(community), roles=roles, action_items=items, name=name)
    return _ics_response(content, f"{community.slug}.ics")

