"""Convenings and what a community learns from them.

A convening belongs to one community (the tenant) and carries everything that
happens around it: sessions, the participatory agenda and its dot votes, the rotating
roles, attendance, the rapporteur's report with its connections and action items,
the After Action Review, and the questionnaires sent afterwards.
"""

from __future__ import annotations

import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tequio.core.choices import StaffLevel
from tequio.core.models import Community, Organization, PeerGroup, Person


def search_normalize(text: str) -> str:
    """Lower-case, accent-free text, so "participacion" finds "participación".

    Stored in a column beside the text: a plain ``LIKE`` on it works the same on
    SQLite and PostgreSQL without database extensions (unaccent, ICU collations).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def _checkin_token() -> str:
    return secrets.token_urlsafe(12)


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class SessionKind(models.TextChoices):
    JOINT = "joint", _("Joint session")
    PARALLEL = "parallel", _("Parallel peer-group session")


class ProposerKind(models.TextChoices):
    MEMBER = "member", _("Member organization")
    CONVENER = "convener", pgettext_lazy("proposer", "Convener")


class RoleKind(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    CO_FACILITATOR = "co_facilitator", _("Co-facilitator")
    RAPPORTEUR = "rapporteur", _("Rapporteur")
    HOST = "host", _("Host")


class CheckInMethod(models.TextChoices):
    SELF = "self", _("Checked in by link")
    STEWARD = "steward", _("Recorded by a steward")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale (Likert)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")


CHOICE_KINDS = (QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


class FeedKind(models.TextChoices):
    COMMUNITY = "community", _("All convenings of the community")
    PERSON = "person", _("My convenings, roles and action items")


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class ConveningSettings(models.Model):
    """Per-community rules of the convenings capability."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="convening_settings")
    votes_per_organization = models.PositiveSmallIntegerField(
        _("votes per member organization"), default=5,
        help_text=_("Dots each member organization may spread over the agenda topics of one convening."),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder days before"), default=2,
        help_text=_("Days before a convening, and before an action item is due, when a reminder is emailed. 0 sends none."),
    )

    class Meta:
        verbose_name = _("convening settings")
        verbose_name_plural = _("convening settings")
        constraints = [
            models.CheckConstraint(condition=Q(votes_per_organization__gte=1, votes_per_organization__lte=50), name="convening_settings_votes_range"),
            models.CheckConstraint(condition=Q(reminder_days_before__lte=30), name="convening_settings_reminder_range"),
        ]

    def __str__(self) -> str:
        return str(self.community)


class ConveningQuerySet(ActiveQuerySet):
    def upcoming(self):
        return self.active().filter(ends_at__gte=timezone.now()).order_by("starts_at", "id")

    def past(self):
        return self.active().filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-id")


class Convening(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="convenings")
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("Markdown is allowed."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("Venue and city. Shown to participants only."))
    online_url = models.URLField(_("online meeting link"), blank=True, help_text=_("Shown to participants only."))
    held_alongside = models.CharField(
        _("held alongside"), max_length=200, blank=True,
        help_text=_("Another event members already attend, e.g. a civil society conference."),
    )
    host_organization = models.ForeignKey(
        Organization, verbose_name=_("host organization"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    agenda_open = models.BooleanField(_("agenda open for proposals and votes"), default=True)
    # Shown on the steward's page (and as a QR code on a screen in the room); signing in
    # is still required, the token only proves the person saw the link.
    checkin_token = models.CharField(max_length=32, default=_checkin_token)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ConveningQuerySet.as_manager()

    class Meta:
        verbose_name = _("convening")
        verbose_name_plural = _("convenings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "removed_at", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="convening_ends_after_start",
                                   violation_error_message=_("A convening cannot end before it starts.")),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="convening_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class Session(models.Model):
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices, default=SessionKind.JOINT)
    peer_group = models.ForeignKey(PeerGroup, verbose_name=_("peer group"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="session_kind_valid"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                                   name="session_ends_after_start",
                                   violation_error_message=_("A session cannot end before it starts.")),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("why it matters"), blank=True)
    # Who proposed it feeds the local ownership index: members, or the outside convener.
    proposer_kind = models.CharField(_("proposed by"), max_length=10, choices=ProposerKind.choices)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    session = models.ForeignKey(Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="items")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["convening", "removed_at"])]
        constraints = [models.CheckConstraint(condition=Q(proposer_kind__in=ProposerKind.values), name="agenda_item_proposer_valid")]

    def __str__(self) -> str:
        return self.title


class AgendaVote(models.Model):
    """The dots one organization put on one topic. Budgets are per organization."""

    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    dots = models.PositiveSmallIntegerField(default=1)
    updated_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agenda vote")
        verbose_name_plural = _("agenda votes")
        indexes = [models.Index(fields=["convening", "organization"])]
        constraints = [
            models.UniqueConstraint(fields=["item", "organization"], name="agenda_vote_one_row_per_organization"),
            models.CheckConstraint(condition=Q(dots__gte=1), name="agenda_vote_dots_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.item_id} ({self.dots})"


class RoleAssignment(models.Model):
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    # Snapshots: rotation history must not change when someone later changes jobs.
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff_level = models.CharField(max_length=20, choices=StaffLevel.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    from_suggestion = models.BooleanField(default=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["convening", "role"]
        constraints = [
            models.UniqueConstraint(fields=["convening", "role"], name="role_one_person_per_role"),
            models.UniqueConstraint(fields=["convening", "person"], name="role_one_role_per_person"),
            models.CheckConstraint(condition=Q(role__in=RoleKind.values), name="role_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person}"


class Unavailability(models.Model):
    """A person cannot take a role at this convening; the suggestion skips them."""

    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="unavailabilities")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        constraints = [models.UniqueConstraint(fields=["convening", "person"], name="unavailability_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.convening_id}"


class Attendance(models.Model):
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    staff_level = models.CharField(_("staff level"), max_length=20, choices=StaffLevel.choices, blank=True)
    method = models.CharField(max_length=10, choices=CheckInMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [models.Index(fields=["person", "convening"])]
        constraints = [models.UniqueConstraint(fields=["convening", "person"], name="attendance_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.convening_id}"


class Report(models.Model):
    """The rapporteur's systematization of one convening."""

    convening = models.OneToOneField(Convening, on_delete=models.CASCADE, related_name="report")
    rapporteur = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    insights = models.TextField(_("key insights"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    methodologies = models.TextField(_("methodologies shared"), blank=True)
    resources = models.TextField(_("resources shared"), blank=True)
    search_text = models.TextField(editable=False, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rapporteur report")
        verbose_name_plural = _("rapporteur reports")

    def __str__(self) -> str:
        return str(self.convening)


class Connection(models.Model):
    """Two organizations that met and agreed to work together at a convening.

    Kept as an ordered pair (lower id first) so a pair is recorded once; the network
    capability reads these through ``selectors.connections_made``.
    """

    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="connections")
    organization_a = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    organization_b = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    description = models.CharField(_("what they will do together"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("new connection")
        verbose_name_plural = _("new connections")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(organization_a__lt=F("organization_b")), name="connection_ordered_pair"),
            models.UniqueConstraint(fields=["convening", "organization_a", "organization_b"], name="connection_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_a} – {self.organization_b}"


class ActionItemQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)


class ActionItem(models.Model):
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(Person, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_organization = models.ForeignKey(Organization, verbose_name=_("owner organization"), null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["convening", "status"]), models.Index(fields=["status", "due_on"])]
        constraints = [models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_item_status_valid")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_on and self.status in OPEN_ACTION_STATUSES and self.due_on < timezone.localdate())


class AfterActionReview(models.Model):
    convening = models.OneToOneField(Convening, on_delete=models.CASCADE, related_name="aar")
    expected = models.TextField(_("What was expected to happen?"), blank=True)
    happened = models.TextField(_("What actually happened?"), blank=True)
    why_different = models.TextField(_("Why was there a difference?"), blank=True)
    keep = models.TextField(_("What should we keep doing?"), blank=True)
    change = models.TextField(_("What should we change?"), blank=True)
    search_text = models.TextField(editable=False, default="")
    # Filled in together: the version stops one person's save from silently erasing another's.
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("expected", "happened", "why_different", "keep", "change")

    class Meta:
        verbose_name = _("After Action Review")
        verbose_name_plural = _("After Action Reviews")

    def __str__(self) -> str:
        return str(self.convening)


class Questionnaire(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="questionnaires")
    convening = models.ForeignKey(Convening, verbose_name=_("convening"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="questionnaires")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    anonymous = models.BooleanField(_("anonymous answers"), default=True,
                                    help_text=_("No name is kept with the answers; each person can still answer only once."))
    status = models.CharField(_("status"), max_length=10, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.DRAFT)
    is_template = models.BooleanField(_("reusable template"), default=False)
    source = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "removed_at", "is_template"])]
        constraints = [models.CheckConstraint(condition=Q(status__in=QuestionnaireStatus.values), name="questionnaire_status_valid")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices)
    name = models.CharField(_("column name"), max_length=64, help_text=_("Used as the column heading in exports."))
    text = models.CharField(_("question"), max_length=500)
    help = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "name"], name="question_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    value = models.CharField(max_length=64)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="choice_unique_value")]

    def __str__(self) -> str:
        return self.label


class Response(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses")
    # Empty for anonymous questionnaires: only a keyed hash stops a second answer.
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    respondent_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "respondent_hash"], name="response_once_per_person")]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}#{self.pk}"


class Answer(models.Model):
    """One value of a response. Choice questions store one row per chosen option.

    Likert rows hold the chosen option and its scale point in ``number``; ranking
    rows hold each option's ``rank`` (1 = first). Results are GROUP BY queries on
    these columns, never Python loops over answers.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    number = models.FloatField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question", "choice", "rank"], name="answer_question_choice"),
            models.Index(fields=["question", "number"], name="answer_question_number"),
            models.Index(fields=["question", "response"], name="answer_question_response"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice_id or self.number or self.text[:20]}"


class CalendarFeed(models.Model):
    """A private iCalendar link. Only a hash is stored; the link is shown once."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=FeedKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=FeedKind.values), name="calendar_feed_kind_valid")]

    def __str__(self) -> str:
        return f"{self.kind} feed of {self.user_id} in {self.community_id}"
