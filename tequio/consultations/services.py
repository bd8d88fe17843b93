"""Writes of the consultations capability.

Every function is ``<entity>_<verb>(*, actor, ...)``: it validates, runs in one
transaction, audits what is sensitive (who may take part, moderation, invitation links,
imports), and defers side effects (queueing the opinion math) to
``transaction.on_commit``. Views, the API, the commands, the demo and the tests call
these.

A vote is written before the answer is sent and is never touched by the math: the
background computation only reads votes and writes its own snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tequio.core.audit import audit_record
from tequio.core.choices import CONTENT_LANGUAGES
from tequio.core.models import Community
from tequio.core.writes import apply_fields

from . import selectors
from .models import (
    QUESTION_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    AnalysisSnapshot,
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
from .permissions import hash_token

logger = logging.getLogger(__name__)

MAX_STATEMENTS_PER_PARTICIPANT = 20
MAX_LINK_USES = 100_000
# Unambiguous on paper and on a phone keyboard: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
VOTE_NAMES = {"agree": VoteValue.AGREE, "disagree": VoteValue.DISAGREE, "pass": VoteValue.PASS}


def analysis_delay() -> timedelta:
    """How long votes gather before the math runs again (Pol.is polls every 2 s)."""
    return timedelta(seconds=float(getattr(settings, "TEQUIO_CONSULTATION_ANALYSIS_DELAY", 5)))


def analysis_stale_after() -> timedelta:
    """A request still waiting after this long is taken as lost (no worker) and sent again."""
    return timedelta(seconds=float(getattr(settings, "TEQUIO_CONSULTATION_ANALYSIS_STALE", 600)))


# --- text ------------------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """Case, accents, punctuation and spacing removed: what makes two statements the same."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def statement_fingerprint(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode()).hexdigest()


def copy_fingerprint(text: str, number: int) -> str:
    """The fingerprint of an imported statement that repeats an earlier one of its conversation."""
    return hashlib.sha256(f"{normalize_text(text)}\x00copy {number}".encode()).hexdigest()


def clean_statement_text(text: str, *, field: str = "text", limit: int = STATEMENT_MAX_LENGTH) -> str:
    """Spacing tidied; empty or over-long text refused with a message naming the limit."""
    text = " ".join((text or "").split())
    if not text or not normalize_text(text):
        raise ValidationError({field: _("Write a statement: it cannot be empty.")})
    if len(text) > limit:
        raise ValidationError({field: ngettext(
            "A statement can have at most %(limit)d character (this one has %(length)d).",
            "A statement can have at most %(limit)d characters (this one has %(length)d).",
            limit,
        ) % {"limit": limit, "length": len(text)}})
    return text


def normalize_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def format_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read aloud and to copy from paper."""
    return f"{code[:5]}-{code[5:]}" if len(code) > 5 else code


def _duplicate_error() -> ValidationError:
    return ValidationError({"text": _("This statement is already part of the consultation.")})


def _closed_error() -> ValidationError:
    return ValidationError(_("This consultation is not open: it takes no votes or statements now."))


# --- consultations --------------------------------------------------------------------------

CONSULTATION_FIELDS = {"question", "context", "language", "audience", "moderation_required", "opens_at", "closes_at"}


def _clean_consultation(consultation: Consultation) -> None:
    consultation.question = " ".join((consultation.question or "").split())
    if not consultation.question:
        raise ValidationError({"question": _("Write the question you are asking.")})
    if len(consultation.question) > QUESTION_MAX_LENGTH:
        raise ValidationError({"question": _("The question can have at most %(limit)d characters.") % {"limit": QUESTION_MAX_LENGTH}})
    if consultation.language not in {code for code, _name in CONTENT_LANGUAGES}:
        raise ValidationError({"language": _("Unsupported language: %(code)s") % {"code": consultation.language}})
    consultation.full_clean(exclude=["community", "created_by"])


def _lock(consultation: Consultation) -> None:
    # Numbers of statements and participants are handed out one at a time per consultation.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).values_list("pk").first()


def _next_number(model, consultation: Consultation) -> int:
    current = model.objects.filter(consultation=consultation).aggregate(m=Max("number"))["m"]
    return 0 if current is None else current + 1


def consultation_create(*, actor, community: Community, question: str, context: str = "", language: str = "es",
                        audience: str = Audience.MEMBERS, moderation_required: bool = False, opens_at=None,
                        closes_at=None, state: str = ConsultationState.DRAFT,
                        seed_statements: list[str] | tuple[str, ...] = ()) -> Consultation:
    """Ask a question in a community, with the statements that start the conversation."""
    if state not in ConsultationState.values:
        raise ValidationError({"state": _("“%(value)s” is not a valid choice.") % {"value": state}})
    consultation = Consultation(
        community=community, question=question, context=context or "", language=language, audience=audience,
        moderation_required=moderation_required, opens_at=opens_at, closes_at=closes_at, state=state, created_by=actor,
    )
    _clean_consultation(consultation)
    seeds = _clean_seeds(seed_statements)
    with transaction.atomic():
        consultation.save()
        for number, text in enumerate(seeds):
            Statement.objects.create(
                consultation=consultation, number=number, text=text, fingerprint=statement_fingerprint(text),
                is_seed=True, status=StatementStatus.ACCEPTED, created_by=actor,
            )
        audit_record(actor=actor, community=community, action="consultation.create", target=consultation,
                     data={"audience": audience, "seeds": len(seeds)})
        selectors.home_changed(community.pk)
    return consultation


def _clean_seeds(texts) -> list[str]:
    cleaned: list[str] = []
    seen: set[str] = set()
    for line, text in enumerate(texts or (), start=1):
        if not (text or "").strip():
            continue
        try:
            text = clean_statement_text(text, field="seed_statements")
        except ValidationError as error:
            messages = [str(message) for message in error.messages]
            raise ValidationError({"seed_statements": [
                _("Line %(line)d: %(problem)s") % {"line": line, "problem": message} for message in messages
            ]}) from None
        fingerprint = statement_fingerprint(text)
        if fingerprint in seen:
            raise ValidationError({"seed_statements": _("Line %(line)d repeats an earlier statement.") % {"line": line}})
        seen.add(fingerprint)
        cleaned.append(text)
    return cleaned


def consultation_update(*, actor, consultation: Consultation, **fields) -> Consultation:
    """Change the question, its context, dates, language, audience or moderation rule."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        changes = apply_fields(consultation, fields, CONSULTATION_FIELDS)
        _clean_consultation(consultation)
        # Only the edited columns: the analysis flags may change under us at any time.
        consultation.save(update_fields=[*changes, "updated_at"])
        selectors.home_changed(consultation.community_id)
        if "audience" in changes:
            audit_record(actor=actor, community=consultation.community, action="consultation.audience",
                         target=consultation, data={"from": changes["audience"][0], "to": changes["audience"][1]})
    return consultation


def consultation_set_state(*, actor, consultation: Consultation, state: str) -> Consultation:
    """Open, close or reopen a consultation (audited)."""
    if state not in ConsultationState.values:
        raise ValidationError({"state": _("“%(value)s” is not a valid choice.") % {"value": state}})
    with transaction.atomic():
        previous = consultation.state
        Consultation.objects.filter(pk=consultation.pk).update(state=state, updated_at=timezone.now())
        consultation.state = state
        audit_record(actor=actor, community=consultation.community, action="consultation.state", target=consultation,
                     data={"from": previous, "to": state})
        selectors.home_changed(consultation.community_id)
    return consultation


# --- participants ---------------------------------------------------------------------------

def _new_participant(consultation: Consultation, **fields) -> Participant:
    _lock(consultation)
    return Participant.objects.create(consultation=consultation, number=_next_number(Participant, consultation), **fields)


def _member_participant(consultation: Consultation, user) -> Participant:
    """The member's participant row, created on their first vote or statement."""
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(_("Sign in, or open your invitation link, to take part."))
    participant = Participant.objects.filter(consultation=consultation, user=user).first()
    if participant is None:
        participant = _new_participant(consultation, kind=ParticipantKind.MEMBER, user=user)
    return participant


def invitation_link_for_code(code: str) -> InvitationLink | None:
    """The link a code belongs to (any consultation), or None."""
    normalized = normalize_code(code)
    if len(normalized) != CODE_LENGTH:
        return None
    return (
        InvitationLink.objects.filter(code_hash=hash_token(normalized))
        .select_related("consultation__community").first()
    )


def invitation_link_problem(link: InvitationLink) -> str | None:
    """Why this link lets nobody (else) in now, in words for the person holding it; None if it does."""
    consultation = link.consultation
    if consultation.removed_at is not None or consultation.audience != Audience.INVITED:
        return _("This invitation is no longer valid.")
    if not consultation.is_accepting():
        return str(_closed_error().messages[0])
    if link.revoked_at is not None:
        return _("This invitation has been withdrawn by the people who run the consultation.")
    if link.uses >= link.max_uses:
        return ngettext(
            "This invitation has already been used by %(count)d person, as many as it allows. Ask for a new one.",
            "This invitation has already been used by %(count)d people, as many as it allows. Ask for a new one.",
            link.max_uses,
        ) % {"count": link.max_uses}
    return None


def participant_join(*, user, link: InvitationLink) -> tuple[Participant, str | None]:
    """Someone invited by a link or code starts taking part; returns (participant, cookie token).

    Each new participant uses the link once. Past its limit, revoked, or for a
    consultation that is not open, nothing is written and the reason is given. Someone
    signed in is remembered by their account (no token); anyone else by a new random
    token, of which only the hash is stored.
    """
    consultation = link.consultation
    if consultation.removed_at is not None or consultation.audience != Audience.INVITED:
        raise ValidationError(_("This invitation is no longer valid."))
    if not consultation.is_accepting():
        raise _closed_error()
    signed_in = getattr(user, "is_authenticated", False)
    with transaction.atomic():
        if signed_in:
            existing = Participant.objects.filter(consultation=consultation, user=user).first()
            if existing is not None:
                return existing, None
        if not _use_link(link):
            link.refresh_from_db(fields=["uses", "revoked_at"])
            raise ValidationError(invitation_link_problem(link) or _("This invitation is no longer valid."))
        token = None if signed_in else secrets.token_urlsafe(32)
        participant = _new_participant(
            consultation, kind=ParticipantKind.INVITED, user=user if signed_in else None,
            token_hash=hash_token(token) if token else None, invitation=link,
        )
    return participant, token


def _use_link(link: InvitationLink) -> bool:
    # Conditional: two people racing for the last use cannot both get it.
    return bool(InvitationLink.objects.filter(
        pk=link.pk, revoked_at__isnull=True, uses__lt=F("max_uses"),
    ).update(uses=F("uses") + 1))


def invitation_link_create(*, actor, consultation: Consultation, max_uses: int, label: str = "") -> tuple[InvitationLink, str]:
    """A link for people without an account; returns the link and its code (shown once)."""
    if consultation.audience != Audience.INVITED:
        raise ValidationError(_("Only members take part in this consultation. Change who may take part to invite others."))
    if not isinstance(max_uses, int) or not 1 <= max_uses <= MAX_LINK_USES:
        raise ValidationError({"max_uses": _("Choose between 1 and %(max)s people.") % {"max": f"{MAX_LINK_USES:,}"}})
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    link = InvitationLink(consultation=consultation, label=" ".join((label or "").split()), code_hash=hash_token(code),
                          code_hint=code[-3:], max_uses=max_uses, created_by=actor)
    link.full_clean(exclude=["consultation", "created_by"])
    with transaction.atomic():
        link.save()
        audit_record(actor=actor, community=consultation.community, action="consultation.link_create", target=link,
                     data={"consultation": consultation.pk, "max_uses": max_uses})
    return link, code


def invitation_link_revoke(*, actor, link: InvitationLink) -> None:
    """Stop a link from letting anyone else in; those who joined keep taking part."""
    with transaction.atomic():
        InvitationLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, community=link.consultation.community, action="consultation.link_revoke", target=link,
                     data={"consultation": link.consultation_id, "uses": link.uses})


# --- statements -----------------------------------------------------------------------------

def _insert_statement(consultation: Consultation, *, text: str, **fields) -> Statement:
    fingerprint = statement_fingerprint(text)
    if Statement.objects.filter(consultation=consultation, fingerprint=fingerprint).exists():
        raise _duplicate_error()
    _lock(consultation)
    try:
        with transaction.atomic():
            return Statement.objects.create(consultation=consultation, number=_next_number(Statement, consultation),
                                            text=text, fingerprint=fingerprint, **fields)
    except IntegrityError:
        # Someone wrote the same statement a moment earlier.
        raise _duplicate_error() from None


def statement_seed(*, actor, consultation: Consultation, text: str) -> Statement:
    """A statement written by the people who run the consultation, shown at once."""
    text = clean_statement_text(text)
    with transaction.atomic():
        statement = _insert_statement(consultation, text=text, is_seed=True, status=StatementStatus.ACCEPTED,
                                      created_by=actor)
        _queue_analysis(consultation)
    return statement


def statement_submit(*, actor, consultation: Consultation, text: str, participant: Participant | None = None) -> Statement:
    """A participant's own statement: shown at once, or after moderation if the consultation
    asks for it. Its author is counted as agreeing with it, as in Pol.is."""
    text = clean_statement_text(text)
    if not consultation.is_accepting():
        raise _closed_error()
    with transaction.atomic():
        participant = participant or _member_participant(consultation, actor)
        written = Statement.objects.filter(consultation=consultation, author=participant, is_seed=False).count()
        if written >= MAX_STATEMENTS_PER_PARTICIPANT:
            raise ValidationError(ngettext(
                "You have written %(count)d statement, the most one person may write here.",
                "You have written %(count)d statements, the most one person may write here.",
                MAX_STATEMENTS_PER_PARTICIPANT,
            ) % {"count": MAX_STATEMENTS_PER_PARTICIPANT})
        status = StatementStatus.PENDING if consultation.moderation_required else StatementStatus.ACCEPTED
        statement = _insert_statement(consultation, text=text, author=participant, status=status,
                                      created_by=actor if getattr(actor, "is_authenticated", False) else None)
        now = timezone.now()
        Vote.objects.create(consultation=consultation, participant=participant, statement=statement,
                            value=VoteValue.AGREE, created_at=now, updated_at=now)
        _queue_analysis(consultation)
    return statement


MODERATION_TARGETS = (StatementStatus.ACCEPTED, StatementStatus.REJECTED, StatementStatus.SPAM)


def statement_moderate(*, actor, statement: Statement, status: str) -> Statement:
    """Accept, reject or mark as spam (audited). Rejected and spam statements leave the
    math and are no longer shown, but stay in the record with their votes."""
    if status not in MODERATION_TARGETS:
        raise ValidationError({"status": _("Choose accept, reject or spam.")})
    consultation = statement.consultation
    with transaction.atomic():
        previous = statement.status
        now = timezone.now()
        Statement.objects.filter(pk=statement.pk).update(status=status, moderated_by=actor, moderated_at=now)
        statement.status, statement.moderated_by, statement.moderated_at = status, actor, now
        audit_record(actor=actor, community=consultation.community, action="consultation.moderate", target=statement,
                     data={"consultation": consultation.pk, "from": previous, "to": status})
        if previous != status:
            _queue_analysis(consultation)
    return statement


# --- votes ----------------------------------------------------------------------------------

def vote_value(name: str | int) -> int:
    """"agree" / "disagree" / "pass" (or 1 / -1 / 0) as the stored value."""
    if isinstance(name, int) and not isinstance(name, bool) and name in VoteValue.values:
        return name
    if isinstance(name, str) and name in VOTE_NAMES:
        return int(VOTE_NAMES[name])
    raise ValidationError({"vote": _("Choose agree, disagree or pass.")})


def vote_cast(*, actor, consultation: Consultation, statement_id: int, value: int | str,
              participant: Participant | None = None) -> Vote:
    """Record an answer; a later answer to the same statement replaces the earlier one.

    The vote is committed before this returns. The opinion math is only asked to run
    again (once for many votes); it never holds up or touches the vote.
    """
    value = vote_value(value)
    if not consultation.is_accepting():
        if consultation.phase in ("draft", "scheduled"):
            raise ValidationError(_("This consultation is not open yet."))
        raise ValidationError(_("This consultation is closed: it takes no more votes."))
    status = Statement.objects.filter(consultation=consultation, pk=statement_id).values_list("status", flat=True).first()
    if status is None:
        raise ValidationError({"statement": _("This statement is not part of this consultation.")})
    if status in (StatementStatus.REJECTED, StatementStatus.SPAM):
        raise ValidationError({"statement": _("This statement was withdrawn by the moderators, so it takes no votes.")})
    if status == StatementStatus.PENDING:
        raise ValidationError({"statement": _("This statement is waiting for moderation, so it takes no votes yet.")})
    now = timezone.now()
    with transaction.atomic():
        participant = participant or _member_participant(consultation, actor)
        vote = Vote(consultation=consultation, participant=participant, statement_id=statement_id, value=value,
                    created_at=now, updated_at=now)
        # One statement, whether it is a first answer or a change of mind.
        Vote.objects.bulk_create([vote], update_conflicts=True, unique_fields=["participant", "statement"],
                                 update_fields=["value", "updated_at"])
        _queue_analysis(consultation)
    return vote


# --- the opinion math -----------------------------------------------------------------------

def _queue_analysis(consultation: Consultation) -> None:
    """Ask for the math to run again soon: one task for many votes (debounced).

    The first change after a computation sets ``analysis_queued`` with a conditional
    update and enqueues one task, to run after ``analysis_delay()``; later changes see the
    flag on the row they already loaded and cost nothing. A request left waiting longer
    than ``analysis_stale_after()`` (no worker was running) is sent again.
    """
    now = timezone.now()
    rows = Consultation.objects.filter(pk=consultation.pk)
    if consultation.analysis_queued:
        requested = consultation.analysis_requested_at
        if requested is not None and now - requested < analysis_stale_after():
            return
        sent = rows.filter(analysis_queued=True, analysis_requested_at=requested).update(analysis_requested_at=now)
    else:
        sent = rows.filter(analysis_queued=False).update(analysis_queued=True, analysis_requested_at=now)
    consultation.analysis_queued, consultation.analysis_requested_at = True, now
    if sent:
        pk = consultation.pk
        # robust: the vote is committed already; a queue that fails must not turn it into an error page.
        transaction.on_commit(lambda: enqueue_analysis(pk), robust=True)


def enqueue_analysis(consultation_id: int) -> None:
    from .tasks import recompute_analysis

    task = recompute_analysis
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + analysis_delay())
    task.enqueue(consultation_id)


def analysis_compute(*, consultation_id: int, force: bool = False, start_from: dict | None = None) -> bool:
    """Run the opinion math for one consultation and save its snapshot.

    Claims the work with a conditional update (``analysis_queued`` cleared), so a task
    run twice does nothing the second time; ``force`` computes anyway (a steward's
    "recompute now", the demo, imports). Votes cast during the computation set the flag
    again and are picked up by the next run. Returns False when there was nothing to do.
    ``start_from`` is a state to start from when there is no snapshot yet (an import
    passes the state its replayed history ends in).
    """
    from . import computing

    claim = Consultation.objects.filter(pk=consultation_id, removed_at__isnull=True)
    if not force:
        claim = claim.filter(analysis_queued=True)
    if not claim.update(analysis_queued=False):
        return False
    consultation = Consultation.objects.get(pk=consultation_id)
    previous = AnalysisSnapshot.objects.filter(consultation=consultation).only("pk", "generation", "state").first()
    started = time.perf_counter()
    data = computing.load(consultation)
    output = computing.compute(data, previous.state if previous else start_from)
    output.result["timeline"] = computing.timeline(consultation)
    fields = {
        "computed_at": timezone.now(), "seconds": time.perf_counter() - started, "vote_count": output.vote_count,
        "participant_count": output.participant_count, "group_count": output.group_count,
        "result": output.result, "positions": output.positions, "priorities": output.priorities,
        "state": output.state,
    }
    if previous is None:
        try:
            with transaction.atomic():
                AnalysisSnapshot.objects.create(consultation=consultation, generation=1, **fields)
            return True
        except IntegrityError:
            saved = False
    else:
        saved = bool(AnalysisSnapshot.objects.filter(pk=previous.pk, generation=previous.generation).update(
            generation=previous.generation + 1, **fields))
    if not saved:
        # Another computation saved first, from a state this one did not see: run again.
        with transaction.atomic():
            _queue_analysis(Consultation.objects.get(pk=consultation_id))
    return saved
