"""Two-level clustering of the opinion map, choice of k, and the k smoother.

Participants are first grouped into up to 100 small *base clusters* (plain k-means on the
2-D coordinates); the opinion groups are a weighted k-means over the base-cluster centres.
Working on at most 100 weighted points makes trying every k from 2 to 5, and the
silhouette for each, cost almost nothing whatever the size of the conversation.

All k-means here start deterministically (first distinct points, or the previous update's
centres), so the same votes give the same groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

BASE_K = 100
MAX_GROUPS = 5
GROUP_K_BUFFER = 4
KMEANS_ITERS = 100
KMEANS_TOL = 0.01

ColdStart = Literal["first_distinct", "lowest_inertia"]


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


def _merge_closest(
    centres: NDArray[np.float64], weights: NDArray[np.float64], k: int
) -> NDArray[np.float64]:
    centres, weights = centres.copy(), weights.astype(np.float64).copy()
    while centres.shape[0] > k:
        d = _sq_distances(centres, centres)
        np.fill_diagonal(d, np.inf)
        i, j = divmod(int(np.argmin(d)), d.shape[1])
        i, j = min(i, j), max(i, j)
        total = weights[i] + weights[j]
        share = 0.5 if total <= 0 else weights[i] / total
        centres[i] = share * centres[i] + (1 - share) * centres[j]
        weights[i] = total
        centres = np.delete(centres, j, axis=0)
        weights = np.delete(weights, j)
    return centres


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
    previous: NDArray[np.float64] | None,
    previous_weights: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Initial centres: the previous update's centres, merged or split to reach k.

    Starting from last time's clusters keeps groups stable as votes trickle in; without a
    previous state this is the first k distinct points.
    """
    if previous is None or previous.shape[0] == 0:
        return first_distinct(points, k)
    weights = np.ones(previous.shape[0]) if previous_weights is None else previous_weights
    centres = _merge_closest(previous, weights, k)
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
    previous_centres: NDArray[np.float64] | None = None,
    previous_weights: NDArray[np.float64] | None = None,
    cold_start: ColdStart = "first_distinct",
) -> GroupCandidates:
    """Weighted k-means of base-cluster centres for k = 2..max_groups(n_base), with silhouettes.

    Without previous centres the runs start from the first k distinct base centres, as in
    Pol.is; `cold_start="lowest_inertia"` also tries a farthest-point start and keeps the
    lower objective. A k whose clustering collapses to fewer non-empty groups is skipped.
    """
    by_k: dict[int, Clustering] = {}
    sil: dict[int, float] = {}
    n_base = base.k
    n_distinct = np.unique(base.centres, axis=0).shape[0] if n_base else 0
    for k in range(2, max_groups(n_base, max_k) + 1):
        if k > n_distinct:
            break
        if previous_centres is None or previous_centres.shape[0] == 0:
            inits = [first_distinct(base.centres, k)]
            if cold_start == "lowest_inertia":
                # Also grow from the first base cluster by splitting off the most distal
                # ones (what Pol.is does when k grows between updates), keep the better
                # k-means optimum: first-distinct seeds all land in one camp when the
                # first participants agree with each other.
                inits.append(_split_most_distal(base.centres, base.centres[:1], k))
        else:
            inits = [warm_start(base.centres, k, previous_centres, previous_weights)]
        runs = [kmeans(base.centres, k, weights=base.weights, init=init) for init in inits]
        runs = [run for run in runs if run.k == k]
        if not runs:
            continue
        result = min(runs, key=lambda run: inertia(base.centres, run, base.weights))
        by_k[k] = result
        sil[k] = silhouette(base.centres, result.labels)
    return GroupCandidates(by_k=by_k, silhouettes=sil)


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
