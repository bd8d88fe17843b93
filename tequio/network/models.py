"""Ties between organizations, network survey waves, stakeholder maps, asks and offers.

Everything belongs to one community (the tenant) and links only organizations of that
community; the services check it, since a constraint cannot look across tables. The
metric cache (`MetricSnapshot`) holds what the background task computed, so that pages
read one row instead of running the suite.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tequio.core.models import Community, Organization

# --- ties ----------------------------------------------------------------------------


class TieType(models.TextChoices):
    INFORMATION_SHARING = "information_sharing", _("Information sharing")
    JOINT_ACTIVITY = "joint_activity", _("Joint activity")
    RESOURCE_SHARING = "resource_sharing", _("Resource sharing")
    REFERRAL = "referral", _("Referral")
    FORMAL_ALLIANCE = "formal_alliance", _("Formal alliance")
    DATA_SHARING = "data_sharing", _("Data sharing")


# Types where "who gives to whom" is part of the fact; the form preselects a direction.
DIRECTED_BY_DEFAULT = frozenset({TieType.REFERRAL, TieType.RESOURCE_SHARING})


class TieOrigin(models.TextChoices):
    CONVENING = "convening", _("A convening")
    ASK = "ask", _("An answered ask or offer")
    SURVEY = "survey", _("A network survey")
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported from a file")


class TieStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by both")
    PENDING = "pending", _("Not yet confirmed")
    DECLINED = "declined", _("Declined")


class TieQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)

    def in_network(self):
        """Ties the network counts: not removed, not declined by either side."""
        return self.active().filter(declined_at__isnull=True)

    def confirmed(self):
        return self.filter(source_confirmed_at__isnull=False, target_confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(Q(source_confirmed_at__isnull=True) | Q(target_confirmed_at__isnull=True))

    def involving(self, organization_ids):
        return self.filter(Q(source_id__in=organization_ids) | Q(target_id__in=organization_ids))


class Tie(models.Model):
    """A relationship between two organizations of the community, confirmed by each side.

    An undirected tie is stored with the lower organization id first, so that a pair
    has one spelling and the database can refuse a duplicate. Each side confirms for
    itself: whoever records a tie confirms their own organization's side at once; the
    other organization confirms it or declines it. Dates are half-open, like the
    analysis package: active on day D when ``started_on <= D < ended_on``.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="ties")
    source = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="ties_out")
    target = models.ForeignKey(Organization, verbose_name=_("other organization"), on_delete=models.CASCADE, related_name="ties_in")
    type = models.CharField(_("type"), max_length=20, choices=TieType.choices)
    directed = models.BooleanField(
        _("directed"), default=False,
        help_text=_("The tie goes from the first organization to the second (a referral, resources given)."),
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    origin = models.CharField(_("where it came from"), max_length=12, choices=TieOrigin.choices, default=TieOrigin.MANUAL)
    # Optional reference to what produced the tie (a convening, an answer, a survey wave),
    # generic so that this app never imports another capability's models.
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin_id = models.CharField(max_length=40, blank=True)
    origin_object = GenericForeignKey("origin_type", "origin_id")
    origin_label = models.CharField(_("origin"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    source_confirmed_at = models.DateTimeField(null=True, blank=True)
    source_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_confirmed_at = models.DateTimeField(null=True, blank=True)
    target_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    declined_side = models.CharField(max_length=6, blank=True)  # "source" or "target"
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = TieQuerySet.as_manager()

    class Meta:
        verbose_name = _("tie")
        verbose_name_plural = _("ties")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "removed_at", "declined_at"]),
            # The list of ties, newest first, without sorting every tie of a large community
            # (removed_at too: the list filters on it, and without it the database sorts).
            models.Index(fields=["community", "removed_at", "-created_at", "-id"], name="network_tie_recent_idx"),
            models.Index(fields=["source", "target"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="tie_not_self",
                                   violation_error_message=_("An organization cannot have a tie with itself.")),
            models.CheckConstraint(condition=Q(directed=True) | Q(source__lt=F("target")), name="tie_undirected_ordered"),
            models.CheckConstraint(condition=Q(type__in=TieType.values), name="tie_type_valid"),
            models.CheckConstraint(condition=Q(origin__in=TieOrigin.values), name="tie_origin_valid"),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="tie_dates_ordered", violation_error_message=_("A tie cannot end before it starts."),
            ),
            # One open-ended tie of a type per spelling of the pair; overlapping dated
            # ties (and the reversed undirected spelling) are refused by the service.
            models.UniqueConstraint(
                fields=["source", "target", "type", "directed"],
                condition=Q(removed_at__isnull=True, ended_on__isnull=True), name="tie_unique_open",
                violation_error_message=_("This tie is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.directed else "–"
        return f"{self.source} {arrow} {self.target} ({self.get_type_display()})"

    @property
    def confirmed(self) -> bool:
        return self.source_confirmed_at is not None and self.target_confirmed_at is not None

    @property
    def status(self) -> str:
        if self.declined_at is not None:
            return TieStatus.DECLINED
        return TieStatus.CONFIRMED if self.confirmed else TieStatus.PENDING

    def get_status_display(self) -> str:
        return str(TieStatus(self.status).label)

    def side_of(self, organization_id: int) -> str | None:
        """"source" or "target" when the organization is one end of the tie."""
        if organization_id == self.source_id:
            return "source"
        if organization_id == self.target_id:
            return "target"
        return None


# --- network survey (PARTNER-style) ----------------------------------------------------


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey wave", "Open")
    CLOSED = "closed", pgettext_lazy("survey wave", "Closed")


class Intensity(models.TextChoices):
    """PARTNER's relationship intensity: integration, not frequency."""

    AWARENESS = "awareness", _("Awareness")
    COOPERATION = "cooperation", _("Cooperation")
    COORDINATION = "coordination", _("Coordination")
    INTEGRATION = "integration", _("Integration")


INTENSITY_HELP = {
    Intensity.AWARENESS: _("We know what they do."),
    Intensity.COOPERATION: _("We exchange information, attend meetings together, share in-kind resources."),
    Intensity.COORDINATION: _("We plan or time activities together for mutual benefit, share data."),
    Intensity.INTEGRATION: _("We have binding ties: contracts, agreements, pooled funds, joint implementation."),
}


class Frequency(models.TextChoices):
    NEVER = "never", _("Never")
    YEARLY = "yearly", _("Once a year or less")
    QUARTERLY = "quarterly", _("About once a quarter")
    MONTHLY = "monthly", _("About once a month")
    WEEKLY = "weekly", _("Every week")
    DAILY = "daily", _("Every day")


class Contribution(models.TextChoices):
    FUNDING = "funding", _("Funding")
    IN_KIND = "in_kind", _("In-kind resources (space, equipment)")
    EXPERTISE = "expertise", _("Specialized expertise")
    STAFF = "staff", _("Staff time")
    VOLUNTEERS = "volunteers", _("Volunteers")
    DATA = "data", _("Data")
    INFORMATION = "information", _("Information and feedback")
    SERVICES = "services", _("Services for the people we serve")
    COMMUNITY = "community", _("Connections with communities")
    FACILITATION = "facilitation", _("Facilitation and leadership")
    ADVOCACY = "advocacy", _("Advocacy")


class Outcome(models.TextChoices):
    KNOWLEDGE = "knowledge", _("More knowledge sharing")
    RESOURCES = "resources", _("Better sharing of resources")
    DUPLICATION = "duplication", _("Less duplication of efforts")
    SERVICES = "services", _("Better services")
    AWARENESS = "awareness", _("More public awareness")
    POLICY = "policy", _("Change in policy or law")
    COMMUNITY = "community", _("More community support")
    DATA = "data", _("New data or evidence")
    FUNDING = "funding", _("New funding")
    ALLIANCES = "alliances", _("New alliances")


# The six PARTNER items, in the order the methods file lists them, with their wording.
TRUST_ITEMS = ("reliability", "mission", "openness")
VALUE_ITEMS = ("power", "involvement", "resources")
ITEMS = TRUST_ITEMS + VALUE_ITEMS
ITEM_LABELS = {
    "reliability": _("Reliability: follows through on commitments."),
    "mission": _("Support of the mission: shares the vision of what working together should achieve."),
    "openness": _("Openness to discussion: frank, open and civil, even in disagreement."),
    "power": _("Power and influence: a prominent position, influence and leadership in the community."),
    "involvement": _("Level of involvement: committed and active in the partnership, gets things done."),
    "resources": _("Resource contribution: brings funding, information or other resources."),
}
ITEM_SHORT = {
    "reliability": _("Reliability"),
    "mission": _("Support of the mission"),
    "openness": _("Openness to discussion"),
    "power": _("Power and influence"),
    "involvement": _("Level of involvement"),
    "resources": _("Resource contribution"),
}


class Score(models.IntegerChoices):
    NOT_AT_ALL = 1, _("Not at all")
    SMALL = 2, _("A small amount")
    FAIR = 3, _("A fair amount")
    GREAT = 4, _("A great deal")


class SurveyWaveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class SurveyWave(models.Model):
    """One round of the network survey; repeated over time to show change."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="survey_waves")
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, help_text=_("Markdown is allowed."))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyWaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("network survey wave")
        verbose_name_plural = _("network survey waves")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=WaveStatus.values), name="wave_status_valid"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")), name="wave_dates_ordered",
                violation_error_message=_("A wave cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    """One organization's answers in a wave: which partners, how it rates each, what it brings.

    Private to the organization: other members see only aggregates.
    """

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="responses")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="survey_responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contributions = models.JSONField(_("what your organization contributes"), default=list, blank=True)
    outcomes = models.JSONField(_("outcomes you see"), default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [models.UniqueConstraint(fields=["wave", "organization"], name="survey_response_one_per_org")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.wave}"


def _score_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 4}),
        name=f"rating_{name}_1_to_4",
    )


class SurveyRating(models.Model):
    """How a responding organization rates one partner it works with (each item 1-4 or blank)."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="ratings")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    intensity = models.CharField(_("relationship"), max_length=12, choices=Intensity.choices, blank=True)
    frequency = models.CharField(_("how often you work together"), max_length=10, choices=Frequency.choices, blank=True)
    reliability = models.PositiveSmallIntegerField(ITEM_SHORT["reliability"], choices=Score.choices, null=True, blank=True)
    mission = models.PositiveSmallIntegerField(ITEM_SHORT["mission"], choices=Score.choices, null=True, blank=True)
    openness = models.PositiveSmallIntegerField(ITEM_SHORT["openness"], choices=Score.choices, null=True, blank=True)
    power = models.PositiveSmallIntegerField(ITEM_SHORT["power"], choices=Score.choices, null=True, blank=True)
    involvement = models.PositiveSmallIntegerField(ITEM_SHORT["involvement"], choices=Score.choices, null=True, blank=True)
    resources = models.PositiveSmallIntegerField(ITEM_SHORT["resources"], choices=Score.choices, null=True, blank=True)

    class Meta:
        verbose_name = _("partner rating")
        verbose_name_plural = _("partner ratings")
        ordering = ["partner__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "partner"], name="rating_one_per_partner"),
            *[_score_check(name) for name in ITEMS],
            models.CheckConstraint(condition=Q(intensity="") | Q(intensity__in=Intensity.values), name="rating_intensity_valid"),
            models.CheckConstraint(condition=Q(frequency="") | Q(frequency__in=Frequency.values), name="rating_frequency_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.response.organization_id} → {self.partner_id}"


# --- stakeholder map ----------------------------------------------------------------------


class Sector(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    PRIVATE = "private", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    DONOR = "donor", _("Donor")
    MEDIA = "media", _("Media")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    COMMUNITY = "community", _("Community leaders and groups")
    INTERNATIONAL = "international", _("International cooperation")
    OTHER = "other", _("Other")


class RelationWanted(models.TextChoices):
    """Steps of engagement, from the lightest to the closest."""

    MONITOR = "monitor", _("Monitor")
    INFORM = "inform", _("Keep informed")
    CONSULT = "consult", _("Consult")
    INVOLVE = "involve", _("Involve")
    COLLABORATE = "collaborate", _("Collaborate")
    ALLIANCE = "alliance", _("Alliance")


class StakeholderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


def _scale_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
        name=f"stakeholder_{name}_1_to_5",
    )


class Stakeholder(models.Model):
    """An actor of the local system outside the community, placed on a 1-5 grid.

    Influence doubles as "power" in the power/interest reading of the grid; alignment
    and interest are the two possible second axes.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.TextField(_("description"), blank=True)
    influence = models.PositiveSmallIntegerField(_("influence (power)"), help_text=_("1 = very little, 5 = decisive."))
    alignment = models.PositiveSmallIntegerField(
        _("alignment"), null=True, blank=True, help_text=_("With the community's goals: 1 = opposed, 5 = fully aligned."),
    )
    interest = models.PositiveSmallIntegerField(
        _("interest"), null=True, blank=True, help_text=_("In the community's issues: 1 = none, 5 = very high."),
    )
    relation_wanted = models.CharField(_("relation wanted"), max_length=12, choices=RelationWanted.choices, blank=True)
    relation_notes = models.TextField(_("about the relation"), blank=True)
    held_by = models.ManyToManyField(
        Organization, verbose_name=_("member organizations that hold the relation"), blank=True, related_name="stakeholder_relations",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], condition=Q(removed_at__isnull=True), name="stakeholder_unique_name",
                violation_error_message=_("A stakeholder with this name is already on the map."),
            ),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="stakeholder_sector_valid"),
            models.CheckConstraint(condition=Q(influence__gte=1, influence__lte=5), name="stakeholder_influence_1_to_5"),
            _scale_check("alignment"),
            _scale_check("interest"),
        ]

    def __str__(self) -> str:
        return self.name


# --- ally suggestions ----------------------------------------------------------------------


class AllySuggestionDismissal(models.Model):
    """An organization said "not now" to a suggested ally: it is not suggested again."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dismissed_allies")
    candidate = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dismissed ally suggestion")
        verbose_name_plural = _("dismissed ally suggestions")
        constraints = [
            models.UniqueConstraint(fields=["organization", "candidate"], name="dismissal_unique"),
            models.CheckConstraint(condition=~Q(organization=F("candidate")), name="dismissal_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} ✕ {self.candidate_id}"


# --- asks and offers -------------------------------------------------------------------------


class AskKind(models.TextChoices):
    NEED = "need", _("Need")
    OFFER = "offer", _("Offer")


class AskTopic(models.TextChoices):
    EXPERTISE = "expertise", _("Expertise")
    CONTACTS = "contacts", _("Contacts")
    RESOURCES = "resources", _("Resources")
    INFORMATION = "information", _("Information or data")


class AskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ask", "Open")
    CLOSED = "closed", pgettext_lazy("ask", "Closed")


class AskQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)

    def open(self):
        return self.active().filter(status=AskStatus.OPEN)


class Ask(models.Model):
    """A need or an offer posted by a member organization (the CSA guide's "asks and offers")."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(_("need or offer"), max_length=6, choices=AskKind.choices)
    topic = models.CharField(_("what"), max_length=12, choices=AskTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True, help_text=_("Markdown is allowed."))
    organization = models.ForeignKey(Organization, verbose_name=_("on behalf of"), on_delete=models.CASCADE, related_name="asks")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=6, choices=AskStatus.choices, default=AskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = AskQuerySet.as_manager()

    class Meta:
        verbose_name = _("ask or offer")
        verbose_name_plural = _("asks and offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AskKind.values), name="ask_kind_valid"),
            models.CheckConstraint(condition=Q(topic__in=AskTopic.values), name="ask_topic_valid"),
            models.CheckConstraint(condition=Q(status__in=AskStatus.values), name="ask_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class AnswerStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Answer(models.Model):
    """Another organization's reply to an ask or offer; accepting it records a tie."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="answers")
    organization = models.ForeignKey(Organization, verbose_name=_("on behalf of"), on_delete=models.CASCADE, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("answer"))
    status = models.CharField(_("status"), max_length=10, choices=AnswerStatus.choices, default=AnswerStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    tie = models.ForeignKey(Tie, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AnswerStatus.values), name="answer_status_valid"),
            models.UniqueConstraint(fields=["ask", "organization"], name="answer_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.ask}"


# --- the metric cache --------------------------------------------------------------------------


class SnapshotKind(models.TextChoices):
    NETWORK = "network", _("Network measures")
    WAVE = "wave", _("Survey scores")


class SnapshotStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be computed")
    RUNNING = "running", _("Being computed")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MetricSnapshot(models.Model):
    """Measures computed once for one set of parameters, read by every page that shows them.

    `key` is the canonical text of the parameters (date, filters, or the wave), unique per
    community and kind. `stale` is set when ties or answers change after the computation;
    the page keeps showing the figures, says when they were computed, and a recomputation
    is queued.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SnapshotKind.choices)
    key = models.CharField(max_length=500)
    wave = models.ForeignKey(SurveyWave, null=True, blank=True, on_delete=models.CASCADE, related_name="snapshots")
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=SnapshotStatus.choices, default=SnapshotStatus.PENDING)
    stale = models.BooleanField(default=False)
    data = models.JSONField(default=dict)
    # A copy of data["summary"]: the home page reads it without decoding every node's measures.
    summary = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # Bumped at each request; the task computes only when its number is the current one.
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "key"], name="snapshot_unique_key"),
            models.CheckConstraint(condition=Q(kind__in=SnapshotKind.values), name="snapshot_kind_valid"),
        ]
        indexes = [models.Index(fields=["community", "kind", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
