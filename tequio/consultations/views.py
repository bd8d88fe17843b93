"""Pages of the consultations capability.

Each view: a permission-checked getter (404 when not visible, 403 when not allowed), a
form, one service, a redirect. htmx requests get a partial of the same template: the
vote card swaps in place, and without JavaScript every vote is one form post followed
by a redirect to the next statement.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tequio.core.permissions import get_community_for_user
from tequio.core.selectors import paginate
from tequio.core.views import render_community

from . import report as report_text
from . import selectors, services
from .forms import (
    ConsultationCreateForm,
    ConsultationForm,
    InvitationLinkForm,
    JoinCodeForm,
    ModerationForm,
    SeedForm,
    StateForm,
    StatementForm,
    VoteForm,
)
from .models import InvitationLink, Statement, StatementStatus, Vote
from .permissions import ConsultationAccess, cookie_name, get_consultation_for_user

# Below this many votes the results page brings a stale analysis up to date itself (in
# milliseconds), so a small consultation never waits for the background worker.
SYNC_ANALYSIS_VOTES = 5_000
COOKIE_DAYS = 180


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for item in error.error_list:
            form.add_error(None, item)


def _page(request: HttpRequest, template: str, ca: ConsultationAccess, **context) -> HttpResponse:
    """Inside the community's layout for those who see the community; on its own for people
    invited by a link (they must not learn more of the community than this consultation)."""
    context.update(consultation=ca.consultation, ca=ca)
    if ca.sees_community:
        return render_community(request, template, ca.access, **context)
    return render(request, template, context)


def _detail(slug: str, pk: int):
    return redirect("consultations:consultation_detail", slug, pk)


# --- consultations -------------------------------------------------------------------------

def consultation_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "consultations.view")
    page = paginate(selectors.consultations_for(access), request.GET.get("page"))
    return render_community(request, "consultations/consultation_list.html", access, page=page)


def consultation_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "consultations.manage")
    languages = access.community.languages or ["es"]
    form = ConsultationCreateForm(request.POST or None, initial={"language": languages[0]})
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(actor=request.user, community=access.community,
                                                        **form.service_fields())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Consultation created."))
            return _detail(slug, consultation.pk)
    return render_community(request, "consultations/consultation_form.html", access, form=form)


def consultation_detail(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk)
    counts = selectors.statement_counts(ca.consultation)
    return _page(request, "consultations/consultation_detail.html", ca, counts=counts,
                 join_url=reverse("consultations:join", args=[slug]))


def consultation_edit(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "manage")
    form = ConsultationForm(request.POST or None, instance=ca.consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(actor=request.user, consultation=ca.consultation, **form.service_fields())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Consultation saved."))
            return _detail(slug, consultation_pk)
    return _page(request, "consultations/consultation_form.html", ca, form=form)


@require_POST
def consultation_state(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "manage")
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to open or close the consultation."))
    else:
        services.consultation_set_state(actor=request.user, consultation=ca.consultation, state=form.cleaned_data["state"])
        messages.success(request, {"open": _("The consultation is open."), "closed": _("The consultation is closed."),
                                   "draft": _("The consultation is a draft again.")}[form.cleaned_data["state"]])
    return _detail(slug, consultation_pk)


# --- taking part --------------------------------------------------------------------------

def _vote_response(request: HttpRequest, ca: ConsultationAccess, form: VoteForm | None = None,
                   *, status: int = 200) -> HttpResponse:
    card = selectors.next_statement(ca)
    template = "consultations/partials/_vote_card.html" if request.htmx else "consultations/vote.html"
    return _page(request, template, ca, card=card, form=form, accepting=ca.consultation.is_accepting(),
                 statement_form=StatementForm())


@never_cache
def vote(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "participate")
    if request.method != "POST":
        return _vote_response(request, ca)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            cast = services.vote_cast(actor=request.user, consultation=ca.consultation, participant=ca.participant,
                                      statement_id=form.cleaned_data["statement"], value=form.cleaned_data["vote"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if not request.htmx:
                # Straight to the next card: on a phone the page's header would push the
                # buttons below the fold after every vote.
                return redirect(reverse("consultations:vote", args=[slug, consultation_pk]) + "#vote-card")
            ca.participant = cast.participant
            return _vote_response(request, ca)
    return _vote_response(request, ca, form)


@never_cache
def statement_create(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "participate")
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_submit(actor=request.user, consultation=ca.consultation,
                                                  participant=ca.participant, text=form.cleaned_data["text"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if statement.status == StatementStatus.PENDING:
                messages.success(request, _("Thank you. Your statement will be shown to others once a moderator accepts it."))
            else:
                messages.success(request, _("Thank you. Your statement is now part of the conversation."))
            return redirect("consultations:vote", slug, consultation_pk)
    return _page(request, "consultations/statement_form.html", ca, form=form, accepting=ca.consultation.is_accepting())


def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Type an invitation code. Answers alike for any address, so it reveals no community."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = services.invitation_link_for_code(form.cleaned_data["code"])
        if link is not None and link.consultation.community.slug == slug and link.consultation.removed_at is None:
            return redirect("consultations:join_link", slug, services.format_code(form.cleaned_data["code"]))
        form.add_error("code", _("This code is not valid. Check it and try again."))
    return render(request, "consultations/join.html", {"form": form, "slug": slug})


def _link_or_404(slug: str, code: str) -> InvitationLink:
    link = services.invitation_link_for_code(code)
    if link is None:
        raise Http404
    consultation = link.consultation
    if consultation.community.slug != slug or consultation.removed_at is not None or consultation.community.removed_at:
        raise Http404
    return link


def _takes_part_already(request: HttpRequest, slug: str, link: InvitationLink) -> bool:
    """A member who may take part, or someone who joined before: no use of the link needed."""
    from .permissions import participant_for_request

    if participant_for_request(request, link.consultation) is not None:
        return True
    try:
        access = get_community_for_user(request.user, slug)
    except Http404:
        return False
    return access.can("consultations.participate")


@never_cache
def join_link(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The invitation link: the code in it is the credential, whoever holds it may take part."""
    link = _link_or_404(slug, code)
    consultation = link.consultation
    vote_url = reverse("consultations:vote", args=[slug, consultation.pk])
    already = _takes_part_already(request, slug, link)
    error = ""
    if request.method == "POST":
        if already:
            return redirect(vote_url)
        try:
            _participant, token = services.participant_join(user=request.user, link=link)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            response = redirect(vote_url)
            if token:
                response.set_cookie(
                    cookie_name(consultation.pk), token, max_age=int(timedelta(days=COOKIE_DAYS).total_seconds()),
                    path="/c/", httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
    # Say why a link lets nobody in (used up, withdrawn, closed), as the POST would.
    problem = "" if already or error else services.invitation_link_problem(link) or ""
    return render(request, "consultations/join_link.html", {
        "link": link, "consultation": consultation, "already": already, "usable": not problem, "error": error or problem,
        "vote_url": vote_url,
    })


# --- moderation ---------------------------------------------------------------------------

def moderation(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "moderate")
    form = SeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.statement_seed(actor=request.user, consultation=ca.consultation, text=form.cleaned_data["text"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Statement added."))
            return redirect("consultations:moderation", slug, consultation_pk)
    pending = Paginator(selectors.moderation_queue(ca.consultation), 50).get_page(request.GET.get("pending"))
    decided = paginate(selectors.moderated(ca.consultation), request.GET.get("page"), per_page=50)
    return _page(request, "consultations/moderation.html", ca, form=form, pending=pending, decided=decided,
                 moderation_choices=ModerationForm.base_fields["status"].choices)


@require_POST
def statement_moderate(request: HttpRequest, slug: str, consultation_pk: int, statement_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "moderate")
    statement = get_object_or_404(Statement, consultation=ca.consultation, pk=statement_pk)
    statement.consultation = ca.consultation
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept, reject or spam."))
    else:
        services.statement_moderate(actor=request.user, statement=statement, status=form.cleaned_data["status"])
        messages.success(request, _("“%(text)s”: %(status)s.") % {
            "text": statement.text[:60], "status": statement.get_status_display().lower()})
    return redirect("consultations:moderation", slug, consultation_pk)


# --- results and the report ---------------------------------------------------------------

def _bring_up_to_date(ca: ConsultationAccess) -> None:
    consultation = ca.consultation
    if consultation.analysis_queued and Vote.objects.filter(consultation=consultation).count() <= SYNC_ANALYSIS_VOTES:
        services.analysis_compute(consultation_id=consultation.pk)


def results(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk)
    _bring_up_to_date(ca)
    return _page(request, "consultations/results.html", ca, results=selectors.results(ca))


def report(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    """Printable, and written in the consultation's language whatever the reader's."""
    ca = get_consultation_for_user(request, slug, consultation_pk)
    _bring_up_to_date(ca)
    with translation.override(ca.consultation.language):
        data = selectors.results(ca, with_timeline=True)
        # Lazy: when the summary comes from the fragment cache, the statements are not read.
        response = _page(request, "consultations/report.html", ca, results=data,
                         summary=SimpleLazyObject(lambda: report_text.summary(data)))
    response["Content-Language"] = ca.consultation.language
    return response


@require_POST
def analysis_refresh(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "manage")
    services.analysis_compute(consultation_id=ca.consultation.pk, force=True)
    messages.success(request, _("Opinion groups recomputed."))
    return redirect("consultations:results", slug, consultation_pk)


# --- invitation links ---------------------------------------------------------------------

def invitations(request: HttpRequest, slug: str, consultation_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "manage")
    form = InvitationLinkForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            link, code = services.invitation_link_create(actor=request.user, consultation=ca.consultation,
                                                         **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            shown = services.format_code(code)
            path = reverse("consultations:join_link", args=[slug, shown])
            created = {"link": link, "code": shown, "url": request.build_absolute_uri(path)}
            form = InvitationLinkForm()
    links = selectors.invitation_links(ca.consultation)
    return _page(request, "consultations/invitations.html", ca, form=form, links=links, created=created,
                 join_url=request.build_absolute_uri(reverse("consultations:join", args=[slug])))


@require_POST
def link_revoke(request: HttpRequest, slug: str, consultation_pk: int, link_pk: int) -> HttpResponse:
    ca = get_consultation_for_user(request, slug, consultation_pk, "manage")
    link = get_object_or_404(InvitationLink, consultation=ca.consultation, pk=link_pk)
    link.consultation = ca.consultation
    services.invitation_link_revoke(actor=request.user, link=link)
    messages.success(request, _("The link no longer lets anyone in. Those who joined with it keep taking part."))
    return redirect("consultations:invitations", slug, consultation_pk)
