"""Enumerations of the core domain, translated once here."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    DISCOVERY = "discovery", _("Discovery")
    IDEATION = "ideation", _("Ideation")
    ACTION = "action", _("Action")


class Privacy(models.TextChoices):
    PUBLIC = "public", _("Public")
    LISTED = "listed", _("Members only (listed)")
    HIDDEN = "hidden", _("Hidden")


class Role(models.TextChoices):
    CONVENER = "convener", pgettext_lazy("community role", "Convener")
    STEWARD = "steward", pgettext_lazy("community role", "Steward")
    MEMBER = "member", pgettext_lazy("community role", "Member")
    ALLY = "ally", pgettext_lazy("community role", "Ally")
    OBSERVER = "observer", pgettext_lazy("community role", "Observer")


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term")
    MEDIUM = "medium", _("Medium term")
    LONG = "long", _("Long term")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class OrganizationKind(models.TextChoices):
    CSO = "cso", _("Civil society organization")
    ISO = "iso", _("Intermediate support organization")
    GOVERNMENT = "government", _("Government")
    PRIVATE = "private", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    DONOR = "donor", _("Donor")
    MEDIA = "media", _("Media")
    COMMUNITY_GROUP = "community_group", _("Community group")
    NETWORK = "network", _("Network")


class OrganizationSize(models.TextChoices):
    MICRO = "1-5", _("1 to 5 people")
    SMALL = "6-20", _("6 to 20 people")
    MEDIUM = "21-50", _("21 to 50 people")
    LARGE = "51+", _("More than 50 people")


class ThematicArea(models.TextChoices):
    VIOLENCE_PREVENTION = "violence_prevention", _("Violence prevention")
    HUMAN_RIGHTS = "human_rights", _("Human rights")
    CRIMINAL_JUSTICE = "criminal_justice", _("Criminal justice")
    MEDIATION = "mediation", _("Mediation")
    CHILDREN_RIGHTS = "children_rights", _("Children's rights")
    TECHNOLOGY = "technology", _("Technology for social change")
    GENDER = "gender", _("Gender equality")
    MIGRATION = "migration", _("Migration")
    TRANSPARENCY = "transparency", _("Transparency and accountability")
    ENVIRONMENT = "environment", _("Environment")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    PEACEBUILDING = "peacebuilding", _("Peacebuilding")
    CAPACITY = "capacity", _("Institutional strengthening")


class ExcludedGroup(models.TextChoices):
    WOMEN = "women", _("Women")
    YOUTH = "youth", _("Youth")
    INDIGENOUS = "indigenous", _("Indigenous peoples")
    LGBTQI = "lgbtqi", _("LGBTQI+ people")
    DISABILITY = "disability", _("Persons with disabilities")
    MIGRANTS = "migrants", _("Migrants")
    AFRO = "afro", _("Afro-descendant people")
    RURAL = "rural", _("Rural communities")
    ELDERLY = "elderly", _("Older people")


class StaffLevel(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership")
    MANAGEMENT = "management", _("Management")
    COORDINATION = "coordination", _("Coordination")
    FIELD = "field", _("Field / staff")
    VOLUNTEER = "volunteer", _("Volunteer")


class AgeBand(models.TextChoices):
    UNDER_25 = "<25", _("Under 25")
    FROM_25 = "25-34", _("25 to 34")
    FROM_35 = "35-44", _("35 to 44")
    FROM_45 = "45-59", _("45 to 59")
    OVER_60 = "60+", _("60 or over")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self", _("Self-described")


class LeadershipModel(models.TextChoices):
    ROTATING = "rotating", _("Rotating")
    FIXED = "fixed", _("Fixed")


class DecisionRule(models.TextChoices):
    CONSENSUS = "consensus", _("Consensus")
    CONSENT = "consent", _("Consent")
    MAJORITY = "majority", _("Majority")
    STEWARD = "steward", _("Steward decides")


class PeerGroupBasis(models.TextChoices):
    ROLE = "role", _("By role")
    THEME = "theme", _("By theme")


CONTENT_LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]


def label_for(choices: type[models.TextChoices], value: str) -> str:
    """The translated label of a known value, or the value itself for free tags."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
