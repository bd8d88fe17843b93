"""Reads of the convenings capability: scoped to the viewer's community, with a number
of queries that does not grow with the data (tests prove it for the main pages).
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Floor
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tequio.core.cached import community_cache_drop, community_cached
from tequio.core.choices import Role, StaffLevel
from tequio.core.markdown import render_markdown
from tequio.core.models import Affiliation, Community, Membership, Organization, Person
from tequio.core.permissions import CommunityAccess

from . import ranking, rotation
from .models import (
    CHOICE_KINDS,
    TEXT_KINDS,
    ActionItem,
    AfterActionReview,
    AgendaItem,
    Answer,
    Attendance,
    CalendarFeed,
    Connection,
    Convening,
    ConveningSettings,
    Mode,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Report,
    Response,
    RoleAssignment,
    RoleKind,
    Session,
    Unavailability,
    search_normalize,
)

TIMELINE_PAGE = 20
# Only what the pages show: related people and organizations carry JSON columns whose
# decoding, row after row, costs more than the query.
ITEM_FIELDS = ("id", "convening_id", "title", "description", "proposer_kind", "organization_id", "person_id",
               "created_by_id", "session_id", "position", "created_at", "removed_at")
ROLE_FIELDS = ("id", "convening_id", "role", "person_id", "organization_id", "staff_level", "reason", "from_suggestion")
ACTION_FIELDS = ("id", "convening_id", "title", "owner_id", "owner_organization_id", "due_on", "status")
TEXT_ANSWERS_SHOWN = 20


def settings_for(community: Community) -> ConveningSettings:
    """The community's convening rules (defaults when never saved)."""
    return ConveningSettings.objects.filter(community=community).first() or ConveningSettings(community=community)


def viewer_person(access: CommunityAccess) -> Person | None:
    """The viewer's person record in the community (via the membership, no extra query)."""
    membership = access.membership
    if membership is None or membership.person_id is None:
        return None
    return membership.person


def convenings_for(access: CommunityAccess, *, when: str = "upcoming") -> QuerySet[Convening]:
    """Upcoming (soonest first) or past (latest first) convenings of the community."""
    queryset = Convening.objects.filter(community=access.community)
    queryset = queryset.past() if when == "past" else queryset.upcoming()
    return queryset.select_related("host_organization").annotate(
        item_count=Coalesce(Subquery(
            AgendaItem.objects.active().filter(convening=OuterRef("pk")).values("convening")
            .annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), Value(0)),
        attendance_count=Coalesce(Subquery(
            Attendance.objects.filter(convening=OuterRef("pk")).values("convening")
            .annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), Value(0)),
    )


def convening_index(convening: Convening) -> int:
    """How many convenings of the community came before this one."""
    return Convening.objects.active().filter(community_id=convening.community_id).filter(
        Q(starts_at__lt=convening.starts_at) | Q(starts_at=convening.starts_at, pk__lt=convening.pk)
    ).count()


def roles_of(convening: Convening) -> list[RoleAssignment]:
    """The convening's roles in the usual order (facilitator first), with person and organization."""
    order = {value: index for index, value in enumerate(RoleKind.values)}
    roles = list(RoleAssignment.objects.filter(convening=convening).select_related("person", "organization")
                 .only(*ROLE_FIELDS, "person__display_name", "person__user_id", "organization__name"))
    return sorted(roles, key=lambda assignment: order[assignment.role])


def open_action_items_before(convening: Convening, *, limit: int = 50) -> list[ActionItem]:
    """Open action items agreed at earlier convenings: followed up at this one."""
    return list(
        ActionItem.objects.pending()
        .filter(convening__community_id=convening.community_id, convening__removed_at__isnull=True,
                convening__starts_at__lt=convening.starts_at)
        .select_related("owner", "owner_organization", "convening")
        .only(*ACTION_FIELDS, "owner__display_name", "owner_organization__name", "convening__title")
        .order_by("due_on", "id")[:limit]
    )


@dataclass
class ConveningPage:
    convening: Convening
    sessions: list[Session]
    roles: list[RoleAssignment]
    action_items: list[ActionItem]
    follow_ups: list[ActionItem]
    top_items: list
    item_count: int
    attendance_count: int
    has_report: bool
    has_aar: bool
    questionnaires: list[Questionnaire]
    i_attended: bool
    i_am_unavailable: bool
    number: int
    schedule: list[tuple[Session, list]] = field(default_factory=list)
    my_person_id: int | None = None


def viewer_person_id(access: CommunityAccess) -> int | None:
    """The viewer's person id in the community, read from the membership (no query)."""
    membership = access.membership
    return membership.person_id if membership is not None else None


def _earlier_convenings() -> Coalesce:
    earlier = Convening.objects.active().filter(community_id=OuterRef("community_id")).filter(
        Q(starts_at__lt=OuterRef("starts_at")) | Q(starts_at=OuterRef("starts_at"), pk__lt=OuterRef("pk"))
    )
    return _count_subquery(earlier, "community_id")


def _convening_facts(convening: Convening, person_id: int | None) -> dict:
    """Counts and flags of the convening page in one statement.

    Plain SQL (the same on SQLite and PostgreSQL): built with the ORM, these seven
    subqueries cost the page more to compile than to run.
    """
    tables = {model.__name__: model._meta.db_table for model in (Attendance, Unavailability, Report, AfterActionReview, Convening)}
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {tables["Attendance"]} WHERE convening_id = %s),
          EXISTS (SELECT 1 FROM {tables["Attendance"]} WHERE convening_id = %s AND person_id = %s),
          EXISTS (SELECT 1 FROM {tables["Unavailability"]} WHERE convening_id = %s AND person_id = %s),
          EXISTS (SELECT 1 FROM {tables["Report"]} WHERE convening_id = %s),
          EXISTS (SELECT 1 FROM {tables["Report"]} WHERE convening_id = %s AND published_at IS NOT NULL),
          EXISTS (SELECT 1 FROM {tables["AfterActionReview"]} WHERE convening_id = %s),
          (SELECT COUNT(*) FROM {tables["Convening"]} WHERE community_id = %s AND removed_at IS NULL
             AND (starts_at < %s OR (starts_at = %s AND id < %s)))
    """  # noqa: S608 - table names come from the models; every value is a parameter
    pk, person = convening.pk, person_id or 0
    # A raw parameter is not converted like an ORM value: SQLite stores "2020-03-05 15:00:00"
    # and would compare it with an ISO "2020-03-05T15:00:00+00:00", counting the convening
    # itself as earlier. The backend's own adapter gives the stored form.
    starts_at = connection.ops.adapt_datetimefield_value(convening.starts_at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, pk, person, pk, person, pk, pk, pk, convening.community_id, starts_at, starts_at, pk])
        row = cursor.fetchone()
    names = ("attendance_count", "i_attended", "i_am_unavailable", "has_report", "has_published_report", "has_aar", "earlier")
    return {name: (bool(value) if name.startswith(("i_", "has_")) else int(value)) for name, value in zip(names, row, strict=True)}


def convening_page(access: CommunityAccess, convening: Convening) -> ConveningPage:
    """Everything the convening page shows, in a fixed number of queries (counts and
    flags in one)."""
    person_id = viewer_person_id(access)
    facts = _convening_facts(convening, person_id)
    sessions = list(Session.objects.filter(convening=convening).select_related("peer_group"))
    ranked = agenda_ranking(convening)
    questionnaires = list(
        Questionnaire.objects.active().filter(convening=convening, is_template=False)
        .exclude(status=QuestionnaireStatus.DRAFT if not access.can("convenings.manage") else "-")
        .order_by("-created_at")[:10]
    )
    return ConveningPage(
        convening=convening,
        sessions=sessions,
        roles=roles_of(convening),
        action_items=list(ActionItem.objects.filter(convening=convening).select_related("owner", "owner_organization")
                          .only(*ACTION_FIELDS, "owner__display_name", "owner_organization__name")),
        follow_ups=open_action_items_before(convening),
        top_items=ranked[:5],
        item_count=len(ranked),
        attendance_count=facts["attendance_count"],
        # Drafts are for participants; observers and the public read published reports only.
        has_report=facts["has_published_report"] or (facts["has_report"] and access.can("convenings.participate")),
        has_aar=facts["has_aar"],
        questionnaires=questionnaires,
        i_attended=facts["i_attended"],
        i_am_unavailable=facts["i_am_unavailable"],
        number=facts["earlier"] + 1,
        schedule=[(session, [row for row in ranked if row.item.session_id == session.pk]) for session in sessions],
        my_person_id=person_id,
    )


# --- agenda -------------------------------------------------------------------

@dataclass
class RankedItem:
    item: AgendaItem
    rank: int
    dots: int
    organizations: int
    tied: bool
    mine: int = 0  # the viewer's organization's dots on it


def agenda_ranking(convening: Convening, *, organization_id: int | None = None) -> list[RankedItem]:
    """The topics ranked by dots, with ``organization_id``'s own dots on each (one aggregate query)."""
    items = list(
        AgendaItem.objects.active().filter(convening=convening)
        .select_related("organization", "session")
        .only(*ITEM_FIELDS, "organization__name", "session__title")
        .annotate(dots=Coalesce(Sum("votes__dots"), 0), organization_votes=Count("votes"),
                  mine=Coalesce(Sum("votes__dots", filter=Q(votes__organization_id=organization_id)), 0))
    )
    by_id = {item.pk: item for item in items}
    ranked = ranking.rank_items(
        ranking.Tally(item.pk, item.dots, item.organization_votes, order=index) for index, item in enumerate(items)
    )
    return [RankedItem(by_id[row.item_id], row.rank, row.dots, row.organizations, row.tied, by_id[row.item_id].mine)
            for row in ranked]


@dataclass
class Agenda:
    ranked: list[RankedItem]
    budget: int
    spent: int
    organization: Organization | None
    organizations: list[Organization]

    @property
    def remaining(self) -> int:
        return max(self.budget - self.spent, 0)


def agenda_for(access: CommunityAccess, convening: Convening, *, organization_id: int | None = None) -> Agenda:
    """The ranked topics, and the viewer's organization's budget and dots on each."""
    community = access.community
    organizations: list[Organization] = [
        affiliation.organization
        for affiliation in Affiliation.objects.filter(person_id=viewer_person_id(access), organization__removed_at__isnull=True)
        .exclude(organization_id=community.convener_organization_id or 0)
        .select_related("organization").order_by("-is_primary", "id")
    ]
    organization = next((org for org in organizations if org.pk == organization_id), organizations[0] if organizations else None)
    ranked = agenda_ranking(convening, organization_id=getattr(organization, "pk", None))
    spent = sum(row.mine for row in ranked)
    return Agenda(
        ranked=ranked, budget=settings_for(community).votes_per_organization, spent=spent, organization=organization,
        organizations=organizations,
    )


# --- roles --------------------------------------------------------------------

@dataclass
class RoleSuggestion:
    role: str
    label: str
    person: Person | None
    organization_name: str
    reason: str
    fixed: bool
    assignment: RoleAssignment | None = None


def _candidates(community: Community) -> list[rotation.Candidate]:
    """Every person who may take a role: active, not an observer (funders watch)."""
    observers = set(
        Membership.objects.active().filter(community=community, role=Role.OBSERVER, person__isnull=False)
        .values_list("person_id", flat=True)
    )
    conveners = set(
        Membership.objects.active().filter(community=community, role=Role.CONVENER, person__isnull=False)
        .values_list("person_id", flat=True)
    )
    affiliations: dict[int, tuple] = {}
    for row in (
        Affiliation.objects.filter(person__community=community, person__removed_at__isnull=True, organization__removed_at__isnull=True)
        .order_by("person_id", "-is_primary", "id")
        .values_list("person_id", "organization_id", "organization__name", "staff_level")
    ):
        affiliations.setdefault(row[0], row)
    people = Person.objects.active().filter(community=community).values_list("pk", "display_name")
    convener_org = community.convener_organization_id
    candidates = []
    for person_id, name in people:
        if person_id in observers:
            continue
        _pid, organization_id, organization_name, staff_level = affiliations.get(person_id, (person_id, None, "", ""))
        is_convener = person_id in conveners or (convener_org is not None and organization_id == convener_org)
        candidates.append(rotation.Candidate(person_id, name, organization_id, organization_name or "", staff_level or "", is_convener))
    return candidates


def _history(convening: Convening) -> tuple[list[rotation.PastTurn], int]:
    """Every earlier role turn with its convening's chronological index, and this one's index."""
    order = list(
        Convening.objects.active().filter(community_id=convening.community_id)
        .order_by("starts_at", "id").values_list("pk", flat=True)
    )
    index = {pk: position for position, pk in enumerate(order)}
    current = index.get(convening.pk, len(order))
    turns = [
        rotation.PastTurn(index[convening_id], role, person_id, organization_id, staff_level or "")
        for convening_id, role, person_id, organization_id, staff_level in RoleAssignment.objects.filter(
            convening__community_id=convening.community_id, convening__removed_at__isnull=True,
        ).exclude(convening=convening).values_list("convening_id", "role", "person_id", "organization_id", "staff_level")
        if convening_id in index and index[convening_id] < current
    ]
    return turns, current


def _ago(count: int | None) -> str:
    return ngettext("%(n)d convening ago", "%(n)d convenings ago", count or 0) % {"n": count or 0}


def explain(suggestion: rotation.Suggestion, role_label: str) -> str:
    """The translated reason of a suggestion, e.g. “Ana, Fundación X: has never been
    facilitator; Fundación X last held a role 5 convenings ago.”"""
    candidate, facts = suggestion.candidate, suggestion.facts
    if candidate is None or facts is None:
        return ""
    who = candidate.name if not candidate.organization_name else f"{candidate.name}, {candidate.organization_name}"
    role = role_label.lower()
    if facts.person_role_ago is None:
        parts = [_("has never been %(role)s") % {"role": role}]
    else:
        parts = [ngettext("has been %(role)s once, %(ago)s", "has been %(role)s %(n)d times, last %(ago)s", facts.person_role_count)
                 % {"role": role, "n": facts.person_role_count, "ago": _ago(facts.person_role_ago)}]
    organization = candidate.organization_name
    if organization:
        if facts.from_host_organization:
            parts.append(_("%(org)s hosts this convening") % {"org": organization})
        elif facts.organization_role_ago is None:
            parts.append(_("%(org)s has not had this role yet") % {"org": organization})
        if facts.organization_any_ago is None:
            parts.append(_("%(org)s has not held any role yet") % {"org": organization})
        else:
            parts.append(_("%(org)s last held a role %(ago)s") % {"org": organization, "ago": _ago(facts.organization_any_ago)})
        if candidate.staff_level and facts.staff_level_count == 0 and facts.organization_any_count:
            parts.append(_("a turn for the organization's %(level)s staff") % {"level": str(StaffLevel(candidate.staff_level).label).lower()}
                         if candidate.staff_level in StaffLevel.values else "")
    if facts.only_choice:
        parts.append(_("the only organization available"))
    return f"{who}: " + "; ".join(part for part in parts if part) + "."


def role_suggestions(access: CommunityAccess, convening: Convening) -> list[RoleSuggestion]:
    """A suggestion per role that keeps the steward's confirmed choices, with its reasons."""
    community = access.community
    candidates = _candidates(community)
    history, current = _history(convening)
    assignments = {assignment.role: assignment for assignment in roles_of(convening)}
    by_person = {candidate.person_id: candidate for candidate in candidates}
    fixed = {}
    for role, assignment in assignments.items():
        fixed[role] = by_person.get(assignment.person_id) or rotation.Candidate(
            assignment.person_id, assignment.person.display_name, assignment.organization_id,
            assignment.organization.name if assignment.organization else "", assignment.staff_level)
    unavailable = Unavailability.objects.filter(convening=convening).values_list("person_id", flat=True)
    suggestions = rotation.suggest_roles(
        candidates=candidates, history=history, current_index=current, unavailable=list(unavailable),
        exclude_convener=community.member_led, host_organization_id=convening.host_organization_id, fixed=fixed,
    )
    people = Person.objects.in_bulk([s.candidate.person_id for s in suggestions if s.candidate])
    labels = dict(RoleKind.choices)
    result = []
    for suggestion in suggestions:
        label = str(labels[suggestion.role])
        assignment = assignments.get(suggestion.role)
        candidate = suggestion.candidate
        result.append(RoleSuggestion(
            role=suggestion.role, label=label, person=people.get(candidate.person_id) if candidate else None,
            organization_name=candidate.organization_name if candidate else "",
            reason=(assignment.reason if assignment else explain(suggestion, label)) if candidate else
            _("Nobody is available for this role."),
            fixed=suggestion.fixed, assignment=assignment,
        ))
    return result


def role_candidates(community: Community) -> QuerySet[Person]:
    """People a steward may choose for a role."""
    return Person.objects.active().filter(community=community).exclude(
        memberships__role=Role.OBSERVER, memberships__ended_at__isnull=True).order_by("display_name", "id")


# --- attendance ---------------------------------------------------------------

@dataclass
class AttendanceRow:
    attendance: Attendance
    role_label: str
    first_time: bool


@dataclass
class AttendanceSummary:
    rows: list[AttendanceRow]
    first_timers: int
    staff_levels: list[tuple[str, int]]
    organizations: int


def attendance_for(convening: Convening) -> AttendanceSummary:
    """Who came, from which organization, in which role; first-timers and staff levels."""
    earlier = Attendance.objects.filter(
        person=OuterRef("person"), convening__removed_at__isnull=True, convening__starts_at__lt=OuterRef("convening__starts_at"),
    )
    attendances = list(
        Attendance.objects.filter(convening=convening).select_related("person", "organization", "convening")
        .annotate(came_before=Exists(earlier)).order_by("person__display_name", "id")
    )
    roles = {assignment.person_id: assignment.get_role_display() for assignment in RoleAssignment.objects.filter(convening=convening)}
    rows = [AttendanceRow(attendance, str(roles.get(attendance.person_id, _("Participant"))), not attendance.came_before)
            for attendance in attendances]
    levels = Counter(row.attendance.staff_level for row in rows if row.attendance.staff_level)
    return AttendanceSummary(
        rows=rows,
        first_timers=sum(1 for row in rows if row.first_time),
        staff_levels=[(str(label), levels[value]) for value, label in StaffLevel.choices if levels.get(value)],
        organizations=len({row.attendance.organization_id for row in rows if row.attendance.organization_id}),
    )


# --- report and learning ------------------------------------------------------

def report_of(convening: Convening) -> Report | None:
    """The convening's report with its rapporteur, or None."""
    return Report.objects.filter(convening=convening).select_related("rapporteur").first()


def connections_of(convening: Convening) -> list[Connection]:
    """The new connections recorded at the convening, with both organizations."""
    return list(Connection.objects.filter(convening=convening).select_related("organization_a", "organization_b"))


def connections_made(community: Community, *, since=None) -> list[dict]:
    """Public to other apps (the network capability): organization pairs that
    connected at this community's convenings, with where and when."""
    queryset = Connection.objects.filter(convening__community=community, convening__removed_at__isnull=True)
    if since is not None:
        queryset = queryset.filter(convening__starts_at__gte=since)
    return list(queryset.order_by("convening__starts_at", "id").values(
        "organization_a_id", "organization_b_id", "description", "convening_id", date=F("convening__starts_at"),
    ))


def aar_of(convening: Convening) -> AfterActionReview | None:
    """The convening's After Action Review, or None."""
    return AfterActionReview.objects.filter(convening=convening).select_related("updated_by").first()


@dataclass
class Lessons:
    query: str
    reviews: list[AfterActionReview]
    reports: list[Report]


EXCERPT_WORDS = 40


def _excerpt(text: str, words: list[str]) -> str:
    """About forty words of ``text`` around the first that holds one of ``words``
    (already normalized), so a result shows why it was found."""
    tokens = text.split()
    at = next((index for index, token in enumerate(tokens) if any(word in search_normalize(token) for word in words)), 0)
    start = max(at - EXCERPT_WORDS // 3, 0)
    end = start + EXCERPT_WORDS
    return ("… " if start else "") + " ".join(tokens[start:end]) + (" …" if end < len(tokens) else "")


def _plain(markdown_text: str) -> str:
    """The words of a markdown text, without its marks (for excerpts)."""
    return html.unescape(strip_tags(render_markdown(markdown_text)))


def _matches(row, names: tuple[str, ...], words: list[str], *, markdown: bool = False) -> list[tuple[str, str]]:
    """(field label, excerpt) of each text field of ``row`` that mentions one of ``words``."""
    found = []
    for name in names:
        text = getattr(row, name) or ""
        text = _plain(text) if markdown and text else text
        normalized = search_normalize(text)
        if text and (not words or any(word in normalized for word in words)):
            found.append((str(row._meta.get_field(name).verbose_name), _excerpt(text, words)))
    return found


def lessons_search(access: CommunityAccess, query: str, *, limit: int = 50) -> Lessons:
    """After Action Reviews and reports whose text holds every word of ``query``,
    ignoring accents and case ("participacion" finds "participación")."""
    words = search_normalize(query).split()[:8]
    reviews = AfterActionReview.objects.filter(convening__community=access.community, convening__removed_at__isnull=True)
    reports = Report.objects.filter(convening__community=access.community, convening__removed_at__isnull=True)
    if not access.can("convenings.participate"):
        reports = reports.filter(published_at__isnull=False)
    for word in words:
        reviews = reviews.filter(search_text__contains=word)
        reports = reports.filter(search_text__contains=word)
    found = Lessons(
        query=query,
        reviews=list(reviews.select_related("convening").order_by("-convening__starts_at")[:limit]),
        reports=list(reports.select_related("convening").order_by("-convening__starts_at")[:limit]) if words else [],
    )
    # Without a query every review is listed with what to keep and change; with one, each
    # result shows the passages that mention it.
    for review in found.reviews:
        review.matches = _matches(review, AfterActionReview.TEXT_FIELDS if words else ("keep", "change"), words)
    for report in found.reports:
        report.matches = _matches(report, ("insights", "decisions", "methodologies", "resources"), words, markdown=True)
    return found


# --- timeline -----------------------------------------------------------------

def _count_subquery(queryset, field_name: str = "convening") -> Coalesce:
    """COUNT of ``queryset`` rows per outer row, as a scalar subquery (0 when none)."""
    counted = queryset.order_by().values(field_name).annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def timeline(access: CommunityAccess) -> QuerySet[Convening]:
    """The community's convenings, newest first, each with its attendance, its topics (all,
    and proposed by members), and who facilitated and documented it (``documented_by``);
    paginate it. First-timers and connections are on each convening's own pages."""
    return (
        Convening.objects.active().filter(community=access.community).order_by("-starts_at", "-id")
        .only("id", "community_id", "title", "starts_at", "ends_at", "mode", "held_alongside")
        .annotate(
            attendance_count=_count_subquery(Attendance.objects.filter(convening=OuterRef("pk"))),
            item_count=_count_subquery(AgendaItem.objects.active().filter(convening=OuterRef("pk"))),
            member_item_count=_count_subquery(AgendaItem.objects.active().filter(convening=OuterRef("pk"), proposer_kind="member")),
        )
        .prefetch_related(Prefetch(
            "roles", to_attr="documented_by",
            queryset=RoleAssignment.objects.filter(role__in=(RoleKind.FACILITATOR, RoleKind.RAPPORTEUR))
            .select_related("person", "organization").only("convening_id", "role", "person__display_name", "organization__name"),
        ))
    )


def label_timeline(convenings, *, detail_url=None) -> None:
    """Labels, counts in words and links for a page of the timeline, each resolved once per
    value rather than once per row in the template (rendering is the page's heaviest cost).
    ``detail_url``: id -> the convening page's URL."""
    modes = {value: str(label) for value, label in Mode.choices}
    roles = {value: str(label) for value, label in RoleKind.choices}
    for convening in convenings:
        convening.mode_label = modes.get(convening.mode, convening.mode)
        convening.url = detail_url(convening.pk) if detail_url else ""
        convening.participants_text = ngettext("%(n)s participant", "%(n)s participants", convening.attendance_count) % {
            "n": convening.attendance_count}
        if convening.item_count:
            share = round(100 * convening.member_item_count / convening.item_count)
            convening.topics_text = ngettext("%(n)s topic, %(share)s%% proposed by members",
                                             "%(n)s topics, %(share)s%% proposed by members",
                                             convening.item_count) % {"n": convening.item_count, "share": share}
        else:
            convening.topics_text = _("no topics")
        for assignment in convening.documented_by:
            assignment.role_label = roles.get(assignment.role, assignment.role)


@dataclass
class Ownership:
    convenings: int
    items: int
    member_items: int
    roles: int
    member_roles: int

    @property
    def member_item_share(self) -> int | None:
        return round(100 * self.member_items / self.items) if self.items else None

    @property
    def member_role_share(self) -> int | None:
        return round(100 * self.member_roles / self.roles) if self.roles else None


OWNERSHIP = "convenings-ownership"


def ownership_changed(community_id: int) -> None:
    """Called by the services that add or remove agenda items, roles or convenings."""
    community_cache_drop(OWNERSHIP, community_id)


def ownership_summary(community: Community, *, convenings: int) -> Ownership:
    """Shares of agenda items proposed, and roles held, by members rather than the convener
    (``convenings``: their number, which the caller's paginator has counted already).

    The counts run over the community's whole history (11 ms at national scale, more
    than the rest of the timeline), so they are cached (see ``tequio.core.cached``).
    """
    items, member_items, roles, member_roles = community_cached(OWNERSHIP, community.pk, lambda: _ownership_counts(community))
    return Ownership(convenings=convenings, items=items, member_items=member_items, roles=roles, member_roles=member_roles)


def _ownership_counts(community: Community) -> tuple[int, int, int, int]:
    """One statement of plain SQL (the same on SQLite and PostgreSQL), for the reason given in
    ``_convening_facts``. A role counts as the convener's when held for the convener
    organization or by a person whose membership role is convener.
    """
    item, role, convening, membership = (model._meta.db_table for model in (AgendaItem, RoleAssignment, Convening, Membership))
    sql = f"""
        SELECT items.n, items.members, roles.n, roles.members FROM
          (SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN i.proposer_kind = 'member' THEN 1 ELSE 0 END), 0) AS members
             FROM {item} i JOIN {convening} c ON c.id = i.convening_id
            WHERE c.community_id = %s AND c.removed_at IS NULL AND i.removed_at IS NULL) items,
          (SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN (r.organization_id IS NULL OR r.organization_id <> %s)
                    AND r.person_id NOT IN (SELECT m.person_id FROM {membership} m WHERE m.community_id = %s
                        AND m.ended_at IS NULL AND m.role = 'convener' AND m.person_id IS NOT NULL)
                  THEN 1 ELSE 0 END), 0) AS members
             FROM {role} r JOIN {convening} c ON c.id = r.convening_id
            WHERE c.community_id = %s AND c.removed_at IS NULL) roles
    """  # noqa: S608 - table names come from the models; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [community.pk, community.convener_organization_id or 0, community.pk, community.pk])
        items, member_items, roles, member_roles = (int(value) for value in cursor.fetchone())
    return items, member_items, roles, member_roles


# --- action items and home panel ------------------------------------------------

def open_action_items(community: Community, *, limit: int = 5) -> tuple[list[ActionItem], int]:
    """The first open action items by due date, and how many there are (one query)."""
    items = list(
        ActionItem.objects.pending().filter(convening__community=community, convening__removed_at__isnull=True)
        .select_related("owner").only(*ACTION_FIELDS, "owner__display_name")
        .annotate(total=Window(Count("id")))
        .order_by(F("due_on").asc(nulls_last=True), "id")[:limit]
    )
    return items, (items[0].total if items else 0)


HOME = "convenings-home"


def home_changed(community_id: int) -> None:
    """Called by the services that change convenings or action items."""
    community_cache_drop(HOME, community_id)


def _home_facts(community: Community) -> dict:
    upcoming = (Convening.objects.filter(community=community).upcoming()
                .only("id", "community_id", "title", "starts_at", "ends_at", "mode", "agenda_open").first())
    items, open_count = open_action_items(community)
    return {"next": upcoming, "items": items, "open_count": open_count}


def home_panel(access: CommunityAccess) -> dict | None:
    """Next convening and open action items for the community home page.

    The same for every viewer, so kept in the cache (``tequio.core.cached``); what each
    viewer may see is decided here.
    """
    if not access.can("convenings.view"):
        return None
    community = access.community
    facts = community_cached(HOME, community.pk, lambda: _home_facts(community))
    learn = access.can("convenings.learn")
    return {
        "community": community, "next": facts["next"], "show_people": access.can("convenings.participate"),
        "can_manage": access.can("convenings.manage"),
        "items": facts["items"] if learn else [], "open_count": facts["open_count"] if learn else 0,
    }


# --- questionnaires -----------------------------------------------------------

def questionnaires_for(access: CommunityAccess) -> QuerySet[Questionnaire]:
    """Questionnaires of the community (drafts and templates only for managers)."""
    queryset = Questionnaire.objects.active().filter(community=access.community).select_related("convening")
    if not access.can("convenings.manage"):
        queryset = queryset.filter(is_template=False).exclude(status=QuestionnaireStatus.DRAFT)
    return queryset.annotate(
        response_count=Coalesce(Subquery(
            Response.objects.filter(questionnaire=OuterRef("pk")).values("questionnaire")
            .annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), Value(0)),
    ).order_by("is_template", "-created_at", "-id")


def templates_for(community: Community) -> list[Questionnaire]:
    """The community's reusable questionnaire templates, by title."""
    return list(Questionnaire.objects.active().filter(community=community, is_template=True).order_by("title"))


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    """A questionnaire's questions in order, with their choices."""
    return list(questionnaire.questions.prefetch_related("choices").order_by("position", "id"))


def has_answered(questionnaire: Questionnaire, user) -> bool:
    """Whether this account has answered the questionnaire (by the keyed hash, anonymous or not)."""
    from .services import respondent_hash

    if not getattr(user, "is_authenticated", False):
        return False
    return Response.objects.filter(questionnaire=questionnaire, respondent_hash=respondent_hash(questionnaire, user)).exists()


@dataclass
class Bar:
    label: str
    count: int
    percent: int
    width: float  # of the chart area, 0-100
    y: int = 0
    extra: str = ""


@dataclass
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    average: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def chart_height(self) -> int:
        return 40 * len(self.bars) + 2


@dataclass
class Results:
    questionnaire: Questionnaire
    responses: int
    expected: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.responses / self.expected) if self.expected else None


def _bars(rows: list[tuple[str, int, str]], denominator: int) -> list[Bar]:
    biggest = max((count for _label, count, _extra in rows), default=0) or 1
    return [
        Bar(label=label, count=count, percent=round(100 * count / denominator) if denominator else 0,
            width=round(100 * count / biggest, 1), y=40 * index, extra=extra)
        for index, (label, count, extra) in enumerate(rows)
    ]


def questionnaire_results(questionnaire: Questionnaire) -> Results:
    """Aggregated results: every count and average is a GROUP BY in the database, each
    read from an index that covers it; Python only arranges the few aggregate rows (a
    Likert average is the weighted mean of five counts). A fixed number of queries, whatever the
    number of answers (eight); each answer row is read once."""
    questions = questions_of(questionnaire)
    responses, expected = response_counts(questionnaire)
    aggregates = _answer_aggregates(questionnaire, questions)
    return Results(questionnaire=questionnaire, responses=responses, expected=expected,
                   questions=[_question_result(question, *aggregates) for question in questions])


def _answer_aggregates(questionnaire: Questionnaire, questions: list[Question]) -> tuple[dict, dict, dict, dict]:
    """The GROUP BY results over the answers. A closed questionnaire's answers can no
    longer change, so its aggregates are kept in the cache (the database's, by default)
    until it is reopened; an open one is aggregated at every view."""
    key = None
    if questionnaire.status == QuestionnaireStatus.CLOSED and questionnaire.closed_at is not None:
        key = f"convenings:results:v3:{questionnaire.pk}:{questionnaire.closed_at.timestamp()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    choice_ids = [q.pk for q in questions if q.kind in CHOICE_KINDS]
    number_ids = [q.pk for q in questions if q.kind == QuestionKind.NUMBER]
    # One row per response for single choice, Likert and number; multiple choice,
    # ranking and text need their respondents counted.
    distinct_ids = [q.pk for q in questions if q.kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING) or q.kind in TEXT_KINDS]
    text_ids = [q.pk for q in questions if q.kind in TEXT_KINDS]
    choice_counts = {
        (row["question_id"], row["choice_id"]): row
        for row in Answer.objects.filter(question_id__in=choice_ids, choice__isnull=False)
        .values("question_id", "choice_id")
        .annotate(n=Count("id"), avg_rank=Avg("rank"), first=Count("id", filter=Q(rank=1))).order_by()
    }
    numbers = {
        row["question_id"]: row
        for row in Answer.objects.filter(question_id__in=number_ids, number__isnull=False).values("question_id")
        .annotate(n=Count("id"), avg=Avg("number"), lo=Min("number"), hi=Max("number"),
                  whole=Count("id", filter=Q(number=Floor("number")))).order_by()
    }
    # The histogram of each number question: its bins follow from the minimum and maximum
    # just read, so one more GROUP BY counts every question's bins.
    for row in numbers.values():
        row["all_whole"] = row.pop("whole") == row["n"]
        row["bins"] = number_bins(row["lo"], row["hi"], whole=row["all_whole"])
        row["counts"] = [0] * row["bins"][2]
    if number_ids:  # also without answers: the page's query count does not depend on them
        bucket = Case(*[When(question_id=pk, then=Floor((F("number") - Value(row["bins"][0])) / Value(row["bins"][1])))
                        for pk, row in numbers.items()], default=Value(0.0), output_field=FloatField())
        for question_id, index, n in (
            Answer.objects.filter(question_id__in=number_ids, number__isnull=False).annotate(bin=bucket)
            .values("question_id", "bin").annotate(n=Count("id")).order_by().values_list("question_id", "bin", "n")
        ):
            counts = numbers[question_id]["counts"]
            counts[min(max(int(index), 0), len(counts) - 1)] += n
    respondents = dict(
        Answer.objects.filter(question_id__in=distinct_ids).values("question_id")
        .annotate(n=Count("response_id", distinct=True)).order_by().values_list("question_id", "n")
    )
    # The latest texts: those of the latest responses (found through the questionnaire's index).
    latest = Response.objects.filter(questionnaire=questionnaire).order_by("-id").values("id")[:3 * TEXT_ANSWERS_SHOWN]
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        Answer.objects.filter(question_id__in=text_ids, response_id__in=latest).exclude(text="")
        .order_by("-response_id").values_list("question_id", "text")
    ):
        shown = texts.setdefault(question_id, [])
        if len(shown) < TEXT_ANSWERS_SHOWN:
            shown.append(text)
    aggregates = (choice_counts, numbers, respondents, texts)
    if key is not None:
        cache.set(key, aggregates, timeout=60 * 60 * 24 * 30)
    return aggregates


def _question_result(question: Question, choice_counts: dict, numbers: dict, respondents: dict, texts: dict) -> QuestionResult:
    result = QuestionResult(question=question, answered=0, texts=texts.get(question.pk, []))
    if question.kind in CHOICE_KINDS:
        tallies = [(choice, choice_counts.get((question.pk, choice.pk), {})) for choice in question.choices.all()]
        if question.kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
            result.answered = respondents.get(question.pk, 0)
        if question.kind == QuestionKind.RANKING:
            # Best average position first; options nobody ranked go last.
            tallies.sort(key=lambda pair: (pair[1].get("avg_rank") is None, pair[1].get("avg_rank") or 0))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.LIKERT):
            result.answered = sum(row.get("n", 0) for _choice, row in tallies)
        if question.kind == QuestionKind.LIKERT and result.answered:
            chosen = [(choice.position, row["n"]) for choice, row in tallies if row.get("n")]
            result.average = sum(position * n for position, n in chosen) / result.answered
            result.minimum, result.maximum = min(p for p, _n in chosen), max(p for p, _n in chosen)
        # Every respondent ranks every option, so a ranking's bars count first places.
        rows = [
            (choice.label, row.get("first", 0) if question.kind == QuestionKind.RANKING else row.get("n", 0),
             _("average position %(rank).1f") % {"rank": row["avg_rank"]} if question.kind == QuestionKind.RANKING and row.get("avg_rank") else "")
            for choice, row in tallies
        ]
        result.bars = _bars(rows, result.answered)
    elif question.kind == QuestionKind.NUMBER:
        stat = numbers.get(question.pk, {})
        result.answered = stat.get("n", 0)
        result.average, result.minimum, result.maximum = stat.get("avg"), stat.get("lo"), stat.get("hi")
        if result.answered:
            start, width, _count = stat["bins"]
            rows = [(bin_label(start + index * width, width, whole=stat["all_whole"]), n, "")
                    for index, n in enumerate(stat["counts"])]
            result.bars = _bars(rows, result.answered)
    else:
        result.answered = respondents.get(question.pk, 0)
    return result


MAX_NUMBER_BINS = 8


def number_bins(lo: float, hi: float, *, whole: bool) -> tuple[float, float, int]:
    """(start, width, count) of a histogram from ``lo`` to ``hi`` in at most about
    ``MAX_NUMBER_BINS`` bins of a round width (1, 2, 2.5 or 5 times a power of ten; whole
    numbers get whole widths, one value per bin when they fit). The last bin holds ``hi``."""
    if hi <= lo:
        return float(lo), 1.0, 1
    raw = (hi - lo) / MAX_NUMBER_BINS
    if whole and raw <= 1:
        width = 1.0
    else:
        power = 10.0 ** math.floor(math.log10(raw))
        steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
        width = next(step * power for step in steps if step * power >= raw)
        if whole:
            width = float(max(1, round(width)))
    start = math.floor(lo / width) * width
    return start, width, math.floor((hi - start) / width) + 1


def bin_label(start: float, width: float, *, whole: bool) -> str:
    """"3", "10–14" for whole numbers; "2.5 to under 5" otherwise."""
    if whole:
        last = start + width - 1
        return f"{start:g}" if last <= start else f"{start:g}–{last:g}"
    return _("%(low)s to under %(high)s") % {"low": f"{start:g}", "high": f"{start + width:g}"}


def response_counts(questionnaire: Questionnaire) -> tuple[int, int]:
    """(responses, people asked) in one query. Asked: the convening's attendees if
    recorded, else the community's members (observers excluded): the response rate's
    denominator."""
    here = OuterRef("pk")
    row = Questionnaire.objects.filter(pk=questionnaire.pk).annotate(
        answered=_count_subquery(Response.objects.filter(questionnaire=here), "questionnaire"),
        attended=_count_subquery(Attendance.objects.filter(convening=OuterRef("convening")), "convening"),
        members=_count_subquery(
            Membership.objects.active().filter(community=OuterRef("community")).exclude(role=Role.OBSERVER), "community"),
    ).values("answered", "attended", "members").get()
    return row["answered"], row["attended"] or row["members"]


def response_table(questionnaire: Questionnaire) -> tuple[list[str], list[list]]:
    """One row per response for export: respondent (named only), date, one column per question."""
    questions = questions_of(questionnaire)
    header = ["response", "submitted_at"] + ([] if questionnaire.anonymous else ["respondent"]) + [q.name for q in questions]
    rows = []
    for response in _responses_with_answers(questionnaire).iterator(chunk_size=2000):
        values: dict[int, list[str]] = {}
        for answer in response.answers.all():
            if answer.choice_id:
                value = answer.choice.label
            elif answer.number is not None:
                value = f"{answer.number:g}"
            else:
                value = answer.text
            values.setdefault(answer.question_id, []).append(value)
        row = [response.pk, timezone.localdate(response.submitted_at).isoformat() if questionnaire.anonymous else response.submitted_at.isoformat()]
        if not questionnaire.anonymous:
            row.append(response.person.display_name if response.person else "")
        row += [" | ".join(values.get(question.pk, [])) for question in questions]
        rows.append(row)
    return header, rows


def response_page(questionnaire: Questionnaire, *, offset: int, limit: int) -> tuple[int, list[dict]]:
    """(total, one page of responses in the order they came) for the API, answers by
    question name: an option value, a list of option values (multiple; ranking in order
    of preference), a number or a text. An anonymous questionnaire's responses carry no
    respondent and only their day. Three queries whatever the page size."""
    questions = {q.pk: q for q in questions_of(questionnaire)}
    responses = list(_responses_with_answers(questionnaire)[offset : offset + limit])
    rows = []
    for response in responses:
        answers: dict[str, object] = {}
        for answer in response.answers.all():
            question = questions.get(answer.question_id)
            if question is None:
                continue
            if answer.choice_id:
                if question.kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
                    answers.setdefault(question.name, []).append(answer.choice.value)
                else:
                    answers[question.name] = answer.choice.value
            elif answer.number is not None:
                answers[question.name] = answer.number
            else:
                answers[question.name] = answer.text
        anonymous = questionnaire.anonymous
        rows.append({
            "id": response.pk,
            "submitted_on": timezone.localdate(response.submitted_at),
            "submitted_at": None if anonymous else response.submitted_at,
            "respondent": None if anonymous or response.person is None else
            {"id": response.person.pk, "name": response.person.display_name},
            "answers": answers,
        })
    return Response.objects.filter(questionnaire=questionnaire).count(), rows


def _responses_with_answers(questionnaire: Questionnaire) -> QuerySet[Response]:
    """The responses in the order they came, each with its person and answers (choices joined)."""
    return (
        Response.objects.filter(questionnaire=questionnaire).select_related("person").order_by("id")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("choice").order_by("question_id", "rank", "id")))
    )


# --- calendar -----------------------------------------------------------------

def calendar_convenings(community: Community, *, days_back: int = 365) -> list[Convening]:
    """Convenings for a feed: the past year and everything ahead."""
    since = timezone.now() - timedelta(days=days_back)
    return list(Convening.objects.active().filter(community=community, ends_at__gte=since).order_by("starts_at")[:500])


def calendar_person_extras(person: Person) -> tuple[dict[int, str], list[ActionItem]]:
    """For a personal feed: the person's roles by convening, and their open action items with a due date."""
    roles = {
        convening_id: str(RoleKind(role).label)
        for convening_id, role in RoleAssignment.objects.filter(person=person).values_list("convening_id", "role")
    }
    items = list(
        ActionItem.objects.pending().filter(owner=person, due_on__isnull=False, convening__removed_at__isnull=True)
        .select_related("convening").order_by("due_on")[:200]
    )
    return roles, items


def feeds_of(community: Community, user) -> list:
    """The viewer's active private calendar links in the community."""
    return list(CalendarFeed.objects.filter(community=community, user=user, revoked_at__isnull=True))
