"""One update of the consultation math, from votes to opinion groups and statement reports.

`run_pipeline` is what the consultation app calls after new votes or moderation. It is
pure: the same votes, options and previous state give the same result. The previous state
carries what Pol.is carries between updates: who is already counted, the last axes (for
stable signs and a warm start), the last base clusters and the group clustering for each
k (recentred on their members, so groups do not jump) and the k smoother.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .clustering import (
    BASE_K,
    GROUP_K_BUFFER,
    MAX_GROUPS,
    Clustering,
    GroupStarts,
    KSmootherState,
    contingency,
    displayed_k,
    group_candidates,
    kmeans,
    matching_numbers,
    renumbered,
    smooth_k,
    warm_start,
)
from .matrix import StatementSet, VoteMatrix, build_vote_matrix, participants_in_conversation
from .pca import (
    Imputation,
    PCAResult,
    principal_components,
    project_participants,
    project_statements,
)
from .stats import (
    N_CONSENSUS,
    N_REPRESENTATIVE,
    Z90,
    Consensus,
    GroupVotes,
    Repness,
    RepresentativeStatement,
    all_votes,
    consensus,
    divisiveness,
    group_consensus,
    group_votes,
    priorities,
    representativeness,
    select_representative,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PipelineOptions:
    """Method parameters; the defaults are Pol.is's.

    `imputation="zero"` and `min_votes=1` reproduce the Pol.is of 2017, whose groupings
    are in the older open-data exports. `group_starts="robust"` also tries fresh starts at
    every update and keeps the best clustering, so groups do not stay stuck when
    participants arrive camp by camp (see docs/consultations-math.md).
    """

    min_votes: int = 7
    min_participants: int = 15
    base_k: int = BASE_K
    max_k: int = MAX_GROUPS
    group_k_buffer: int = GROUP_K_BUFFER
    imputation: Imputation = "column_mean"
    group_starts: GroupStarts = "method"
    n_representative: int = N_REPRESENTATIVE
    n_consensus: int = N_CONSENSUS
    n_divisive: int = 10
    significance: float = Z90


@dataclass(frozen=True, eq=False)
class PipelineState:
    """What one update hands to the next. Store it with the consultation.

    `base_labels[i]` is participant i's base cluster (-1: not clustered), and
    `group_labels_by_k[k][b]` base cluster b's group in the clustering with k groups,
    for every k tried: the next update starts each clustering from these, recentred on
    the members' new positions, as the method does.
    """

    k_smoother: KSmootherState | None = None
    in_conversation: NDArray[np.bool_] | None = None
    components: FloatArray | None = None
    base_labels: NDArray[np.intp] | None = None
    group_labels_by_k: Mapping[int, NDArray[np.intp]] = field(default_factory=dict)
    n_groups: int = 0  # the number of groups shown


@dataclass(frozen=True, eq=False)
class PipelineResult:
    """Everything the opinion map and the report show.

    Per participant (length n_participants): `coordinates`, `in_conversation`,
    `group_labels` (-1 when not clustered) and `base_labels`. Per statement (length
    n_statements): projections, extremity, group-informed consensus, divisiveness,
    priority. `group_votes` holds agree/disagree/pass counts per (group, statement) over
    clustered participants; `representative[g]` lists group g's statements.
    """

    n_participants: int
    n_statements: int
    in_conversation: NDArray[np.bool_]
    coordinates: FloatArray
    pca: PCAResult
    statement_coordinates: FloatArray
    extremity: FloatArray
    base_labels: NDArray[np.intp]
    base_clusters: Clustering
    group_labels: NDArray[np.intp]
    group_centres: FloatArray
    silhouettes: dict[int, float]
    best_k: int
    n_groups: int
    group_votes: GroupVotes
    repness: Repness
    representative: tuple[tuple[RepresentativeStatement, ...], ...]
    consensus: Consensus
    group_consensus_agree: FloatArray
    group_consensus_disagree: FloatArray
    divisiveness: FloatArray
    divisive: tuple[int, ...]
    group_informed_consensus: tuple[int, ...]
    priorities: FloatArray
    state: PipelineState = field(repr=False)


def run_pipeline(
    participants: ArrayLike,
    statements: ArrayLike,
    votes: ArrayLike,
    *,
    n_participants: int | None = None,
    n_statements: int | None = None,
    moderated_out: StatementSet = (),
    meta: StatementSet = (),
    previous: PipelineState | None = None,
    options: PipelineOptions | None = None,
) -> PipelineResult:
    """Run the whole method on (participant_index, statement_index, vote) triples in time order.

    Votes are +1 agree, -1 disagree, 0 pass; a later triple for the same pair replaces an
    earlier one. Pass the previous update's `result.state` as `previous` to keep groups
    and the number of groups stable across updates.
    """
    matrix = build_vote_matrix(
        participants,
        statements,
        votes,
        n_participants=n_participants,
        n_statements=n_statements,
        moderated_out=moderated_out,
        meta=meta,
    )
    return analyse(matrix, previous=previous, options=options)


def analyse(
    matrix: VoteMatrix,
    *,
    previous: PipelineState | None = None,
    options: PipelineOptions | None = None,
) -> PipelineResult:
    """Run the method on an already built vote matrix (see `run_pipeline`)."""
    opts = options or PipelineOptions()
    prev = previous or PipelineState()
    n, m = matrix.n_participants, matrix.n_statements
    counts = matrix.votes_per_participant()

    in_conv = participants_in_conversation(
        counts,
        m,
        previously_in=prev.in_conversation,
        min_votes=opts.min_votes,
        min_participants=opts.min_participants,
    )
    pca = principal_components(matrix, imputation=opts.imputation, previous=prev.components)
    coords = project_participants(matrix, pca)
    stmt_coords, extremity = project_statements(matrix, pca)

    members = np.flatnonzero(in_conv)
    points = coords[members]
    previous_base = _previous_labels(prev.base_labels, members)
    base = kmeans(points, opts.base_k, init=warm_start(points, opts.base_k, previous_base))
    candidates = group_candidates(
        base,
        max_k=opts.max_k,
        previous=_carried_groups(prev.group_labels_by_k, previous_base, base),
        starts=opts.group_starts,
    )
    best_k = candidates.best_k
    smoother = smooth_k(prev.k_smoother, best_k, buffer=opts.group_k_buffer)
    k = displayed_k(smoother.smoothed_k, candidates) if base.k else 0
    if k >= 2:
        groups = candidates.by_k[k]
        # Keep the numbers (and letters) people saw on the groups that hold most of their
        # members: when the number shown changes, and when a clustering was replaced.
        groups = candidates.by_k[k] = _numbered_after(prev, groups, base, previous_base)
        base_group = groups.labels
        group_centres = groups.centres
    elif base.k:
        k = 1
        base_group = np.zeros(base.k, dtype=np.intp)
        group_centres = (base.weights @ base.centres / base.weights.sum())[None, :]
    else:
        base_group = np.zeros(0, dtype=np.intp)
        group_centres = np.zeros((0, 2))

    base_labels = np.full(n, -1, dtype=np.intp)
    base_labels[members] = base.labels
    group_labels = np.full(n, -1, dtype=np.intp)
    group_labels[members] = base_group[base.labels]

    gv = group_votes(matrix, group_labels, k)
    rep = representativeness(gv)
    excluded = matrix.excluded
    representative = tuple(
        select_representative(
            rep, gv, g, excluded, limit=opts.n_representative, z=opts.significance
        )
        for g in range(k)
    )
    gac_agree, gac_disagree = group_consensus(gv)
    divisive_score = divisiveness(rep)

    return PipelineResult(
        n_participants=n,
        n_statements=m,
        in_conversation=in_conv,
        coordinates=coords,
        pca=pca,
        statement_coordinates=stmt_coords,
        extremity=extremity,
        base_labels=base_labels,
        base_clusters=base,
        group_labels=group_labels,
        group_centres=group_centres,
        silhouettes=dict(candidates.silhouettes),
        best_k=best_k,
        n_groups=k,
        group_votes=gv,
        repness=rep,
        representative=representative,
        consensus=consensus(
            all_votes(matrix), excluded, limit=opts.n_consensus, z=opts.significance
        ),
        group_consensus_agree=gac_agree,
        group_consensus_disagree=gac_disagree,
        divisiveness=divisive_score,
        divisive=_top(divisive_score, excluded, opts.n_divisive),
        group_informed_consensus=_top(gac_agree, excluded, opts.n_consensus),
        priorities=priorities(gv, extremity, moderated_out=matrix.moderated_out, meta=matrix.meta),
        state=PipelineState(
            k_smoother=smoother,
            in_conversation=in_conv,
            components=pca.components,
            base_labels=base_labels,
            group_labels_by_k={k: run.labels for k, run in candidates.by_k.items()},
            n_groups=k,
        ),
    )


def _previous_labels(labels: NDArray[np.intp] | None, members: NDArray[np.intp]) -> NDArray[np.intp] | None:
    """Each clustered participant's base cluster in the last update (-1 for newcomers)."""
    if labels is None:
        return None
    out = np.full(members.size, -1, dtype=np.intp)
    known = members < labels.size
    out[known] = labels[members[known]]
    return out


def _numbered_after(
    prev: PipelineState, groups: Clustering, base: Clustering, before: NDArray[np.intp] | None
) -> Clustering:
    """`groups` numbered after the groups last shown, by the participants they share
    (`before`: each clustered participant's previous base cluster); the first time, from
    the largest group to the smallest (group A is the biggest)."""
    shown = prev.group_labels_by_k.get(prev.n_groups)
    if shown is None or before is None:
        by_size = np.argsort(-groups.weights, kind="stable")
        number = np.empty(groups.k, dtype=np.intp)
        number[by_size] = np.arange(groups.k)
        return renumbered(groups, number)
    known = (before >= 0) & (before < shown.size)
    overlap = contingency(groups.labels[base.labels[known]], shown[before[known]], groups.k, prev.n_groups)
    return renumbered(groups, matching_numbers(overlap))


def _carried_groups(
    previous: Mapping[int, NDArray[np.intp]], previous_base: NDArray[np.intp] | None, base: Clustering
) -> dict[int, NDArray[np.intp]] | None:
    """Last update's group clusterings, re-expressed over this update's base clusters.

    Each base cluster takes the previous group most of its members were in (by their
    previous base cluster); base clusters made only of newcomers have none (-1). By
    members rather than by lineage, so a base cluster that broke up still hands its
    group on to the pieces.
    """
    if not previous or previous_base is None:
        return None
    carried = {}
    for k, old in previous.items():
        known = (previous_base >= 0) & (previous_base < old.size)
        if not known.any():
            continue
        members_by_group = contingency(base.labels[known], old[previous_base[known]], base.k, k)
        carried[k] = np.where(members_by_group.sum(axis=1) > 0, np.argmax(members_by_group, axis=1), -1)
    return carried or None


def _top(score: FloatArray, excluded: NDArray[np.bool_], limit: int) -> tuple[int, ...]:
    """Indices of the `limit` highest positive scores among included statements."""
    ok = np.flatnonzero(~excluded & (score > 0))
    ranked = ok[np.lexsort((ok, -score[ok]))]
    return tuple(int(i) for i in ranked[:limit])
