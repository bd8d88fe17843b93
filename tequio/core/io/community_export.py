"""The full export of one community as JSON, and its import into another instance.

The file holds the community, its goals, every charter version, organizations,
people, affiliations, memberships (users by email), peer groups, optionally the
audit log, and each capability's rows through its manifest's ``export`` hook.
Invitations are left out: they carry secrets and expire anyway.

Rows keep their database ids as references inside the file (an affiliation
names its person and organization by those ids). The import gives new ids and
hands capabilities ``id_maps`` from old ids to new rows. Accounts are matched by
email, or created without a usable password (the person sets one through
"forgot password").
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import registry
from ..audit import audit_record
from ..models import (
    Affiliation,
    AuditEvent,
    Charter,
    Community,
    Goal,
    Membership,
    Organization,
    PeerGroup,
    Person,
)

FORMAT = "tequio.community"
VERSION = 1

COMMUNITY_FIELDS = ("slug", "name", "purpose", "languages", "stage", "privacy", "member_led", "require_mfa", "created_at", "removed_at")
ORGANIZATION_FIELDS = (
    "name", "kind", "description", "thematic_areas", "country", "state", "municipality", "excluded_groups", "size",
    "founding_year", "website", "offers", "seeks", "tier", "created_at", "removed_at",
)
PERSON_FIELDS = ("display_name", "is_pseudonym", "languages", "bio", "age_band", "gender", "email", "phone", "created_at", "removed_at")
AFFILIATION_FIELDS = ("position", "staff_level", "is_primary", "created_at")
MEMBERSHIP_FIELDS = ("role", "joined_at", "ended_at")
GOAL_FIELDS = ("title", "description", "horizon", "status", "position", "created_at", "removed_at")
CHARTER_FIELDS = (
    "version", "roles_responsibilities", "leadership_model", "rotation_period_months", "decision_rule",
    "rules_of_engagement", "accountability", "participation_scheme", "expected_effort", "adopted_on", "adopted_how",
    "review_period_months", "created_at",
)
PEER_GROUP_FIELDS = ("name", "basis", "description", "created_at", "removed_at")
AUDIT_FIELDS = ("action", "target_type", "target_id", "target_repr", "data", "created_at")
SECTIONS = ("users", "organizations", "people", "affiliations", "memberships", "goals", "charters", "peer_groups", "audit_events")


def _encode(value: Any) -> Any:
    # isoformat keeps microseconds (DjangoJSONEncoder drops them), so a re-export is identical.
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _fields(instance, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _encode(getattr(instance, name)) for name in names}


class _Users:
    """Accounts referenced by the export, by lower-cased email."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, str]] = {}

    def ref(self, user) -> str | None:
        if user is None or not user.email:
            return None
        email = user.email.strip().lower()
        self.rows.setdefault(email, {"email": email, "first_name": user.first_name, "last_name": user.last_name})
        return email


def community_export(*, actor, community: Community, include_audit: bool = False) -> dict[str, Any]:
    """Everything of one community as a JSON-ready dict (see the module docstring). Audited."""
    users = _Users()
    organizations = list(Organization.objects.filter(community=community).order_by("id"))
    people = list(Person.objects.filter(community=community).select_related("user").order_by("id"))
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "community": {
            **_fields(community, COMMUNITY_FIELDS),
            "created_by": users.ref(community.created_by),
            "convener_organization": community.convener_organization_id,
        },
        "organizations": [{"id": org.pk, **_fields(org, ORGANIZATION_FIELDS)} for org in organizations],
        "people": [{"id": person.pk, "user": users.ref(person.user), **_fields(person, PERSON_FIELDS)} for person in people],
        "affiliations": [
            {"person": a.person_id, "organization": a.organization_id, **_fields(a, AFFILIATION_FIELDS)}
            for a in Affiliation.objects.filter(person__community=community).order_by("id")
        ],
        "memberships": [
            {"user": users.ref(m.user), "person": m.person_id, **_fields(m, MEMBERSHIP_FIELDS)}
            for m in Membership.objects.filter(community=community).select_related("user").order_by("id")
        ],
        "goals": [
            {"id": goal.pk, "created_by": users.ref(goal.created_by), **_fields(goal, GOAL_FIELDS)}
            for goal in Goal.objects.filter(community=community).select_related("created_by").order_by("id")
        ],
        "charters": [
            {"id": charter.pk, "created_by": users.ref(charter.created_by), **_fields(charter, CHARTER_FIELDS)}
            for charter in Charter.objects.filter(community=community).select_related("created_by").order_by("id")
        ],
        "peer_groups": [
            {"id": group.pk, "members": sorted(person.pk for person in group.members.all()), **_fields(group, PEER_GROUP_FIELDS)}
            for group in PeerGroup.objects.filter(community=community).prefetch_related("members").order_by("id")
        ],
    }
    if include_audit:
        data["audit_events"] = [
            {"actor": users.ref(event.actor), **_fields(event, AUDIT_FIELDS)}
            for event in AuditEvent.objects.filter(community=community).select_related("actor").order_by("created_at", "id")
        ]
    data["capabilities"] = {
        capability.label: capability.export(community) for capability in registry.capabilities() if capability.export
    }
    data["users"] = sorted(users.rows.values(), key=lambda row: row["email"])
    with transaction.atomic():
        audit_record(actor=actor, community=community, action="data.export", data={"kind": "community", "format": "json", "audit": include_audit})
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)


# Keys by which capability rows name core rows (singular: one id; plural: a list of ids).
CORE_REFERENCES = {
    "organization": "organizations", "person": "people", "goal": "goals", "charter": "charters", "peer_group": "peer_groups",
}
CORE_LIST_REFERENCES = {"organizations": "organizations", "people": "people"}


def _canonical_capability(tables: Any, core: dict[str, dict[Any, int]]) -> Any:
    """Capability rows with ids replaced by positions, following the convention in docs/data.md.

    A row's own ``id`` becomes its position in its table; a key named after a core
    row (``person``, ``organization``, ... or with ``_id``) or after one of the
    capability's own tables in the singular (``convening`` for ``convenings``)
    becomes the position of the row it names; ``people`` and ``organizations``
    lists become sorted positions.
    """
    if not isinstance(tables, dict) or not all(isinstance(rows, list) for rows in tables.values()):
        return tables
    own = {
        table: {row["id"]: index for index, row in enumerate(rows) if isinstance(row, dict) and "id" in row}
        for table, rows in tables.items()
    }
    for rows in tables.values():
        for row in rows:
            if not isinstance(row, dict):
                continue
            row.pop("id", None)
            for key, value in list(row.items()):
                name = key.removesuffix("_id")
                if name in CORE_REFERENCES and not isinstance(value, list):
                    row[key] = core[CORE_REFERENCES[name]].get(value, value)
                elif f"{name}s" in own and not isinstance(value, list):
                    row[key] = own[f"{name}s"].get(value, value)
                elif key in CORE_LIST_REFERENCES and isinstance(value, list):
                    row[key] = sorted(core[CORE_LIST_REFERENCES[key]].get(item, -1) for item in value)
    return tables


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The export with ids replaced by positions and the export time dropped.

    Two exports of the same content (before and after an import) are equal in
    this form; capability rows too when they follow the reference convention of
    ``_canonical_capability``.
    """
    data = json.loads(json.dumps(data))
    data.pop("exported_at", None)
    positions: dict[str, dict[Any, int]] = {}
    for section in ("organizations", "people", "goals", "charters", "peer_groups"):
        positions[section] = {row.pop("id"): index for index, row in enumerate(data.get(section, []))}
    organizations, people = positions["organizations"], positions["people"]
    community = data["community"]
    community["convener_organization"] = organizations.get(community.get("convener_organization"))
    for row in data.get("affiliations", []):
        row["person"], row["organization"] = people.get(row["person"]), organizations.get(row["organization"])
    for row in data.get("memberships", []):
        row["person"] = people.get(row["person"])
    for row in data.get("peer_groups", []):
        row["members"] = sorted(people.get(member, -1) for member in row["members"])
    for section in ("affiliations", "memberships"):
        data[section] = sorted(data.get(section, []), key=lambda row: json.dumps(row, sort_keys=True))
    for row in data.get("audit_events", []):
        row.pop("target_id", None)
    data["capabilities"] = {
        label: _canonical_capability(tables, positions) for label, tables in (data.get("capabilities") or {}).items()
    }
    return data


# --- import ---------------------------------------------------------------------------

class _Importer:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[str] = []
        self.users: dict[str, Any] = {}
        self.maps: dict[str, dict[Any, Any]] = {name: {} for name in ("organization", "person", "goal", "charter", "peer_group")}

    def error(self, path: str, message: str) -> None:
        if len(self.errors) < 200:
            self.errors.append(f"{path}: {message}")

    def rows(self, section: str) -> list[dict[str, Any]]:
        rows = self.data.get(section, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            self.error(section, _("Expected a list of objects."))
            return []
        return rows

    def build(self, model, row: dict[str, Any], fields: tuple[str, ...], path: str, refs: tuple[str, ...] = (), **values):
        """A model instance from a row's plain fields, not yet saved; problems go to ``errors``."""
        unknown = set(row) - set(fields) - set(refs) - {"id"}
        if unknown:
            self.error(path, _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
        instance = model(**values)
        for name in fields:
            if name not in row:
                continue
            model_field = model._meta.get_field(name)
            try:
                setattr(instance, model_field.attname, model_field.to_python(row[name]))
            except ValidationError as error:
                self.error(f"{path}.{name}", " ".join(error.messages))
        return instance

    def save(self, instance, path: str, exclude: list[str] | None = None) -> bool:
        try:
            instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.error(path if name == "__all__" else f"{path}.{name}", " ".join(messages))
            return False
        instance.save()
        return True

    def user(self, email: Any, path: str):
        if email is None:
            return None
        if not isinstance(email, str) or email.strip().lower() not in self.users:
            self.error(path, _("Unknown user: %(email)s") % {"email": email})
            return None
        return self.users[email.strip().lower()]

    def ref(self, kind: str, old: Any, path: str):
        if old is None:
            return None
        try:
            return self.maps[kind][old]
        except (KeyError, TypeError):
            self.error(path, _("Unknown id: %(id)s") % {"id": old})
            return None


def _user_for(email: str, row: dict[str, Any]):
    """The account with this email, or a new one that cannot sign in until it sets a password."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address else None
    if user is not None:
        return user
    username, counter = email[:150], 1
    while User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        counter += 1
        username = f"{email[:140]}-{counter}"
    user = User(**{User.USERNAME_FIELD: username}, email=email,
                first_name=str(row.get("first_name") or "")[:150], last_name=str(row.get("last_name") or "")[:150])
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    return user


def community_import(*, actor, data: Any, slug: str | None = None, skip_unknown_capabilities: bool = False) -> Community:
    """Create a community from ``community_export`` output, atomically. Audited.

    ``slug`` renames it; a community with the target slug must not exist. Raises
    ``ValidationError`` with one message per problem, and then nothing is changed.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(_("This is not a Tequio community export."))
    if data.get("version") != VERSION:
        raise ValidationError(_("Unsupported export version: %(version)s") % {"version": data.get("version")})
    if not isinstance(data.get("community"), dict):
        raise ValidationError(_("The export has no community."))
    exported = data.get("capabilities") or {}
    if not isinstance(exported, dict):
        raise ValidationError(_("“capabilities” must be an object."))
    installed = {capability.label: capability for capability in registry.capabilities()}
    missing = sorted(label for label in exported if label not in installed or not installed[label].import_)
    if missing and not skip_unknown_capabilities:
        raise ValidationError(_("The export holds data of capabilities this instance cannot import: %(labels)s") % {"labels": ", ".join(missing)})
    importer = _Importer(data)
    with transaction.atomic():
        community = _import_core(importer, data, slug)
        if importer.errors:
            raise ValidationError(importer.errors)
        id_maps = {**importer.maps, "user": dict(importer.users)}
        for label, capability in installed.items():
            if capability.import_ and label in exported:
                capability.import_(data, community, id_maps)
        audit_record(actor=actor, community=community, action="data.import", target=community,
                     data={"kind": "community", "format": "json", "from": data["community"].get("slug")})
    return community


def _import_core(importer: _Importer, data: dict[str, Any], slug: str | None) -> Community:
    for index, row in enumerate(importer.rows("users")):
        email = str(row.get("email") or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            importer.error(f"users[{index}].email", _("Enter a valid email address."))
            continue
        importer.users[email] = _user_for(email, row)

    source = data["community"]
    community = importer.build(Community, source, COMMUNITY_FIELDS, "community", refs=("created_by", "convener_organization"))
    if slug:
        community.slug = slug
    community.created_by = importer.user(source.get("created_by"), "community.created_by")
    if Community.objects.filter(slug=community.slug).exists():
        raise ValidationError(_("A community with the short name “%(slug)s” already exists here. Choose another with --slug.") % {"slug": community.slug})
    if not importer.save(community, "community", exclude=["convener_organization"]):
        raise ValidationError(importer.errors)

    for index, row in enumerate(importer.rows("organizations")):
        path = f"organizations[{index}]"
        organization = importer.build(Organization, row, ORGANIZATION_FIELDS, path, community=community)
        if importer.save(organization, path):
            importer.maps["organization"][row.get("id")] = organization
    convener = importer.ref("organization", source.get("convener_organization"), "community.convener_organization")
    if convener is not None:
        community.convener_organization = convener
        community.save(update_fields=["convener_organization"])

    for index, row in enumerate(importer.rows("people")):
        path = f"people[{index}]"
        person = importer.build(Person, row, PERSON_FIELDS, path, refs=("user",), community=community,
                                user=importer.user(row.get("user"), f"{path}.user"))
        if importer.save(person, path):
            importer.maps["person"][row.get("id")] = person

    for index, row in enumerate(importer.rows("affiliations")):
        path = f"affiliations[{index}]"
        person = importer.ref("person", row.get("person"), f"{path}.person")
        organization = importer.ref("organization", row.get("organization"), f"{path}.organization")
        if person is None or organization is None:
            continue
        importer.save(importer.build(Affiliation, row, AFFILIATION_FIELDS, path, refs=("person", "organization"),
                                     person=person, organization=organization), path)

    for index, row in enumerate(importer.rows("memberships")):
        path = f"memberships[{index}]"
        user = importer.user(row.get("user"), f"{path}.user")
        if user is None:
            importer.error(f"{path}.user", _("A membership needs a user."))
            continue
        person = importer.ref("person", row.get("person"), f"{path}.person")
        importer.save(importer.build(Membership, row, MEMBERSHIP_FIELDS, path, refs=("user", "person"),
                                     community=community, user=user, person=person), path)

    for index, row in enumerate(importer.rows("goals")):
        path = f"goals[{index}]"
        goal = importer.build(Goal, row, GOAL_FIELDS, path, refs=("created_by",), community=community,
                              created_by=importer.user(row.get("created_by"), f"{path}.created_by"))
        if importer.save(goal, path):
            importer.maps["goal"][row.get("id")] = goal

    for index, row in enumerate(importer.rows("charters")):
        path = f"charters[{index}]"
        charter = importer.build(Charter, row, CHARTER_FIELDS, path, refs=("created_by",), community=community,
                                 created_by=importer.user(row.get("created_by"), f"{path}.created_by"))
        if importer.save(charter, path):
            importer.maps["charter"][row.get("id")] = charter

    for index, row in enumerate(importer.rows("peer_groups")):
        path = f"peer_groups[{index}]"
        members = row.get("members") or []
        if not isinstance(members, list):
            importer.error(f"{path}.members", _("Expected a list."))
            continue
        group = importer.build(PeerGroup, row, PEER_GROUP_FIELDS, path, refs=("members",), community=community)
        people = [importer.ref("person", member, f"{path}.members") for member in members]
        if importer.save(group, path):
            group.members.set([person for person in people if person is not None])
            importer.maps["peer_group"][row.get("id")] = group

    targets = {"organization": "organization", "person": "person", "goal": "goal", "charter": "charter", "peergroup": "peer_group"}
    for index, row in enumerate(importer.rows("audit_events")):
        path = f"audit_events[{index}]"
        event = importer.build(AuditEvent, row, AUDIT_FIELDS, path, refs=("actor",), community=community,
                               actor=importer.user(row.get("actor"), f"{path}.actor"))
        kind = targets.get(event.target_type)
        if event.target_type == "community":
            event.target_id = str(community.pk)
        elif kind and event.target_id.isdigit() and int(event.target_id) in importer.maps[kind]:
            event.target_id = str(importer.maps[kind][int(event.target_id)].pk)
        importer.save(event, path)
    return community
