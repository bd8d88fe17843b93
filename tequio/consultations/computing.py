"""From the database to the pure opinion math and back: what a snapshot holds.

``load`` reads one consultation's votes as index triples (a participant's index is the
rank of its ``number``, likewise for statements, so indices never move between
updates); ``compute`` runs ``analysis.run_pipeline`` with the previous update's state
and turns its result into the JSON the pages read. The math itself lives in
``tequio.consultations.analysis`` and knows nothing of Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count
from django.db.models.functions import TruncDate
from numpy.typing import NDArray

from .analysis import PipelineOptions, PipelineResult, PipelineState, run_pipeline
from .analysis.clustering import KSmootherState
from .analysis.stats import importance
from .models import Consultation, Participant, Statement, StatementStatus, Vote

# Drawn on the map one by one up to this many; beyond it an even sample, so that the
# page stays light on a phone (the hulls still enclose every member).
MAP_POINTS = 600
# Divisive statements shown: at most this many, and only where the groups' agree rates
# are at least this far apart (with pseudocounts, a thinly voted statement stays below).
N_DIVISIVE = 5
MIN_DIVISIVENESS = 0.25
STATE_VERSION = 2  # 2: clusters carried by membership (1 carried centres)
RESULT_VERSION = 1
# Members of one organization often arrive together and agree with each other. With the
# method's starts alone, the groups seeded in the first camp stay there when the next camp
# arrives; "robust" also tries fresh starts at every update and keeps the best clustering
# (docs/consultations-math.md, "Group starts").
OPTIONS = PipelineOptions(group_starts="robust")


def position_key(participant_pk: int) -> str:
    """A participant's key in ``AnalysisSnapshot.positions``; a letter first, so that no
    database takes it for an array index."""
    return f"p{participant_pk}"


def new_statement_priority() -> float:
    """Routing weight of a statement nobody has voted on yet (the method's formula at 0 votes)."""
    zero = np.zeros(1)
    return float((importance(zero, zero, zero, zero)[0] * 9.0) ** 2)


@dataclass
class Loaded:
    participant_pks: NDArray[np.int64]  # by index
    statement_pks: NDArray[np.int64]
    excluded: NDArray[np.bool_]  # statements not accepted (pending, rejected, spam)
    participants: NDArray[np.int64]  # one entry per vote
    statements: NDArray[np.int64]
    votes: NDArray[np.int8]


def _index(pks: NDArray[np.int64], values: NDArray[np.int64]) -> NDArray[np.int64]:
    order = np.argsort(pks, kind="stable")
    return order[np.searchsorted(pks[order], values)]


def load(consultation: Consultation) -> Loaded:
    """Three queries, whatever the size: participants, statements, votes."""
    participant_pks = np.fromiter(
        Participant.objects.filter(consultation=consultation).order_by("number").values_list("pk", flat=True), dtype=np.int64)
    statement_rows = list(Statement.objects.filter(consultation=consultation).order_by("number").values_list("pk", "status"))
    statement_pks = np.array([pk for pk, _status in statement_rows], dtype=np.int64)
    excluded = np.array([status != StatementStatus.ACCEPTED for _pk, status in statement_rows], dtype=bool)
    rows = Vote.objects.filter(consultation=consultation).values_list("participant_id", "statement_id", "value")
    flat = np.fromiter((item for row in rows.iterator(chunk_size=20_000) for item in row), dtype=np.int64)
    triples = flat.reshape(-1, 3)
    return Loaded(
        participant_pks=participant_pks,
        statement_pks=statement_pks,
        excluded=excluded,
        participants=_index(participant_pks, triples[:, 0]) if triples.size else np.zeros(0, np.int64),
        statements=_index(statement_pks, triples[:, 1]) if triples.size else np.zeros(0, np.int64),
        votes=triples[:, 2].astype(np.int8),
    )


# --- the state carried from one update to the next -------------------------------------------

def state_to_json(state: PipelineState) -> dict[str, Any]:
    def array(value):
        return None if value is None else np.asarray(value).tolist()

    smoother = state.k_smoother
    return {
        "version": STATE_VERSION,
        "k_smoother": None if smoother is None else [smoother.smoothed_k, smoother.candidate_k, smoother.streak],
        "in_conversation": array(state.in_conversation),
        "components": array(state.components),
        "base_labels": array(state.base_labels),
        "group_labels_by_k": {str(k): array(labels) for k, labels in state.group_labels_by_k.items()},
        "n_groups": state.n_groups,
    }


def state_from_json(data: dict[str, Any] | None) -> PipelineState | None:
    """None (a cold start) for no state or a state of another format version."""
    if not data or data.get("version") != STATE_VERSION:
        return None

    def array(name: str, dtype=np.float64):
        value = data.get(name)
        return None if value is None else np.asarray(value, dtype=dtype)

    smoother = data.get("k_smoother")
    return PipelineState(
        k_smoother=KSmootherState(*smoother) if smoother else None,
        in_conversation=array("in_conversation", dtype=bool),
        components=array("components"),
        base_labels=array("base_labels", dtype=np.intp),
        group_labels_by_k={int(k): np.asarray(labels, dtype=np.intp)
                           for k, labels in (data.get("group_labels_by_k") or {}).items()},
        n_groups=int(data.get("n_groups") or 0),
    )


# --- the result the pages read ---------------------------------------------------------------

@dataclass
class Output:
    result: dict[str, Any]
    positions: dict[str, list]
    priorities: dict[str, float]
    state: dict[str, Any]
    vote_count: int
    participant_count: int
    group_count: int


def _r(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; fewer than three distinct points come back as they are."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for point in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    upper: list[tuple[float, float]] = []
    for point in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    return lower[:-1] + upper[:-1]


def _counts(result: PipelineResult, totals: NDArray[np.int64], statement: int) -> dict[str, Any]:
    """Agree, disagree and pass per group (grouped participants) and over everyone who voted."""
    gv = result.group_votes
    return {
        "groups": [[int(gv.agree[g, statement]), int(gv.disagree[g, statement]), int(gv.passes[g, statement])]
                   for g in range(result.n_groups)],
        "all": [int(value) for value in totals[:, statement]],
    }


def compute(loaded: Loaded, previous_state: dict[str, Any] | None) -> Output:
    """Run the pipeline and shape its result for the pages (see AnalysisSnapshot)."""
    n, m = loaded.participant_pks.size, loaded.statement_pks.size
    result = run_pipeline(
        loaded.participants, loaded.statements, loaded.votes, n_participants=n, n_statements=m,
        moderated_out=loaded.excluded, previous=state_from_json(previous_state), options=OPTIONS,
    )
    spk = loaded.statement_pks
    voted = np.bincount(loaded.participants, minlength=n) > 0 if n else np.zeros(0, dtype=bool)
    coords, labels = result.coordinates, result.group_labels

    positions = {
        position_key(int(loaded.participant_pks[i])): [_r(coords[i, 0]), _r(coords[i, 1]), int(labels[i])]
        for i in np.flatnonzero(voted)
    }
    grouped = np.flatnonzero(labels >= 0)
    step = max(1, int(np.ceil(grouped.size / MAP_POINTS)))
    points = [[_r(coords[i, 0]), _r(coords[i, 1]), int(labels[i])] for i in grouped[::step]]
    groups = []
    for g in range(result.n_groups):
        members = np.flatnonzero(labels == g)
        hull = convex_hull([(_r(coords[i, 0]), _r(coords[i, 1])) for i in members])
        groups.append({
            "size": int(members.size),
            "centre": [_r(value) for value in result.group_centres[g]],
            "hull": [list(point) for point in hull],
        })
    shown = coords[voted] if voted.any() else np.zeros((1, 2))
    bounds = [_r(shown[:, 0].min()), _r(shown[:, 0].max()), _r(shown[:, 1].min()), _r(shown[:, 1].max())]

    listed: set[int] = set()
    representative = []
    for items in result.representative:
        rows = []
        for item in items:
            listed.add(item.statement)
            rows.append({"s": int(spk[item.statement]), "d": item.direction, "k": item.successes, "n": item.votes,
                         "p": _r(item.probability), "r": _r(item.repness), "z": _r(item.repness_test)})
        representative.append(rows)
    consensus = {}
    for direction in ("agree", "disagree"):
        rows = []
        for item in getattr(result.consensus, direction):
            listed.add(item.statement)
            rows.append({"s": int(spk[item.statement]), "k": item.successes, "n": item.votes, "p": _r(item.probability)})
        consensus[direction] = rows
    common_ground = []
    for index in result.group_informed_consensus:
        # The ranking alone would list the "least disagreed" statements even where no
        # group agrees: common ground means every group leans towards agreeing.
        if result.n_groups and (result.repness.pa[:, index] > 0.5).all():
            listed.add(index)
            common_ground.append({"s": int(spk[index]), "score": _r(result.group_consensus_agree[index], 4)})
    divisive = []
    if result.n_groups >= 2:
        for index in result.divisive[:N_DIVISIVE]:
            if result.divisiveness[index] >= MIN_DIVISIVENESS:
                listed.add(index)
                divisive.append({"s": int(spk[index]), "score": _r(result.divisiveness[index], 4)})

    included = ~loaded.excluded
    totals = np.stack([np.bincount(loaded.statements[loaded.votes == value], minlength=m) for value in (1, -1, 0)])
    payload = {
        "version": RESULT_VERSION,
        "n_participants": int(voted.sum()),
        "n_in_conversation": int(result.in_conversation.sum()),
        "n_groups": int(result.n_groups),
        "n_votes": int(loaded.votes.size),
        "n_statements_voted": int(np.unique(loaded.statements[included[loaded.statements]]).size) if loaded.votes.size else 0,
        "groups": groups,
        "bounds": bounds,
        "points": points,
        "representative": representative,
        "consensus": consensus,
        "common_ground": common_ground,
        "divisive": divisive,
        "bars": {str(int(spk[index])): _counts(result, totals, index) for index in sorted(listed)},
    }
    priorities = {str(int(spk[index])): float(result.priorities[index]) for index in np.flatnonzero(included)}
    return Output(
        result=payload, positions=positions, priorities=priorities, state=state_to_json(result.state),
        vote_count=int(loaded.votes.size), participant_count=int(voted.sum()), group_count=int(result.n_groups),
    )


def timeline(consultation: Consultation) -> list[list[Any]]:
    """Per day: votes first cast that day, and participants who came that day (two queries)."""
    votes = dict(
        Vote.objects.filter(consultation=consultation).annotate(day=TruncDate("created_at"))
        .values_list("day").annotate(n=Count("pk")).values_list("day", "n")
    )
    first = dict(
        Participant.objects.filter(consultation=consultation, votes__isnull=False).annotate(day=TruncDate("created_at"))
        .values_list("day").annotate(n=Count("pk", distinct=True)).values_list("day", "n")
    )
    days = sorted(set(votes) | set(first))
    return [[day.isoformat(), int(votes.get(day, 0)), int(first.get(day, 0))] for day in days]
