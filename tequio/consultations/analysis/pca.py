"""Imputation, the two principal components and the sparsity-aware projections.

Why this never builds the dense imputed matrix: filling an unseen cell with its column
mean and then centring columns makes that cell exactly 0, so the centred imputed matrix has
the sparsity pattern of the votes. Its principal components are the top eigenvectors of
CᵀC, which a Lanczos solver finds from a few dozen sparse products; on 7,890 x 7,753 with a
million votes that takes ~0.05 s instead of the ~0.5 GB and seconds a dense SVD would need.

Pol.is finds the same eigenvectors by 100 power iterations from a random or previous start
(and by mini-batch power iteration on big conversations). Lanczos converges to the same
vectors (up to sign, which we fix) without the iteration cap, so on conversations where
power iteration has not converged our axes are the ones it was heading towards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import LinearOperator, eigsh

from .matrix import AGREE, VoteMatrix

Imputation = Literal["column_mean", "zero"]

# Up to this many rows or columns a dense Gram matrix and LAPACK beat Lanczos on sparse
# products (measured: 500 columns already favour Lanczos).
_DENSE_SIDE = 200
_SEED = 20_140_601  # fixed start vector for Lanczos: same votes, same axes


@dataclass(frozen=True, eq=False)
class PCAResult:
    """Centre (the imputation value of each statement) and two unit principal axes.

    A component is all zeros when the votes do not span that many dimensions (for example
    when everybody voted alike), so projections on it are 0 rather than noise.
    """

    center: NDArray[np.float64]
    components: NDArray[np.float64]
    eigenvalues: NDArray[np.float64]


def column_means(
    matrix: VoteMatrix, *, imputation: Imputation = "column_mean"
) -> NDArray[np.float64]:
    """Value that fills each unseen cell, which is also the column's mean after filling.

    `column_mean` (Pol.is since October 2017) averages the votes actually cast;
    `zero` (Pol.is before that) treats unseen as pass, so the mean runs over every
    participant with at least one vote. Excluded statements are zeroed columns: mean 0.
    """
    m = matrix.n_statements
    included = ~matrix.excluded[matrix.cols]
    cols = matrix.cols[included]
    sums = np.bincount(cols, weights=matrix.values[included], minlength=m)
    if imputation == "column_mean":
        counts = np.bincount(cols, minlength=m)
    elif imputation == "zero":
        n_rows = int(np.count_nonzero(matrix.votes_per_participant()))
        counts = np.full(m, n_rows, dtype=np.int64)
    else:
        raise ValueError(f"unknown imputation {imputation!r}")
    means = np.zeros(m, dtype=np.float64)
    np.divide(sums, counts, out=means, where=counts > 0)
    means[matrix.excluded] = 0.0
    return means


def impute(matrix: VoteMatrix, center: NDArray[np.float64]) -> NDArray[np.float64]:
    """Dense imputed rating matrix (excluded columns zeroed): a reference for small cases.

    The pipeline never calls this; it is what `principal_components` factorises implicitly.
    """
    dense = matrix.to_dense()
    dense = np.where(np.isnan(dense), center[None, :], dense)
    dense[:, matrix.excluded] = 0.0
    return dense


def centred_votes(matrix: VoteMatrix, center: NDArray[np.float64]) -> sp.csr_matrix:
    """Sparse (vote - centre) at seen cells of included statements, zero elsewhere."""
    included = ~matrix.excluded[matrix.cols]
    rows, cols = matrix.rows[included], matrix.cols[included]
    data = matrix.values[included].astype(np.float64) - center[cols]
    return sp.csr_matrix((data, (rows, cols)), shape=(matrix.n_participants, matrix.n_statements))


def principal_components(
    matrix: VoteMatrix,
    *,
    imputation: Imputation = "column_mean",
    n_components: int = 2,
    previous: NDArray[np.float64] | None = None,
) -> PCAResult:
    """Top principal axes of the imputed, column-centred rating matrix.

    Rows are every participant with at least one vote (the in-conversation rule only
    applies to clustering). Signs are fixed so runs are reproducible: aligned with
    `previous` (same statement order, shorter is zero-padded) when given, otherwise the
    loading with the largest magnitude is positive.
    """
    center = column_means(matrix, imputation=imputation)
    m = matrix.n_statements
    voters = np.flatnonzero(matrix.votes_per_participant())
    if imputation == "zero":
        # An unseen cell is 0 - mean rather than 0: the centred matrix is the raw votes minus
        # the rank-one 1·centreᵀ, which the solvers apply without materialising it.
        sparse = centred_votes(matrix, np.zeros(m))[voters]
        offset = center
    else:
        sparse = centred_votes(matrix, center)[voters]
        offset = np.zeros(m)

    r = voters.size
    k = min(n_components, r, m)
    values = np.zeros(n_components)
    comps = np.zeros((n_components, m))
    if k > 0:
        if min(r, m) <= _DENSE_SIDE:
            vals, vecs = _dense_top_eigen(sparse, offset, k)
        else:
            vals, vecs = _lanczos_top_eigen(sparse, offset, k, previous)
        scale = max(1.0, float(vals.max(initial=0.0)))
        for i in range(k):
            if vals[i] > 1e-10 * scale:
                values[i] = vals[i]
                comps[i] = vecs[:, i]
    # Excluded columns are exactly zero in the Gram matrix; clear the solver's rounding
    # noise so moderated statements carry no weight at all.
    comps[:, matrix.excluded] = 0.0
    comps = _fix_signs(comps, previous)
    return PCAResult(center=center, components=comps, eigenvalues=values)


def _dense_top_eigen(
    s: sp.csr_matrix, offset: NDArray[np.float64], k: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # A = S - 1·offsetᵀ. Its small Gram matrix is formed from sparse products plus rank-one
    # corrections, so 100,000 participants x 50 statements never becomes a dense 100k x 50.
    r, m = s.shape
    col_sums = np.asarray(s.sum(axis=0)).ravel()
    if m <= r:
        small = (s.T @ s).toarray()
        small -= np.outer(col_sums, offset) + np.outer(offset, col_sums)
        small += r * np.outer(offset, offset)
    else:
        shifted = s @ offset
        small = (s @ s.T).toarray()
        small -= shifted[:, None] + shifted[None, :]
        small += offset @ offset
    size = small.shape[0]
    vals, vecs = scipy.linalg.eigh(small, subset_by_index=[size - k, size - 1])
    vals, vecs = np.clip(vals[::-1], 0.0, None), vecs[:, ::-1]
    if m <= r:
        return vals, vecs
    # Fewer rows than columns: the row Gram's eigenvectors map back through v = Aᵀu / σ.
    vecs = np.asarray(s.T @ vecs) - np.outer(offset, vecs.sum(axis=0))
    norms = np.linalg.norm(vecs, axis=0)
    return vals, np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 0)


def _lanczos_top_eigen(
    s: sp.csr_matrix,
    offset: NDArray[np.float64],
    k: int,
    previous: NDArray[np.float64] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    st = s.T.tocsr()
    m = s.shape[1]
    has_offset = bool(np.any(offset))

    def gram(x: NDArray[np.float64]) -> NDArray[np.float64]:
        y = s @ x
        if has_offset:
            y = y - offset @ x
            return st @ y - offset * y.sum()
        return st @ y

    op = LinearOperator((m, m), matvec=gram, dtype=np.float64)
    v0 = np.random.default_rng(_SEED).standard_normal(m)
    if previous is not None and previous.size:
        warm = np.zeros(m)
        width = min(m, previous.shape[1])
        warm[:width] = previous[:, :width].sum(axis=0)
        if np.any(warm):
            # A warm start converges in fewer steps; the small noise keeps it from being
            # orthogonal to a new leading axis.
            v0 = warm + 1e-3 * np.linalg.norm(warm) / np.sqrt(m) * v0
    vals, vecs = eigsh(op, k=k, which="LA", v0=v0, tol=1e-9, maxiter=max(1000, 20 * m))
    order = np.argsort(vals)[::-1]
    return np.clip(vals[order], 0.0, None), vecs[:, order]


def _fix_signs(
    comps: NDArray[np.float64], previous: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    comps = comps.copy()
    m = comps.shape[1]
    for i in range(comps.shape[0]):
        c = comps[i]
        if not np.any(c):
            continue
        ref = 0.0
        if previous is not None and i < previous.shape[0]:
            width = min(m, previous.shape[1])
            ref = float(c[:width] @ previous[i, :width])
        if ref == 0.0:
            ref = float(c[np.argmax(np.abs(c))])
        if ref < 0:
            comps[i] = -c
    return comps


def project_participants(matrix: VoteMatrix, pca: PCAResult) -> NDArray[np.float64]:
    """Sparsity-aware coordinates: project only the cells a participant voted on.

    Each row is Σ_j (vote_j - centre_j)·pc[j] over voted statements, scaled by
    sqrt(n_columns / max(n_seen, 1)): without the scale, someone who voted on three
    statements would sit near the centre however strongly they agree with one side.

    The counts are those of Pol.is's rating matrix, which has a column for each statement
    with at least one vote and sets moderated-out and meta columns to 0 in every row: a
    zeroed column is a seen cell for everybody. So n_columns counts statements with a vote,
    and n_seen is the participant's votes on included statements plus the number of
    excluded statements with a column. The zeroed cells add nothing to the sum, only to
    the count; with many moderated statements the scale is milder than counting votes.
    """
    n = matrix.n_participants
    included = ~matrix.excluded[matrix.cols]
    rows, cols = matrix.rows[included], matrix.cols[included]
    diff = matrix.values[included].astype(np.float64) - pca.center[cols]
    coords = np.empty((n, pca.components.shape[0]))
    for i, comp in enumerate(pca.components):
        coords[:, i] = np.bincount(rows, weights=diff * comp[cols], minlength=n)
    has_column = _has_column(matrix)
    zeroed = int(np.count_nonzero(matrix.excluded & has_column))
    seen = np.bincount(rows, minlength=n) + zeroed
    scale = np.sqrt(int(np.count_nonzero(has_column)) / np.maximum(seen, 1))
    return coords * scale[:, None]


def _has_column(matrix: VoteMatrix) -> NDArray[np.bool_]:
    """Statements with at least one vote: the columns of Pol.is's rating matrix."""
    mask = np.zeros(matrix.n_statements, dtype=bool)
    mask[matrix.cols] = True
    return mask


def project_statements(
    matrix: VoteMatrix, pca: PCAResult
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates and extremity of each statement.

    A statement sits where a virtual participant who agreed with it, and saw nothing else
    (not even the zeroed moderated cells), would be projected; its extremity (the distance of that point from the centre) says how
    strongly agreeing with it places someone on the map. Excluded statements sit at 0.
    """
    # The virtual participant has one seen cell out of the matrix's columns.
    lean = (AGREE - pca.center) * np.sqrt(float(np.count_nonzero(_has_column(matrix))))
    coords = (pca.components * lean[None, :]).T.copy()
    coords[matrix.excluded] = 0.0
    return coords, np.linalg.norm(coords, axis=1)
