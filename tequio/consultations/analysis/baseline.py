"""A naive opinion-group baseline, for judging what the Pol.is refinements buy.

Plain PCA on the dense mean-imputed matrix, plain projection, k-means++ on every
participant, k by point silhouette. No participation threshold, no sparsity-aware
scaling, no base clusters, no smoothing. Dense and O(n²) in the silhouette: for
comparisons on small conversations only, never for production.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .clustering import Clustering, kmeans, silhouette
from .matrix import VoteMatrix


def _kmeans_pp(
    points: NDArray[np.float64], k: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    centres = [points[rng.integers(points.shape[0])]]
    for _ in range(1, k):
        d2 = np.min(((points[:, None, :] - np.asarray(centres)[None]) ** 2).sum(-1), axis=1)
        total = d2.sum()
        if total <= 0:
            break
        centres.append(points[rng.choice(points.shape[0], p=d2 / total)])
    return np.asarray(centres)


def naive_groups(
    matrix: VoteMatrix, *, max_k: int = 5, seed: int = 0, n_init: int = 10
) -> NDArray[np.intp]:
    """Group label per participant (-1 for participants without votes).

    Like the common k-means default, each k keeps the lowest-inertia run of `n_init`
    k-means++ starts; a single start makes the baseline a lottery on small data.
    """
    voters = np.flatnonzero(matrix.votes_per_participant())
    keep = ~matrix.excluded
    dense = matrix.to_dense()[np.ix_(voters, np.flatnonzero(keep))]
    seen = ~np.isnan(dense)
    counts = seen.sum(axis=0)
    means = np.divide(
        np.where(seen, dense, 0.0).sum(axis=0),
        counts,
        out=np.zeros(dense.shape[1]),
        where=counts > 0,
    )
    filled = np.where(seen, dense, means[None, :])
    centred = filled - filled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    points = centred @ vt[:2].T
    rng = np.random.default_rng(seed)
    best: tuple[float, NDArray[np.intp]] | None = None
    for k in range(2, max_k + 1):
        runs = [kmeans(points, k, init=_kmeans_pp(points, k, rng)) for _ in range(n_init)]
        runs = [r for r in runs if r.k == k]
        if not runs:
            continue
        result = min(runs, key=lambda r: _inertia(points, r))
        score = silhouette(points, result.labels)
        if best is None or score > best[0]:
            best = (score, result.labels)
    labels = np.full(matrix.n_participants, -1, dtype=np.intp)
    labels[voters] = 0 if best is None else best[1]
    return labels


def _inertia(points: NDArray[np.float64], result: Clustering) -> float:
    return float(((points - result.centres[result.labels]) ** 2).sum())
