"""Gould-Fernandez brokerage roles by a group attribute, compatible with R `sna::brokerage`.

A node v brokers for the ordered pair (a, b) when a->v and v->b exist, a != b, and there is
no a->b arc (an *open* 2-path). Each such 2-path is classified by the groups of a, v, b:

=============== ======= =================================================
role            sna     pattern (broker in the middle)
=============== ======= =================================================
coordinator     w_I     A -> A -> A
itinerant       w_O     A -> B -> A   (also called consultant)
representative  b_IO    A -> A -> B   (broker in the sender's group)
gatekeeper      b_OI    A -> B -> B   (broker in the receiver's group)
liaison         b_O     A -> B -> C   (all different)
=============== ======= =================================================

Counts run on `TieNetwork.arcs`, where an undirected tie is an arc each way, so on
undirected data every pair is counted in both directions and gatekeeper equals
representative, as in `sna`.

Instead of walking every 2-path (about sum of in x out degree, millions at national scale)
we count all 2-paths per broker and group pair from in/out neighbour counts, then subtract
the closed ones, counted with sparse matrix products (see `_closed_two_paths`).

Expected values and z-scores reproduce `sna::brokerage` (`exp.nli`, `sd.nli`, `z.nli`):
the null model is a Bernoulli random digraph with the observed arc density d, so a given
ordered pair (a, b) around v is an open 2-path with probability d^2 (1 - d). Note that this
is not the label-permutation formula sketched in the methods file (which conditions on the
node's observed number of 2-paths); we follow the reference implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from tequio.network.analysis.graph import NodeId, TieNetwork

ROLES: tuple[str, ...] = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
SNA_CODES: tuple[str, ...] = ("w_I", "w_O", "b_IO", "b_OI", "b_O")


@dataclass(frozen=True, eq=False)
class Brokerage:
    """Brokerage counts per node, with `sna`-compatible expectations and z-scores.

    `counts` is (n, 5) in `ROLES` order; `total` their row sums. `expected`, `sd` and `z`
    are (n, 6): the five roles then the total. z is NaN where sd is 0 (e.g. a role that is
    impossible for the node's group size). Nodes without a value for the attribute form one
    group labelled "".
    """

    attribute: str
    ids: tuple[NodeId, ...]
    labels: tuple[str, ...]
    counts: NDArray[np.int64]
    total: NDArray[np.int64]
    expected: NDArray[np.float64]
    sd: NDArray[np.float64]
    z: NDArray[np.float64]

    def role(self, name: str) -> NDArray[np.int64]:
        """Counts of one role (a name from `ROLES`) per node."""
        return self.counts[:, ROLES.index(name)]

    def network_counts(self) -> dict[str, int]:
        """Total open 2-paths of each role over the whole network."""
        sums = self.counts.sum(axis=0)
        return {role: int(sums[r]) for r, role in enumerate(ROLES)}


def _all_two_paths(
    n: int,
    k: int,
    codes: NDArray[np.int64],
    src: NDArray[np.int64],
    dst: NDArray[np.int64],
    arc_code: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Per broker and role, every 2-path a->v->b with a != b, open or closed."""
    inn = np.bincount(dst * k + codes[src], minlength=n * k).reshape(n, k)
    out = np.bincount(src * k + codes[dst], minlength=n * k).reshape(n, k)
    # a->v->a is not a 2-path: remove, per group, the partners tied in both directions.
    reciprocal = np.isin(dst * n + src, arc_code)
    recip = np.bincount(dst[reciprocal] * k + codes[src[reciprocal]], minlength=n * k).reshape(n, k)

    rows = np.arange(n)
    own = codes
    in_own, out_own, recip_own = inn[rows, own], out[rows, own], recip[rows, own]
    in_total, out_total = inn.sum(axis=1), out.sum(axis=1)
    same_group_products = (inn * out).sum(axis=1)

    result = np.empty((n, 5), dtype=np.int64)
    result[:, 0] = in_own * out_own - recip_own
    result[:, 1] = (same_group_products - recip.sum(axis=1)) - result[:, 0]
    result[:, 2] = in_own * (out_total - out_own)
    result[:, 3] = (in_total - in_own) * out_own
    result[:, 4] = (in_total - in_own) * (out_total - out_own) - (
        same_group_products - in_own * out_own
    )
    return result


def _closed_two_paths(
    net: TieNetwork, codes: NDArray[np.int64], arc_code: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Per broker and role, the 2-paths a->v->b whose a->b arc exists (so not brokerage).

    With A the arc matrix and A_s its arcs inside one group, the closed 2-paths through v
    are sum_a A[a,v] (A A^T)[v,a]; restricting the a->b, v->b or a->v arc to same-group
    arcs gives the counts where those two ends share a group, and inclusion-exclusion
    turns them into the five roles. Sparse products cost about sum of squared degrees,
    where listing triangles (the earlier method) grew with their number: on dense
    community networks that was most of the suite's time.
    """
    n = net.n
    if not len(arc_code):
        return np.zeros((n, 5), dtype=np.int64)
    src, dst = arc_code // n, arc_code % n
    ones = np.ones(len(arc_code), dtype=np.int64)
    a = sparse.csr_matrix((ones, (src, dst)), shape=(n, n))
    same = codes[src] == codes[dst]
    a_same = sparse.csr_matrix((ones[same], (src[same], dst[same])), shape=(n, n))
    a_t, a_same_t = a.T.tocsr(), a_same.T.tocsr()

    def through(left: sparse.csr_matrix, right_t: sparse.csr_matrix, mask_t: sparse.csr_matrix) -> NDArray[np.int64]:
        # sum over a of mask_t[v, a] * (left @ right_t)[v, a], for every v
        return np.asarray((left @ right_t).multiply(mask_t).sum(axis=1), dtype=np.int64).ravel()

    total = through(a, a_t, a_t)
    ab_same = through(a, a_same_t, a_t)
    bv_same = through(a_same, a_t, a_t)
    av_same = through(a, a_t, a_same_t)
    all_same = through(a_same, a_t, a_same_t)
    result = np.empty((n, 5), dtype=np.int64)
    result[:, 0] = all_same
    result[:, 1] = ab_same - all_same
    result[:, 2] = av_same - all_same
    result[:, 3] = bv_same - all_same
    result[:, 4] = total - av_same - bv_same - ab_same + 2 * all_same
    return result


def _choose2(x: float | NDArray[np.float64]) -> float | NDArray[np.float64]:
    """x(x-1)/2: R's ``choose(x, 2)``, also for the 0 and 1 that group sizes can produce."""
    return x * (x - 1) / 2


def sna_moments(
    group_sizes: NDArray[np.float64], total: int, density: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Expected counts and variances per broker group, (k, 6), as `sna::brokerage` computes them.

    `group_sizes` in group order, `total` nodes, `density` the arc density m / (N(N-1)).
    Columns follow `ROLES` then the total.
    """
    k = len(group_sizes)
    big_n = float(total)
    d = density
    p = d * d * (1 - d)
    cube = d**3 * (1 - d) ** 3
    exp = np.zeros((k, 6))
    var = np.zeros((k, 6))
    for i in range(k):
        ni = group_sizes[i]
        others = np.delete(group_sizes, i)
        exp[i, 0] = p * (ni - 1) * (ni - 2)
        var[i, 0] = exp[i, 0] * (1 - p) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * cube
        exp[i, 1] = p * float((others * (others - 1)).sum())
        var[i, 1] = (
            exp[i, 1] * (1 - p) + 2 * float((others * (others - 1) * (others - 2)).sum()) * cube
        )
        exp[i, 2] = p * (big_n - ni) * (ni - 1)
        var[i, 2] = (
            exp[i, 2] * (1 - p)
            + 2 * ((ni - 1) * _choose2(big_n - ni) + (big_n - ni) * _choose2(ni - 1)) * cube
        )
        exp[i, 3], var[i, 3] = exp[i, 2], var[i, 2]
        exp[i, 4] = p * (float(others.sum()) ** 2 - float((others**2).sum()))
        var[i, 4] = (
            exp[i, 4] * (1 - p) + 4 * float((others * _choose2(big_n - others - ni)).sum()) * cube
        )
        exp[i, 5] = p * (big_n - 1) * (big_n - 2)
        var[i, 5] = exp[i, 5] * (1 - p) + 2 * (big_n - 1) * (big_n - 2) * (big_n - 3) * cube
    return exp, var


def brokerage(net: TieNetwork, attribute: str = "kind") -> Brokerage:
    """Gould-Fernandez brokerage role counts and `sna`-style z-scores by `attribute`."""
    n = net.n
    raw_labels = net.group_labels(attribute)
    labels = tuple("" if label is None else label for label in raw_labels)
    groups = sorted(set(labels))
    code_of = {g: i for i, g in enumerate(groups)}
    codes = np.array([code_of[label] for label in labels], dtype=np.int64)
    k = len(groups)

    arcs = net.arc_pairs
    src, dst = arcs[:, 0], arcs[:, 1]
    arc_code = src * n + dst  # sorted: arc_pairs comes from np.unique of these codes
    if n:
        counts = _all_two_paths(n, k, codes, src, dst, arc_code) - _closed_two_paths(
            net, codes, arc_code
        )
    else:
        counts = np.zeros((0, 5), dtype=np.int64)
    total = counts.sum(axis=1)

    if n > 1:
        density = len(arcs) / (n * (n - 1))
        sizes = np.bincount(codes, minlength=k).astype(np.float64)
        group_exp, group_var = sna_moments(sizes, n, density)
        expected = group_exp[codes]
        sd = np.sqrt(group_var[codes])
        observed = np.column_stack((counts, total)).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, (observed - expected) / sd, np.nan)
    else:
        expected = sd = z = np.full((n, 6), np.nan)
    return Brokerage(
        attribute=attribute,
        ids=net.ids,
        labels=labels,
        counts=counts,
        total=total,
        expected=expected,
        sd=sd,
        z=z,
    )
