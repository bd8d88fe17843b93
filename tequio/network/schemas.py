"""API input and output schemas of the network capability (strict inputs, as core's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from tequio.core.schemas import (
    Date,
    Id,
    Input,
    PageIn,
    PageOut,
    Prose,
    integer,
    one_line,
    visible_line,
)

TieTypeName = Literal["information_sharing", "joint_activity", "resource_sharing", "referral", "formal_alliance", "data_sharing"]
TieStatusName = Literal["confirmed", "pending", "declined"]
OrganizationKind = Literal["cso", "iso", "government", "private", "academia", "donor", "media", "community_group", "network"]
SectorName = Literal["government", "private", "academia", "donor", "media", "civil_society", "community", "international", "other"]
RelationName = Literal["monitor", "inform", "consult", "involve", "collaborate", "alliance"]
AskKindName = Literal["need", "offer"]
AskTopicName = Literal["expertise", "contacts", "resources", "information"]
Scale5 = integer(1, 5)


class OrganizationRef(Schema):
    id: int
    name: str


class TieOut(Schema):
    id: int
    source: OrganizationRef
    target: OrganizationRef
    type: TieTypeName
    directed: bool
    started_on: date | None
    ended_on: date | None
    origin: str
    origin_label: str
    note: str
    status: TieStatusName
    source_confirmed: bool = Field(description="The first organization has confirmed the tie.")
    target_confirmed: bool = Field(description="The other organization has confirmed the tie.")
    created_at: datetime

    @staticmethod
    def resolve_source_confirmed(obj) -> bool:
        return obj.source_confirmed_at is not None

    @staticmethod
    def resolve_target_confirmed(obj) -> bool:
        return obj.target_confirmed_at is not None


class TiePageOut(PageOut):
    items: list[TieOut]


class TieFilters(PageIn):
    status: TieStatusName | None = None
    type: TieTypeName | None = None
    organization: int | None = Field(None, ge=1, le=2**63 - 1, description="Ties of this organization only.")


class TieIn(Input):
    source_id: Id = Field(description="The first organization (the giver, for a directed tie).")
    target_id: Id = Field(description="The other organization.")
    type: TieTypeName
    directed: bool | None = Field(None, description="Left out: referrals and resource sharing are directed, the rest not.")
    started_on: Date | None = None
    ended_on: Date | None = None
    note: Prose = ""


class ConfirmIn(Input):
    organization_id: Id | None = Field(None, description="Which end you confirm for, when you speak for both.")


class SummaryOut(Schema):
    nodes: int
    ties: int
    tie_records: int
    density: float | None
    components: int
    isolates: int
    largest_component: int
    average_degree: float | None
    degree_centralization: float | None
    betweenness_centralization: float | None
    transitivity: float | None


class NodeMetricsOut(Schema):
    id: int
    degree: int
    betweenness: float | None = Field(description="Normalized: share of pairs of others, 0-1.")
    closeness: float | None = Field(description="Harmonic, 0-1.")
    eigenvector: float | None
    constraint: float | None
    brokerage: int
    community: int


class ConvenerOut(Schema):
    id: int
    tie_share: float | None
    geodesic_share: float | None
    reachable_pairs_lost_share: float | None
    components: int
    components_without: int
    fragmentation_delta: float | None
    distance_fragmentation_delta: float | None


class MetricsOut(Schema):
    status: Literal["pending", "running", "ready", "failed"]
    stale: bool
    computed_at: datetime | None
    day: date | None
    summary: SummaryOut | None
    modularity: float | None
    communities: int | None
    ei_index: float | None
    convener: ConvenerOut | None
    organizations: list[NodeMetricsOut]


class MetricsFilters(Schema):
    at: date | None = Field(None, description="The network as it stood on this day (today when left out).")
    type: list[TieTypeName] = Field(default_factory=list, max_length=6)
    kind: list[OrganizationKind] = Field(default_factory=list, max_length=9)
    theme: list[one_line(60)] = Field(default_factory=list, max_length=30)
    confirmed: bool = False


class WaveOut(Schema):
    id: int
    title: str
    opens_on: date
    closes_on: date | None
    status: Literal["draft", "open", "closed"]


class ScoreOut(Schema):
    value: float | None = Field(description="Mean on the 1-4 scale; null when hidden or empty.")
    n: int = Field(description="Ratings behind the mean.")
    hidden: bool = Field(description="Too few ratings to show to others without revealing one.")


class OrganizationScoresOut(Schema):
    organization_id: int
    name: str
    trust_received: ScoreOut
    value_received: ScoreOut
    trust_given: ScoreOut
    value_given: ScoreOut


class NetworkScoreOut(Schema):
    measure: str
    mean_over_pairs: ScoreOut
    mean_over_organizations: ScoreOut


class WaveScoresOut(Schema):
    wave: WaveOut
    status: Literal["pending", "running", "ready", "failed"]
    computed_at: datetime | None
    responses: int
    eligible: int
    network: list[NetworkScoreOut]
    organizations: list[OrganizationScoresOut]


class StakeholderOut(Schema):
    id: int
    name: str
    sector: SectorName
    description: str
    influence: int
    alignment: int | None
    interest: int | None
    relation_wanted: str
    relation_notes: str
    held_by: list[OrganizationRef]

    @staticmethod
    def resolve_held_by(obj) -> list:
        return list(obj.held_by.all())


class StakeholderIn(Input):
    name: visible_line(200)
    sector: SectorName
    influence: Scale5
    alignment: Scale5 | None = None
    interest: Scale5 | None = None
    relation_wanted: RelationName | Literal[""] = ""
    relation_notes: Prose = ""
    description: Prose = ""
    held_by: list[Id] = Field(default_factory=list, max_length=50)


class AskOut(Schema):
    id: int
    kind: AskKindName
    topic: AskTopicName
    title: str
    body: str
    organization: OrganizationRef
    status: Literal["open", "closed"]
    created_at: datetime


class AskPageOut(PageOut):
    items: list[AskOut]


class AskFilters(PageIn):
    kind: AskKindName | None = None
    topic: AskTopicName | None = None
    status: Literal["open", "closed"] | None = "open"


class AskIn(Input):
    organization_id: Id | None = Field(None, description="Left out: the one organization you belong to.")
    kind: AskKindName
    topic: AskTopicName
    title: visible_line(200)
    body: Prose = ""


class AnswerIn(Input):
    organization_id: Id | None = Field(None, description="Left out: the one organization you belong to.")
    body: visible_line(5000)


class AnswerOut(Schema):
    id: int
    ask_id: int
    organization: OrganizationRef
    body: str
    status: Literal["proposed", "accepted", "declined"]
    tie_id: int | None
