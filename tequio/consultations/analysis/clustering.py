"""Two-level clustering of the opinion map, choice of k, and the k smoother.

Participants are first grouped into up to 100 small *base clusters* (plain k-means on the
2-D coordinates); the opinion groups are a weighted k-means over the base-cluster centres.
Working on at most 100 weighted points makes trying every k from 2 to 5, and the
silhouette for each, cost almost nothing whatever the size of the conversation.

All k-means here start deterministically (first distinct points, or the previous update's
centres), so the same votes give the same groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

BASE_K = 100
MAX_GROUPS = 5
GROUP_K_BUFFER = 4
KMEANS_ITERS = 100
KMEANS_TOL = 0.01

GroupStarts = Literal["method", "robust"]


@dataclass(frozen=True, eq=False)
class Clustering:
    """K-means result: centres, total member weight per centre, and each point's centre."""

    centres: NDArray[np.float64]
    weights: NDArray[np.float64]
    labels: NDArray[np.intp]

    @property
    def k(self) -> int:
        """Number of non-empty clusters."""
        return int(self.centres.shape[0])


def first_distinct(points: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """The first `k` distinct rows of `points`, in order: Pol.is's cold-start centres."""
    if points.shape[0] == 0:
        return points[:0].copy()
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]].copy()


def _sq_distances(points: NDArray[np.float64], centres: NDArray[np.float64]) -> NDArray[np.float64]:
    # Coordinate-wise differences rather than |x|²-2x·c+|c|²: exact for coincident points,
    # so ties go to the lower-numbered centre deterministically.
    d = np.zeros((points.shape[0], centres.shape[0]))
    for j in range(points.shape[1]):
        d += (points[:, j, None] - centres[None, :, j]) ** 2
    return d


def _assign(points: NDArray[np.float64], centres: NDArray[np.float64]) -> NDArray[np.intp]:
    # Chunked so a 100k-participant conversation never holds a 100k x 100 distance matrix.
    labels = np.empty(points.shape[0], dtype=np.intp)
    step = 16_384
    for start in range(0, points.shape[0], step):
        chunk = points[start : start + step]
        labels[start : start + step] = np.argmin(_sq_distances(chunk, centres), axis=1)
    return labels


def _split_most_distal(
    points: NDArray[np.float64], centres: NDArray[np.float64], k: int
) -> NDArray[np.float64]:
    """Add the point farthest from every current centre as a new centre, until there are k.

    One at a time, so two new centres never come from the same far-off clump.
    """
    if centres.shape[0] >= k or points.shape[0] == 0:
        return centres
    chosen = list(centres)
    dist = _sq_distances(points, centres).min(axis=1)
    while len(chosen) < k:
        far = int(np.argmax(dist))  # first of equals: deterministic
        if dist[far] <= 0.0:
            break  # every point already coincides with a centre
        chosen.append(points[far])
        dist = np.minimum(dist, _sq_distances(points, points[far : far + 1])[:, 0])
    return np.asarray(chosen, dtype=np.float64)


def warm_start(
    points: NDArray[np.float64],
    k: int,
    previous_labels: NDArray[np.intp] | None,
    weights: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Starting centres for k-means.

    With `previous_labels` (each point's cluster in the last update, -1 for points new
    since then): the previous clusters recentred on their members' current positions
    (in their old order, emptied ones left out), then the most distal points split off
    until there are k. Without: the first k distinct points (the cold start). The
    clusters of one update thus carry into the next, so groups do not jump when a few
    votes arrive.
    """
    if previous_labels is None or not (previous_labels >= 0).any():
        return first_distinct(points, k)
    known = previous_labels[previous_labels >= 0]
    n_previous = int(known.max()) + 1
    centres, _ = recentre(points, previous_labels, n_previous, weights)
    if centres.shape[0] > k:
        # Fewer clusters are wanted than there were (k went down): keep the heaviest.
        w = np.ones(points.shape[0]) if weights is None else weights
        mass = np.bincount(known, weights=w[previous_labels >= 0], minlength=n_previous)
        mass = mass[mass > 0]
        centres = centres[np.sort(np.argsort(-mass, kind="stable")[:k])]
    return _split_most_distal(points, centres, k)


def kmeans(
    points: NDArray[np.float64],
    k: int,
    *,
    weights: NDArray[np.float64] | None = None,
    init: NDArray[np.float64] | None = None,
    max_iters: int = KMEANS_ITERS,
    tol: float = KMEANS_TOL,
) -> Clustering:
    """Weighted Lloyd k-means that stops when no centre moves `tol` or more.

    Clusters that lose all their members are dropped, so the result may have fewer than k
    centres; that is also what happens when there are fewer than k distinct points.
    """
    n = points.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    centres = first_distinct(points, k) if init is None else np.asarray(init, dtype=np.float64)
    if n == 0 or centres.shape[0] == 0:
        return Clustering(np.zeros((0, points.shape[1])), np.zeros(0), np.zeros(n, dtype=np.intp))
    labels = _assign(points, centres)
    for _ in range(max_iters):
        c = centres.shape[0]
        mass = np.bincount(labels, weights=w, minlength=c)
        new = np.empty_like(centres)
        for j in range(points.shape[1]):
            new[:, j] = np.bincount(labels, weights=w * points[:, j], minlength=c)
        alive = mass > 0
        new[alive] /= mass[alive, None]
        moved = np.sqrt(((new[alive] - centres[alive]) ** 2).sum(axis=1))
        if not alive.all():
            remap = np.cumsum(alive) - 1
            labels = remap[labels]
        centres = new[alive]
        if moved.size == 0 or moved.max() < tol:
            break
        labels = _assign(points, centres)
    mass = np.bincount(labels, weights=w, minlength=centres.shape[0])
    return Clustering(centres=centres, weights=mass, labels=labels)


def recentre(
    points: NDArray[np.float64],
    labels: NDArray[np.intp],
    n_clusters: int,
    weights: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Each previous cluster moved to the (weighted) mean of its members' current positions.

    `labels[i]` is point i's previous cluster (-1: none). Returns the centres of the
    clusters that still have members, and for each previous cluster its index among them
    (-1 when it has none left). This is the method's warm start: last update's clusters,
    recentred, rather than last update's centres where they stood.
    """
    w = np.ones(points.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    known = (labels >= 0) & (labels < n_clusters)
    mass = np.bincount(labels[known], weights=w[known], minlength=n_clusters)
    sums = np.empty((n_clusters, points.shape[1]))
    for j in range(points.shape[1]):
        sums[:, j] = np.bincount(labels[known], weights=w[known] * points[known, j], minlength=n_clusters)
    alive = mass > 0
    index = np.full(n_clusters, -1, dtype=np.intp)
    index[alive] = np.arange(int(alive.sum()))
    return sums[alive] / mass[alive, None], index


def inertia(
    points: NDArray[np.float64], clustering: Clustering, weights: NDArray[np.float64] | None = None
) -> float:
    """Weighted sum of squared distances to the assigned centres: the k-means objective."""
    sq = ((points - clustering.centres[clustering.labels]) ** 2).sum(axis=1)
    return float(sq.sum() if weights is None else sq @ weights)


def max_groups(n_base: int, limit: int = MAX_GROUPS) -> int:
    """Largest k tried for groups: min(limit, 2 + n_base // 12), so few base clusters give few groups."""
    return min(limit, 2 + n_base // 12)


def silhouette(points: NDArray[np.float64], labels: NDArray[np.intp]) -> float:
    """Mean silhouette over points (here: base-cluster centres), unweighted.

    A point alone in its group scores 0, as in Pol.is; fewer than two groups score 0.
    """
    n = points.shape[0]
    groups, inv = np.unique(labels, return_inverse=True)
    if groups.size < 2 or n < 2:
        return 0.0
    d = np.sqrt(_sq_distances(points, points))
    onehot = np.zeros((n, groups.size))
    onehot[np.arange(n), inv] = 1.0
    sums = d @ onehot
    sizes = onehot.sum(axis=0)
    own = inv
    own_size = sizes[own]
    a = np.divide(sums[np.arange(n), own], own_size - 1, out=np.zeros(n), where=own_size > 1)
    other = sums / sizes[None, :]
    other[np.arange(n), own] = np.inf
    b = other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(n), where=denom > 0)
    s[own_size <= 1] = 0.0
    return float(s.mean())


@dataclass(frozen=True, eq=False)
class GroupCandidates:
    """Group clusterings of the base clusters for each k tried, and their silhouettes."""

    by_k: dict[int, Clustering]
    silhouettes: dict[int, float]

    @property
    def best_k(self) -> int:
        """k with the highest silhouette (smallest k on ties); 1 when nothing could be tried."""
        if not self.silhouettes:
            return 1
        return max(self.silhouettes, key=lambda k: (self.silhouettes[k], -k))


def group_candidates(
    base: Clustering,
    *,
    max_k: int = MAX_GROUPS,
    previous: Mapping[int, NDArray[np.intp]] | None = None,
    starts: GroupStarts = "method",
) -> GroupCandidates:
    """Weighted k-means of base-cluster centres for k = 2..max_groups(n_base), with silhouettes.

    `previous[k]` gives, for each base cluster, its group in last update's clustering
    with k groups (-1 for a base cluster new since then). With `starts="method"` (Pol.is)
    that clustering, recentred on its member base clusters, starts this one, and a k
    without one starts from the first k distinct base centres.

    `starts="robust"` also runs, for every k and every update, two fresh starts: the first
    k distinct base centres and a farthest-point start (grow from the first base cluster
    by splitting off the most distal one, Pol.is's rule when k grows), and keeps the
    lowest k-means objective. A carried clustering is never left for an equal one, so
    groups stay put while the data does; but a clustering that got stuck (a camp that
    arrived late merged into another) is replaced as soon as a better one exists. Group
    numbers here are arbitrary: the pipeline numbers the groups it shows after the ones
    shown before (`matching_numbers`). A k whose clustering collapses to fewer non-empty groups is skipped.
    """
    by_k: dict[int, Clustering] = {}
    sil: dict[int, float] = {}
    n_base = base.k
    n_distinct = np.unique(base.centres, axis=0).shape[0] if n_base else 0
    for k in range(2, max_groups(n_base, max_k) + 1):
        if k > n_distinct:
            break
        labels = None if previous is None else previous.get(k)
        carried = labels is not None and labels.shape == (n_base,) and bool((labels >= 0).any())
        inits = [warm_start(base.centres, k, labels, base.weights)] if carried else []
        if starts == "robust" or not carried:
            inits.append(first_distinct(base.centres, k))
        if starts == "robust":
            inits.append(_split_most_distal(base.centres, base.centres[:1], k))
        runs = [kmeans(base.centres, k, weights=base.weights, init=init) for init in inits]
        if carried and starts == "method" and runs[0].k < k:
            # The carried groups collapsed into fewer (their centres met): start afresh.
            runs.append(kmeans(base.centres, k, weights=base.weights, init=first_distinct(base.centres, k)))
        runs = [run for run in runs if run.k == k]
        if not runs:
            continue
        objectives = [inertia(base.centres, run, base.weights) for run in runs]
        result = runs[int(np.argmin(objectives))]  # first of equals: the carried one
        by_k[k] = result
        sil[k] = silhouette(base.centres, result.labels)
    return GroupCandidates(by_k=by_k, silhouettes=sil)


def contingency(rows: NDArray[np.intp], cols: NDArray[np.intp], n_rows: int, n_cols: int) -> NDArray[np.float64]:
    """`table[r, c]`: how many points have row label r and column label c."""
    table = np.zeros((n_rows, n_cols))
    np.add.at(table, (rows, cols), 1.0)
    return table


def matching_numbers(overlap: NDArray[np.float64]) -> NDArray[np.intp]:
    """Numbers 0..k-1 for k new groups, given `overlap[new, old]` (members in common).

    Each new group takes the number of the old group it shares most with, one new group
    per old number (Hungarian matching, old numbers below k only); groups left over take
    the free numbers in order. So after a split the old groups keep their numbers and the
    new one comes last, and after a merge the merged group keeps one of the old numbers.
    """
    k = overlap.shape[0]
    rows, cols = linear_sum_assignment(-overlap[:, : min(k, overlap.shape[1])])
    number = np.full(k, -1, dtype=np.intp)
    number[rows] = cols
    free = iter(sorted(set(range(k)) - set(cols.tolist())))
    for g in np.flatnonzero(number < 0):
        number[g] = next(free)
    return number


def renumbered(run: Clustering, number: NDArray[np.intp]) -> Clustering:
    """`run` with group g called `number[g]` (a permutation of 0..k-1)."""
    order = np.argsort(number)
    return Clustering(centres=run.centres[order], weights=run.weights[order], labels=number[run.labels])


@dataclass(frozen=True)
class KSmootherState:
    """Displayed group count and the challenger that must win `buffer` updates in a row."""

    smoothed_k: int
    candidate_k: int
    streak: int


def smooth_k(
    previous: KSmootherState | None, best_k: int, *, buffer: int = GROUP_K_BUFFER
) -> KSmootherState:
    """Debounce k so the opinion map does not flicker between group counts.

    The displayed k changes only once the same new best k has won `buffer` consecutive
    updates; the first update displays its best k at once.
    """
    if previous is None:
        return KSmootherState(smoothed_k=best_k, candidate_k=best_k, streak=0)
    if best_k == previous.smoothed_k:
        return KSmootherState(smoothed_k=best_k, candidate_k=best_k, streak=0)
    streak = previous.streak + 1 if best_k == previous.candidate_k else 1
    if streak >= buffer:
        return KSmootherState(smoothed_k=best_k, candidate_k=best_k, streak=0)
    return KSmootherState(smoothed_k=previous.smoothed_k, candidate_k=best_k, streak=streak)


def displayed_k(smoothed_k: int, candidates: GroupCandidates) -> int:
    """The smoothed k if it can be shown now, else the nearest lower k that can, else the best.

    One group can always be shown. A smoothed k can become impossible when the
    conversation shrinks (moderation) or a k-means run collapses.
    """
    if smoothed_k == 1 or smoothed_k in candidates.by_k:
        return smoothed_k
    lower = [k for k in candidates.by_k if k < smoothed_k]
    return max(lower) if lower else candidates.best_k
