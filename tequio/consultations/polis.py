"""Import and export in the Pol.is open-data format (compdemocracy/openData).

``consultation_import_polis`` reads ``comments.csv`` and ``votes.csv`` (and
``summary.csv`` when present) into a new consultation: the whole directory is checked
first (``analysis.polis_io``, plus the statement texts here), every problem is reported
with its file, line and column in the reader's language, and then nothing is created.
Later votes replace earlier ones; statements moderated -1 are imported as rejected, so
they stay in the record and leave the math.

``consultation_export_polis`` writes ``comments.csv``, ``votes.csv``,
``participants-votes.csv`` (with each participant's opinion group) and ``summary.csv``.
Participants and statements keep their Pol.is ids (``number``), so an imported
conversation exports with the same ids. Text cells that a spreadsheet would run as a
formula are made inert, and read back as they were.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from tequio.core.audit import audit_record
from tequio.core.io.tabular import safe_cell, unescape_cell

from . import computing, services
from .analysis import PolisConversation, PolisFormatError, load_polis_export
from .analysis.replay import replay, update_cuts
from .computing import position_key
from .models import (
    QUESTION_MAX_LENGTH,
    STATEMENT_STORED_MAX_LENGTH,
    AnalysisSnapshot,
    Audience,
    Consultation,
    ConsultationState,
    Participant,
    ParticipantKind,
    Statement,
    StatementStatus,
    Vote,
)

MODERATION_STATUS = {1: StatementStatus.ACCEPTED, 0: StatementStatus.ACCEPTED, -1: StatementStatus.REJECTED}
STATUS_MODERATION = {StatementStatus.ACCEPTED: 1, StatementStatus.PENDING: 0, StatementStatus.REJECTED: -1,
                     StatementStatus.SPAM: -1}
FILES = ("comments.csv", "votes.csv")
# An import replays at most this many updates of the conversation's history, reading at
# most this many votes in all (see history_state).
REPLAY_UPDATES = 200
REPLAY_VOTE_ROWS = 2_000_000


def _messages() -> dict[str, str]:
    return {
        "empty_file": _("the file is empty; a header row was expected"),
        "unreadable": _("this is not readable CSV (%(detail)s)"),
        "missing_column": _("the column “%(name)s” is missing"),
        "short_row": _("the row has %(fields)s fields, so “%(name)s” is missing"),
        "not_integer": _("“%(name)s” must be a whole number, not “%(value)s”"),
        "bad_moderation": _("“moderated” must be -1, 0 or 1, not %(value)s"),
        "duplicate_comment": _("comment-id %(id)s already appears on line %(first)s"),
        "bad_vote": _("“vote” must be -1, 0 or 1, not %(value)s"),
        "unknown_comment": _("comment-id %(id)s is not in comments.csv"),
        "negative_voter": _("“voter-id” cannot be negative (%(value)s)"),
        "empty_text": _("the statement text is empty"),
        "long_text": _("the statement has %(length)s characters, more than the %(limit)s allowed"),
        "not_utf8": _("this is not UTF-8 text (save the file as CSV UTF-8 and try again)"),
        "open_quote": _("a quoted field opens here and never closes"),
    }


def describe(error: PolisFormatError) -> str:
    """One problem, in the reader's language: "votes.csv, line 3, column 5: …"."""
    template = _messages().get(error.code)
    try:
        detail = template % error.params if template else error.message
    except (KeyError, TypeError, ValueError):
        detail = error.message
    return _("%(file)s, line %(line)d, column %(column)d: %(problem)s") % {
        "file": error.file or "?", "line": error.line, "column": error.column, "problem": detail}


class PolisImportError(ValidationError):
    """The directory cannot be imported; ``messages`` lists every problem found (translated)."""


def _open_quote_column(text: str) -> int | None:
    """The field (1-based) whose opening quote is never closed in ``text``, or None."""
    field, quoted, opened_at, at_start = 1, False, 0, True
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == '"':
                if text[index + 1:index + 2] == '"':
                    index += 1  # an escaped quote inside the field
                else:
                    quoted = False
        elif char == '"' and at_start:
            quoted, opened_at = True, field
        elif char == ",":
            field += 1
            at_start = True
            index += 1
            continue
        elif char == "\n":
            field, at_start = 1, True
            index += 1
            continue
        at_start = False
        index += 1
    return opened_at if quoted else None


def _check_text(path: Path) -> PolisFormatError | None:
    """What the CSV reader would silently get wrong: bytes that are not UTF-8, a quote left open.

    Python's csv module takes the rest of the file into a field whose quote never closes;
    Pol.is never writes that, so it is a damaged file and is reported where the quote opens.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line_start = before.rfind(b"\n") + 1
        prefix = before[line_start:].decode("utf-8-sig", errors="replace")
        return PolisFormatError(before.count(b"\n") + 1, prefix.count(",") + 1, "not UTF-8", file=path.name,
                                code="not_utf8")
    column = _open_quote_column(text)
    if column is None:
        return None
    # The line where the unclosed field starts: the last record the reader began.
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for _row in reader:
            starts.append(line)
            line = reader.line_num + 1
    except csv.Error:
        pass
    return PolisFormatError(starts[-1] if starts else 1, column, "open quote", file=path.name, code="open_quote")


@dataclass
class _Comment:
    number: int
    text: str
    author: int | None
    moderated: int
    timestamp: int | None


def _read_comments(path: Path) -> dict[int, _Comment]:
    """Texts, authors and times of comments.csv (ids and moderation are checked by polis_io)."""
    errors: list[PolisFormatError] = []
    comments: dict[int, _Comment] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader)]
        columns = {name: index for index, name in enumerate(header)}
        if "comment-body" not in columns:
            raise PolisImportError([describe(PolisFormatError(1, len(header) + 1, "missing column", file=path.name,
                                                              code="missing_column", params={"name": "comment-body"}))])
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not row or all(not cell.strip() for cell in row):
                continue

            def cell(name: str, row=row) -> str:
                index = columns.get(name)
                return row[index].strip() if index is not None and index < len(row) else ""

            body_column = columns["comment-body"] + 1
            text = " ".join(unescape_cell(cell("comment-body")).split())
            if not text:
                errors.append(PolisFormatError(start, body_column, "empty", file=path.name, code="empty_text"))
                continue
            if len(text) > STATEMENT_STORED_MAX_LENGTH:
                errors.append(PolisFormatError(start, body_column, "long", file=path.name, code="long_text",
                                               params={"length": len(text), "limit": STATEMENT_STORED_MAX_LENGTH}))
                continue
            author, timestamp = cell("author-id"), cell("timestamp")
            number = int(cell("comment-id"))
            comments[number] = _Comment(
                number=number, text=text, author=int(author) if author.lstrip("-").isdigit() else None,
                moderated=int(cell("moderated")), timestamp=int(timestamp) if timestamp.isdigit() else None,
            )
    if errors:
        raise PolisImportError([describe(error) for error in errors[:100]])
    return comments


def _read_summary(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {row[0].strip(): unescape_cell(row[1].strip()) for row in csv.reader(handle) if len(row) >= 2}


def _moment(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def consultation_import_polis(*, actor, community, directory: str | Path, question: str = "",
                              language: str = "") -> Consultation:
    """A new, closed consultation in ``community`` from a Pol.is export directory. Audited.

    Raises ``PolisImportError`` (a ``ValidationError`` whose messages each name the file,
    line and column) when anything is malformed; then nothing is created.
    """
    base = Path(directory)
    missing = [name for name in FILES if not (base / name).is_file()]
    if missing:
        raise PolisImportError([_("%(directory)s has no %(file)s.") % {"directory": base, "file": name} for name in missing])
    damaged = [error for name in (*FILES, "summary.csv") if (base / name).is_file()
               and (error := _check_text(base / name)) is not None]
    if damaged:
        raise PolisImportError([describe(error) for error in damaged])
    try:
        conversation = load_polis_export(base)
    except PolisFormatError as error:
        raise PolisImportError([describe(problem) for problem in error.errors]) from None
    comments = _read_comments(base / "comments.csv")
    summary = _read_summary(base / "summary.csv")
    question = " ".join((question or summary.get("topic") or base.name).split())[:QUESTION_MAX_LENGTH]
    language = language or (community.languages or ["es"])[0]

    n_statements = len(conversation.statement_ids)
    times = conversation.timestamps
    # Latest vote of each cell, with the times of its first and last casting.
    cells = conversation.participants.astype(np.int64) * max(n_statements, 1) + conversation.statements
    _unique, first = np.unique(cells, return_index=True)
    _unique, last_reversed = np.unique(cells[::-1], return_index=True)
    last = cells.size - 1 - last_reversed
    first_vote_of = {}
    for index in np.argsort(times, kind="stable"):
        first_vote_of.setdefault(int(conversation.participants[index]), int(times[index]))

    with transaction.atomic():
        consultation = Consultation(
            community=community, question=question, context=summary.get("conversation-description", ""),
            language=language, audience=Audience.MEMBERS, state=ConsultationState.CLOSED, created_by=actor,
        )
        stamps = [c.timestamp for c in comments.values() if c.timestamp is not None]
        if stamps or times.size:
            consultation.created_at = _moment(min([*stamps, *(times[:1].tolist())]))
        services._clean_consultation(consultation)
        consultation.save()

        participant_ids = set(conversation.participant_ids) | {c.author for c in comments.values() if c.author is not None and c.author >= 0}
        index_of = {number: index for index, number in enumerate(conversation.participant_ids)}
        participants = Participant.objects.bulk_create([
            Participant(consultation=consultation, number=number, kind=ParticipantKind.IMPORTED,
                        created_at=_moment(first_vote_of[index_of[number]]) if number in index_of else consultation.created_at)
            for number in sorted(participant_ids)
        ], batch_size=2000)
        by_number = {participant.number: participant for participant in participants}

        fingerprints: set[str] = set()
        statements = []
        for number in conversation.statement_ids:
            comment = comments[number]
            fingerprint = services.statement_fingerprint(comment.text)
            if fingerprint in fingerprints:
                fingerprint = services.copy_fingerprint(comment.text, number)
            fingerprints.add(fingerprint)
            statements.append(Statement(
                consultation=consultation, number=number, text=comment.text, fingerprint=fingerprint,
                author=by_number.get(comment.author) if comment.author is not None else None,
                status=MODERATION_STATUS[comment.moderated],
                created_at=_moment(comment.timestamp) if comment.timestamp is not None else consultation.created_at,
            ))
        statements = Statement.objects.bulk_create(statements, batch_size=2000)
        participant_of = [by_number[number] for number in conversation.participant_ids]
        Vote.objects.bulk_create([
            Vote(consultation=consultation, participant=participant_of[conversation.participants[at]],
                 statement=statements[conversation.statements[at]], value=int(conversation.votes[at]),
                 created_at=_moment(int(times[start])), updated_at=_moment(int(times[at])))
            for start, at in zip(first.tolist(), last.tolist(), strict=True)
        ], batch_size=5000)
        audit_record(actor=actor, community=community, action="consultation.import_polis", target=consultation,
                     data={"directory": base.name, "participants": len(participants), "statements": len(statements),
                           "votes": int(first.size)})
    start_from = history_state(conversation, sorted(participant_ids), delay=services.analysis_delay().total_seconds())
    services.analysis_compute(consultation_id=consultation.pk, force=True, start_from=start_from)
    return consultation


def history_state(conversation: PolisConversation, numbers: list[int], *, delay: float) -> dict | None:
    """The state a live consultation would have reached just before its last update.

    Pol.is's groups are the end of a long run of updates, each started from the one
    before; computed once, cold, on all the votes they can land elsewhere (Seattle: ARI
    0.42 against Pol.is's groups once, 0.88 replayed). So an import replays the history:
    the updates the app's debounced task would have run (`delay` seconds after the first
    vote following each), thinned to at most ``REPLAY_UPDATES`` updates and
    ``REPLAY_VOTE_ROWS`` votes read in all, so a large export costs a few updates. The
    import's own computation is the last update. ``numbers`` are the app's participant
    numbers in order (voters and authors), which fix the matrix rows. None when there is
    no history to replay.
    """
    cuts = update_cuts(conversation.timestamps, delay * 1000)[:-1]  # Pol.is times are in ms
    cuts = _thinned(cuts, REPLAY_UPDATES, REPLAY_VOTE_ROWS)
    if cuts.size == 0:
        return None
    row_of = np.searchsorted(np.asarray(numbers, dtype=np.int64), np.asarray(conversation.participant_ids, dtype=np.int64))
    replayed = replay(row_of[conversation.participants], conversation.statements, conversation.votes, cuts,
                      n_participants=len(numbers), n_statements=len(conversation.statement_ids),
                      moderated_out=np.flatnonzero(conversation.moderated_out), options=computing.OPTIONS)
    return computing.state_to_json(replayed.result.state)


def _thinned(cuts: NDArray[np.intp], most: int, rows: int) -> NDArray[np.intp]:
    """Every s-th cut, counted back from the last, for the smallest s within both budgets."""
    step = max(1, -(-cuts.size // most))
    while cuts.size:
        kept = cuts[::-1][::step][::-1]
        if kept.size <= most and int(kept.sum()) <= rows:
            return kept
        if kept.size == 1:
            return cuts[:0]
        step += 1
    return cuts


# --- export ------------------------------------------------------------------------------------

def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _polis_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def consultation_export_polis(*, actor, consultation: Consultation, directory: str | Path) -> dict[str, int]:
    """Write the four files into ``directory`` (created if needed). Audited. Returns counts."""
    if consultation.analysis_queued or not AnalysisSnapshot.objects.filter(consultation=consultation).exists():
        services.analysis_compute(consultation_id=consultation.pk, force=True)
    base = Path(directory)
    base.mkdir(parents=True, exist_ok=True)
    snapshot = AnalysisSnapshot.objects.filter(consultation=consultation).only("group_count", "positions").first()
    positions = snapshot.positions if snapshot else {}

    statements = list(
        Statement.objects.filter(consultation=consultation).select_related("author").order_by("number").annotate(
            agrees=Count("votes", filter=Q(votes__value=1)), disagrees=Count("votes", filter=Q(votes__value=-1)))
    )
    participants = list(Participant.objects.filter(consultation=consultation).order_by("number"))
    number_of_statement = {statement.pk: statement.number for statement in statements}
    number_of_participant = {participant.pk: participant.number for participant in participants}
    votes = list(Vote.objects.filter(consultation=consultation).order_by("updated_at", "id")
                 .values_list("participant_id", "statement_id", "value", "updated_at"))

    with (base / "comments.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"])
        for statement in statements:
            writer.writerow([
                _ms(statement.created_at), _polis_datetime(statement.created_at), statement.number,
                statement.author.number if statement.author else "", statement.agrees, statement.disagrees,
                STATUS_MODERATION[statement.status], safe_cell(statement.text),
            ])

    with (base / "votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for participant_id, statement_id, value, updated in votes:
            writer.writerow([_ms(updated), _polis_datetime(updated), number_of_statement[statement_id],
                             number_of_participant[participant_id], value])

    by_participant: dict[int, dict[int, int]] = {}
    for participant_id, statement_id, value, _updated in votes:
        by_participant.setdefault(participant_id, {})[number_of_statement[statement_id]] = value
    written = dict(Statement.objects.filter(consultation=consultation, author__isnull=False)
                   .values_list("author").annotate(n=Count("pk")).values_list("author", "n"))
    numbers = [statement.number for statement in statements]
    grouped = 0
    with (base / "participants-votes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *numbers])
        for participant in participants:
            answers = by_participant.get(participant.pk, {})
            if not answers and not written.get(participant.pk):
                continue
            position = positions.get(position_key(participant.pk))
            group = position[2] if position and position[2] >= 0 else ""
            grouped += group != ""
            values = list(answers.values())
            writer.writerow([
                participant.number, group, written.get(participant.pk, 0), len(values), values.count(1), values.count(-1),
                *(answers.get(number, "") for number in numbers),
            ])

    voters = len(by_participant)
    url = settings.SITE_URL.rstrip("/") + reverse("consultations:results", args=[consultation.community.slug, consultation.pk])
    with (base / "summary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for key, value in (
            ("topic", safe_cell(consultation.question)), ("url", url), ("views", len(participants)),
            ("voters", voters), ("voters-in-conv", grouped), ("commenters", len(written)),
            ("comments", len(statements)), ("groups", snapshot.group_count if snapshot else 0),
            ("conversation-description", safe_cell(consultation.context)),
        ):
            writer.writerow([key, value])
    with transaction.atomic():
        audit_record(actor=actor, community=consultation.community, action="consultation.export_polis",
                     target=consultation, data={"votes": len(votes)})
    return {"statements": len(statements), "participants": voters, "votes": len(votes), "grouped": grouped}
