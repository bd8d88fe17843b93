"""The consultations part of the full community export (``tequio export community``), and its import.

Votes are exported by participant *number*, never by account: the export is a
steward's download, and members were told their answers are anonymous. So every
participant leaves as ``imported`` (no account, no cookie token), and invitation links
leave without their codes. Rows follow the reference convention of docs/data.md (a row
names another by its table in the singular: ``consultation``, ``statement``,
``participant``), so ``core.io.community_export.canonical`` compares round trips.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import (
    STATEMENT_STORED_MAX_LENGTH,
    Audience,
    Consultation,
    ConsultationState,
    InvitationLink,
    Participant,
    ParticipantKind,
    Statement,
    StatementStatus,
    Vote,
    VoteValue,
)

LABEL = "consultations"
CONSULTATION_FIELDS = ("question", "context", "language", "audience", "moderation_required", "opens_at", "closes_at",
                       "state", "created_at", "removed_at")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_community(community) -> dict[str, list[dict[str, Any]]]:
    """Every consultation of the community with its statements, participants and votes."""
    consultations = list(Consultation.objects.filter(community=community).select_related("created_by").order_by("id"))
    ids = [consultation.pk for consultation in consultations]
    return {
        "consultations": [
            {"id": c.pk, **{name: _iso(getattr(c, name)) if name.endswith("_at") else getattr(c, name)
                            for name in CONSULTATION_FIELDS},
             "created_by": c.created_by.email.lower() if c.created_by and c.created_by.email else None}
            for c in consultations
        ],
        "invitation_links": [
            {"id": link.pk, "consultation": link.consultation_id, "label": link.label, "max_uses": link.max_uses,
             "uses": link.uses, "created_at": _iso(link.created_at), "revoked_at": _iso(link.revoked_at)}
            for link in InvitationLink.objects.filter(consultation_id__in=ids).order_by("id")
        ],
        "participants": [
            {"id": pk, "consultation": consultation, "number": number, "kind": ParticipantKind.IMPORTED,
             "created_at": _iso(created)}
            for pk, consultation, number, created in Participant.objects.filter(consultation_id__in=ids)
            .order_by("id").values_list("pk", "consultation_id", "number", "created_at")
        ],
        "statements": [
            {"id": s.pk, "consultation": s.consultation_id, "number": s.number, "text": s.text, "participant": s.author_id,
             "is_seed": s.is_seed, "status": s.status, "created_at": _iso(s.created_at), "moderated_at": _iso(s.moderated_at)}
            for s in Statement.objects.filter(consultation_id__in=ids).order_by("id")
        ],
        "votes": [
            {"consultation": consultation, "participant": participant, "statement": statement, "value": value,
             "created_at": _iso(created), "updated_at": _iso(updated)}
            for consultation, participant, statement, value, created, updated in Vote.objects.filter(
                consultation_id__in=ids).order_by("participant_id", "statement_id").values_list(
                "consultation_id", "participant_id", "statement_id", "value", "created_at", "updated_at")
        ],
    }


class _Rows:
    def __init__(self, tables: dict[str, Any]) -> None:
        self.tables = tables
        self.errors: list[str] = []

    def rows(self, name: str) -> list[dict[str, Any]]:
        rows = self.tables.get(name, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            self.errors.append(f"{LABEL}.{name}: " + _("Expected a list of objects."))
            return []
        return rows

    def error(self, path: str, message: str) -> None:
        if len(self.errors) < 200:
            self.errors.append(f"{LABEL}.{path}: {message}")

    def when(self, row: dict, name: str, path: str, *, required: bool = False):
        value = row.get(name)
        if value is None:
            if required:
                self.error(f"{path}.{name}", _("This field is required."))
            return None
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            self.error(f"{path}.{name}", _("Enter a valid date and time."))
        return parsed

    def choice(self, row: dict, name: str, path: str, allowed, default=None):
        value = row.get(name, default)
        if value not in allowed:
            self.error(f"{path}.{name}", _("“%(value)s” is not a valid choice.") % {"value": value})
            return default
        return value


def import_community(data: dict[str, Any], community, id_maps: dict[str, dict]) -> None:
    """Recreate the exported consultations in ``community`` (inside the import's transaction)."""
    from . import services

    tables = (data.get("capabilities") or {}).get(LABEL) or {}
    if not isinstance(tables, dict):
        raise ValidationError(_("“%(label)s” must be an object.") % {"label": LABEL})
    reader = _Rows(tables)
    users = id_maps.get("user", {})
    consultations: dict[Any, Consultation] = {}
    for index, row in enumerate(reader.rows("consultations")):
        path = f"consultations[{index}]"
        consultation = Consultation(
            community=community, question=str(row.get("question") or "")[:300], context=str(row.get("context") or ""),
            language=reader.choice(row, "language", path, ("es", "en"), "es"),
            audience=reader.choice(row, "audience", path, Audience.values, Audience.MEMBERS),
            moderation_required=bool(row.get("moderation_required")),
            opens_at=reader.when(row, "opens_at", path), closes_at=reader.when(row, "closes_at", path),
            state=reader.choice(row, "state", path, ConsultationState.values, ConsultationState.CLOSED),
            created_by=users.get(str(row.get("created_by") or "").lower()),
            removed_at=reader.when(row, "removed_at", path),
        )
        created = reader.when(row, "created_at", path)
        if created:
            consultation.created_at = created
        try:
            consultation.full_clean(exclude=["community", "created_by"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                reader.error(f"{path}.{name}", " ".join(messages))
            continue
        consultation.save()
        consultations[row.get("id")] = consultation

    links: dict[Any, InvitationLink] = {}
    for index, row in enumerate(reader.rows("invitation_links")):
        path = f"invitation_links[{index}]"
        consultation = consultations.get(row.get("consultation"))
        if consultation is None:
            reader.error(f"{path}.consultation", _("Unknown id: %(id)s") % {"id": row.get("consultation")})
            continue
        max_uses = row.get("max_uses")
        uses = row.get("uses", 0)
        if not isinstance(max_uses, int) or not isinstance(uses, int) or not 0 <= uses <= max_uses or max_uses < 1:
            reader.error(path, _("Uses must be whole numbers, within the limit."))
            continue
        # The code never leaves the instance it was made on: the link comes with a new
        # secret nobody holds, so it lets nobody in until a steward makes a new one.
        links[row.get("id")] = InvitationLink.objects.create(
            consultation=consultation, label=str(row.get("label") or "")[:120],
            code_hash=services.hash_token(secrets.token_urlsafe(32)), code_hint="", max_uses=max_uses, uses=uses,
            created_at=reader.when(row, "created_at", path) or consultation.created_at,
            revoked_at=reader.when(row, "revoked_at", path),
        )

    participants: dict[Any, Participant] = {}
    batch = []
    for index, row in enumerate(reader.rows("participants")):
        path = f"participants[{index}]"
        consultation = consultations.get(row.get("consultation"))
        number = row.get("number")
        if consultation is None or not isinstance(number, int) or number < 0:
            reader.error(path, _("A participant needs a known consultation and a number."))
            continue
        participant = Participant(consultation=consultation, number=number, kind=ParticipantKind.IMPORTED,
                                  created_at=reader.when(row, "created_at", path) or consultation.created_at)
        participants[row.get("id")] = participant
        batch.append(participant)
    if not reader.errors:
        Participant.objects.bulk_create(batch, batch_size=2000)

    statements: dict[Any, Statement] = {}
    batch = []
    for index, row in enumerate(reader.rows("statements")):
        path = f"statements[{index}]"
        consultation = consultations.get(row.get("consultation"))
        number, text = row.get("number"), row.get("text")
        if consultation is None or not isinstance(number, int) or number < 0:
            reader.error(path, _("A statement needs a known consultation and a number."))
            continue
        if not isinstance(text, str) or not text.strip() or len(text) > STATEMENT_STORED_MAX_LENGTH:
            reader.error(f"{path}.text", _("Expected a statement of 1 to %(limit)d characters.") % {"limit": STATEMENT_STORED_MAX_LENGTH})
            continue
        author = row.get("participant")
        statement = Statement(
            consultation=consultation, number=number, text=text, fingerprint=services.statement_fingerprint(text),
            author=participants.get(author) if author is not None else None, is_seed=bool(row.get("is_seed")),
            status=reader.choice(row, "status", path, StatementStatus.values, StatementStatus.ACCEPTED),
            created_at=reader.when(row, "created_at", path) or consultation.created_at,
            moderated_at=reader.when(row, "moderated_at", path),
        )
        statements[row.get("id")] = statement
        batch.append(statement)
    _unique_fingerprints(batch)
    if not reader.errors:
        Statement.objects.bulk_create(batch, batch_size=2000)

    batch = []
    for index, row in enumerate(reader.rows("votes")):
        path = f"votes[{index}]"
        participant, statement = participants.get(row.get("participant")), statements.get(row.get("statement"))
        value = row.get("value")
        if participant is None or statement is None or participant.consultation is not statement.consultation:
            reader.error(path, _("A vote needs a participant and a statement of the same consultation."))
            continue
        if value not in VoteValue.values:
            reader.error(f"{path}.value", _("A vote is 1 (agree), -1 (disagree) or 0 (pass)."))
            continue
        created = reader.when(row, "created_at", path, required=True)
        batch.append(Vote(consultation=statement.consultation, participant=participant, statement=statement, value=value,
                          created_at=created, updated_at=reader.when(row, "updated_at", path) or created))
    if reader.errors:
        raise ValidationError(reader.errors)
    Vote.objects.bulk_create(batch, batch_size=5000)
    for consultation in consultations.values():
        services.analysis_compute(consultation_id=consultation.pk, force=True)


def _unique_fingerprints(statements: list[Statement]) -> None:
    """Conversations made elsewhere may hold the same statement twice: keep both, with the
    later copy marked so that it does not trip the constraint (new duplicates are still refused)."""
    from .services import copy_fingerprint

    seen: set[tuple[int, str]] = set()
    for statement in statements:
        key = (id(statement.consultation), statement.fingerprint)
        if key in seen:
            statement.fingerprint = copy_fingerprint(statement.text, statement.number)
        seen.add((id(statement.consultation), statement.fingerprint))
