"""Core data: communities, their registry of organizations and people, governance.

The community is the tenant: every organization, person, goal and charter belongs
to exactly one community, so no query can wander into another community's data
without naming it. Accounts (``User``) are instance-wide and join communities
through ``Membership``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices


class ActiveQuerySet(models.QuerySet):
    """Rows not removed. Removal is soft and audited; nothing is lost silently."""

    def active(self):
        return self.filter(removed_at__isnull=True)


class CommunityQuerySet(ActiveQuerySet):
    def listed(self):
        return self.active().exclude(privacy=choices.Privacy.HIDDEN)


class Community(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Markdown is allowed."))
    languages = models.JSONField(_("languages"), default=list)
    stage = models.CharField(_("stage"), max_length=20, choices=choices.Stage.choices, default=choices.Stage.DISCOVERY)
    privacy = models.CharField(_("privacy"), max_length=10, choices=choices.Privacy.choices, default=choices.Privacy.LISTED)
    convener_organization = models.ForeignKey(
        "core.Organization", verbose_name=_("convener organization"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    member_led = models.BooleanField(_("member-led"), default=False, help_text=_("The community has declared itself led by its members."))
    require_mfa = models.BooleanField(_("require two-factor authentication"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=choices.Stage.values), name="community_stage_valid"),
            models.CheckConstraint(condition=Q(privacy__in=choices.Privacy.values), name="community_privacy_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=choices.OrganizationKind.choices, default=choices.OrganizationKind.CSO)
    description = models.TextField(_("description"), blank=True)
    thematic_areas = models.JSONField(_("thematic areas"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, default="MX")
    state = models.CharField(_("state"), max_length=100, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    excluded_groups = models.JSONField(_("excluded groups served"), default=list, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=choices.OrganizationSize.choices, blank=True)
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    offers = models.TextField(_("what it offers"), blank=True)
    seeks = models.TextField(_("what it seeks"), blank=True)
    tier = models.CharField(_("tier"), max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["community", "removed_at", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], condition=Q(removed_at__isnull=True), name="organization_unique_name",
                violation_error_message=_("An organization with this name already exists in the community."),
            ),
            models.CheckConstraint(condition=Q(kind__in=choices.OrganizationKind.values), name="organization_kind_valid"),
            models.CheckConstraint(
                condition=Q(founding_year__isnull=True) | Q(founding_year__gte=1800, founding_year__lte=2100),
                name="organization_founding_year_range",
                violation_error_message=_("The founding year must be between 1800 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="persons")
    display_name = models.CharField(_("display name"), max_length=120)
    is_pseudonym = models.BooleanField(_("this name is a pseudonym"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    bio = models.TextField(_("about"), blank=True)
    # Sensitive, self-declared, never required; shown per the community's privacy.
    age_band = models.CharField(_("age band"), max_length=6, choices=choices.AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=choices.Gender.choices, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    SENSITIVE_FIELDS = ("age_band", "gender", "email", "phone")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name", "id"]
        indexes = [models.Index(fields=["community", "removed_at", "display_name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(user__isnull=False, removed_at__isnull=True),
                name="person_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class Affiliation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="affiliations")
    position = models.CharField(_("position"), max_length=120, blank=True)
    staff_level = models.CharField(_("staff level"), max_length=20, choices=choices.StaffLevel.choices, default=choices.StaffLevel.FIELD)
    is_primary = models.BooleanField(_("main affiliation"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="affiliation_unique"),
            models.CheckConstraint(condition=Q(staff_level__in=choices.StaffLevel.values), name="affiliation_staff_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.organization}"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=choices.Role.choices, default=choices.Role.MEMBER)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], condition=Q(ended_at__isnull=True), name="membership_one_active"),
            models.CheckConstraint(condition=Q(role__in=choices.Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.community} ({self.role})"


class Invitation(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=choices.Role.choices, default=choices.Role.MEMBER)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(_("message"), blank=True)
    # Only a hash is stored: a leaked database does not leak working invitation links.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.community}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return str(
            {"accepted": _("Accepted"), "revoked": _("Revoked"), "expired": _("Expired"), "pending": _("Pending")}[self.status]
        )


class Goal(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    horizon = models.CharField(_("horizon"), max_length=10, choices=choices.Horizon.choices, default=choices.Horizon.SHORT)
    status = models.CharField(_("status"), max_length=10, choices=choices.GoalStatus.choices, default=choices.GoalStatus.ACTIVE)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(horizon__in=choices.Horizon.values), name="goal_horizon_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class Charter(models.Model):
    """One adopted version of a community's charter. Versions are never edited."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField()
    roles_responsibilities = models.TextField(_("roles and responsibilities"))
    leadership_model = models.CharField(_("leadership model"), max_length=10, choices=choices.LeadershipModel.choices)
    rotation_period_months = models.PositiveSmallIntegerField(_("rotation period (months)"), null=True, blank=True)
    decision_rule = models.CharField(_("decision rule"), max_length=10, choices=choices.DecisionRule.choices)
    rules_of_engagement = models.TextField(_("rules of engagement"), blank=True)
    accountability = models.TextField(_("accountability measures"), blank=True)
    participation_scheme = models.TextField(_("participation scheme"), blank=True)
    expected_effort = models.CharField(_("expected level of effort"), max_length=200, blank=True)
    adopted_on = models.DateField(_("adopted on"))
    adopted_how = models.CharField(_("adopted how"), max_length=300, help_text=_("The decision by which it was adopted."))
    review_period_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "version"], name="charter_unique_version"),
            models.CheckConstraint(
                condition=~Q(leadership_model="rotating") | Q(rotation_period_months__gte=1),
                name="charter_rotation_needs_period",
            ),
            models.CheckConstraint(condition=Q(review_period_months__gte=1, review_period_months__lte=60), name="charter_review_period_range"),
        ]

    def __str__(self) -> str:
        return f"{self.community} v{self.version}"

    @property
    def review_due_on(self) -> date:
        months = self.adopted_on.month - 1 + self.review_period_months
        year = self.adopted_on.year + months // 12
        month = months % 12 + 1
        # Clamp to the month's last day (e.g. adopted 31 Jan + 1 month -> 28/29 Feb).
        import calendar

        day = min(self.adopted_on.day, calendar.monthrange(year, month)[1])
        return date(year, month, day)

    @property
    def review_is_due(self) -> bool:
        return self.review_due_on <= timezone.localdate()


class PeerGroup(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="peer_groups")
    name = models.CharField(_("name"), max_length=120)
    basis = models.CharField(_("basis"), max_length=10, choices=choices.PeerGroupBasis.choices, default=choices.PeerGroupBasis.ROLE)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Person, verbose_name=_("members"), blank=True, related_name="peer_groups")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], condition=Q(removed_at__isnull=True), name="peer_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """A sensitive action, written in the same transaction as the action itself."""

    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
