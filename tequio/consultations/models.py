"""Consultations: an open question, short statements, and agree / disagree / pass votes.

A consultation belongs to one community. Its participants are members (by account) or,
when the steward allows it, people invited by a link or a code who are known only by a
random token kept in a cookie: no name, no email, no IP address. Statements and
participants carry a ``number`` that is their position in the vote matrix of the
opinion math (and their id in the Pol.is open-data format), so positions never move
when rows are added. Nothing here is ever deleted: rejected statements stay in the
record and only leave the math.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tequio.core.choices import CONTENT_LANGUAGES
from tequio.core.models import Community

# New statements are short enough to read on a phone in one glance; imported Pol.is
# conversations hold longer ones (up to 1,000 characters there), which are kept whole.
STATEMENT_MAX_LENGTH = 300
STATEMENT_STORED_MAX_LENGTH = 1000
QUESTION_MAX_LENGTH = 300


class ConsultationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Audience(models.TextChoices):
    MEMBERS = "members", _("Members of the community")
    INVITED = "invited", _("Members, and people invited by a link or a code")


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")


class ParticipantKind(models.TextChoices):
    MEMBER = "member", _("Member")
    INVITED = "invited", _("Invited by a link or a code")
    IMPORTED = "imported", _("Imported")


class VoteValue(models.IntegerChoices):
    # The Pol.is open-data convention: agree is +1.
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, _("Pass")


class ConsultationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Consultation(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="consultations")
    question = models.CharField(_("question"), max_length=QUESTION_MAX_LENGTH)
    context = models.TextField(_("context"), blank=True, help_text=_("Why you ask, and what will happen with the answers. Markdown is allowed."))
    language = models.CharField(_("language"), max_length=2, choices=CONTENT_LANGUAGES, default="es",
                                help_text=_("The language of the question, the statements and the report."))
    audience = models.CharField(_("who may take part"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    moderation_required = models.BooleanField(
        _("statements need moderation"), default=False,
        help_text=_("Statements written by participants are shown to others only after a moderator accepts them."),
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ConsultationState.choices, default=ConsultationState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Set by the first vote after a computation; the background task clears it when it
    # claims the work. Read with the consultation, so most votes cost no extra query.
    analysis_queued = models.BooleanField(default=False)
    analysis_requested_at = models.DateTimeField(null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "removed_at", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ConsultationState.values), name="consultation_state_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="consultation_audience_valid"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
                violation_error_message=_("A consultation must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def is_accepting(self, now=None) -> bool:
        """Open, and within its dates: votes and statements are taken."""
        now = now or timezone.now()
        return (
            self.state == ConsultationState.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )

    @property
    def phase(self) -> str:
        """draft, scheduled (open but not yet), open, or closed (by hand or by date)."""
        now = timezone.now()
        if self.state == ConsultationState.DRAFT:
            return "draft"
        if self.state == ConsultationState.CLOSED or (self.closes_at is not None and now >= self.closes_at):
            return "closed"
        if self.opens_at is not None and now < self.opens_at:
            return "scheduled"
        return "open"

    def get_phase_display(self) -> str:
        return str({"draft": _("Draft"), "scheduled": _("Not open yet"), "open": _("Open"), "closed": _("Closed")}[self.phase])


class InvitationLink(models.Model):
    """A link (and the code in it) that lets people without an account take part.

    Only a hash of the code is stored: a leaked database does not leak working links.
    Each new participant who joins through it uses it once, up to ``max_uses``.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invitation_links")
    label = models.CharField(_("for whom"), max_length=120, blank=True,
                             help_text=_("For your own records, e.g. “Workshop with young people in Tijuana”."))
    code_hash = models.CharField(max_length=64, unique=True)
    code_hint = models.CharField(max_length=4)
    max_uses = models.PositiveIntegerField(_("how many people may use it"))
    uses = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="invitation_link_max_uses_positive"),
            models.CheckConstraint(condition=Q(uses__lte=models.F("max_uses")), name="invitation_link_uses_within_limit"),
        ]

    def __str__(self) -> str:
        return self.label or f"…{self.code_hint}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.uses < self.max_uses


class Participant(models.Model):
    """Someone who votes or writes in one consultation.

    A member is known by their account. Anyone else is known only by a random token in a
    cookie of their browser, of which a hash is stored here; their participation cannot
    be linked to them or across consultations.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ParticipantKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    invitation = models.ForeignKey(InvitationLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="participants")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="participant_unique_number"),
            models.UniqueConstraint(fields=["consultation", "user"], condition=Q(user__isnull=False), name="participant_one_per_user"),
            models.CheckConstraint(condition=Q(kind__in=ParticipantKind.values), name="participant_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="member") | Q(user__isnull=False), name="participant_member_has_user"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class Statement(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveIntegerField()
    text = models.CharField(_("statement"), max_length=STATEMENT_STORED_MAX_LENGTH)
    # sha256 of the text with case, accents, punctuation and spacing removed: the same
    # statement written twice is refused (see services.statement_fingerprint).
    fingerprint = models.CharField(max_length=64)
    author = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    is_seed = models.BooleanField(_("seed statement"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["consultation", "number"]
        indexes = [models.Index(fields=["consultation", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="statement_unique_number"),
            models.UniqueConstraint(
                fields=["consultation", "fingerprint"], name="statement_unique_text",
                violation_error_message=_("This statement is already part of the consultation."),
            ),
            models.CheckConstraint(condition=Q(status__in=StatementStatus.values), name="statement_status_valid"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Vote(models.Model):
    """The latest answer of one participant to one statement; a new answer replaces it."""

    # Repeated from the statement so that the math reads one consultation's votes from
    # one index, without joins, however large the conversation.
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="vote_one_per_statement"),
            models.CheckConstraint(condition=Q(value__in=VoteValue.values), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["consultation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.participant} {self.get_value_display()} {self.statement_id}"


class AnalysisSnapshot(models.Model):
    """The last computation of the opinion math for a consultation, read by every page.

    ``result`` holds what the pages show (groups, map, statement lists, bars);
    ``positions`` each participant's place and group, keyed ``p<participant id>`` so that a
    page reads one entry (a JSON key lookup) instead of decoding thousands;
    ``priorities`` the routing weight of each statement, read on every vote page;
    ``state`` what the next computation continues from (the k smoother, the axes, the
    clusters), so that groups do not jump between updates.
    """

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="analysis")
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    vote_count = models.PositiveIntegerField(default=0)
    participant_count = models.PositiveIntegerField(default=0)
    group_count = models.PositiveSmallIntegerField(default=0)
    # Bumped by every save; a computation saves only over the version it started from.
    generation = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)
    positions = models.JSONField(default=dict)
    priorities = models.JSONField(default=dict)
    state = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("analysis snapshot")
        verbose_name_plural = _("analysis snapshots")

    def __str__(self) -> str:
        return f"{self.consultation_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
