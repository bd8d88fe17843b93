"""Pages of core. Each view: permission-checked getter, form, one service, redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import registry, selectors, services
from .forms import (
    AffiliationForm,
    ApiTokenForm,
    CharterForm,
    CommunityCreateForm,
    CommunityForm,
    GoalForm,
    InvitationForm,
    OrganizationFilterForm,
    OrganizationForm,
    PeerGroupCreateForm,
    PeerGroupForm,
    PersonFilterForm,
    PersonForm,
    RoleForm,
)
from .models import Affiliation, ApiToken, Charter, Goal, Invitation, Membership, PeerGroup
from .permissions import CommunityAccess, get_community_for_user


def run_service(form, call) -> bool:
    """Call a service; put its validation errors on the form. True on success.

    Public so that capability apps map service errors onto their forms the same way.
    """
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if form is not None and field in form.fields else None
                for item in errors:
                    form.add_error(target, item)
        else:
            for item in error.error_list:
                form.add_error(None, item)
        return False
    except IntegrityError:
        form.add_error(None, _("This conflicts with an existing record."))
        return False
    return True


_run = run_service


def url_for_each(name: str, *args) -> Callable[[int | str], str]:
    """The URL of ``name`` for any last argument, from one ``reverse()``: for lists, where
    a reverse per row costs more than the row (the id goes where a 0 was reversed)."""
    head, _zero, tail = reverse(name, args=[*args, 0]).rpartition("/0/")
    return lambda last: f"{head}/{last}/{tail}"


def _render(request, template: str, access: CommunityAccess | None, **context) -> HttpResponse:
    if access is not None:
        context.setdefault("community", access.community)
        context["access"] = access
        context["nav"] = _nav(access)
    return render(request, template, context)


def _nav(access: CommunityAccess) -> list[dict]:
    items = [
        {"url": reverse("core:community_home", args=[access.community.slug]), "label": _("Home"), "show": True},
        {"url": reverse("core:organizations", args=[access.community.slug]), "label": _("Organizations"), "show": access.can("organizations.view")},
        {"url": reverse("core:people", args=[access.community.slug]), "label": _("People"), "show": access.can("people.view")},
        {"url": reverse("core:charter", args=[access.community.slug]), "label": _("Charter"), "show": access.can("charter.view")},
    ]
    for capability in registry.capabilities():
        for item in capability.nav:
            items.append({"url": reverse(item.url_name, args=[access.community.slug]), "label": item.label, "show": access.can(item.action)})
    items.append({"url": reverse("core:members", args=[access.community.slug]), "label": _("Members"), "show": access.can("members.view")})
    return [item for item in items if item["show"]]


def render_community(request, template: str, access: CommunityAccess, **context) -> HttpResponse:
    """For capability apps: render a page inside the community layout (its navigation included)."""
    return _render(request, template, access, **context)


# --- directory and communities ----------------------------------------------------

def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", selectors.community_directory(user=request.user))


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    connection.ensure_connection()
    return HttpResponse("ok", content_type="text/plain")


@login_required
def community_create(request: HttpRequest) -> HttpResponse:
    form = CommunityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = {}

        def call():
            result["community"] = services.community_create(
                actor=request.user, name=data["name"], slug=data["slug"], purpose=data["purpose"],
                languages=data["languages"], stage=data["stage"], privacy=data["privacy"],
                require_mfa=data["require_mfa"], convener_organization_name=data["convener_organization_name"],
            )

        if _run(form, call):
            messages.success(request, _("Community created. Start by writing its goals."))
            return redirect("core:goals", result["community"].slug)
    return render(request, "core/community_form.html", {"form": form})


def community_home(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug)
    community = access.community
    panels = []
    for capability in registry.capabilities():
        if capability.home_panel and capability.home_template:
            context = capability.home_panel(access)
            if context is not None:
                panels.append({"template": capability.home_template, "context": context, "name": capability.name})
    return _render(
        request, "core/community_home.html", access,
        goals=selectors.goals_for(community),
        charter=selectors.current_charter(community),
        summary=selectors.community_summary(community),
        panels=panels,
    )


def community_edit(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "community.manage")
    community = access.community
    form = CommunityForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        result = {}

        def call():
            result["community"] = services.community_update(actor=request.user, community=access.community, **fields)

        if _run(form, call):
            messages.success(request, _("Settings saved."))
            return redirect("core:community_home", result["community"].slug)
    return _render(request, "core/community_settings.html", access, form=form)


# --- goals -------------------------------------------------------------------

def goals(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "goals.view")
    form = GoalForm(request.POST or None)
    if request.method == "POST":
        access.require("goals.manage")
        if form.is_valid() and _run(form, lambda: services.goal_create(actor=request.user, community=access.community, **form.cleaned_data)):
            messages.success(request, _("Goal added."))
            return redirect("core:goals", slug)
    return _render(request, "core/goals.html", access, goals=selectors.goals_for(access.community), form=form)


def _goal(access: CommunityAccess, pk: int) -> Goal:
    return get_object_or_404(Goal.objects.active(), community=access.community, pk=pk)


def goal_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "goals.manage")
    goal = _goal(access, pk)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if _run(form, lambda: services.goal_update(actor=request.user, goal=_goal(access, pk), **fields)):
            messages.success(request, _("Goal saved."))
            return redirect("core:goals", slug)
    return _render(request, "core/goal_form.html", access, form=form, goal=goal)


def goal_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "goals.manage")
    goal = _goal(access, pk)
    if request.method == "POST":
        services.goal_remove(actor=request.user, goal=goal)
        messages.success(request, _("Goal removed."))
        return redirect("core:goals", slug)
    return _render(request, "core/confirm_remove.html", access, object=goal, cancel_url=reverse("core:goals", args=[slug]))


# --- organizations -------------------------------------------------------------

def organizations(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "organizations.view")
    filters = OrganizationFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    queryset = selectors.organizations_for(
        access, query=data.get("q", ""), kind=data.get("kind", ""), state=data.get("state", ""), theme=data.get("theme", "")
    )
    page = selectors.paginate(queryset, request.GET.get("page"))
    template = "core/partials/_organization_rows.html" if request.htmx else "core/organizations.html"
    return _render(request, template, access, page=page, filters=filters)


def organization_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "organizations.view")
    organization = selectors.organization_detail(access, pk)
    if organization is None:
        raise Http404
    return _render(request, "core/organization_detail.html", access, organization=organization)


def organization_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "organizations.edit")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            result["organization"] = services.organization_create(actor=request.user, community=access.community, **form.service_fields())

        if _run(form, call):
            messages.success(request, _("Organization added."))
            return redirect("core:organization_detail", slug, result["organization"].pk)
    return _render(request, "core/organization_form.html", access, form=form)


def organization_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "organizations.edit")
    organization = selectors.organization_detail(access, pk)
    if organization is None:
        raise Http404
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if _run(form, lambda: services.organization_update(actor=request.user, organization=selectors.organization_detail(access, pk), **fields)):
            messages.success(request, _("Organization saved."))
            return redirect("core:organization_detail", slug, pk)
    return _render(request, "core/organization_form.html", access, form=form, organization=organization)


def organization_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "organizations.edit")
    organization = selectors.organization_detail(access, pk)
    if organization is None:
        raise Http404
    if request.method == "POST":
        services.organization_remove(actor=request.user, organization=organization)
        messages.success(request, _("Organization removed."))
        return redirect("core:organizations", slug)
    return _render(request, "core/confirm_remove.html", access, object=organization,
                   cancel_url=reverse("core:organization_detail", args=[slug, pk]))


# --- people --------------------------------------------------------------------

def people(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "people.view")
    filters = PersonFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = selectors.paginate(selectors.people_for(access, query=data.get("q", ""), staff_level=data.get("staff_level", "")), request.GET.get("page"))
    template = "core/partials/_person_rows.html" if request.htmx else "core/people.html"
    return _render(request, template, access, page=page, filters=filters)


def _person(access: CommunityAccess, pk: int):
    person = selectors.person_detail(access, pk)
    if person is None:
        raise Http404
    return person


def person_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "people.view")
    person = _person(access, pk)
    can_edit = access.can("people.edit") or person.user_id == request.user.pk
    return _render(
        request, "core/person_detail.html", access, person=person, show_sensitive=access.can_see_sensitive(person),
        can_edit=can_edit, affiliation_form=AffiliationForm(community=access.community) if can_edit else None,
    )


def person_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "people.edit")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            result["person"] = services.person_create(actor=request.user, community=access.community, **form.service_fields())

        if _run(form, call):
            messages.success(request, _("Person added. You can now add their affiliations."))
            return redirect("core:person_detail", slug, result["person"].pk)
    return _render(request, "core/person_form.html", access, form=form)


def _editable_person(request, slug: str, pk: int):
    """People editors may edit anyone; every participant may edit their own record."""
    access = get_community_for_user(request.user, slug, "people.view")
    person = _person(access, pk)
    if not (access.can("people.edit") or (person.user_id and person.user_id == request.user.pk)):
        raise PermissionDenied
    return access, person


def person_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, person = _editable_person(request, slug, pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if _run(form, lambda: services.person_update(actor=request.user, person=_person(access, pk), **fields)):
            messages.success(request, _("Saved."))
            return redirect("core:person_detail", slug, pk)
    return _render(request, "core/person_form.html", access, form=form, person=person)


def person_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "people.edit")
    person = _person(access, pk)
    if request.method == "POST":
        services.person_remove(actor=request.user, person=person)
        messages.success(request, _("Person removed."))
        return redirect("core:people", slug)
    return _render(request, "core/confirm_remove.html", access, object=person, cancel_url=reverse("core:person_detail", args=[slug, pk]))


@require_POST
def affiliation_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, person = _editable_person(request, slug, pk)
    form = AffiliationForm(request.POST, community=access.community)
    if form.is_valid() and _run(form, lambda: services.affiliation_set(actor=request.user, person=person, **form.cleaned_data)):
        messages.success(request, _("Affiliation saved."))
        return redirect("core:person_detail", slug, pk)
    return _render(request, "core/person_detail.html", access, person=person, show_sensitive=access.can_see_sensitive(person),
                   can_edit=True, affiliation_form=form)


@require_POST
def affiliation_remove(request: HttpRequest, slug: str, pk: int, affiliation_pk: int) -> HttpResponse:
    _access, person = _editable_person(request, slug, pk)
    affiliation = get_object_or_404(Affiliation, person=person, pk=affiliation_pk)
    services.affiliation_remove(actor=request.user, affiliation=affiliation)
    messages.success(request, _("Affiliation removed."))
    return redirect("core:person_detail", slug, pk)


# --- charter -------------------------------------------------------------------

def charter(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "charter.view")
    versions = list(Charter.objects.filter(community=access.community).order_by("-version"))
    return _render(request, "core/charter.html", access, charter=versions[0] if versions else None, versions=versions)


def charter_version(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "charter.view")
    item = get_object_or_404(Charter, community=access.community, version=version)
    versions = list(Charter.objects.filter(community=access.community).order_by("-version"))
    return _render(request, "core/charter.html", access, charter=item, versions=versions)


def charter_adopt(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "charter.manage")
    current = selectors.current_charter(access.community)
    initial = {name: getattr(current, name) for name in CharterForm.Meta.fields} if current else {}
    initial.pop("adopted_on", None)
    initial.pop("adopted_how", None)
    form = CharterForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.charter_adopt(actor=request.user, community=access.community, **form.cleaned_data))
    ):
        messages.success(request, _("New charter version adopted."))
        return redirect("core:charter", slug)
    return _render(request, "core/charter_form.html", access, form=form, current=current)


# --- peer groups ---------------------------------------------------------------

def peer_groups(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "peer_groups.view")
    form = PeerGroupCreateForm(request.POST or None, community=access.community)
    if request.method == "POST":
        access.require("peer_groups.manage")
        result = {}

        def call():
            result["group"] = services.peer_group_create(actor=request.user, community=access.community, **form.cleaned_data)

        if form.is_valid() and _run(form, call):
            messages.success(request, _("Peer group created. Now choose its members."))
            return redirect("core:peer_group_edit", slug, result["group"].pk)
    return _render(request, "core/peer_groups.html", access, groups=selectors.peer_groups_for(access.community), form=form)


def peer_group_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "peer_groups.manage")
    group = get_object_or_404(PeerGroup.objects.active(), community=access.community, pk=pk)
    form = PeerGroupForm(request.POST or None, instance=group, community=access.community)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if _run(form, lambda: services.peer_group_update(actor=request.user, group=group, **fields)):
            messages.success(request, _("Peer group saved."))
            return redirect("core:peer_groups", slug)
    return _render(request, "core/peer_group_form.html", access, form=form, group=group)


def peer_group_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "peer_groups.manage")
    group = get_object_or_404(PeerGroup.objects.active(), community=access.community, pk=pk)
    if request.method == "POST":
        services.peer_group_remove(actor=request.user, group=group)
        messages.success(request, _("Peer group removed."))
        return redirect("core:peer_groups", slug)
    return _render(request, "core/confirm_remove.html", access, object=group, cancel_url=reverse("core:peer_groups", args=[slug]))


# --- members and invitations ---------------------------------------------------

def members(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "members.view")
    # Each row carries a role form: 25 rows, like every other list, keeps the page light.
    page = selectors.paginate(selectors.memberships_for(access.community), request.GET.get("page"))
    roles = [(value, str(label)) for value, label in RoleForm().fields["role"].choices]
    # Per row, only what differs: URLs from one reverse() each, and the role options
    # written once per role (the template engine spent more on these than on the rest).
    options = {
        current: mark_safe("".join(
            f'<option value="{value}"{" selected" if value == current else ""}>{escape(label)}</option>' for value, label in roles))
        for current, _label in roles
    }
    labels = dict(roles)
    person_url, role_url, remove_url = (url_for_each(name, slug) for name in ("core:person_detail", "core:member_role", "core:member_remove"))
    page.object_list = list(page.object_list)
    for membership in page.object_list:
        membership.role_label, membership.role_options = labels.get(membership.role, membership.role), options.get(membership.role, "")
        membership.role_url, membership.remove_url = role_url(membership.pk), remove_url(membership.pk)
        membership.person_url = person_url(membership.person_id) if membership.person_id else ""
    return _render(request, "core/members.html", access, page=page, csrf_field=csrf_input(request))


def _membership(access: CommunityAccess, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.active().select_related("user", "person"), community=access.community, pk=pk)


@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "members.manage")
    membership = _membership(access, pk)
    form = RoleForm(request.POST)
    if form.is_valid() and _run(form, lambda: services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])):
        messages.success(request, _("Role changed."))
    else:
        for error in form.non_field_errors() or [_("Choose a valid role.")]:
            messages.error(request, error)
    return redirect("core:members", slug)


def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "members.manage")
    membership = _membership(access, pk)
    if request.method == "POST":
        try:
            services.membership_end(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Membership ended."))
        return redirect("core:members", slug)
    return _render(request, "core/confirm_remove.html", access, object=membership, cancel_url=reverse("core:members", args=[slug]))


def community_leave(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug)
    if access.membership is None:
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.membership_end(actor=request.user, membership=access.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("core:community_home", slug)
        messages.success(request, _("You left the community."))
        return redirect("core:home")
    return _render(request, "core/confirm_leave.html", access)


def invitations(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "members.manage")
    form = InvitationForm(request.POST or None, community=access.community)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.invitation_create(actor=request.user, community=access.community, **form.cleaned_data))
    ):
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("core:invitations", slug)
    page = selectors.paginate(selectors.invitations_for(access.community), request.GET.get("page"))
    return _render(request, "core/invitations.html", access, form=form, page=page)


@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "members.manage")
    invitation = get_object_or_404(Invitation, community=access.community, pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("core:invitations", slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404
    if not request.user.is_authenticated:
        # Remember the invitation through sign-up or sign-in, then come back here.
        request.session["tequio_invitation"] = token
        return render(request, "core/invitation_welcome.html", {"invitation": invitation, "next": request.path})
    if request.method == "POST":
        try:
            services.invitation_accept(user=request.user, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("core:home")
        request.session.pop("tequio_invitation", None)
        messages.success(request, _("Welcome to %(community)s.") % {"community": invitation.community.name})
        return redirect("core:community_home", invitation.community.slug)
    return render(request, "core/invitation_accept.html", {"invitation": invitation})


def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "audit.view")
    page = selectors.paginate(selectors.audit_events_for(access.community), request.GET.get("page"), per_page=50)
    return _render(request, "core/audit.html", access, page=page)


# --- account -------------------------------------------------------------------

@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            result["token"] = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])

        if _run(form, call):
            secret = result["token"][1]
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(request, "core/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=request.user, pk=pk, revoked_at__isnull=True)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("core:api_tokens")
