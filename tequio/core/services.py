"""Writes of the core domain.

Every function is ``<entity>_<verb>(*, actor, ...)``, validates its input, runs in
one transaction, writes the audit log for sensitive actions in that transaction,
and defers side effects (email) to ``transaction.on_commit``. Views, the API, the
CLI importers and tests all call these.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import choices
from .audit import audit_record
from .geography import MEXICO_STATE_CODES, is_country
from .models import (
    Affiliation,
    ApiToken,
    Charter,
    Community,
    Goal,
    Invitation,
    Membership,
    Organization,
    PeerGroup,
    Person,
)
from .permissions import MANAGERS
from .selectors import summary_changed
from .writes import apply_fields as _apply
from .writes import full_clean as _full_clean

INVITATION_DAYS = 14


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()




def _clean_choice_list(values, enum, label: str, *, free: bool = False) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise ValidationError({label: _("Expected a list.")})
    cleaned: list[str] = []
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if not free and value not in enum.values:
            raise ValidationError({label: _("“%(value)s” is not a valid choice.") % {"value": value}})
        if len(value) > 60:
            raise ValidationError({label: _("Each entry must be at most 60 characters.")})
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _clean_languages(values) -> list[str]:
    codes = {code for code, _name in choices.CONTENT_LANGUAGES}
    languages = _clean_choice_list(values, None, "languages", free=True)
    bad = [code for code in languages if code not in codes]
    if bad:
        raise ValidationError({"languages": _("Unsupported language: %(code)s") % {"code": ", ".join(bad)}})
    return languages


# --- communities ---------------------------------------------------------------

COMMUNITY_FIELDS = {"name", "slug", "purpose", "languages", "stage", "privacy", "member_led", "require_mfa", "convener_organization"}


def community_create(*, actor, name: str, slug: str = "", purpose: str = "", languages=None,
                     stage: str = choices.Stage.DISCOVERY, privacy: str = choices.Privacy.LISTED,
                     require_mfa: bool = False, convener_organization_name: str = "") -> Community:
    """Start a community; its creator becomes its convener (with a person record)."""
    slug = slugify(slug or name)[:60]
    if not slug:
        raise ValidationError({"slug": _("Choose a short name made of letters or numbers.")})
    community = Community(
        name=name.strip(), slug=slug, purpose=purpose, languages=_clean_languages(languages or ["es"]),
        stage=stage, privacy=privacy, require_mfa=require_mfa, created_by=actor,
    )
    _full_clean(community)
    with transaction.atomic():
        community.save()
        person = Person.objects.create(community=community, user=actor, display_name=_display_name(actor))
        Membership.objects.create(community=community, user=actor, role=choices.Role.CONVENER, person=person)
        if convener_organization_name.strip():
            organization = Organization(community=community, name=convener_organization_name.strip(), kind=choices.OrganizationKind.ISO)
            _full_clean(organization)
            organization.save()
            Affiliation.objects.create(person=person, organization=organization, staff_level=choices.StaffLevel.MANAGEMENT)
            community.convener_organization = organization
            community.save(update_fields=["convener_organization"])
        audit_record(actor=actor, community=community, action="community.create", target=community,
                     data={"privacy": privacy})
    return community


def community_update(*, actor, community: Community, **fields) -> Community:
    """Change a community's settings; privacy and MFA changes are audited."""
    if "languages" in fields:
        fields["languages"] = _clean_languages(fields["languages"])
    if "slug" in fields:
        fields["slug"] = slugify(fields["slug"])[:60]
    organization = fields.get("convener_organization")
    if organization is not None and organization.community_id != community.pk:
        raise ValidationError({"convener_organization": _("That organization is not part of this community.")})
    with transaction.atomic():
        community = Community.objects.select_for_update().get(pk=community.pk)
        changes = _apply(community, fields, COMMUNITY_FIELDS)
        _full_clean(community)
        community.save()
        for name in ("privacy", "require_mfa", "member_led", "slug"):
            if name in changes:
                old, new = changes[name]
                audit_record(actor=actor, community=community, action=f"community.{name}", target=community,
                             data={"from": old, "to": new})
    return community


def community_remove(*, actor, community: Community) -> None:
    """Archive a community (soft removal, audited); its data stays for restore."""
    with transaction.atomic():
        community.removed_at = timezone.now()
        community.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=community, action="community.remove", target=community)


# --- goals -------------------------------------------------------------------

GOAL_FIELDS = {"title", "description", "horizon", "status", "position"}


def goal_create(*, actor, community: Community, title: str, description: str = "",
                horizon: str = choices.Horizon.SHORT, status: str = choices.GoalStatus.ACTIVE) -> Goal:
    """Add a goal or objective with its horizon at the end of the list."""
    position = (Goal.objects.filter(community=community).aggregate(m=Max("position"))["m"] or 0) + 1
    goal = Goal(community=community, title=title.strip(), description=description, horizon=horizon,
                status=status, position=position, created_by=actor)
    _full_clean(goal)
    goal.save()
    return goal


def goal_update(*, actor, goal: Goal, **fields) -> Goal:
    """Edit a goal's text, horizon or status."""
    _apply(goal, fields, GOAL_FIELDS)
    _full_clean(goal)
    goal.save()
    return goal


def goal_remove(*, actor, goal: Goal) -> None:
    """Remove a goal (soft, audited)."""
    with transaction.atomic():
        goal.removed_at = timezone.now()
        goal.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=goal.community, action="goal.remove", target=goal)


# --- organizations -------------------------------------------------------------

ORGANIZATION_FIELDS = {
    "name", "kind", "description", "thematic_areas", "country", "state", "municipality", "excluded_groups",
    "size", "founding_year", "website", "offers", "seeks", "tier",
}


def _clean_organization(organization: Organization) -> None:
    organization.name = (organization.name or "").strip()
    organization.thematic_areas = _clean_choice_list(organization.thematic_areas, choices.ThematicArea, "thematic_areas", free=True)
    organization.excluded_groups = _clean_choice_list(organization.excluded_groups, choices.ExcludedGroup, "excluded_groups", free=True)
    organization.country = (organization.country or "").strip().upper()
    if not is_country(organization.country):
        raise ValidationError({"country": _("Unknown country code: %(code)s") % {"code": organization.country}})
    organization.state = (organization.state or "").strip()
    if organization.country == "MX" and organization.state:
        state = organization.state.upper()
        if state not in MEXICO_STATE_CODES:
            raise ValidationError({"state": _("Not one of Mexico's 32 states: %(state)s") % {"state": organization.state}})
        organization.state = state
    _full_clean(organization)


def organization_create(*, actor, community: Community, **fields) -> Organization:
    """Add an organization to the community's registry."""
    _apply_unknown = set(fields) - ORGANIZATION_FIELDS
    if _apply_unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(_apply_unknown))})
    organization = Organization(community=community, **fields)
    _clean_organization(organization)
    organization.save()
    summary_changed(community.pk)
    return organization


def organization_update(*, actor, organization: Organization, **fields) -> Organization:
    """Edit an organization of the registry."""
    _apply(organization, fields, ORGANIZATION_FIELDS)
    _clean_organization(organization)
    organization.save()
    summary_changed(organization.community_id)
    return organization


def organization_remove(*, actor, organization: Organization) -> None:
    """Remove an organization from the registry (soft, audited)."""
    with transaction.atomic():
        organization.removed_at = timezone.now()
        organization.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=organization.community, action="organization.remove", target=organization)
        summary_changed(organization.community_id)


# --- people --------------------------------------------------------------------

PERSON_FIELDS = {"display_name", "is_pseudonym", "languages", "bio", "age_band", "gender", "email", "phone"}


def _clean_person(person: Person) -> None:
    person.display_name = (person.display_name or "").strip()
    person.languages = _clean_languages(person.languages)
    person.email = (person.email or "").strip().lower()
    _full_clean(person, exclude=["user"])


def person_create(*, actor, community: Community, affiliations: list[dict] | None = None, user=None, **fields) -> Person:
    """Add a person, optionally with affiliations [{organization, position, staff_level}]."""
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    person = Person(community=community, user=user, **fields)
    _clean_person(person)
    with transaction.atomic():
        person.save()
        for affiliation in affiliations or []:
            affiliation_set(actor=actor, person=person, **affiliation)
        summary_changed(community.pk)
    return person


def person_update(*, actor, person: Person, **fields) -> Person:
    """Edit a person's record."""
    _apply(person, fields, PERSON_FIELDS)
    _clean_person(person)
    person.save()
    return person


def person_remove(*, actor, person: Person) -> None:
    """Remove a person (soft, audited). Their account and membership are untouched."""
    with transaction.atomic():
        person.removed_at = timezone.now()
        person.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=person.community, action="person.remove", target=person)
        summary_changed(person.community_id)


def affiliation_set(*, actor, person: Person, organization: Organization, position: str = "",
                    staff_level: str = choices.StaffLevel.FIELD, is_primary: bool = True) -> Affiliation:
    """Create or update a person's affiliation with an organization of the same community."""
    if organization.community_id != person.community_id or organization.removed_at is not None:
        raise ValidationError({"organization": _("That organization is not part of this community.")})
    if staff_level not in choices.StaffLevel.values:
        raise ValidationError({"staff_level": _("“%(value)s” is not a valid choice.") % {"value": staff_level}})
    affiliation, _created = Affiliation.objects.update_or_create(
        person=person, organization=organization,
        defaults={"position": position.strip(), "staff_level": staff_level, "is_primary": is_primary},
    )
    summary_changed(person.community_id)
    return affiliation


def affiliation_remove(*, actor, affiliation: Affiliation) -> None:
    """Remove an affiliation (audited: it changes who speaks for an organization)."""
    with transaction.atomic():
        audit_record(actor=actor, community=affiliation.person.community, action="affiliation.remove",
                     target=affiliation, data={"organization": affiliation.organization_id})
        affiliation.delete()
        summary_changed(affiliation.person.community_id)


# --- charter -------------------------------------------------------------------

CHARTER_FIELDS = {
    "roles_responsibilities", "leadership_model", "rotation_period_months", "decision_rule", "rules_of_engagement",
    "accountability", "participation_scheme", "expected_effort", "adopted_on", "adopted_how", "review_period_months",
}


def charter_adopt(*, actor, community: Community, **fields) -> Charter:
    """Adopt a new version of the charter; earlier versions are kept unchanged."""
    unknown = set(fields) - CHARTER_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if fields.get("leadership_model") == choices.LeadershipModel.FIXED:
        fields["rotation_period_months"] = None
    with transaction.atomic():
        Community.objects.select_for_update().filter(pk=community.pk).first()
        version = (Charter.objects.filter(community=community).aggregate(m=Max("version"))["m"] or 0) + 1
        charter = Charter(community=community, version=version, created_by=actor, **fields)
        if charter.leadership_model == choices.LeadershipModel.ROTATING and not charter.rotation_period_months:
            raise ValidationError({"rotation_period_months": _("A rotating leadership needs a rotation period.")})
        _full_clean(charter)
        charter.save()
        audit_record(actor=actor, community=community, action="charter.adopt", target=charter,
                     data={"version": version})
    return charter


# --- peer groups ---------------------------------------------------------------

def _check_people(community: Community, people) -> list[Person]:
    people = list(people or [])
    if any(person.community_id != community.pk or person.removed_at for person in people):
        raise ValidationError({"members": _("Everyone in a peer group must belong to this community.")})
    return people


def peer_group_create(*, actor, community: Community, name: str, basis: str = choices.PeerGroupBasis.ROLE,
                      description: str = "", members=None) -> PeerGroup:
    """Define a subgroup by role or theme that can meet in parallel."""
    people = _check_people(community, members)
    group = PeerGroup(community=community, name=name.strip(), basis=basis, description=description)
    _full_clean(group)
    with transaction.atomic():
        group.save()
        group.members.set(people)
    return group


def peer_group_update(*, actor, group: PeerGroup, members=None, **fields) -> PeerGroup:
    """Rename, redescribe or change the members of a peer group."""
    _apply(group, fields, {"name", "basis", "description"})
    _full_clean(group)
    with transaction.atomic():
        group.save()
        if members is not None:
            group.members.set(_check_people(group.community, members))
    return group


def peer_group_remove(*, actor, group: PeerGroup) -> None:
    """Remove a peer group (soft, audited)."""
    with transaction.atomic():
        group.removed_at = timezone.now()
        group.save(update_fields=["removed_at"])
        audit_record(actor=actor, community=group.community, action="peer_group.remove", target=group)


# --- invitations and memberships ---------------------------------------------

def invitation_create(*, actor, community: Community, email: str, role: str = choices.Role.MEMBER,
                      organization: Organization | None = None, message: str = "") -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the one-time token (mailed)."""
    email = email.strip().lower()
    if role not in choices.Role.values:
        raise ValidationError({"role": _("“%(value)s” is not a valid choice.") % {"value": role}})
    if organization is not None and (organization.community_id != community.pk or organization.removed_at):
        raise ValidationError({"organization": _("That organization is not part of this community.")})
    if Membership.objects.active().filter(community=community, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the community.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        community=community, email=email, role=role, organization=organization, message=message.strip(),
        token_hash=_hash_token(token), invited_by=actor, expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    _full_clean(invitation)
    language = translation.get_language()
    with transaction.atomic():
        invitation.save()
        audit_record(actor=actor, community=community, action="invitation.create", target=invitation,
                     data={"email": email, "role": role})
        transaction.on_commit(lambda: _send_invitation(invitation, token, language))
    return invitation, token


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("core:invitation_accept", args=[token])


def _send_invitation(invitation: Invitation, token: str, language: str | None) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "url": invitation_url(token)}
        subject = _("You are invited to %(community)s on Tequio") % {"community": invitation.community.name}
        body = render_to_string("core/email/invitation.txt", context)
        send_mail(subject, body, None, [invitation.email])


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("community", "organization").filter(token_hash=_hash_token(token)).first()


def invitation_accept(*, user, token: str) -> Membership:
    """Join the community of a pending invitation, with its role and organization."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_hash_token(token)).first()
        if invitation is None or invitation.status != "pending":
            raise ValidationError(_("This invitation is no longer valid. Ask for a new one."))
        community = invitation.community
        if Membership.objects.active().filter(community=community, user=user).exists():
            raise ValidationError(_("You are already a member of this community."))
        person = Person.objects.active().filter(community=community, user=user).first()
        if person is None:
            person = Person.objects.active().filter(community=community, user__isnull=True, email__iexact=user.email).first()
            if person is not None:
                person.user = user
                person.save(update_fields=["user"])
            else:
                person = Person.objects.create(community=community, user=user, display_name=_display_name(user), email=user.email)
        if invitation.organization_id:
            Affiliation.objects.get_or_create(person=person, organization=invitation.organization)
        membership = Membership.objects.create(community=community, user=user, role=invitation.role, person=person)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(actor=user, community=community, action="membership.join", target=membership,
                     data={"role": invitation.role, "invitation": invitation.pk})
        summary_changed(community.pk)
    return membership


def invitation_revoke(*, actor, invitation: Invitation) -> None:
    """Cancel a pending invitation (audited)."""
    with transaction.atomic():
        if invitation.status != "pending":
            raise ValidationError(_("Only pending invitations can be revoked."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, community=invitation.community, action="invitation.revoke", target=invitation)


def _remaining_managers(community: Community, excluding: Membership) -> int:
    return Membership.objects.active().filter(community=community, role__in=MANAGERS).exclude(pk=excluding.pk).count()


def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    """Change a member's role; a community always keeps at least one steward or convener."""
    if role not in choices.Role.values:
        raise ValidationError({"role": _("“%(value)s” is not a valid choice.") % {"value": role}})
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_at:
            raise ValidationError(_("This membership has ended."))
        old = membership.role
        if old == role:
            return membership
        if old in MANAGERS and role not in MANAGERS and _remaining_managers(membership.community, membership) == 0:
            raise ValidationError(_("A community needs at least one steward or convener."))
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(actor=actor, community=membership.community, action="membership.role", target=membership,
                     data={"from": old, "to": role, "user": membership.user_id})
        summary_changed(membership.community_id)
    return membership


def membership_end(*, actor, membership: Membership) -> None:
    """End a membership (leave or removal); the person's records stay, audited."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_at:
            raise ValidationError(_("This membership has ended."))
        if membership.role in MANAGERS and _remaining_managers(membership.community, membership) == 0:
            raise ValidationError(_("A community needs at least one steward or convener."))
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        audit_record(actor=actor, community=membership.community, action="membership.end", target=membership,
                     data={"role": membership.role, "user": membership.user_id})
        summary_changed(membership.community_id)


# --- API tokens ----------------------------------------------------------------

def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A personal API token; the secret is shown once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= 20:
        raise ValidationError(_("You have too many active tokens. Revoke one first."))
    secret = "tq_" + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name[:100], prefix=secret[:10], token_hash=_hash_token(secret))
    with transaction.atomic():
        token.save()
        audit_record(actor=actor, action="api_token.create", target=token)
    return token, secret


def api_token_revoke(*, actor, token: ApiToken) -> None:
    """Revoke a personal API token (audited)."""
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token)


def api_token_authenticate(secret: str):
    """The user of an active token, or None. Marks the token used (at most once a minute)."""
    if not secret or not secret.startswith("tq_"):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash_token(secret), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _display_name(user) -> str:
    full = (user.get_full_name() or "").strip()
    if full:
        return full
    return (user.email or user.get_username()).split("@")[0]


def unique_violation_to_validation(error: IntegrityError) -> ValidationError:
    return ValidationError(_("This conflicts with an existing record."))
