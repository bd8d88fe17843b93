"""This app's part of the full community export (JSON) and its import.

Tables are lists of rows with their own ``id``; a row names another row by the
convention of ``tequio.core.io.community_export``: ``organization`` / ``person`` /
``peer_group`` for core rows, the singular of one of these tables (``convening``,
``agenda_item``, ``questionnaire``, ...) for this app's rows, and an ``organizations``
list for a connection's unordered pair. Accounts are not referenced (who clicked
is not content); calendar links are left out (they are secrets). Search columns are
recomputed on import.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .models import (
    ActionItem,
    AfterActionReview,
    AgendaItem,
    AgendaVote,
    Answer,
    Attendance,
    Choice,
    Connection,
    Convening,
    ConveningSettings,
    Question,
    Questionnaire,
    Report,
    Response,
    RoleAssignment,
    Session,
    Unavailability,
    search_normalize,
)

# table -> (model, plain fields, references {export key: (model attribute, target table)})
CORE = {"organization": "organization", "person": "person", "peer_group": "peer_group"}
TABLES: dict[str, tuple[Any, tuple[str, ...], dict[str, tuple[str, str]]]] = {
    "settings": (ConveningSettings, ("votes_per_organization", "reminder_days_before"), {}),
    "convenings": (Convening, ("title", "objectives", "starts_at", "ends_at", "mode", "place", "online_url", "held_alongside",
                               "agenda_open", "checkin_token", "reminder_sent_at", "created_at", "removed_at"),
                   {"organization": ("host_organization", "organization")}),
    "sessions": (Session, ("title", "kind", "starts_at", "ends_at", "room", "position"),
                 {"convening": ("convening", "convenings"), "peer_group": ("peer_group", "peer_group")}),
    "agenda_items": (AgendaItem, ("title", "description", "proposer_kind", "position", "created_at", "removed_at"),
                     {"convening": ("convening", "convenings"), "organization": ("organization", "organization"),
                      "person": ("person", "person"), "session": ("session", "sessions")}),
    "agenda_votes": (AgendaVote, ("dots", "updated_at"),
                     {"convening": ("convening", "convenings"), "agenda_item": ("item", "agenda_items"),
                      "organization": ("organization", "organization")}),
    "roles": (RoleAssignment, ("role", "staff_level", "reason", "from_suggestion", "assigned_at"),
              {"convening": ("convening", "convenings"), "person": ("person", "person"),
               "organization": ("organization", "organization")}),
    "unavailabilities": (Unavailability, ("created_at",), {"convening": ("convening", "convenings"), "person": ("person", "person")}),
    "attendances": (Attendance, ("staff_level", "method", "checked_in_at"),
                    {"convening": ("convening", "convenings"), "person": ("person", "person"),
                     "organization": ("organization", "organization")}),
    "reports": (Report, ("insights", "decisions", "methodologies", "resources", "published_at", "created_at"),
                {"convening": ("convening", "convenings"), "person": ("rapporteur", "person")}),
    "connections": (Connection, ("description", "created_at"), {"convening": ("convening", "convenings")}),
    "action_items": (ActionItem, ("title", "due_on", "status", "created_at", "completed_at", "reminder_sent_at"),
                     {"convening": ("convening", "convenings"), "person": ("owner", "person"),
                      "organization": ("owner_organization", "organization")}),
    "reviews": (AfterActionReview, ("expected", "happened", "why_different", "keep", "change", "version"),
                {"convening": ("convening", "convenings")}),
    "questionnaires": (Questionnaire, ("title", "description", "anonymous", "status", "is_template", "source", "opened_at",
                                       "closed_at", "created_at", "removed_at"), {"convening": ("convening", "convenings")}),
    "questions": (Question, ("position", "kind", "name", "text", "help", "required"),
                  {"questionnaire": ("questionnaire", "questionnaires")}),
    "choices": (Choice, ("position", "value", "label"), {"question": ("question", "questions")}),
    "responses": (Response, ("respondent_hash", "submitted_at"),
                  {"questionnaire": ("questionnaire", "questionnaires"), "person": ("person", "person")}),
    "answers": (Answer, ("number", "rank", "text"),
                {"response": ("response", "responses"), "question": ("question", "questions"), "choice": ("choice", "choices")}),
}
COMMUNITY_SCOPED = {"settings": "community", "convenings": "community", "questionnaires": "community"}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _queryset(table: str, community):
    model = TABLES[table][0]
    if table in COMMUNITY_SCOPED:
        return model.objects.filter(community=community)
    paths = {
        "questions": "questionnaire__community", "choices": "question__questionnaire__community",
        "responses": "questionnaire__community", "answers": "question__questionnaire__community",
        "agenda_votes": "convening__community",
    }
    return model.objects.filter(**{paths.get(table, "convening__community"): community})


def export_community(community) -> dict[str, list[dict]]:
    """Every row of this app in ``community``, as JSON-ready tables."""
    tables: dict[str, list[dict]] = {}
    for table, (_model, fields, references) in TABLES.items():
        rows = []
        attnames = {key: f"{attribute}_id" for key, (attribute, _target) in references.items()}
        values = ["id", *fields, *attnames.values()]
        if table == "connections":
            values += ["organization_a_id", "organization_b_id"]
        for record in _queryset(table, community).order_by("id").values(*values):
            row = {"id": record["id"], **{name: _encode(record[name]) for name in fields}}
            row.update({key: record[attname] for key, attname in attnames.items()})
            if table == "connections":
                row["organizations"] = [record["organization_a_id"], record["organization_b_id"]]
            rows.append(row)
        tables[table] = rows
    return tables


def _decode(model, name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    if value is None:
        return None
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        parsed = parse_datetime(str(value))
        if parsed is None:
            raise ValueError(value)
        return parsed
    if internal == "DateField":
        parsed = parse_date(str(value))
        if parsed is None:
            raise ValueError(value)
        return parsed
    return field.to_python(value)


def import_community(data: dict, community, id_maps: dict[str, dict]) -> None:
    """Recreate this app's rows for an imported ``community``; ``id_maps`` maps core ids.

    Raises ValidationError naming each bad row; the caller's transaction then undoes all.
    """
    tables = (data.get("capabilities") or {}).get("convenings") or {}
    if not isinstance(tables, dict):
        raise ValidationError(_("The convenings section must be an object."))
    errors: list[str] = [
        _("convenings.%(table)s: unknown table.") % {"table": table} for table in sorted(set(tables) - set(TABLES))
    ]
    maps: dict[str, dict[Any, Any]] = {table: {} for table in TABLES}
    for table, (model, fields, references) in TABLES.items():
        pending: list[tuple[Any, Any]] = []
        rows = tables.get(table, [])
        if not isinstance(rows, list):
            errors.append(_("convenings.%(table)s: expected a list.") % {"table": table})
            continue
        for index, row in enumerate(rows):
            path = f"convenings.{table}[{index}]"
            if not isinstance(row, dict):
                errors.append(_("%(path)s: expected an object.") % {"path": path})
                continue
            instance = model()
            if table in COMMUNITY_SCOPED:
                instance.community = community
            try:
                for name in fields:
                    if name in row:
                        setattr(instance, model._meta.get_field(name).attname, _decode(model, name, row[name]))
            except (ValueError, ValidationError, TypeError):
                errors.append(_("%(path)s: a value is not valid.") % {"path": path})
                continue
            missing = False
            for key, (attribute, target) in references.items():
                old = row.get(key)
                if old is None:
                    continue
                target_map = id_maps.get(CORE[target]) if target in CORE else maps[target]
                new = (target_map or {}).get(old)
                if new is None:
                    errors.append(_("%(path)s: unknown %(key)s %(id)s.") % {"path": path, "key": key, "id": old})
                    missing = True
                    break
                setattr(instance, f"{attribute}_id", getattr(new, "pk", new))
            if table == "connections":
                pair = row.get("organizations") or []
                organizations = [id_maps.get("organization", {}).get(old) for old in pair] if isinstance(pair, list) else []
                if len(organizations) != 2 or None in organizations:
                    errors.append(_("%(path)s: a connection needs two known organizations.") % {"path": path})
                    continue
                first, second = sorted(getattr(org, "pk", org) for org in organizations)
                instance.organization_a_id, instance.organization_b_id = first, second
            if missing:
                continue
            try:
                instance.clean_fields(exclude=[attribute for attribute, _target in references.values()]
                                      + ["community", "convening", "organization_a", "organization_b"])
            except ValidationError as error:
                errors.append(f"{path}: " + " ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()))
                continue
            if table == "reports":
                instance.search_text = search_normalize(" ".join(getattr(instance, name) for name in
                                                                  ("insights", "decisions", "methodologies", "resources")))
            if table == "reviews":
                instance.search_text = search_normalize(" ".join(getattr(instance, name) for name in AfterActionReview.TEXT_FIELDS))
            pending.append((row.get("id"), instance))
        if len(errors) > 200:
            break
        # Ids come back from bulk inserts on PostgreSQL and on SQLite 3.35 or later.
        model.objects.bulk_create([instance for _old, instance in pending], batch_size=2000)
        maps[table].update(pending)
    if errors:
        raise ValidationError(errors[:200])
