"""API input and output schemas of core.

Inputs are strict: unknown fields are refused (a typo must not pass as "no change"),
strings are bounded and free of control characters (PostgreSQL refuses NUL; nobody
types the others), and choices are enumerated, so that what the OpenAPI schema
promises is what the services accept. Rules a schema cannot express (an unknown
country, a name already taken) come back from the services as 400.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from annotated_types import Ge, Le
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from . import choices
from .models import Affiliation, Community, Goal, Membership, Organization, Person

# Sizes of unbounded text columns: generous for prose, small enough to refuse abuse.
LONG_TEXT = 10_000
# The largest id a 64-bit primary key holds; bigger numbers are refused, not overflowed.
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000
MAX_LIST = 30

_LINE = r"^[^\x00-\x1f\x7f]*$"
_NAME = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
_PROSE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def one_line(max_length: int):
    """One line of optional text."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=_LINE)]


def visible_line(max_length: int):
    """One line of text with at least one visible character."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length, pattern=_NAME)]


Prose = Annotated[str, StringConstraints(max_length=LONG_TEXT, pattern=_PROSE)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=_NAME)]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]


def _integral(value):
    # JSON Schema counts 3.0 as an integer; strict pydantic would not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integer(minimum: int, maximum: int):
    """A bounded integer; the bounds come first so that they reach the JSON schema."""
    return Annotated[int, Ge(minimum), Le(maximum), BeforeValidator(_integral)]


Id = integer(1, MAX_ID)


def _text_only(value):
    # JSON carries dates as text; lax parsing would also read 5 as a Unix time.
    if isinstance(value, str):
        return value
    raise PydanticCustomError("date_text", "Send dates and times as ISO 8601 text.")


# Inputs are strict, and strict pydantic takes no text for dates: these take ISO 8601 text only.
DateTime = Annotated[datetime, Strict(False), BeforeValidator(_text_only)]
Date = Annotated[date, Strict(False), BeforeValidator(_text_only)]

Language = Literal["es", "en"]
Stage = Literal["discovery", "ideation", "action"]
Privacy = Literal["public", "listed", "hidden"]
Role = Literal["convener", "steward", "member", "ally", "observer"]
Horizon = Literal["short", "medium", "long"]
GoalStatus = Literal["active", "achieved", "dropped"]
OrganizationKind = Literal[
    "cso", "iso", "government", "private", "academia", "donor", "media", "community_group", "network"
]
OrganizationSize = Literal["", "1-5", "6-20", "21-50", "51+"]
StaffLevel = Literal["leadership", "management", "coordination", "field", "volunteer"]
AgeBand = Literal["", "<25", "25-34", "35-44", "45-59", "60+"]
Gender = Literal["", "woman", "man", "non_binary", "self"]

# The Literals above restate the model choices for the schema; a test keeps them equal.
CHOICES_OF = {
    Stage: choices.Stage, Privacy: choices.Privacy, Role: choices.Role, Horizon: choices.Horizon,
    GoalStatus: choices.GoalStatus, OrganizationKind: choices.OrganizationKind,
    OrganizationSize: choices.OrganizationSize, StaffLevel: choices.StaffLevel, AgeBand: choices.AgeBand,
    Gender: choices.Gender,
}


def _max(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


class Input(Schema):
    """Base of every request body: unknown fields refused, no type coercion.

    Strict: 0 is not false and "3" is not 3 in a JSON body, so what the schema says is
    what passes. Dates and times must then use ``Date`` / ``DateTime`` from here.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


# --- errors and pages ----------------------------------------------------------

class ErrorOut(Schema):
    """The one error shape of the API."""

    message: str = Field(description="What went wrong, in the language of Accept-Language.")
    fields: dict[str, list[str]] = Field(description="Problems by input field, when a field is to blame.")


class PageIn(Schema):
    limit: int = Field(25, ge=1, le=100, description="How many items to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


def page_of(queryset, page: PageIn) -> dict:
    """One page of a queryset: the items, the total and the window asked for."""
    return {
        "count": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


class PageOut(Schema):
    count: int = Field(description="Total number of items matching the query.")
    limit: int
    offset: int


# --- communities ----------------------------------------------------------------

class CommunityOut(Schema):
    slug: str
    name: str
    purpose: str
    languages: list[str]
    stage: str
    privacy: str
    member_led: bool
    require_mfa: bool
    created_at: datetime


class CommunityDetailOut(CommunityOut):
    role: str | None = Field(None, description="The caller's role in the community, if a member.")


class CommunityPageOut(PageOut):
    items: list[CommunityOut]


class CommunityIn(Input):
    name: visible_line(_max(Community, "name"))
    slug: Slug | None = Field(None, description="Short name used in URLs; made from the name when left out.")
    purpose: Prose = ""
    languages: list[Language] = Field(default_factory=lambda: ["es"], max_length=2)
    stage: Stage = "discovery"
    privacy: Privacy = "listed"
    require_mfa: bool = False
    convener_organization_name: one_line(200) = Field("", description="Your organization, added as convener.")


class CommunityPatch(Input):
    name: visible_line(_max(Community, "name")) = None
    slug: Slug = None
    purpose: Prose = None
    languages: list[Language] = Field(None, max_length=2)
    stage: Stage = None
    privacy: Privacy = None
    member_led: bool = None
    require_mfa: bool = None
    convener_organization_id: Id | None = Field(None, description="An organization of this community, or null.")


# --- organizations ---------------------------------------------------------------

class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    thematic_areas: list[str]
    country: str
    state: str
    municipality: str
    excluded_groups: list[str]
    size: str
    founding_year: int | None
    website: str
    offers: str
    seeks: str
    tier: str
    created_at: datetime
    updated_at: datetime


class OrganizationPageOut(PageOut):
    items: list[OrganizationOut]


class OrganizationFilters(PageIn):
    kind: OrganizationKind | None = None
    state: one_line(_max(Organization, "state")) = Field("", description="Mexican state code (e.g. SON) or state name.")
    theme: one_line(60) = Field("", description="A thematic area, e.g. human_rights.")
    q: one_line(100) = Field("", description="Search in name, municipality and description.")


_Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
_Year = integer(1800, 2100)
_Tags = Annotated[list[Tag], Field(max_length=MAX_LIST)]


class OrganizationIn(Input):
    name: visible_line(_max(Organization, "name"))
    kind: OrganizationKind = "cso"
    description: Prose = ""
    thematic_areas: _Tags = Field(default_factory=list, description="Known areas (see the docs) or free tags.")
    country: _Country = Field("MX", description="ISO 3166 two-letter country code.")
    state: one_line(_max(Organization, "state")) = Field("", description="For Mexico, the state code (e.g. SON).")
    municipality: one_line(_max(Organization, "municipality")) = ""
    excluded_groups: _Tags = Field(default_factory=list)
    size: OrganizationSize = ""
    founding_year: _Year | None = None
    website: one_line(_max(Organization, "website")) = Field("", description="An http(s) address.")
    offers: Prose = ""
    seeks: Prose = ""
    tier: one_line(_max(Organization, "tier")) = ""


class OrganizationPatch(Input):
    name: visible_line(_max(Organization, "name")) = None
    kind: OrganizationKind = None
    description: Prose = None
    thematic_areas: _Tags = None
    country: _Country = None
    state: one_line(_max(Organization, "state")) = None
    municipality: one_line(_max(Organization, "municipality")) = None
    excluded_groups: _Tags = None
    size: OrganizationSize = None
    founding_year: _Year | None = None
    website: one_line(_max(Organization, "website")) = None
    offers: Prose = None
    seeks: Prose = None
    tier: one_line(_max(Organization, "tier")) = None


# --- people ----------------------------------------------------------------------

class AffiliationOut(Schema):
    organization_id: int
    organization_name: str
    position: str
    staff_level: str
    is_primary: bool


class PersonOut(Schema):
    id: int
    display_name: str
    is_pseudonym: bool
    languages: list[str]
    bio: str
    affiliations: list[AffiliationOut]
    sensitive_visible: bool = Field(description="False when the fields below are withheld from you.")
    age_band: str | None = Field(description="Null when withheld; empty when not declared.")
    gender: str | None
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, person: Person, *, show_sensitive: bool) -> "PersonOut":
        """The person as the caller may see them: sensitive fields only when allowed."""
        sensitive = {name: getattr(person, name) if show_sensitive else None for name in Person.SENSITIVE_FIELDS}
        return cls(
            id=person.pk, display_name=person.display_name, is_pseudonym=person.is_pseudonym,
            languages=person.languages, bio=person.bio,
            affiliations=[
                AffiliationOut(
                    organization_id=affiliation.organization_id, organization_name=affiliation.organization.name,
                    position=affiliation.position, staff_level=affiliation.staff_level,
                    is_primary=affiliation.is_primary,
                )
                for affiliation in person.affiliations.all()
                if affiliation.organization.removed_at is None
            ],
            sensitive_visible=show_sensitive, created_at=person.created_at, updated_at=person.updated_at,
            **sensitive,
        )


class PersonPageOut(PageOut):
    items: list[PersonOut]


class PersonFilters(PageIn):
    q: one_line(100) = Field("", description="Search in display names.")
    staff_level: StaffLevel | None = None
    organization: Id | None = Field(None, description="Only people affiliated with this organization.")


class AffiliationIn(Input):
    organization_id: Id
    position: one_line(_max(Affiliation, "position")) = ""
    staff_level: StaffLevel = "field"
    is_primary: bool = True


_Email = Annotated[str, StringConstraints(max_length=254, pattern=_LINE)]


class PersonIn(Input):
    display_name: visible_line(_max(Person, "display_name"))
    is_pseudonym: bool = False
    languages: list[Language] = Field(default_factory=list, max_length=2)
    bio: Prose = ""
    age_band: AgeBand = ""
    gender: Gender = ""
    email: _Email = ""
    phone: one_line(_max(Person, "phone")) = ""
    affiliations: list[AffiliationIn] = Field(default_factory=list, max_length=MAX_LIST)


class PersonPatch(Input):
    display_name: visible_line(_max(Person, "display_name")) = None
    is_pseudonym: bool = None
    languages: list[Language] = Field(None, max_length=2)
    bio: Prose = None
    age_band: AgeBand = None
    gender: Gender = None
    email: _Email = None
    phone: one_line(_max(Person, "phone")) = None


# --- memberships -------------------------------------------------------------------

class MembershipOut(Schema):
    id: int
    role: str
    joined_at: datetime
    person_id: int | None = Field(description="The member's person record, if it has not been removed.")
    display_name: str | None

    @classmethod
    def of(cls, membership: Membership) -> "MembershipOut":
        person = membership.person if membership.person and membership.person.removed_at is None else None
        return cls(
            id=membership.pk, role=membership.role, joined_at=membership.joined_at,
            person_id=person.pk if person else None, display_name=person.display_name if person else None,
        )


class MembershipPageOut(PageOut):
    items: list[MembershipOut]


class MembershipPatch(Input):
    role: Role


# --- goals -------------------------------------------------------------------------

class GoalOut(Schema):
    id: int
    title: str
    description: str
    horizon: str
    status: str
    position: int
    created_at: datetime
    updated_at: datetime


class GoalPageOut(PageOut):
    items: list[GoalOut]


class GoalIn(Input):
    title: visible_line(_max(Goal, "title"))
    description: Prose = ""
    horizon: Horizon = "short"
    status: GoalStatus = "active"


class GoalPatch(Input):
    title: visible_line(_max(Goal, "title")) = None
    description: Prose = None
    horizon: Horizon = None
    status: GoalStatus = None
    position: integer(0, 2**31 - 1) = None
