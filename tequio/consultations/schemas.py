"""API input and output schemas of the consultations capability.

Inputs are strict like core's (unknown fields refused, text bounded and free of control
characters, choices enumerated), so what the OpenAPI schema promises is what the
services accept. Rules a schema cannot express (a duplicate statement, a closed
consultation, a withdrawn statement) come back from the services as 400.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from tequio.core.schemas import DateTime, Input, Language, PageIn, PageOut, Prose, visible_line

from .models import QUESTION_MAX_LENGTH, STATEMENT_MAX_LENGTH

Audience = Literal["members", "invited"]
State = Literal["draft", "open", "closed"]
Moderation = Literal["accepted", "rejected", "spam"]
VoteName = Literal["agree", "disagree", "pass"]


class ConsultationOut(Schema):
    id: int
    question: str
    context: str
    language: str
    audience: str
    moderation_required: bool
    state: str
    phase: str = Field(description="draft, scheduled, open or closed: the state with the dates applied.")
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime


class ConsultationPageOut(PageOut):
    items: list[ConsultationOut]


class ConsultationIn(Input):
    question: visible_line(QUESTION_MAX_LENGTH)
    context: Prose = ""
    language: Language = "es"
    audience: Audience = "members"
    moderation_required: bool = False
    opens_at: DateTime | None = None
    closes_at: DateTime | None = None
    state: State = "draft"
    seed_statements: list[visible_line(STATEMENT_MAX_LENGTH)] = Field(
        default_factory=list, max_length=200, description="Statements to start the conversation with.")


class StatementOut(Schema):
    id: int
    number: int = Field(description="The statement's id in the Pol.is open-data format.")
    text: str
    status: str
    is_seed: bool
    created_at: datetime


class StatementPageOut(PageOut):
    items: list[StatementOut]


class StatementFilters(PageIn):
    status: Literal["accepted", "pending", "rejected", "spam"] = Field(
        "accepted", description="Other than accepted: for moderators only.")


class StatementIn(Input):
    text: visible_line(STATEMENT_MAX_LENGTH)


class StatementModerationIn(Input):
    status: Moderation


class StatementVoteIn(Input):
    vote: VoteName


class StatementVoteOut(Schema):
    statement_id: int
    vote: VoteName


class VoteCountsOut(Schema):
    agree: int
    disagree: int
    passes: int


class ResultStatementOut(Schema):
    id: int
    text: str
    direction: str = Field("", description="agree or disagree, for group and majority statements.")
    score: float = Field(0.0, description="Group-informed consensus or divisiveness, where it applies.")
    everyone: VoteCountsOut
    groups: list[VoteCountsOut] = Field(description="Counts of each opinion group, in group order.")


class OpinionGroupOut(Schema):
    letter: str
    size: int
    representative: list[ResultStatementOut]


class ConsultationResultsOut(Schema):
    computed_at: datetime | None
    participants: int
    votes: int
    groups: list[OpinionGroupOut]
    common_ground: list[ResultStatementOut]
    consensus_agree: list[ResultStatementOut]
    consensus_disagree: list[ResultStatementOut]
    divisive: list[ResultStatementOut]
    your_group: str | None = Field(None, description="The letter of the group the caller is in or nearest to.")
