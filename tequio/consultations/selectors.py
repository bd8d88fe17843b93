"""Reads of the consultations capability: scoped to the viewer, in a fixed number of queries.

The vote page and the results page cost the same number of queries for ten votes or a
million: the heavy figures come from the stored analysis snapshot, and statement texts
are read only for the statements a page shows.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tequio.core.cached import community_cache_drop, community_cached
from tequio.core.permissions import CommunityAccess

from . import svg
from .analysis import choose_next_statement
from .computing import new_statement_priority, position_key
from .models import (
    AnalysisSnapshot,
    Consultation,
    ConsultationState,
    InvitationLink,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from .permissions import ConsultationAccess


def _count(queryset, column: str = "consultation") -> Coalesce:
    return Coalesce(Subquery(queryset.order_by().values(column).annotate(n=Count("pk")).values("n")), 0)


def consultations_for(access: CommunityAccess) -> QuerySet[Consultation]:
    """The community's consultations, newest first; drafts only for those who run them.

    Counts are correlated subqueries, computed for the rows of the page only.
    """
    queryset = Consultation.objects.active().filter(community=access.community)
    if not access.can("consultations.manage"):
        queryset = queryset.exclude(state=ConsultationState.DRAFT)
    return queryset.annotate(
        participant_count=_count(Participant.objects.filter(consultation=OuterRef("pk"))),
        statement_count=_count(Statement.objects.filter(consultation=OuterRef("pk"), status=StatementStatus.ACCEPTED)),
        pending_count=_count(Statement.objects.filter(consultation=OuterRef("pk"), status=StatementStatus.PENDING)),
    ).order_by("-created_at", "-id")


HOME = "consultations-home"


def home_changed(community_id: int) -> None:
    """Called by the services that create, edit, open or close consultations."""
    community_cache_drop(HOME, community_id)


def _open_consultations(access: CommunityAccess) -> list[Consultation]:
    return [c for c in consultations_for(access).filter(state=ConsultationState.OPEN)[:5] if c.phase == "open"][:3]


def home_panel(access: CommunityAccess) -> dict | None:
    """The open consultations for the community's home page (no panel without permission).

    Open consultations are the same for every viewer (drafts are never open), so the
    list is kept in the cache (``tequio.core.cached``): its participant and statement
    counts may lag a vote by up to a minute.
    """
    if not access.can("consultations.view"):
        return None
    consultations = community_cached(HOME, access.community.pk, lambda: _open_consultations(access))
    return {
        "community": access.community, "consultations": consultations,
        "can_manage": access.can("consultations.manage"), "can_participate": access.can("consultations.participate"),
    }


# --- the vote page ---------------------------------------------------------------------------

@dataclass
class VoteCard:
    """What the participant sees next: one statement, and how far they got."""

    statement: Statement | None
    answered: int
    total: int

    @property
    def remaining(self) -> int:
        return self.total - self.answered


def _seed(*parts: int) -> int:
    return zlib.crc32(":".join(str(part) for part in parts).encode())


def next_statement(ca: ConsultationAccess) -> VoteCard:
    """The next statement for the viewer, drawn by the method's routing priority.

    New statements, and statements that split the groups and draw few passes, come
    first (``analysis.stats.priorities``, stored with the snapshot). The draw is seeded
    by who is voting and how far they got, so reloading the page shows the same
    statement, and two people do not all see the same order. Three queries.
    """
    consultation = ca.consultation
    participant_id = ca.participant.pk if ca.participant is not None else 0
    rows = list(
        Statement.objects.filter(consultation=consultation, status=StatementStatus.ACCEPTED)
        .annotate(seen=Exists(Vote.objects.filter(participant_id=participant_id, statement=OuterRef("pk"))))
        .order_by("number").values_list("pk", "seen")
    )
    priorities = (
        AnalysisSnapshot.objects.filter(consultation=consultation).values_list("priorities", flat=True).first() or {}
    )
    answered = sum(1 for _pk, seen in rows if seen)
    chosen = None
    if answered < len(rows):
        default = new_statement_priority()
        weights = np.array([priorities.get(str(pk), default) for pk, _seen in rows], dtype=np.float64)
        seen = np.array([seen for _pk, seen in rows], dtype=bool)
        identity = participant_id or -int(getattr(ca.user, "pk", 0) or 0)
        rng = np.random.default_rng(_seed(consultation.pk, identity, answered))
        index = choose_next_statement(weights, seen, rng)
        if index is None:  # every unseen statement weighs 0: take the first, in order
            index = int(np.flatnonzero(~seen)[0])
        chosen = rows[index][0]
    # Always one query, found or not, so the page's query count does not depend on it.
    statement = Statement.objects.filter(pk=chosen or 0).first()
    return VoteCard(statement=statement, answered=answered, total=len(rows))


# --- results ---------------------------------------------------------------------------------

NOTES = {"agree": gettext_lazy("%(percent)s%% agree (%(votes)s votes)"),
         "disagree": gettext_lazy("%(percent)s%% disagree (%(votes)s votes)")}
# A representative statement's figures are its group's, not everyone's: the note says so.
GROUP_NOTES = {"agree": gettext_lazy("%(percent)s%% of %(group)s agree (%(votes)s votes)"),
               "disagree": gettext_lazy("%(percent)s%% of %(group)s disagree (%(votes)s votes)")}


@dataclass
class StatementResult:
    statement: Statement
    direction: str = ""
    percent: int = 0
    votes: int = 0
    score: float = 0.0
    bars: list[dict] = field(default_factory=list)
    bars_html: str = ""
    group: str = ""  # "Group A" for a statement that sets that group apart

    @property
    def note(self) -> str:
        """"85% agree (20 votes)" for majority statements, "85% of Group A agree (20 votes)" for a group's."""
        if not self.percent or self.direction not in ("agree", "disagree"):
            return ""
        template = (GROUP_NOTES if self.group else NOTES)[self.direction]
        return str(template) % {"percent": self.percent, "votes": self.votes, "group": self.group}


@dataclass
class GroupResult:
    index: int
    letter: str
    label: str
    colour: str
    size: int
    lists: _Lists = field(repr=False)

    @property
    def representative(self) -> list[StatementResult]:
        return self.lists.representative[self.index]


class _Lists:
    """The statement lists of a snapshot, built on first use.

    Built lazily so that a page whose statement section comes from the fragment cache
    (it depends only on the snapshot and the language) never reads the statements.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @cached_property
    def _built(self) -> dict[str, Any]:
        data = self.data
        listed: set[int] = set()
        for rows in data.get("representative", []):
            listed.update(row["s"] for row in rows)
        for key in ("common_ground", "divisive"):
            listed.update(row["s"] for row in data.get(key, []))
        for rows in data.get("consensus", {}).values():
            listed.update(row["s"] for row in rows)
        # One query, also when there is nothing to show (the page's query count stays put).
        texts = {statement.pk: statement for statement in Statement.objects.filter(pk__in=sorted(listed) or [0])}
        bars = data.get("bars", {})
        labels = [_("Everyone"), *(svg.group_label(index) for index in range(len(data.get("groups", []))))]
        drawn: dict[int, tuple[list, str]] = {}  # a statement listed in several sections is drawn once

        def make(row: dict, **extra) -> StatementResult | None:
            statement = texts.get(row["s"])
            if statement is None or statement.status != StatementStatus.ACCEPTED:
                return None  # moderated out since the computation
            if row["s"] not in drawn:
                rows = svg.vote_bars(bars.get(str(row["s"])), labels)
                drawn[row["s"]] = (rows, svg.bars_markup(rows))
            rows, html = drawn[row["s"]]
            return StatementResult(statement=statement, bars=rows, bars_html=html, **extra)

        def collect(rows, **extra_of) -> list[StatementResult]:
            made = [make(row, **{name: fn(row) for name, fn in extra_of.items()}) for row in rows]
            return [item for item in made if item is not None]

        def percent(row: dict) -> int:
            return round(100 * row["k"] / row["n"]) if row["n"] else 0

        consensus = data.get("consensus", {})
        return {
            "representative": [
                collect(rows, direction=lambda row: row["d"], percent=percent, votes=lambda row: row["n"],
                        group=lambda row, index=index: labels[index + 1])
                for index, rows in enumerate(data.get("representative", []))
            ],
            "common_ground": collect(data.get("common_ground", []), score=lambda row: row["score"]),
            "consensus_agree": collect(consensus.get("agree", []), direction=lambda row: "agree", percent=percent,
                                       votes=lambda row: row["n"]),
            "consensus_disagree": collect(consensus.get("disagree", []), direction=lambda row: "disagree",
                                          percent=percent, votes=lambda row: row["n"]),
            "divisive": collect(data.get("divisive", []), score=lambda row: row["score"]),
        }

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._built[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Results:
    consultation: Consultation
    snapshot: AnalysisSnapshot | None
    data: dict[str, Any]
    groups: list[GroupResult]
    lists: _Lists = field(repr=False)
    opinion_map: dict[str, Any] | None
    viewer_group: int | None  # the group the viewer is in, or nearest to
    viewer_in_group: bool
    statement_counts: dict[str, int]
    timeline: dict[str, Any] | None

    @property
    def common_ground(self) -> list[StatementResult]:
        return self.lists.common_ground

    @property
    def consensus_agree(self) -> list[StatementResult]:
        return self.lists.consensus_agree

    @property
    def consensus_disagree(self) -> list[StatementResult]:
        return self.lists.consensus_disagree

    @property
    def divisive(self) -> list[StatementResult]:
        return self.lists.divisive

    @property
    def cache_key(self) -> str:
        """What the statement section depends on: the snapshot (its generation)."""
        return f"{self.consultation.pk}:{self.snapshot.generation if self.snapshot else 0}"

    @property
    def viewer_group_label(self) -> str:
        return svg.group_label(self.viewer_group) if self.viewer_group is not None else ""

    @property
    def viewer_group_letter(self) -> str:
        return svg.group_letter(self.viewer_group) if self.viewer_group is not None else ""


def statement_counts(consultation: Consultation) -> dict[str, int]:
    """Statements by status, and the votes and participants of the consultation (one query)."""
    counts = Statement.objects.filter(consultation=consultation).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in StatementStatus.values},
        seeds=Count("pk", filter=Q(is_seed=True)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def results(ca: ConsultationAccess, *, with_timeline: bool = False) -> Results:
    """Everything the results and report pages show, from the stored snapshot.

    Two queries (the snapshot with the viewer's place, the statement counts), and one
    more for the statement texts when the statement lists are used.
    """
    consultation = ca.consultation
    participant_pk = ca.participant.pk if ca.participant is not None else 0
    # The viewer's own place is read inside the same query, never the whole table of places.
    snapshot = (
        AnalysisSnapshot.objects.filter(consultation=consultation).defer("priorities", "state", "positions")
        .annotate(viewer_position=KeyTransform(position_key(participant_pk), "positions")).first()
    )
    data = snapshot.result if snapshot is not None else {}
    lists = _Lists(data)
    groups = [
        GroupResult(index=index, letter=svg.group_letter(index), label=svg.group_label(index),
                    colour=svg.group_colour(index), size=group["size"], lists=lists)
        for index, group in enumerate(data.get("groups", []))
    ]
    viewer_group, in_group, viewer = None, False, None
    if ca.participant is not None and snapshot is not None:
        position = snapshot.viewer_position
        if isinstance(position, str):  # some backends hand back the JSON text
            position = json.loads(position)
        if position is not None:
            viewer = position[:2]
            if position[2] >= 0:
                viewer_group, in_group = position[2], True
            elif data.get("groups"):
                centres = np.array([group["centre"] for group in data["groups"]])
                viewer_group = int(np.argmin(((centres - np.array(viewer)) ** 2).sum(axis=1)))
    return Results(
        consultation=consultation,
        snapshot=snapshot,
        data=data,
        groups=groups,
        lists=lists,
        opinion_map=svg.opinion_map(data, viewer) if data.get("n_groups") else None,
        viewer_group=viewer_group,
        viewer_in_group=in_group,
        statement_counts=statement_counts(consultation),
        timeline=svg.timeline_bars(data.get("timeline", [])) if with_timeline and data.get("timeline") else None,
    )


# --- moderation and invitations --------------------------------------------------------------

def moderation_queue(consultation: Consultation) -> QuerySet[Statement]:
    """Statements waiting for a decision, oldest first."""
    return Statement.objects.filter(consultation=consultation, status=StatementStatus.PENDING).order_by("created_at", "number")


def moderated(consultation: Consultation) -> QuerySet[Statement]:
    """Every other statement, newest first, with its vote count: decisions can be revisited."""
    return (
        Statement.objects.filter(consultation=consultation).exclude(status=StatementStatus.PENDING)
        .annotate(vote_count=_count(Vote.objects.filter(statement=OuterRef("pk")), "statement"))
        .select_related("moderated_by").order_by("-number")
    )


def invitation_links(consultation: Consultation) -> QuerySet[InvitationLink]:
    return InvitationLink.objects.filter(consultation=consultation).order_by("-created_at", "-id")
