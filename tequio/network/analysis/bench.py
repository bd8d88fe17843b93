"""Benchmark: the metric suite in igraph against the same suite written with networkx.

    python -m tequio.network.analysis.bench [--scale N] [--seed S] [--no-baseline]

Generates a deterministic national-scale network (2,000 organizations and 50,000 ties per
unit of scale), takes its snapshot on the benchmark date, times `metric_suite` and the
networkx equivalent in the same run, checks that the two agree on the figures they share,
and prints both times and the speed ratio. Exit status 1 when the ratio is below the
required 10x or the two suites disagree.

networkx is a test/bench dependency only; it is imported inside the functions that need it.
The DB-loading variant (timing the selector that feeds the suite) lives with the Django app.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from tequio.network.analysis.brokerage import ROLES, sna_moments
from tequio.network.analysis.communities import DEFAULT_SEEDS
from tequio.network.analysis.graph import Node, Tie, TieNetwork, build_network, network_at
from tequio.network.analysis.measures import betweenness_centralization, degree_centralization
from tequio.network.analysis.suite import MetricSuite, metric_suite

REQUIRED_RATIO = 10.0
BENCH_DATE = date(2024, 6, 30)

KINDS: tuple[tuple[str, float], ...] = (
    ("cso", 0.52),
    ("intermediate_support", 0.08),
    ("government", 0.10),
    ("private_sector", 0.08),
    ("academia", 0.08),
    ("donor", 0.04),
    ("media", 0.04),
    ("community_group", 0.04),
    ("network", 0.02),
)
TIE_TYPES: tuple[str, ...] = (
    "information_sharing",
    "joint_activity",
    "resource_sharing",
    "referral",
    "formal_alliance",
    "data_sharing",
)
DIRECTED_TYPES = frozenset({"referral", "resource_sharing"})


def generate_network(
    scale: int = 1,
    seed: int = 20240630,
    *,
    organizations: int | None = None,
    ties: int | None = None,
) -> TieNetwork:
    """A deterministic synthetic network shaped like a national program.

    2,000 x scale organizations of the SPEC's kinds in 32 states (or `organizations`),
    grouped into one learning community per 40 organizations (each organization in one to
    three); 50,000 x scale distinct tied pairs (or `ties`), 60 % inside a shared community and 40 % across the country with heavy-tailed
    activity, and a convener (node 0) tied to a fifth of everyone. Tie dates run 2018-2024; some
    ties have ended before the benchmark date and some organizations joined after it.
    """
    rng = np.random.default_rng(seed)
    n = organizations if organizations is not None else 2000 * scale
    m = ties if ties is not None else 50_000 * scale
    if n < 10 or not 0 < m <= n * (n - 1) // 4:
        raise ValueError("need at least 10 organizations and at most a quarter of all pairs")
    kind_names = [k for k, _ in KINDS]
    kinds = rng.choice(len(KINDS), size=n, p=[p for _, p in KINDS])
    kinds[0] = kind_names.index("donor")
    states = rng.integers(1, 33, size=n)
    epoch = date(2018, 1, 1)
    joined = rng.integers(0, 365 * 7, size=n)
    joined[rng.random(n) < 0.7] = 0  # most were members from the start
    nodes = [
        Node(
            i,
            kind_names[kinds[i]],
            {"state": f"MX-{states[i]:02d}"},
            since=None if joined[i] == 0 else epoch + timedelta(days=int(joined[i])),
        )
        for i in range(n)
    ]

    n_communities = max(n // 40, 2)
    memberships: list[list[int]] = [[] for _ in range(n_communities)]
    weights = rng.pareto(1.5, size=n_communities) + 1
    weights /= weights.sum()
    for i in range(1, n):
        count = min(int(rng.integers(1, 4)), n_communities)
        for c in rng.choice(n_communities, size=count, replace=False, p=weights):
            memberships[c].append(i)
    members = [np.array(ms, dtype=np.int64) for ms in memberships]
    community_p = np.array([len(ms) ** 1.5 if len(ms) > 1 else 0.0 for ms in memberships])
    community_p /= community_p.sum()
    activity = rng.lognormal(0.0, 1.0, size=n)
    activity[0] = 0.0
    activity /= activity.sum()

    convener_partners = rng.choice(np.arange(1, n), size=n // 5, replace=False)
    codes: set[int] = {int(j) for j in convener_partners}  # pair (0, j) encodes as 0 * n + j
    while len(codes) < m:
        batch = 4096
        within = rng.random(batch) < 0.6
        a = np.empty(batch, dtype=np.int64)
        b = np.empty(batch, dtype=np.int64)
        picks = rng.choice(n_communities, size=batch, p=community_p)
        for t in range(batch):
            if within[t]:
                ms = members[picks[t]]
                a[t], b[t] = ms[rng.integers(len(ms))], ms[rng.integers(len(ms))]
        a[~within] = rng.choice(n, size=(~within).sum(), p=activity)
        b[~within] = rng.choice(n, size=(~within).sum(), p=activity)
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x != y and len(codes) < m:
                codes.add(min(x, y) * n + max(x, y))
    ordered = sorted(codes)

    types = rng.integers(0, len(TIE_TYPES), size=m)
    start_days = rng.integers(0, 365 * 7, size=m)
    ends = rng.random(m) < 0.08
    durations = rng.integers(30, 900, size=m)
    confirmed = rng.random(m) < 0.65
    flip = rng.random(m) < 0.5
    records = []
    for k, code in enumerate(ordered):
        a, b = divmod(code, n)
        if flip[k]:
            a, b = b, a
        tie_type = TIE_TYPES[types[k]]
        start = epoch + timedelta(days=int(start_days[k]))
        end = start + timedelta(days=int(durations[k])) if ends[k] else None
        records.append(
            Tie(a, b, tie_type, tie_type in DIRECTED_TYPES, start, end, bool(confirmed[k]))
        )
    return build_network(nodes, records)


def _nmi(a: Sequence[int], b: Sequence[int]) -> float:
    """Normalized mutual information (arithmetic mean normalization), as igraph's "nmi"."""
    x, y = np.asarray(a), np.asarray(b)
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    table = np.zeros((xi.max() + 1, yi.max() + 1))
    np.add.at(table, (xi, yi), 1)
    p = table / table.sum()
    px, py = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(px, py)[nz])).sum())
    hx = -float((px[px > 0] * np.log(px[px > 0])).sum())
    hy = -float((py[py > 0] * np.log(py[py > 0])).sum())
    return 1.0 if hx + hy == 0 else 2 * mi / (hx + hy)


def _leading_eigenvector(nx: Any, graph: Any, n: int) -> np.ndarray:
    """Eigenvector centrality scaled to max 1, also for disconnected graphs.

    `nx.eigenvector_centrality_numpy` refuses disconnected graphs, which survey and
    community networks usually are; the leading eigenvector of the whole adjacency
    matrix (what igraph returns: zeros outside the component with the largest
    eigenvalue) is computed with the same ARPACK routine networkx calls.
    """
    if graph.number_of_edges() == 0:
        return np.zeros(n)
    if nx.is_connected(graph):
        eigen = nx.eigenvector_centrality_numpy(graph)
        eig = np.abs(np.array([eigen[i] for i in range(n)]))
    else:
        from scipy.sparse.linalg import eigsh

        matrix = nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=float)
        if n > 2:
            _values, vectors = eigsh(matrix, k=1, which="LA")
            eig = np.abs(vectors[:, 0])
        else:
            eig = np.abs(np.linalg.eigh(matrix.toarray())[1][:, -1])
        eig[eig < 1e-12] = 0.0
    top = eig.max()
    return eig / top if top > 0 else eig


def networkx_suite(
    net: TieNetwork,
    *,
    group_attribute: str = "kind",
    convener: Any = None,
    community_seeds: Sequence[int] = DEFAULT_SEEDS,
) -> dict[str, Any]:
    """The same measures as `metric_suite`, written the way one would with networkx.

    networkx has no E-I index, brokerage or centralization, so those are plain Python loops
    over its graphs (that is the baseline a networkx code base would have).
    """
    import networkx as nx

    n = net.n
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(net.pairs.tolist())
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(n))
    digraph.add_edges_from(net.arc_pairs.tolist())
    ties = graph.number_of_edges()

    degree = np.array([d for _, d in sorted(graph.degree())])
    betweenness = nx.betweenness_centrality(graph, normalized=False)
    btw = np.array([betweenness[i] for i in range(n)])
    harmonic = nx.harmonic_centrality(graph)
    closeness = np.array([harmonic[i] for i in range(n)]) / (n - 1)
    eig = _leading_eigenvector(nx, graph, n)
    constraint = nx.constraint(graph)
    components = list(nx.connected_components(graph))

    partitions = [nx.community.louvain_communities(graph, seed=s) for s in community_seeds]
    qualities = [nx.community.modularity(graph, p) for p in partitions]
    labels_by_run = []
    for partition in partitions:
        label = np.empty(n, dtype=np.int64)
        for c, members in enumerate(partition):
            label[list(members)] = c
        labels_by_run.append(label)
    nmis = [
        _nmi(labels_by_run[i], labels_by_run[j])
        for i in range(len(labels_by_run))
        for j in range(i + 1, len(labels_by_run))
    ]

    group = net.group_labels(group_attribute)
    external = internal = 0
    for u, v in graph.edges():
        if group[u] is None or group[v] is None:
            continue
        if group[u] == group[v]:
            internal += 1
        else:
            external += 1

    broker_group = ["" if g is None else g for g in group]
    counts = np.zeros((n, 5), dtype=np.int64)
    for v in digraph:
        gv = broker_group[v]
        for a in digraph.predecessors(v):
            ga = broker_group[a]
            for b in digraph.successors(v):
                if a == b or digraph.has_edge(a, b):
                    continue
                gb = broker_group[b]
                if ga == gv == gb:
                    counts[v, 0] += 1
                elif ga == gb:
                    counts[v, 1] += 1
                elif ga == gv:
                    counts[v, 2] += 1
                elif gv == gb:
                    counts[v, 3] += 1
                else:
                    counts[v, 4] += 1
    names = sorted(set(broker_group))
    sizes = np.array([broker_group.count(g) for g in names], dtype=np.float64)
    sna_moments(sizes, n, digraph.number_of_edges() / (n * (n - 1)))

    dependence: dict[str, float] = {}
    if convener is not None:
        c = net.index[convener]
        rest = graph.copy()
        rest.remove_node(c)
        rest_components = list(nx.connected_components(rest))
        rest_harmonic = nx.harmonic_centrality(rest)
        dependence = {
            "components_without": len(rest_components),
            "distance_sum_without": sum(rest_harmonic.values()),
        }

    return {
        "density": nx.density(graph),
        "components": len(components),
        "average_degree": 2 * ties / n,
        "degree_centralization": degree_centralization(degree, n),
        "betweenness_centralization": betweenness_centralization(btw, n),
        "transitivity": nx.transitivity(graph),
        "betweenness": btw,
        "closeness": closeness,
        "eigenvector": eig,
        "constraint": constraint,
        "modularity": max(qualities),
        "stability": float(np.mean(nmis)) if nmis else None,
        "ei": (external - internal) / (external + internal),
        "brokerage": counts,
        "convener": dependence,
    }


@dataclass(frozen=True)
class _Timed:
    seconds: float
    result: Any


def _timed(func: Any, *args: Any, **kwargs: Any) -> _Timed:
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return _Timed(time.perf_counter() - started, result)


def _agreement(ours: MetricSuite, theirs: dict[str, Any]) -> list[str]:
    """Names of the shared figures on which the two suites differ beyond rounding."""
    problems = []
    pairs = {
        "density": (ours.summary.density, theirs["density"]),
        "components": (ours.summary.components, theirs["components"]),
        "transitivity": (ours.summary.transitivity, theirs["transitivity"]),
        "betweenness_centralization": (
            ours.summary.betweenness_centralization,
            theirs["betweenness_centralization"],
        ),
        "ei": (ours.ei.index if ours.ei else None, theirs["ei"]),
    }
    for name, (a, b) in pairs.items():
        if a is None or b is None or not np.isclose(a, b, rtol=1e-9, atol=1e-12):
            problems.append(name)
    for name in ("betweenness", "closeness"):
        if not np.allclose(getattr(ours.nodes, name), theirs[name], rtol=1e-9, atol=1e-9):
            problems.append(name)
    if not np.allclose(ours.nodes.eigenvector, theirs["eigenvector"], atol=1e-6):
        problems.append("eigenvector")
    constraint = np.array([theirs["constraint"][i] for i in range(len(ours.nodes.ids))])
    if not np.allclose(ours.nodes.constraint, constraint, equal_nan=True, rtol=1e-9):
        problems.append("constraint")
    if ours.brokerage is None or not (ours.brokerage.counts == theirs["brokerage"]).all():
        problems.append("brokerage")
    if theirs["convener"]:
        dep = ours.convener
        rest = len(ours.nodes.ids) - 1
        expected_fd = 1 - theirs["convener"]["distance_sum_without"] / (rest * (rest - 1))
        if (
            dep is None
            or dep.components_without != theirs["convener"]["components_without"]
            or dep.distance_fragmentation_without is None
            or not np.isclose(dep.distance_fragmentation_without, expected_fd, rtol=1e-9)
        ):
            problems.append("convener")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; return 1 if the ratio or agreement fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=1, help="multiples of 2,000 orgs / 50,000 ties"
    )
    parser.add_argument("--seed", type=int, default=20240630)
    parser.add_argument("--no-baseline", action="store_true", help="skip the networkx run")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")

    generated = _timed(generate_network, args.scale, args.seed)
    full: TieNetwork = generated.result
    snapshot = network_at(full, BENCH_DATE)
    convener = 0
    print(
        f"network: {full.n:,} organizations, {len(full.ties):,} tie records (scale {args.scale}, "
        f"seed {args.seed}), generated in {generated.seconds:.2f} s"
    )
    print(
        f"snapshot {BENCH_DATE.isoformat()}: {snapshot.n:,} organizations, "
        f"{len(snapshot.ties):,} active ties, {len(snapshot.pairs):,} connected pairs"
    )

    ours = _timed(metric_suite, snapshot, group_attribute="kind", convener=convener)
    suite: MetricSuite = ours.result
    s = suite.summary
    print(
        f"igraph suite:   {ours.seconds:8.2f} s  (density {s.density:.4f}, components "
        f"{s.components}, transitivity {s.transitivity:.4f}, modularity "
        f"{suite.communities.modularity:.4f}, communities {suite.communities.count})"
    )
    if suite.brokerage is not None:
        totals = suite.brokerage.network_counts()
        print("  brokerage totals: " + ", ".join(f"{r} {totals[r]:,}" for r in ROLES))
    if suite.convener is not None:
        d = suite.convener
        print(
            f"  convener: tie share {d.tie_share:.3f}, geodesic share {d.geodesic_share:.3f}, "
            f"components without {d.components_without}"
        )
    if args.no_baseline:
        return 0

    baseline = _timed(networkx_suite, snapshot, group_attribute="kind", convener=convener)
    ratio = baseline.seconds / ours.seconds
    print(
        f"networkx suite: {baseline.seconds:8.2f} s  (modularity "
        f"{baseline.result['modularity']:.4f} with Louvain)"
    )
    problems = _agreement(suite, baseline.result)
    print(
        "agreement on shared figures: "
        + ("ok" if not problems else "DIFFERS in " + ", ".join(problems))
    )
    verdict = "ok" if ratio >= REQUIRED_RATIO else "BELOW REQUIREMENT"
    print(
        f"speed ratio networkx / igraph: {ratio:.1f}x (required >= {REQUIRED_RATIO:.0f}x: {verdict})"
    )
    return 0 if ratio >= REQUIRED_RATIO and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
