"""Writes of the convenings capability.

Every function is ``<entity>_<verb>(*, actor, ...)``: it validates, runs in one
transaction, audits what is sensitive (roles, removals, exports, imports, calendar
links) and leaves email and task scheduling to ``transaction.on_commit``. Views, the
API, tasks, the demo and tests call these same functions.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tequio.core.audit import audit_record
from tequio.core.choices import Role
from tequio.core.models import Affiliation, Community, Membership, Organization, PeerGroup, Person
from tequio.core.writes import apply_fields as _apply
from tequio.core.writes import full_clean as _full_clean

from . import ranking, selectors
from .models import (
    CHOICE_KINDS,
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionStatus,
    AfterActionReview,
    AgendaItem,
    AgendaVote,
    Answer,
    Attendance,
    CalendarFeed,
    CheckInMethod,
    Choice,
    Connection,
    Convening,
    ConveningSettings,
    FeedKind,
    ProposerKind,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Report,
    Response,
    RoleAssignment,
    RoleKind,
    Session,
    SessionKind,
    Unavailability,
    search_normalize,
)

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
CHECKIN_MARGIN = timedelta(days=1)




def person_of(community: Community, user) -> Person | None:
    """The person record of a signed-in user in this community, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.active().filter(community=community, user=user).first()


def _affiliations(person: Person) -> list[Affiliation]:
    return list(
        Affiliation.objects.filter(person=person, organization__removed_at__isnull=True)
        .select_related("organization").order_by("-is_primary", "id")
    )


def _primary_affiliation(person: Person) -> Affiliation | None:
    affiliations = _affiliations(person)
    return affiliations[0] if affiliations else None


def _check_person(community: Community, person: Person | None, field: str = "person") -> Person:
    if person is None or person.community_id != community.pk or person.removed_at is not None:
        raise ValidationError({field: _("This person is not a member of this community.")})
    return person


def _check_organization(community: Community, organization: Organization | None, field: str = "organization") -> Organization | None:
    if organization is not None and (organization.community_id != community.pk or organization.removed_at is not None):
        raise ValidationError({field: _("That organization is not part of this community.")})
    return organization


def _no_nul(value: str, field: str) -> str:
    # PostgreSQL refuses NUL characters in text; refuse them the same way everywhere.
    if "\x00" in (value or ""):
        raise ValidationError({field: _("The text contains a character that is not allowed.")})
    return (value or "").strip()


# --- settings -----------------------------------------------------------------

def settings_for(community: Community) -> ConveningSettings:
    """The community's convening rules (defaults when never saved)."""
    return ConveningSettings.objects.filter(community=community).first() or ConveningSettings(community=community)


def convening_settings_update(*, actor, community: Community, votes_per_organization: int,
                              reminder_days_before: int) -> ConveningSettings:
    """Set the dot-vote budget and the reminder lead time of a community."""
    with transaction.atomic():
        current = ConveningSettings.objects.select_for_update().filter(community=community).first()
        current = current or ConveningSettings(community=community)
        old = (current.votes_per_organization, current.reminder_days_before)
        current.votes_per_organization = votes_per_organization
        current.reminder_days_before = reminder_days_before
        _full_clean(current)
        current.save()
        if old != (votes_per_organization, reminder_days_before):
            audit_record(actor=actor, community=community, action="convenings.settings", target=current,
                         data={"votes_per_organization": votes_per_organization, "reminder_days_before": reminder_days_before})
    return current


# --- convenings ---------------------------------------------------------------

CONVENING_FIELDS = {"title", "objectives", "starts_at", "ends_at", "mode", "place", "online_url", "held_alongside",
                    "host_organization", "agenda_open"}


def _clean_convening(convening: Convening) -> None:
    convening.title = _no_nul(convening.title, "title")
    convening.objectives = _no_nul(convening.objectives, "objectives")
    convening.place = _no_nul(convening.place, "place")
    convening.held_alongside = _no_nul(convening.held_alongside, "held_alongside")
    if not convening.title:
        raise ValidationError({"title": _("Give the convening a title.")})
    _check_organization(convening.community, convening.host_organization, "host_organization")
    if convening.starts_at and convening.ends_at and convening.ends_at < convening.starts_at:
        raise ValidationError({"ends_at": _("A convening cannot end before it starts.")})
    _full_clean(convening, exclude=["community", "created_by", "host_organization"])


def convening_create(*, actor, community: Community, title: str, starts_at: datetime, ends_at: datetime,
                     **fields) -> Convening:
    """Plan a convening; a reminder is queued for the days before it."""
    unknown = set(fields) - CONVENING_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    convening = Convening(community=community, title=title, starts_at=starts_at, ends_at=ends_at, created_by=actor, **fields)
    _clean_convening(convening)
    with transaction.atomic():
        convening.save()
        selectors.home_changed(community.pk)
        transaction.on_commit(lambda: schedule_convening_reminder(convening))
    return convening


def convening_update(*, actor, convening: Convening, **fields) -> Convening:
    """Change a convening; moving its start re-arms the reminder."""
    with transaction.atomic():
        convening = Convening.objects.select_for_update().get(pk=convening.pk)
        changes = _apply(convening, fields, CONVENING_FIELDS)
        _clean_convening(convening)
        if "starts_at" in changes:
            convening.reminder_sent_at = None
        convening.save()
        selectors.home_changed(convening.community_id)
        if "starts_at" in changes:
            transaction.on_commit(lambda: schedule_convening_reminder(convening))
    return convening


def convening_remove(*, actor, convening: Convening) -> None:
    """Remove a convening (soft, audited): its records stay for restore."""
    with transaction.atomic():
        convening.removed_at = timezone.now()
        convening.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=convening.community, action="convening.remove", target=convening)
        selectors.ownership_changed(convening.community_id)
        selectors.home_changed(convening.community_id)


def agenda_set_open(*, actor, convening: Convening, is_open: bool) -> Convening:
    """Close the agenda (no more proposals or votes) or open it again."""
    with transaction.atomic():
        convening = Convening.objects.select_for_update().get(pk=convening.pk)
        convening.agenda_open = is_open
        convening.save(update_fields=["agenda_open", "updated_at"])
        selectors.home_changed(convening.community_id)
    return convening


# --- sessions -----------------------------------------------------------------

def _clean_session(session: Session, community: Community) -> None:
    session.title = _no_nul(session.title, "title")
    if not session.title:
        raise ValidationError({"title": _("Give the session a title.")})
    if session.kind == SessionKind.PARALLEL:
        if session.peer_group is None:
            raise ValidationError({"peer_group": _("A parallel session is for one peer group: choose it.")})
        if session.peer_group.community_id != community.pk or session.peer_group.removed_at is not None:
            raise ValidationError({"peer_group": _("That peer group is not part of this community.")})
    else:
        session.peer_group = None
    _full_clean(session, exclude=["convening", "peer_group"])


def session_create(*, actor, convening: Convening, title: str, kind: str = SessionKind.JOINT,
                   peer_group: PeerGroup | None = None, starts_at: datetime | None = None,
                   ends_at: datetime | None = None, room: str = "") -> Session:
    """Add a joint session, or a parallel session for one peer group."""
    position = (Session.objects.filter(convening=convening).aggregate(m=Max("position"))["m"] or 0) + 1
    session = Session(convening=convening, title=title, kind=kind, peer_group=peer_group, starts_at=starts_at,
                      ends_at=ends_at, room=_no_nul(room, "room"), position=position)
    _clean_session(session, convening.community)
    session.save()
    return session


def session_update(*, actor, session: Session, **fields) -> Session:
    """Edit a session."""
    _apply(session, fields, {"title", "kind", "peer_group", "starts_at", "ends_at", "room"})
    _clean_session(session, session.convening.community)
    session.save()
    return session


def session_remove(*, actor, session: Session) -> None:
    """Delete a session; its agenda items go back to unscheduled."""
    with transaction.atomic():
        AgendaItem.objects.filter(session=session).update(session=None)
        session.delete()


# --- agenda -------------------------------------------------------------------

def _agenda_must_be_open(convening: Convening) -> None:
    if not convening.agenda_open:
        raise ValidationError(_("The agenda of this convening is closed: proposals and votes are no longer accepted."))


def _is_convener(community: Community, user, organization: Organization | None) -> bool:
    if organization is not None and organization.pk == community.convener_organization_id:
        return True
    return Membership.objects.active().filter(community=community, user=user, role=Role.CONVENER).exists()


def agenda_item_propose(*, actor, convening: Convening, title: str, description: str = "",
                        organization: Organization | None = None) -> AgendaItem:
    """Propose a topic. It records whether a member organization or the convener proposed it."""
    community = convening.community
    title = _no_nul(title, "title")
    description = _no_nul(description, "description")
    if not title:
        raise ValidationError({"title": _("Write the topic you propose.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Keep the topic under 200 characters.")})
    person = person_of(community, actor)
    is_manager = Membership.objects.active().filter(community=community, user=actor, role__in=(Role.STEWARD, Role.CONVENER)).exists()
    if organization is not None:
        _check_organization(community, organization)
        speaks_for = person is not None and Affiliation.objects.filter(person=person, organization=organization).exists()
        if not speaks_for and not is_manager and not getattr(actor, "is_superuser", False):
            raise ValidationError({"organization": _("You can only propose for an organization you belong to.")})
    elif person is not None:
        affiliation = _primary_affiliation(person)
        organization = affiliation.organization if affiliation else None
    kind = ProposerKind.CONVENER if _is_convener(community, actor, organization) else ProposerKind.MEMBER
    with transaction.atomic():
        locked = Convening.objects.select_for_update().get(pk=convening.pk)
        _agenda_must_be_open(locked)
        item = AgendaItem(convening=convening, title=title, description=description, proposer_kind=kind,
                          organization=organization, person=person, created_by=actor)
        _full_clean(item, exclude=["convening", "organization", "person", "created_by", "session"])
        item.save()
        selectors.ownership_changed(community.pk)
    return item


def agenda_item_update(*, actor, item: AgendaItem, title: str, description: str = "") -> AgendaItem:
    """Reword a topic while the agenda is open."""
    with transaction.atomic():
        convening = Convening.objects.select_for_update().get(pk=item.convening_id)
        _agenda_must_be_open(convening)
        item.title = _no_nul(title, "title")
        item.description = _no_nul(description, "description")
        if not item.title:
            raise ValidationError({"title": _("Write the topic you propose.")})
        _full_clean(item, exclude=["convening", "organization", "person", "created_by", "session"])
        item.save(update_fields=["title", "description"])
    return item


def agenda_item_remove(*, actor, item: AgendaItem) -> None:
    """Withdraw a topic (soft, audited); its dots return to the organizations."""
    with transaction.atomic():
        AgendaVote.objects.filter(item=item).delete()
        item.removed_at = timezone.now()
        item.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=item.convening.community, action="agenda_item.remove", target=item)
        selectors.ownership_changed(item.convening.community_id)


@dataclass(frozen=True)
class VoteResult:
    item: AgendaItem
    organization: Organization
    dots: int  # the organization's dots on this topic now
    spent: int  # on all topics of the convening
    budget: int


def _voting_affiliations(community: Community, user) -> list[Affiliation]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Affiliation.objects.filter(
            person__community=community, person__user=user, person__removed_at__isnull=True,
            organization__removed_at__isnull=True,
        ).exclude(organization_id=community.convener_organization_id or 0).select_related("organization").order_by("-is_primary", "id")
    )


def voting_organizations(community: Community, user) -> list[Organization]:
    """The member organizations a user's person may spend dots for (never the convener's)."""
    return [affiliation.organization for affiliation in _voting_affiliations(community, user)]


def agenda_vote(*, actor, item: AgendaItem, delta: int, organization: Organization | None = None) -> VoteResult:
    """Add (+1) or take back (-1) one of the organization's dots on a topic."""
    community = item.convening.community
    affiliations = _voting_affiliations(community, actor)
    allowed = [affiliation.organization for affiliation in affiliations]
    if organization is None:
        organization = allowed[0] if allowed else None
    if organization is None or organization.pk not in {org.pk for org in allowed}:
        raise ValidationError(_("Only people of a member organization can vote, and only for their own organization."))
    budget = settings_for(community).votes_per_organization
    with transaction.atomic():
        # One lock per convening serializes votes, so two colleagues cannot overspend together.
        convening = Convening.objects.select_for_update().get(pk=item.convening_id)
        _agenda_must_be_open(convening)
        if not AgendaItem.objects.active().filter(pk=item.pk, convening=convening).exists():
            raise ValidationError(_("This topic has been withdrawn."))
        votes = AgendaVote.objects.filter(convening=convening, organization=organization).aggregate(
            spent=Sum("dots"), current=Sum("dots", filter=Q(item=item)))
        spent, current = votes["spent"] or 0, votes["current"] or 0
        try:
            dots = ranking.apply_vote(budget=budget, spent=spent, current=current, delta=delta)
        except ranking.BudgetError as error:
            raise ValidationError(_vote_message(error.code, budget)) from None
        row = AgendaVote.objects.filter(item=item, organization=organization)
        voter = affiliations[0].person_id
        if dots == 0:
            row.delete()
        elif current == 0:
            AgendaVote.objects.create(convening=convening, item=item, organization=organization, dots=dots, updated_by_id=voter)
        else:
            row.update(dots=dots, updated_by_id=voter, updated_at=timezone.now())
    return VoteResult(item=item, organization=organization, dots=dots, spent=spent + delta, budget=budget)


def _vote_message(code: str, budget: int) -> str:
    if code == "over_budget":
        return _("Your organization has used all its %(budget)d votes for this convening. Take a vote back from another topic first.") % {"budget": budget}
    if code == "nothing_to_remove":
        return _("Your organization has no vote on this topic to take back.")
    return _("A vote adds or takes back one dot at a time.")


def agenda_schedule(*, actor, convening: Convening, placements: Mapping[int, Session | None]) -> None:
    """Place agenda items into sessions (or back to unscheduled), keeping the given order."""
    items = {item.pk: item for item in AgendaItem.objects.active().filter(convening=convening, pk__in=list(placements))}
    if len(items) != len(placements):
        raise ValidationError(_("Some agenda items are not part of this convening."))
    for session in placements.values():
        if session is not None and session.convening_id != convening.pk:
            raise ValidationError(_("That session is not part of this convening."))
    with transaction.atomic():
        for position, (item_id, session) in enumerate(placements.items(), start=1):
            item = items[item_id]
            item.session = session
            item.position = position
        AgendaItem.objects.bulk_update(items.values(), ["session", "position"])


# --- roles --------------------------------------------------------------------

ROLE_LABELS = dict(RoleKind.choices)


def _organization_of(person: Person) -> tuple[Organization | None, str]:
    affiliation = _primary_affiliation(person)
    if affiliation is None:
        return None, ""
    return affiliation.organization, affiliation.staff_level


def role_assign(*, actor, convening: Convening, role: str, person: Person, reason: str = "",
                from_suggestion: bool = False) -> RoleAssignment:
    """Give a role to a person of the community, replacing whoever held it."""
    if role not in RoleKind.values:
        raise ValidationError({"role": _("“%(value)s” is not a valid choice.") % {"value": role}})
    community = convening.community
    _check_person(community, person)
    if Membership.objects.active().filter(community=community, person=person, role=Role.OBSERVER).exists():
        # Observers (funders) watch the process; taking its roles is for the community's people.
        raise ValidationError({"person": _("Observers follow the convenings but do not take roles in them.")})
    organization, staff_level = _organization_of(person)
    with transaction.atomic():
        Convening.objects.select_for_update().filter(pk=convening.pk).first()
        others = list(RoleAssignment.objects.filter(convening=convening).exclude(role=role))
        if any(other.person_id == person.pk for other in others):
            raise ValidationError({"person": _("%(name)s already holds another role at this convening.") % {"name": person.display_name}})
        if role in (RoleKind.FACILITATOR, RoleKind.RAPPORTEUR) and organization is not None:
            partner = RoleKind.RAPPORTEUR if role == RoleKind.FACILITATOR else RoleKind.FACILITATOR
            if any(other.role == partner and other.organization_id == organization.pk for other in others):
                raise ValidationError({"person": _("The facilitator and the rapporteur must come from different organizations.")})
        if Unavailability.objects.filter(convening=convening, person=person).exists():
            raise ValidationError({"person": _("%(name)s marked themselves unavailable for this convening.") % {"name": person.display_name}})
        previous = RoleAssignment.objects.filter(convening=convening, role=role).first()
        if previous is not None:
            previous.delete()
        assignment = RoleAssignment.objects.create(
            convening=convening, role=role, person=person, organization=organization, staff_level=staff_level,
            reason=_no_nul(reason, "reason")[:1000], from_suggestion=from_suggestion, assigned_by=actor,
        )
        audit_record(actor=actor, community=community, action="convening.role", target=assignment,
                     data={"role": role, "person": person.pk, "previous": previous.person_id if previous else None})
        selectors.ownership_changed(community.pk)
    return assignment


def roles_confirm(*, actor, convening: Convening, choices: Mapping[str, tuple[Person, str, bool]]) -> list[RoleAssignment]:
    """Set several roles at once ({role: (person, reason, from_suggestion)}): all or nothing."""
    with transaction.atomic():
        RoleAssignment.objects.filter(convening=convening, role__in=list(choices)).delete()
        order = [role for role in (RoleKind.FACILITATOR, RoleKind.RAPPORTEUR, RoleKind.CO_FACILITATOR, RoleKind.HOST) if role in choices]
        return [
            role_assign(actor=actor, convening=convening, role=role, person=choices[role][0], reason=choices[role][1],
                        from_suggestion=choices[role][2])
            for role in order
        ]


def role_unassign(*, actor, assignment: RoleAssignment) -> None:
    """Free a role (audited)."""
    with transaction.atomic():
        audit_record(actor=actor, community=assignment.convening.community, action="convening.role_free",
                     target=assignment, data={"role": assignment.role, "person": assignment.person_id})
        assignment.delete()
        selectors.ownership_changed(assignment.convening.community_id)


def unavailability_set(*, actor, convening: Convening, person: Person, unavailable: bool) -> None:
    """Mark (or unmark) a person as unavailable for roles at a convening."""
    _check_person(convening.community, person)
    with transaction.atomic():
        if unavailable:
            if RoleAssignment.objects.filter(convening=convening, person=person).exists():
                raise ValidationError(_("You already hold a role at this convening: ask a steward to free it first."))
            Unavailability.objects.get_or_create(convening=convening, person=person)
        else:
            Unavailability.objects.filter(convening=convening, person=person).delete()


# --- attendance ---------------------------------------------------------------

def _attendance_for(convening: Convening, person: Person, organization: Organization | None, method: str, actor) -> Attendance:
    if organization is None:
        organization, staff_level = _organization_of(person)
    else:
        _check_organization(convening.community, organization)
        affiliation = Affiliation.objects.filter(person=person, organization=organization).first()
        staff_level = affiliation.staff_level if affiliation else ""
    attendance, _created = Attendance.objects.get_or_create(
        convening=convening, person=person,
        defaults={"organization": organization, "staff_level": staff_level, "method": method, "recorded_by": actor},
    )
    return attendance


def attendance_check_in(*, actor, convening: Convening, token: str) -> Attendance:
    """Self check-in with the link shown at the convening."""
    if not secrets.compare_digest(str(token), convening.checkin_token):
        raise ValidationError(_("This check-in link is not valid. Ask the steward for the current one."))
    now = timezone.now()
    if not (convening.starts_at - CHECKIN_MARGIN <= now <= convening.ends_at + CHECKIN_MARGIN):
        raise ValidationError(_("Check-in is open from one day before the convening until one day after it."))
    person = person_of(convening.community, actor)
    if person is None:
        raise ValidationError(_("You have no person record in this community yet. Ask a steward to record your attendance."))
    with transaction.atomic():
        return _attendance_for(convening, person, None, CheckInMethod.SELF, actor)


def attendance_record(*, actor, convening: Convening, person: Person, organization: Organization | None = None) -> Attendance:
    """A steward records that someone came."""
    _check_person(convening.community, person)
    with transaction.atomic():
        return _attendance_for(convening, person, organization, CheckInMethod.STEWARD, actor)


def attendance_remove(*, actor, attendance: Attendance) -> None:
    """Undo an attendance record (audited)."""
    with transaction.atomic():
        audit_record(actor=actor, community=attendance.convening.community, action="attendance.remove",
                     target=attendance, data={"person": attendance.person_id})
        attendance.delete()


# --- report, connections, action items -----------------------------------------

REPORT_FIELDS = ("insights", "decisions", "methodologies", "resources")


def report_save(*, actor, convening: Convening, publish: bool = False, **texts: str) -> Report:
    """Write or update the rapporteur's report; publishing makes it visible to observers too."""
    unknown = set(texts) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(convening=convening).first() or Report(convening=convening)
        for name in REPORT_FIELDS:
            if name in texts:
                setattr(report, name, _no_nul(texts[name], name))
        if publish and not any(getattr(report, name) for name in REPORT_FIELDS):
            raise ValidationError(_("Write at least one part of the report before publishing it."))
        rapporteur = RoleAssignment.objects.filter(convening=convening, role=RoleKind.RAPPORTEUR).first()
        if rapporteur is not None:
            report.rapporteur_id = rapporteur.person_id
        elif report.rapporteur_id is None:
            report.rapporteur = person_of(convening.community, actor)
        report.search_text = search_normalize(" ".join(getattr(report, name) for name in REPORT_FIELDS))
        if publish and report.published_at is None:
            report.published_at = timezone.now()
        report.updated_by = actor
        report.save()
    return report


def connection_add(*, actor, convening: Convening, organization_a: Organization, organization_b: Organization,
                   description: str = "") -> Connection:
    """Record that two organizations connected at this convening (an unordered pair)."""
    community = convening.community
    _check_organization(community, organization_a, "organization_a")
    _check_organization(community, organization_b, "organization_b")
    if organization_a.pk == organization_b.pk:
        raise ValidationError({"organization_b": _("A connection is between two different organizations.")})
    first, second = sorted((organization_a, organization_b), key=lambda org: org.pk)
    if Connection.objects.filter(convening=convening, organization_a=first, organization_b=second).exists():
        raise ValidationError(_("This connection is already recorded for this convening."))
    return Connection.objects.create(convening=convening, organization_a=first, organization_b=second,
                                     description=_no_nul(description, "description")[:300], created_by=actor)


def connection_remove(*, actor, connection: Connection) -> None:
    """Delete a connection recorded by mistake (audited)."""
    with transaction.atomic():
        audit_record(actor=actor, community=connection.convening.community, action="connection.remove", target=connection)
        connection.delete()


def _clean_action_item(item: ActionItem, community: Community) -> None:
    item.title = _no_nul(item.title, "title")
    if not item.title:
        raise ValidationError({"title": _("Say what is to be done.")})
    if item.owner is not None:
        _check_person(community, item.owner, "owner")
    _check_organization(community, item.owner_organization, "owner_organization")
    if item.status not in ActionStatus.values:
        raise ValidationError({"status": _("“%(value)s” is not a valid choice.") % {"value": item.status}})
    _full_clean(item, exclude=["convening", "owner", "owner_organization", "created_by"])


def action_item_create(*, actor, convening: Convening, title: str, owner: Person | None = None,
                       owner_organization: Organization | None = None, due_on: date | None = None,
                       status: str = ActionStatus.OPEN) -> ActionItem:
    """Add an action item; it stays on the next convenings' pages until done."""
    if owner is not None and owner_organization is None:
        owner_organization = _organization_of(owner)[0] if owner.community_id == convening.community_id else None
    item = ActionItem(convening=convening, title=title, owner=owner, owner_organization=owner_organization,
                      due_on=due_on, status=status, created_by=actor)
    _clean_action_item(item, convening.community)
    with transaction.atomic():
        item.save()
        selectors.home_changed(convening.community_id)
        transaction.on_commit(lambda: schedule_action_item_reminder(item))
    return item


def action_item_update(*, actor, item: ActionItem, **fields) -> ActionItem:
    """Change an action item's status, owner or due date."""
    with transaction.atomic():
        item = ActionItem.objects.select_for_update().select_related("convening__community").get(pk=item.pk)
        changes = _apply(item, fields, {"title", "owner", "owner_organization", "due_on", "status"})
        _clean_action_item(item, item.convening.community)
        if "status" in changes:
            item.completed_at = timezone.now() if item.status == ActionStatus.DONE else None
        if "due_on" in changes:
            item.reminder_sent_at = None
            transaction.on_commit(lambda: schedule_action_item_reminder(item))
        item.save()
        selectors.home_changed(item.convening.community_id)
    return item


# --- After Action Review ------------------------------------------------------

def aar_save(*, actor, convening: Convening, version: int, **texts: str) -> AfterActionReview:
    """Save the After Action Review written together; refuses to overwrite a newer save."""
    unknown = set(texts) - set(AfterActionReview.TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        review = AfterActionReview.objects.select_for_update().filter(convening=convening).first()
        review = review or AfterActionReview(convening=convening)
        if review.version != version:
            raise ValidationError(_("Someone else saved this review while you were writing. Your text is below: "
                                    "merge it with theirs and save again."))
        for name in AfterActionReview.TEXT_FIELDS:
            if name in texts:
                setattr(review, name, _no_nul(texts[name], name))
        review.search_text = search_normalize(" ".join(getattr(review, name) for name in AfterActionReview.TEXT_FIELDS))
        review.version += 1
        review.updated_by = actor
        review.save()
    return review


# --- questionnaires -----------------------------------------------------------

LIKERT_LABELS = (
    ("1", gettext_lazy("Strongly disagree")),
    ("2", gettext_lazy("Disagree")),
    ("3", gettext_lazy("Neither agree nor disagree")),
    ("4", gettext_lazy("Agree")),
    ("5", gettext_lazy("Strongly agree")),
)


def _post_convening_template() -> tuple[str, str, list[dict]]:
    """The built-in satisfaction and learning questionnaire (CSA guide, step 6)."""
    return (
        _("After the convening: satisfaction and learning"),
        _("Two minutes. Your answers help us prepare the next convening."),
        [
            {"kind": QuestionKind.LIKERT, "name": "useful", "text": _("The convening was useful for my organization's work."), "required": True},
            {"kind": QuestionKind.LIKERT, "name": "participation", "text": _("I could participate and be heard."), "required": True},
            {"kind": QuestionKind.LIKERT, "name": "facilitation", "text": _("The facilitation helped the group work well.")},
            {"kind": QuestionKind.LIKERT, "name": "learned", "text": _("I learned something I will apply."), "required": True},
            {"kind": QuestionKind.MULTIPLE, "name": "valued", "text": _("What did you value most?"), "choices": [
                _("Exchanging experiences with peers"), _("Methodologies and tools"), _("New contacts and alliances"),
                _("Access to experts"), _("Agreeing on joint actions")]},
            {"kind": QuestionKind.RANKING, "name": "next_topics", "text": _("Rank the topics for the next convening."), "choices": [
                _("Fundraising and sustainability"), _("Alliances with government"), _("Communication and media"),
                _("Security and digital care")]},
            {"kind": QuestionKind.NUMBER, "name": "new_contacts", "text": _("How many new contacts did you make?")},
            {"kind": QuestionKind.SHORT_TEXT, "name": "one_word", "text": _("One word for this convening")},
            {"kind": QuestionKind.LONG_TEXT, "name": "suggestions", "text": _("What should we change next time?")},
        ],
    )


BUILTIN_TEMPLATES = {"post_convening": _post_convening_template}


def _check_draft(questionnaire: Questionnaire) -> None:
    # Read the status from the database: the caller's copy may predate an opening.
    status = Questionnaire.objects.filter(pk=questionnaire.pk).values_list("status", flat=True).first()
    if status != QuestionnaireStatus.DRAFT:
        raise ValidationError(_("Questions can only be changed while the questionnaire is a draft."))


def _unique_name(questionnaire: Questionnaire, wanted: str) -> str:
    existing = set(Question.objects.filter(questionnaire=questionnaire).values_list("name", flat=True))
    base = "".join(char if char.isalnum() or char in "_.-" else "_" for char in (wanted or "").strip())[:56] or "q"
    name, counter = base, 1
    while name in existing:
        counter += 1
        name = f"{base}_{counter}"
    return name


def question_add(*, actor, questionnaire: Questionnaire, kind: str, text: str, help: str = "", required: bool = False,
                 choices: list[str] | list[tuple[str, str]] | None = None, name: str = "") -> Question:
    """Add a question at the end. Likert questions get the five agreement levels by default."""
    _check_draft(questionnaire)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("“%(value)s” is not a valid choice.") % {"value": kind}})
    text = _no_nul(text, "text")
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    options: list[tuple[str, str]] = []
    for index, option in enumerate(choices or [], start=1):
        value, label = option if isinstance(option, tuple) else (str(index), option)
        label = _no_nul(str(label), "choices")
        if label:
            options.append((str(value)[:64], label[:200]))
    if kind == QuestionKind.LIKERT and not options:
        options = [(value, str(label)) for value, label in LIKERT_LABELS]
    if kind in CHOICE_KINDS and len(options) < 2:
        raise ValidationError({"choices": _("A choice question needs at least two choices, one per line.")})
    if len({value for value, _label in options}) != len(options):
        raise ValidationError({"choices": _("Each choice must be different.")})
    if kind not in CHOICE_KINDS:
        options = []
    with transaction.atomic():
        position = (Question.objects.filter(questionnaire=questionnaire).aggregate(m=Max("position"))["m"] or 0) + 1
        question = Question(questionnaire=questionnaire, kind=kind, text=text[:500], help=_no_nul(help, "help")[:300],
                            required=required, name=_unique_name(questionnaire, name or f"q{position}"), position=position)
        _full_clean(question, exclude=["questionnaire"])
        question.save()
        Choice.objects.bulk_create(
            Choice(question=question, position=index, value=value, label=label) for index, (value, label) in enumerate(options, start=1)
        )
    return question


def question_update(*, actor, question: Question, text: str, help: str = "", required: bool = False,
                    choices: list[str] | None = None) -> Question:
    """Reword a draft question (and replace its choices)."""
    _check_draft(question.questionnaire)
    text = _no_nul(text, "text")
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    with transaction.atomic():
        question.text, question.help, question.required = text[:500], _no_nul(help, "help")[:300], required
        question.save(update_fields=["text", "help", "required"])
        if question.kind in CHOICE_KINDS and choices is not None:
            labels = [label for label in (_no_nul(str(c), "choices") for c in choices) if label]
            if len(labels) < 2:
                raise ValidationError({"choices": _("A choice question needs at least two choices, one per line.")})
            question.choices.all().delete()
            Choice.objects.bulk_create(Choice(question=question, position=i, value=str(i), label=label[:200]) for i, label in enumerate(labels, start=1))
    return question


def question_remove(*, actor, question: Question) -> None:
    """Delete a draft question."""
    _check_draft(question.questionnaire)
    question.delete()


def _copy_questions(source: Questionnaire, target: Questionnaire, actor) -> None:
    for question in source.questions.prefetch_related("choices").order_by("position", "id"):
        question_add(actor=actor, questionnaire=target, kind=question.kind, text=question.text, help=question.help,
                     required=question.required, name=question.name,
                     choices=[(choice.value, choice.label) for choice in question.choices.all()])


def questionnaire_create(*, actor, community: Community, title: str = "", description: str = "", anonymous: bool = True,
                         convening: Convening | None = None, template: Questionnaire | None = None,
                         builtin: str = "") -> Questionnaire:
    """Start a questionnaire: blank, from a community template, or from a built-in one."""
    if convening is not None and (convening.community_id != community.pk or convening.removed_at is not None):
        raise ValidationError({"convening": _("That convening is not part of this community.")})
    if template is not None and (template.community_id != community.pk or not template.is_template or template.removed_at):
        raise ValidationError({"template": _("That template is not available in this community.")})
    builtin_questions: list[dict] = []
    if builtin:
        if builtin not in BUILTIN_TEMPLATES:
            raise ValidationError({"builtin": _("Unknown template.")})
        default_title, default_description, builtin_questions = BUILTIN_TEMPLATES[builtin]()
        title = title or default_title
        description = description or default_description
    if template is not None:
        title = title or template.title
        description = description or template.description
    title = _no_nul(title, "title")
    if not title:
        raise ValidationError({"title": _("Give the questionnaire a title.")})
    questionnaire = Questionnaire(community=community, convening=convening, title=title[:200],
                                  description=_no_nul(description, "description"), anonymous=anonymous, created_by=actor,
                                  source=f"template:{builtin}" if builtin else (f"template:{template.pk}" if template else ""))
    with transaction.atomic():
        questionnaire.save()
        if template is not None:
            _copy_questions(template, questionnaire, actor)
        for spec in builtin_questions:
            question_add(actor=actor, questionnaire=questionnaire, kind=spec["kind"], text=spec["text"],
                         name=spec["name"], required=spec.get("required", False), choices=spec.get("choices"))
    return questionnaire


def questionnaire_update(*, actor, questionnaire: Questionnaire, **fields) -> Questionnaire:
    """Edit title, introduction, linked convening, or anonymity (before any answer)."""
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        changes = _apply(questionnaire, fields, {"title", "description", "anonymous", "convening"})
        if "anonymous" in changes and Response.objects.filter(questionnaire=questionnaire).exists():
            raise ValidationError({"anonymous": _("Anonymity cannot change once people have answered.")})
        convening = questionnaire.convening
        if convening is not None and (convening.community_id != questionnaire.community_id or convening.removed_at):
            raise ValidationError({"convening": _("That convening is not part of this community.")})
        questionnaire.title = _no_nul(questionnaire.title, "title")
        questionnaire.description = _no_nul(questionnaire.description, "description")
        if not questionnaire.title:
            raise ValidationError({"title": _("Give the questionnaire a title.")})
        questionnaire.save()
    return questionnaire


def questionnaire_set_status(*, actor, questionnaire: Questionnaire, status: str) -> Questionnaire:
    """Open a questionnaire for answers, close it, or reopen it."""
    if status not in (QuestionnaireStatus.OPEN, QuestionnaireStatus.CLOSED):
        raise ValidationError({"status": _("“%(value)s” is not a valid choice.") % {"value": status}})
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if questionnaire.is_template:
            raise ValidationError(_("A template is not sent out: create a questionnaire from it."))
        if status == QuestionnaireStatus.OPEN and not questionnaire.questions.exists():
            raise ValidationError(_("Add at least one question before opening the questionnaire."))
        questionnaire.status = status
        if status == QuestionnaireStatus.OPEN:
            questionnaire.opened_at = questionnaire.opened_at or timezone.now()
            questionnaire.closed_at = None
        else:
            questionnaire.closed_at = timezone.now()
        questionnaire.save()
    return questionnaire


def questionnaire_save_as_template(*, actor, questionnaire: Questionnaire, title: str = "") -> Questionnaire:
    """Copy a questionnaire's questions into a reusable template of the community."""
    template = Questionnaire(community=questionnaire.community, title=(_no_nul(title, "title") or questionnaire.title)[:200],
                             description=questionnaire.description, anonymous=questionnaire.anonymous, is_template=True,
                             created_by=actor, source=f"copy:{questionnaire.pk}")
    with transaction.atomic():
        template.save()
        _copy_questions(questionnaire, template, actor)
    return template


def questionnaire_remove(*, actor, questionnaire: Questionnaire) -> None:
    """Remove a questionnaire or template (soft, audited)."""
    with transaction.atomic():
        questionnaire.removed_at = timezone.now()
        questionnaire.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=questionnaire.community, action="questionnaire.remove", target=questionnaire)


class ImportProblems(ValidationError):
    """An import refused as a whole; ``problems`` lists each one with its sheet and row."""

    def __init__(self, problems):
        self.problems = [str(problem) for problem in problems]
        super().__init__(self.problems)


def questionnaire_import_xlsform(*, actor, community: Community, file, convening: Convening | None = None,
                                 anonymous: bool = True, language: str = "es") -> Questionnaire:
    """Create a draft questionnaire from an XLSForm; any problem refuses the whole file."""
    from .xlsform import Problem, parse_xlsform

    size = getattr(file, "size", None)
    if size is not None and size > settings.TEQUIO_MAX_UPLOAD_BYTES:
        raise ImportProblems([Problem("-", None, _("The file is too large."))])
    form, problems = parse_xlsform(file, language=language)
    if problems or form is None:
        raise ImportProblems(problems)
    name = getattr(file, "name", "") or "xlsform"
    with transaction.atomic():
        questionnaire = questionnaire_create(actor=actor, community=community, title=form.title or name.rsplit(".", 1)[0],
                                             anonymous=anonymous, convening=convening)
        questionnaire.source = f"xlsform:{name}"[:200]
        questionnaire.save(update_fields=["source"])
        for question in form.questions:
            question_add(actor=actor, questionnaire=questionnaire, kind=question.kind, text=question.text, help=question.help,
                         required=question.required, name=question.name, choices=question.choices)
        audit_record(actor=actor, community=community, action="questionnaire.import", target=questionnaire,
                     data={"file": name, "questions": len(form.questions)})
    return questionnaire


def respondent_hash(questionnaire: Questionnaire, user) -> str:
    """A keyed hash of (questionnaire, account): stops double answers without storing who answered."""
    message = f"tequio.response:{questionnaire.pk}:{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _answer_rows(question: Question, value, choices: dict[str, Choice]) -> list[Answer]:
    """The Answer rows for one question's value; raises ValidationError keyed by the question name."""
    error = lambda message: ValidationError({question.name: message})  # noqa: E731
    empty = value is None or value == "" or value == []
    if empty:
        if question.required:
            raise error(_("This question needs an answer."))
        return []
    kind = question.kind
    if kind in (QuestionKind.LIKERT, QuestionKind.SINGLE):
        choice = choices.get(str(value))
        if choice is None:
            raise error(_("Choose one of the options."))
        number = float(choice.position) if kind == QuestionKind.LIKERT else None
        return [Answer(question=question, choice=choice, number=number)]
    if kind in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
        values = [str(item) for item in (value if isinstance(value, list | tuple) else [value])]
        if any(item not in choices for item in values):
            raise error(_("Choose among the options given."))
        if len(set(values)) != len(values):
            raise error(_("Each option can be chosen only once."))
        if kind == QuestionKind.MULTIPLE:
            return [Answer(question=question, choice=choices[item]) for item in values]
        return [Answer(question=question, choice=choices[item], rank=rank) for rank, item in enumerate(values, start=1)]
    if kind == QuestionKind.NUMBER:
        try:
            number = float(str(value).replace(",", ".")) if not isinstance(value, int | float) else float(value)
        except ValueError:
            raise error(_("Write a number.")) from None
        if number != number or abs(number) > 1e12:
            raise error(_("Write a number."))
        return [Answer(question=question, number=number)]
    text = _no_nul(str(value), question.name)
    limit = SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
    if len(text) > limit:
        raise error(_("Keep the answer under %(limit)d characters.") % {"limit": limit})
    return [Answer(question=question, text=text)] if text else []


def response_submit(*, actor, questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Response:
    """Answer a questionnaire once. ``answers`` maps question names to values:
    an option value (Likert, single), a list of option values (multiple; ranking in
    order of preference), a number, or text."""
    questions = list(questionnaire.questions.prefetch_related("choices").order_by("position", "id"))
    unknown = set(answers) - {question.name for question in questions}
    if unknown:
        names = ", ".join(sorted(name.encode("unicode_escape").decode()[:64] for name in unknown)[:10])
        raise ValidationError(_("Unknown questions: %(names)s") % {"names": names})
    rows: list[Answer] = []
    errors: dict[str, list[str]] = {}
    for question in questions:
        try:
            rows += _answer_rows(question, answers.get(question.name), {choice.value: choice for choice in question.choices.all()})
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if locked.status != QuestionnaireStatus.OPEN or locked.removed_at is not None:
            raise ValidationError(_("This questionnaire is closed: answers are no longer accepted."))
        key = respondent_hash(questionnaire, actor)
        if Response.objects.filter(questionnaire=questionnaire, respondent_hash=key).exists():
            raise ValidationError(_("You have already answered this questionnaire. Thank you!"))
        if errors:
            raise ValidationError(errors)
        if not rows:
            raise ValidationError(_("Answer at least one question before sending."))
        now = timezone.now()
        if questionnaire.anonymous:
            # The day is enough for a response rate; the minute could match a face in the room.
            now = now.replace(hour=12, minute=0, second=0, microsecond=0)
        person = None if questionnaire.anonymous else person_of(questionnaire.community, actor)
        try:
            response = Response.objects.create(questionnaire=questionnaire, person=person, respondent_hash=key, submitted_at=now)
        except IntegrityError:
            raise ValidationError(_("You have already answered this questionnaire. Thank you!")) from None
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
    return response


# --- exports ------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralize text a spreadsheet would run as a formula (CSV/XLSX injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def questionnaire_responses_read(*, actor, questionnaire: Questionnaire, offset: int, limit: int) -> tuple[int, list[dict]]:
    """One page of individual responses (``selectors.response_page``). Audited like an export."""
    from .selectors import response_page

    total, rows = response_page(questionnaire, offset=offset, limit=limit)
    with transaction.atomic():
        audit_record(actor=actor, community=questionnaire.community, action="questionnaire.responses_read",
                     target=questionnaire, data={"offset": offset, "rows": len(rows)})
    return total, rows


def questionnaire_export(*, actor, questionnaire: Questionnaire, file_format: str) -> tuple[str, str, bytes]:
    """Answers as one row per response: (filename, content type, bytes). Audited."""
    from .selectors import response_table

    if file_format not in ("csv", "xlsx"):
        raise ValidationError(_("Export as csv or xlsx."))
    header, rows = response_table(questionnaire)
    safe_rows = [[spreadsheet_safe(cell) for cell in row] for row in [header, *rows]]
    stem = f"questionnaire-{questionnaire.pk}-answers"
    with transaction.atomic():
        audit_record(actor=actor, community=questionnaire.community, action="questionnaire.export", target=questionnaire,
                     data={"format": file_format, "rows": len(rows)})
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(safe_rows)
        # A BOM lets Excel open accented Spanish text correctly.
        return f"{stem}.csv", "text/csv; charset=utf-8", ("\ufeff" + buffer.getvalue()).encode()
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="answers")
    for row in safe_rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return f"{stem}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", output.getvalue()


# --- calendar links -----------------------------------------------------------

def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_create(*, actor, community: Community, kind: str) -> tuple[CalendarFeed, str]:
    """A private calendar link (shown once); it replaces the earlier link of the same kind."""
    if kind not in FeedKind.values:
        raise ValidationError({"kind": _("“%(value)s” is not a valid choice.") % {"value": kind}})
    person = person_of(community, actor)
    if kind == FeedKind.PERSON and person is None:
        raise ValidationError(_("You have no person record in this community, so there is no personal calendar."))
    token = "cal_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        CalendarFeed.objects.filter(community=community, user=actor, kind=kind, revoked_at__isnull=True).update(revoked_at=timezone.now())
        feed = CalendarFeed.objects.create(community=community, user=actor, person=person if kind == FeedKind.PERSON else None,
                                           kind=kind, token_hash=_hash_token(token))
        audit_record(actor=actor, community=community, action="calendar_feed.create", target=feed, data={"kind": kind})
    return feed, token


def calendar_feed_revoke(*, actor, feed: CalendarFeed) -> None:
    """Turn a private calendar link off (audited)."""
    with transaction.atomic():
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, community=feed.community, action="calendar_feed.revoke", target=feed)


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed of a token, marked used at most once an hour."""
    if not token or not token.startswith("cal_") or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("community", "user", "person").filter(
        token_hash=_hash_token(token), revoked_at__isnull=True).first()
    if feed is not None and (feed.last_used_at is None or timezone.now() - feed.last_used_at > timedelta(hours=1)):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed


# --- reminders ----------------------------------------------------------------

def schedule_convening_reminder(convening: Convening) -> None:
    """Queue the reminder task for ``reminder_days_before`` the start (run once, claimed)."""
    from . import tasks

    days = settings_for(convening.community).reminder_days_before
    run_after = convening.starts_at - timedelta(days=days)
    if days and convening.starts_at > timezone.now():
        tasks.send_convening_reminder.using(run_after=max(run_after, timezone.now())).enqueue(convening.pk)


def schedule_action_item_reminder(item: ActionItem) -> None:
    """Queue the reminder for the morning ``reminder_days_before`` an item's due date."""
    from . import tasks

    days = settings_for(item.convening.community).reminder_days_before
    if not days or item.due_on is None or item.due_on < timezone.localdate():
        return
    morning = timezone.make_aware(datetime.combine(item.due_on - timedelta(days=days), time(9, 0)))
    tasks.send_action_item_reminder.using(run_after=max(morning, timezone.now())).enqueue(item.pk)


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _language(community: Community) -> str:
    return (community.languages or [settings.LANGUAGE_CODE])[0]


def convening_reminder_send(*, convening_id: int) -> int:
    """Email the members about a convening starting soon. Idempotent: the conditional
    update claims the reminder, so a repeated or early task sends nothing."""
    convening = Convening.objects.select_related("community").filter(pk=convening_id).first()
    if convening is None:
        return 0
    days = settings_for(convening.community).reminder_days_before
    now = timezone.now()
    claimed = Convening.objects.filter(
        pk=convening_id, reminder_sent_at__isnull=True, removed_at__isnull=True,
        starts_at__gt=now, starts_at__lte=now + timedelta(days=days),
    ).update(reminder_sent_at=now)
    if not claimed or not days:
        return 0
    community = convening.community
    emails = sorted(set(
        Membership.objects.active().filter(community=community, user__is_active=True).exclude(user__email="")
        .values_list("user__email", flat=True)
    ))
    url = settings.SITE_URL.rstrip("/") + reverse("convenings:convening_detail", args=[community.slug, convening.pk])
    with translation.override(_language(community)):
        subject = _("Reminder: %(title)s, %(community)s") % {"title": convening.title, "community": community.name}
        body = render_to_string("convenings/email/convening_reminder.txt", {"convening": convening, "url": url})
    return _send([EmailMessage(subject, body, None, [email]) for email in emails])


def action_item_reminder_send(*, item_id: int) -> int:
    """Email an action item's owner before it falls due (claimed once, like the above)."""
    item = ActionItem.objects.select_related("convening__community", "owner__user").filter(pk=item_id).first()
    if item is None or item.owner is None or item.due_on is None:
        return 0
    community = item.convening.community
    days = settings_for(community).reminder_days_before
    today = timezone.localdate()
    claimed = ActionItem.objects.filter(
        pk=item_id, reminder_sent_at__isnull=True, status__in=OPEN_ACTION_STATUSES,
        due_on__gte=today, due_on__lte=today + timedelta(days=days),
    ).update(reminder_sent_at=timezone.now())
    email = (item.owner.user.email if item.owner.user_id else "") or item.owner.email
    if not claimed or not days or not email:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse("convenings:convening_detail", args=[community.slug, item.convening_id])
    with translation.override(_language(community)):
        subject = _("Due soon: %(title)s") % {"title": item.title}
        body = render_to_string("convenings/email/action_item_reminder.txt", {"item": item, "url": url})
    return _send([EmailMessage(subject, body, None, [email])])
