"""API input and output schemas of the convenings capability.

Inputs are strict like core's (unknown fields refused, text bounded and free of
control characters, choices enumerated); rules a schema cannot express come back
from the services as 400 in the one error shape.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict, StringConstraints

from tequio.core.schemas import Id, Input, PageIn, PageOut, Prose, one_line, visible_line

# JSON has no date type: dates come as ISO strings, which strict validation would refuse.
DateTimeIn = Annotated[datetime, Strict(False)]
DateIn = Annotated[date, Strict(False)]
Mode = Literal["in_person", "virtual", "hybrid"]
RoleName = Literal["facilitator", "co_facilitator", "rapporteur", "host"]
ActionStatusName = Literal["open", "in_progress", "done", "dropped"]
When = Literal["upcoming", "past", "all"]
AnswerText = Annotated[str, StringConstraints(max_length=5000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
AnswerValue = AnswerText | float | Annotated[list[one_line(64)], Field(max_length=50)] | None


class ConveningFilters(PageIn):
    when: When = Field("upcoming", description="Upcoming (soonest first), past (latest first) or all (latest first).")


class SessionOut(Schema):
    id: int
    title: str
    kind: str
    peer_group_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None


class ConveningOut(Schema):
    id: int
    title: str
    objectives: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    held_alongside: str
    host_organization_id: int | None
    agenda_open: bool
    place: str | None = Field(None, description="Only for participants of the community.")
    online_url: str | None = Field(None, description="Only for participants of the community.")


class ConveningPageOut(PageOut):
    items: list[ConveningOut]


class RoleOut(Schema):
    role: str
    person_id: int | None = Field(None, description="Only for participants of the community.")
    person_name: str | None = Field(None, description="Only for participants of the community.")
    organization_id: int | None
    organization_name: str | None
    staff_level: str
    from_suggestion: bool
    reason: str


class ConveningDetailOut(ConveningOut):
    number: int = Field(description="Its position among the community's convenings (1 = first).")
    sessions: list[SessionOut]
    roles: list[RoleOut]


class ConveningIn(Input):
    title: visible_line(200)
    starts_at: DateTimeIn
    ends_at: DateTimeIn
    objectives: Prose = ""
    mode: Mode = "in_person"
    place: one_line(200) = ""
    online_url: Annotated[str, StringConstraints(max_length=200, pattern=r"^(https?://[^\s\x00-\x1f]+)?$")] = ""
    held_alongside: one_line(200) = ""
    host_organization_id: Id | None = None


class ConveningPatch(Input):
    title: visible_line(200) = None
    starts_at: DateTimeIn = None
    ends_at: DateTimeIn = None
    objectives: Prose = None
    mode: Mode = None
    place: one_line(200) = None
    online_url: Annotated[str, StringConstraints(max_length=200, pattern=r"^(https?://[^\s\x00-\x1f]+)?$")] = None
    held_alongside: one_line(200) = None
    host_organization_id: Id | None = None
    agenda_open: bool = None


class AgendaItemOut(Schema):
    id: int
    title: str
    description: str
    proposer_kind: str = Field(description="member or convener: who proposed it (feeds the ownership index).")
    organization_id: int | None
    session_id: int | None
    rank: int
    dots: int
    organizations: int = Field(description="How many organizations voted for it.")
    mine: int = Field(description="Dots of the caller's organization on it.")


class AgendaOut(Schema):
    agenda_open: bool
    budget: int = Field(description="Votes each member organization may spend on this convening.")
    spent: int
    organization_id: int | None = Field(description="The organization the caller votes for, if any.")
    items: list[AgendaItemOut]


class AgendaItemIn(Input):
    title: visible_line(200)
    description: Prose = ""
    organization_id: Id | None = Field(None, description="Propose on behalf of this organization (yours; any for stewards).")


class VoteIn(Input):
    delta: Literal[1, -1] = Field(description="+1 adds one of your organization's dots, -1 takes one back.")
    organization_id: Id | None = Field(None, description="Vote for this one of your organizations (default: your main one).")


class VoteOut(Schema):
    item_id: int
    organization_id: int
    dots: int
    spent: int
    budget: int
    remaining: int


class RoleSuggestionOut(Schema):
    role: str
    person_id: int | None
    person_name: str | None
    organization_name: str
    reason: str
    confirmed: bool


class RoleIn(Input):
    role: RoleName
    person_id: Id | None = Field(None, description="A person of the community; null or left out frees the role.")
    reason: one_line(1000) = ""


class AttendeeOut(Schema):
    person_id: int
    person_name: str
    organization_id: int | None
    staff_level: str
    role: str
    first_time: bool
    method: str


class AttendanceOut(Schema):
    count: int
    organizations: int
    first_timers: int
    staff_levels: dict[str, int]
    people: list[AttendeeOut] | None = Field(None, description="Only for participants of the community.")


class AttendanceIn(Input):
    person_id: Id | None = Field(None, description="Who came; left out: yourself.")
    organization_id: Id | None = None


class ReportOut(Schema):
    insights: str
    decisions: str
    methodologies: str
    resources: str
    published_at: datetime | None
    updated_at: datetime


class ReportIn(Input):
    insights: Prose = None
    decisions: Prose = None
    methodologies: Prose = None
    resources: Prose = None
    publish: bool = False


class ConnectionOut(Schema):
    id: int
    organization_a_id: int
    organization_b_id: int
    description: str


class ConnectionIn(Input):
    organization_a_id: Id
    organization_b_id: Id
    description: one_line(300) = ""


class ActionItemOut(Schema):
    id: int
    convening_id: int
    title: str
    owner_id: int | None = Field(None, description="Only for participants of the community.")
    owner_organization_id: int | None
    due_on: date | None
    status: str


class ActionItemIn(Input):
    title: visible_line(300)
    owner_id: Id | None = None
    owner_organization_id: Id | None = None
    due_on: DateIn | None = None
    status: ActionStatusName = "open"


class ActionItemPatch(Input):
    title: visible_line(300) = None
    owner_id: Id | None = None
    owner_organization_id: Id | None = None
    due_on: DateIn | None = None
    status: ActionStatusName = None


class QuestionnaireOut(Schema):
    id: int
    title: str
    description: str
    anonymous: bool
    status: str
    convening_id: int | None
    response_count: int = 0


class QuestionnairePageOut(PageOut):
    items: list[QuestionnaireOut]


class ChoiceOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    name: str
    kind: str
    text: str
    help: str
    required: bool
    choices: list[ChoiceOut]


class QuestionnaireDetailOut(QuestionnaireOut):
    questions: list[QuestionOut]
    answered: bool = Field(description="Whether the caller has already answered.")


# Any key passes the schema; a key that names no question is refused by the service (400).
QuestionName = Annotated[str, StringConstraints(max_length=64)]


class ResponseIn(Input):
    answers: Annotated[dict[QuestionName, AnswerValue], Field(max_length=200)] = Field(
        description="By question name: an option value (likert, single), a list of option values (multiple; ranking "
                    "in order of preference), a number, or text.")


class ResponseOut(Schema):
    id: int
    questionnaire_id: int


class RespondentOut(Schema):
    id: int
    name: str


class ResponseDetailOut(Schema):
    id: int
    submitted_on: date = Field(description="The day, in the community's time zone.")
    submitted_at: datetime | None = Field(description="Null for an anonymous questionnaire.")
    respondent: RespondentOut | None = Field(description="Null for an anonymous questionnaire.")
    answers: dict[str, str | float | list[str]] = Field(
        description="By question name: an option value (likert, single), a list of option values (multiple; ranking "
                    "in order of preference), a number, or text. Unanswered questions are absent.")


class ResponsePageOut(PageOut):
    items: list[ResponseDetailOut]


class BarOut(Schema):
    label: str
    count: int
    percent: int


class QuestionResultOut(Schema):
    name: str
    kind: str
    text: str
    answered: int
    bars: list[BarOut]
    average: float | None
    minimum: float | None
    maximum: float | None
    texts: list[str]


class ResultsOut(Schema):
    questionnaire_id: int
    responses: int
    expected: int
    response_rate: int | None
    questions: list[QuestionResultOut]
