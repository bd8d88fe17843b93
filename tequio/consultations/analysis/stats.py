"""Vote counts per group, representativeness, consensus, and statement routing priority.

Every probability carries a Beta(1, 1) pseudocount ((x + 1) / (n + 2)) so a statement with
two votes cannot look unanimous, and every claim that a statement *represents* a group or
is a *consensus* must pass a one-sided z-test (90 % by default). All functions work on
whole (groups x statements) arrays at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .matrix import AGREE, DISAGREE, VoteMatrix

Z90 = 1.2816  # one-sided 90 %
Z95 = 1.6449  # one-sided 95 %
META_PRIORITY = 7.0
N_REPRESENTATIVE = 5
N_CONSENSUS = 5

Direction = Literal["agree", "disagree"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class GroupVotes:
    """Latest-vote tallies, shape (groups, statements); `votes` counts passes too."""

    agree: IntArray
    disagree: IntArray
    passes: IntArray

    @property
    def votes(self) -> IntArray:
        """All votes cast (agree + disagree + pass)."""
        return self.agree + self.disagree + self.passes


def group_votes(matrix: VoteMatrix, labels: NDArray[np.integer], n_groups: int) -> GroupVotes:
    """Count each group's agrees, disagrees and passes on every statement.

    `labels[i]` is participant i's group, or -1 for participants outside every group (not
    in the conversation yet), whose votes are not counted here.
    """
    m = matrix.n_statements
    g = np.asarray(labels)[matrix.rows]
    counted = g >= 0
    cell = g[counted].astype(np.int64) * m + matrix.cols[counted]
    vals = matrix.values[counted]
    size = n_groups * m

    def tally(mask: NDArray[np.bool_]) -> IntArray:
        return np.bincount(cell[mask], minlength=size).reshape(n_groups, m)

    return GroupVotes(
        agree=tally(vals == AGREE), disagree=tally(vals == DISAGREE), passes=tally(vals == 0)
    )


def all_votes(matrix: VoteMatrix) -> GroupVotes:
    """Tallies over every participant as one group (shape (1, statements))."""
    return group_votes(matrix, np.zeros(matrix.n_participants, dtype=np.int64), 1)


def prop_test(successes: NDArray[np.integer], trials: NDArray[np.integer]) -> FloatArray:
    """One-proportion z-score that the success rate exceeds 1/2, with a pseudocount."""
    s = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    return 2.0 * np.sqrt(n + 1.0) * ((s + 1.0) / (n + 1.0) - 0.5)


def two_prop_test(
    s1: NDArray[np.integer],
    n1: NDArray[np.integer],
    s2: NDArray[np.integer],
    n2: NDArray[np.integer],
) -> FloatArray:
    """Two-proportion z-score that population 1's rate exceeds population 2's.

    Each of the four counts gets +1 so empty groups do not divide by zero; the score is 0
    when the pooled rate is 1 (no variance to test against).
    """
    a1 = np.asarray(s1, dtype=np.float64) + 1.0
    b1 = np.asarray(n1, dtype=np.float64) + 1.0
    a2 = np.asarray(s2, dtype=np.float64) + 1.0
    b2 = np.asarray(n2, dtype=np.float64) + 1.0
    pooled = (a1 + a2) / (b1 + b2)
    var = pooled * (1.0 - pooled) * (1.0 / b1 + 1.0 / b2)
    diff = a1 / b1 - a2 / b2
    return np.divide(diff, np.sqrt(var), out=np.zeros_like(diff), where=var > 0)


@dataclass(frozen=True, eq=False)
class Repness:
    """Per (group, statement): agree/disagree probabilities, their ratio to the rest of
    the conversation ("repness"), and the z-scores for both."""

    pa: FloatArray
    pd: FloatArray
    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray

    def agree_significant(self, z: float = Z90) -> NDArray[np.bool_]:
        """Group agrees more than half the time and more than everyone else, both significantly."""
        return (self.pat > z) & (self.rat > z)

    def disagree_significant(self, z: float = Z90) -> NDArray[np.bool_]:
        """The disagree counterpart of `agree_significant`."""
        return (self.pdt > z) & (self.rdt > z)


def representativeness(gv: GroupVotes) -> Repness:
    """Compare each group with the rest of the conversation (all other groups pooled)."""
    na, nd, ns = gv.agree, gv.disagree, gv.votes
    rest_a = na.sum(axis=0)[None, :] - na
    rest_d = nd.sum(axis=0)[None, :] - nd
    rest_s = ns.sum(axis=0)[None, :] - ns
    pa = (1.0 + na) / (2.0 + ns)
    pd = (1.0 + nd) / (2.0 + ns)
    return Repness(
        pa=pa,
        pd=pd,
        pat=prop_test(na, ns),
        pdt=prop_test(nd, ns),
        ra=pa / ((1.0 + rest_a) / (2.0 + rest_s)),
        rd=pd / ((1.0 + rest_d) / (2.0 + rest_s)),
        rat=two_prop_test(na, ns, rest_a, rest_s),
        rdt=two_prop_test(nd, ns, rest_d, rest_s),
    )


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that sets a group apart, and the evidence for it."""

    statement: int
    direction: Direction
    successes: int
    votes: int
    probability: float
    probability_test: float
    repness: float
    repness_test: float
    metric: float


def select_representative(
    rep: Repness,
    gv: GroupVotes,
    group: int,
    excluded: NDArray[np.bool_],
    *,
    limit: int = N_REPRESENTATIVE,
    z: float = Z90,
) -> tuple[RepresentativeStatement, ...]:
    """Up to `limit` statements that distinguish `group`, agrees listed before disagrees.

    A statement qualifies when both its agree tests (or both its disagree tests) are
    significant; candidates are ranked by repness x its z x probability x its z. The best
    qualifying *agree* statement always makes the cut, so a group is never described only
    by what it rejects. When nothing qualifies, the single statement with the highest
    repness z-score stands in, so every group has at least one description.
    """
    g = group
    agree_ok = rep.agree_significant(z)[g] & ~excluded
    sufficient = (agree_ok | rep.disagree_significant(z)[g]) & ~excluded
    is_agree = rep.rat[g] > rep.rdt[g]
    metric_agree = rep.ra[g] * rep.rat[g] * rep.pa[g] * rep.pat[g]
    metric_disagree = rep.rd[g] * rep.rdt[g] * rep.pd[g] * rep.pdt[g]
    metric = np.where(is_agree, metric_agree, metric_disagree)

    def make(c: int, agree: bool) -> RepresentativeStatement:
        if agree:
            vals = (gv.agree[g, c], rep.pa[g, c], rep.pat[g, c], rep.ra[g, c], rep.rat[g, c])
        else:
            vals = (gv.disagree[g, c], rep.pd[g, c], rep.pdt[g, c], rep.rd[g, c], rep.rdt[g, c])
        return RepresentativeStatement(
            statement=int(c),
            direction="agree" if agree else "disagree",
            successes=int(vals[0]),
            votes=int(gv.votes[g, c]),
            probability=float(vals[1]),
            probability_test=float(vals[2]),
            repness=float(vals[3]),
            repness_test=float(vals[4]),
            metric=float(metric_agree[c] if agree else metric_disagree[c]),
        )

    candidates = np.flatnonzero(sufficient)
    if candidates.size == 0:
        voted = np.flatnonzero(~excluded & (gv.votes[g] > 0))
        if voted.size == 0:
            return ()
        score = np.maximum(rep.rat[g, voted], rep.rdt[g, voted])
        best = int(voted[np.argmax(score)])
        return (make(best, bool(is_agree[best])),)

    # Sort by metric, highest first; ties by statement index for determinism.
    ranked = candidates[np.lexsort((candidates, -metric[candidates]))]
    agree_pool = np.flatnonzero(agree_ok & is_agree)
    chosen = list(ranked)
    if agree_pool.size:
        best_agree = int(agree_pool[np.lexsort((agree_pool, -metric_agree[agree_pool]))][0])
        chosen.remove(best_agree)
        chosen.insert(0, best_agree)
    chosen = chosen[:limit]
    ordered = [c for c in chosen if is_agree[c]] + [c for c in chosen if not is_agree[c]]
    return tuple(make(c, bool(is_agree[c])) for c in ordered)


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most of the whole conversation agrees (or disagrees) with."""

    statement: int
    direction: Direction
    successes: int
    votes: int
    probability: float
    probability_test: float


@dataclass(frozen=True)
class Consensus:
    """Top consensus statements in each direction, best first."""

    agree: tuple[ConsensusStatement, ...]
    disagree: tuple[ConsensusStatement, ...]


def consensus(
    everyone: GroupVotes,
    excluded: NDArray[np.bool_],
    *,
    limit: int = N_CONSENSUS,
    z: float = Z90,
) -> Consensus:
    """Statements with probability > 1/2 and a significant z over all participants.

    Ranked by probability x z. Groups play no part here: see `group_consensus` for
    agreement that must hold within every group.
    """
    na, nd, ns = (
        everyone.agree.sum(axis=0),
        everyone.disagree.sum(axis=0),
        everyone.votes.sum(axis=0),
    )

    def pick(successes: IntArray, direction: Direction) -> tuple[ConsensusStatement, ...]:
        p = (1.0 + successes) / (2.0 + ns)
        pt = prop_test(successes, ns)
        ok = np.flatnonzero((p > 0.5) & (pt > z) & ~excluded)
        score = p[ok] * pt[ok]
        ranked = ok[np.lexsort((ok, -score))][:limit]
        return tuple(
            ConsensusStatement(
                statement=int(c),
                direction=direction,
                successes=int(successes[c]),
                votes=int(ns[c]),
                probability=float(p[c]),
                probability_test=float(pt[c]),
            )
            for c in ranked
        )

    return Consensus(agree=pick(na, "agree"), disagree=pick(nd, "disagree"))


def group_consensus(gv: GroupVotes) -> tuple[FloatArray, FloatArray]:
    """Group-informed consensus: product over groups of (agrees + 1) / (votes + 2).

    High only when *every* group tends to agree, so a large group cannot carry a statement
    alone. Returns the agree and the disagree versions, shape (statements,); all zeros
    when there are no groups.
    """
    if gv.agree.shape[0] == 0:
        zeros = np.zeros(gv.agree.shape[1])
        return zeros, zeros.copy()
    denom = gv.votes + 2.0
    agree = np.prod((gv.agree + 1.0) / denom, axis=0)
    disagree = np.prod((gv.disagree + 1.0) / denom, axis=0)
    return agree, disagree


def divisiveness(rep: Repness) -> FloatArray:
    """How far apart the groups are on each statement: the range of their agree probabilities.

    Tequio's measure (the method leaves "divisive" open): 0 with fewer than two groups, up
    to ~1 when one group all agrees and another all disagrees. The pseudocount keeps
    thinly voted statements near 0.
    """
    if rep.pa.shape[0] < 2:
        return np.zeros(rep.pa.shape[1])
    return rep.pa.max(axis=0) - rep.pa.min(axis=0)


def importance(
    agree: FloatArray, passes: FloatArray, votes: FloatArray, extremity: FloatArray
) -> FloatArray:
    """(1 - pass rate) x (extremity + 1) x agree rate, all rates with pseudocounts."""
    p = (passes + 1.0) / (votes + 2.0)
    a = (agree + 1.0) / (votes + 2.0)
    return (1.0 - p) * (extremity + 1.0) * a


def priorities(
    gv: GroupVotes,
    extremity: FloatArray,
    *,
    moderated_out: NDArray[np.bool_],
    meta: NDArray[np.bool_],
) -> FloatArray:
    """Weight of each statement in the lottery for the next statement to show.

    (importance x (1 + 8·2^(-votes/5)))²: statements that split the map, draw few passes
    and are still new get shown sooner; the novelty boost fades after ~20 votes. Meta
    statements get a fixed 7² = 49 and moderated-out statements 0 (never shown). Counts
    are those of participants in groups, as in Pol.is.
    """
    a = gv.agree.sum(axis=0).astype(np.float64)
    d = gv.disagree.sum(axis=0).astype(np.float64)
    s = gv.votes.sum(axis=0).astype(np.float64)
    passes = s - (a + d)
    novelty = 1.0 + 8.0 * np.power(2.0, -s / 5.0)
    pr = (importance(a, passes, s, extremity) * novelty) ** 2
    pr = np.where(meta, META_PRIORITY**2, pr)
    return np.where(moderated_out, 0.0, pr)


def choose_next_statement(
    priority: FloatArray, seen: NDArray[np.bool_], rng: np.random.Generator
) -> int | None:
    """Draw an unseen statement with probability proportional to its priority.

    Returns None when nothing is left to show. The caller owns `rng` (seed it in tests).
    """
    cumulative = np.cumsum(np.where(seen, 0.0, np.maximum(priority, 0.0)))
    total = float(cumulative[-1]) if cumulative.size else 0.0
    if total <= 0.0:
        return None
    # side="right" skips zero-weight statements sitting on a boundary of the cumulative sum.
    return int(np.searchsorted(cumulative, rng.random() * total, side="right"))
