"""Whole-network and per-organization measures on the undirected projection.

Every measure here runs on `TieNetwork.simple`: one unweighted, undirected edge per pair of
organizations with at least one tie (union rule). Normalizations follow UCINET / R `sna`
conventions so that figures can be compared with published studies; each function says
which one it uses. Undefined values are None for scalars and NaN inside per-node arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tequio.network.analysis.graph import NodeId, TieNetwork


def _none_if_nan(value: float) -> float | None:
    return None if value != value else float(value)


def degree_centralization(degrees: Sequence[float] | NDArray[Any], n: int) -> float | None:
    """Freeman degree centralization of raw undirected degrees.

    Sum of (max - d_i) over the theoretical maximum (n-1)(n-2), reached by the star: 1 for a
    star, 0 when all degrees are equal. None below 3 nodes, where the maximum is 0.
    """
    if n < 3:
        return None
    values = np.asarray(degrees, dtype=np.float64)
    return float((values.max() - values).sum() / ((n - 1) * (n - 2)))


def betweenness_centralization(betweenness: Sequence[float] | NDArray[Any], n: int) -> float | None:
    """Freeman betweenness centralization of raw undirected betweenness.

    Theoretical maximum (n-1)^2 (n-2) / 2, the star again (R sna `centralization` with
    `betweenness`, gmode="graph"). None below 3 nodes.
    """
    if n < 3:
        return None
    values = np.asarray(betweenness, dtype=np.float64)
    return float((values.max() - values).sum() / ((n - 1) ** 2 * (n - 2) / 2))


@dataclass(frozen=True, eq=False)
class NodeMetrics:
    """Per-organization centralities, arrays in node-position order (`ids[i]`).

    * `degree`: number of distinct partners.
    * `betweenness`: raw undirected betweenness (each unordered pair counted once);
      `betweenness_normalized` divides by (n-1)(n-2)/2, the number of pairs not involving
      the node (networkx ``normalized=True``, UCINET "nBetweenness" / 100).
    * `closeness`: harmonic closeness, sum of 1/d(i, j) over j != i divided by n-1. Unlike
      classic closeness it stays meaningful when the network is disconnected, which survey
      networks usually are.
    * `eigenvector`: leading eigenvector of the adjacency matrix scaled so the maximum is 1.
      In a disconnected network only the component with the largest eigenvalue gets
      non-zero scores (a property of the measure, not a bug).
    * `constraint`: Burt's aggregate constraint; NaN for isolates (undefined).
    """

    ids: tuple[NodeId, ...]
    degree: NDArray[np.int64]
    betweenness: NDArray[np.float64]
    betweenness_normalized: NDArray[np.float64]
    closeness: NDArray[np.float64]
    eigenvector: NDArray[np.float64]
    constraint: NDArray[np.float64]

    def rows(self) -> Iterator[dict[str, Any]]:
        """One plain dict per node (NaN as None), ready for templates and exports."""
        columns = (
            "degree",
            "betweenness",
            "betweenness_normalized",
            "closeness",
            "eigenvector",
            "constraint",
        )
        arrays = [getattr(self, name).tolist() for name in columns]
        for i, node_id in enumerate(self.ids):
            row: dict[str, Any] = {"id": node_id}
            for name, values in zip(columns, arrays, strict=True):
                value = values[i]
                row[name] = None if isinstance(value, float) and value != value else value
            yield row


def node_metrics(net: TieNetwork) -> NodeMetrics:
    """Degree, betweenness, harmonic closeness, eigenvector and constraint for every node."""
    graph = net.simple
    n = net.n
    degree = np.asarray(graph.degree(), dtype=np.int64)
    betweenness = np.asarray(graph.betweenness(directed=False), dtype=np.float64)
    pairs_without_self = (n - 1) * (n - 2) / 2
    if pairs_without_self > 0:
        betweenness_normalized = betweenness / pairs_without_self
    else:
        betweenness_normalized = np.zeros(n)
    if n > 1:
        closeness = np.asarray(graph.harmonic_centrality(normalized=True), dtype=np.float64)
    else:
        closeness = np.zeros(n)
    if graph.ecount():
        with warnings.catch_warnings():
            # igraph warns whenever the network is disconnected; that is our normal case and
            # the documented behaviour (zeros outside the leading component) is what we want.
            warnings.filterwarnings(
                "ignore", message=".*eigenvector centralit", category=RuntimeWarning
            )
            eigenvector = np.asarray(graph.eigenvector_centrality(scale=True), dtype=np.float64)
        # ARPACK can return tiny negative values for nodes outside the leading component.
        eigenvector = np.clip(eigenvector, 0.0, None)
    else:
        eigenvector = np.zeros(n)
    constraint = np.asarray(graph.constraint(), dtype=np.float64) if n else np.zeros(0)
    constraint[degree == 0] = np.nan
    return NodeMetrics(
        ids=net.ids,
        degree=degree,
        betweenness=betweenness,
        betweenness_normalized=betweenness_normalized,
        closeness=closeness,
        eigenvector=eigenvector,
        constraint=constraint,
    )


@dataclass(frozen=True)
class NetworkSummary:
    """Whole-network figures for one snapshot.

    `ties` counts connected pairs (what density uses); `tie_records` counts the records they
    come from (several types or both directions between one pair). `density` = 2L/(n(n-1)).
    `average_degree` = 2L/n. `components` counts isolates as components of one.
    `transitivity` is the global clustering coefficient (3 x triangles / connected triples).
    """

    nodes: int
    ties: int
    tie_records: int
    density: float | None
    components: int
    isolates: int
    largest_component: int
    average_degree: float | None
    degree_centralization: float | None
    betweenness_centralization: float | None
    transitivity: float | None


def network_summary(
    net: TieNetwork, *, betweenness: NDArray[np.float64] | None = None
) -> NetworkSummary:
    """Size, ties, density, components, average degree, centralizations and transitivity.

    Pass `betweenness` (raw, from `node_metrics`) to avoid computing it twice.
    """
    graph = net.simple
    n, ties = net.n, graph.ecount()
    degrees = graph.degree()
    if betweenness is None:
        betweenness = np.asarray(graph.betweenness(directed=False), dtype=np.float64)
    sizes = graph.connected_components().sizes() if n else []
    return NetworkSummary(
        nodes=n,
        ties=ties,
        tie_records=len(net.ties),
        density=2 * ties / (n * (n - 1)) if n > 1 else None,
        components=len(sizes),
        isolates=sum(1 for d in degrees if d == 0),
        largest_component=max(sizes, default=0),
        average_degree=2 * ties / n if n else None,
        degree_centralization=degree_centralization(degrees, n),
        betweenness_centralization=betweenness_centralization(betweenness, n),
        transitivity=_none_if_nan(graph.transitivity_undirected(mode="nan")) if ties else None,
    )


@dataclass(frozen=True)
class GroupEI:
    """E-I counts of one group: ties of its members to other groups and within the group.

    Counted from the members' side, as rows of the sociomatrix: a tie between two members
    counts once for each of them (so internal ties weigh twice), a tie to an outsider once.
    Summing all groups gives back the whole-network index.
    """

    group: str
    size: int
    external: int
    internal: int
    index: float | None


@dataclass(frozen=True, eq=False)
class EIIndex:
    """Krackhardt & Stern's E-I index by a node attribute.

    `index` = (E - I) / (E + I) over ties whose two ends have a value for the attribute;
    from -1 (all ties within groups) to +1 (all ties across groups). `expected_complete`
    is the value if every possible tie existed, EI* = (sum n_g(N-n_g) - sum n_g(n_g-1)) /
    (N(N-1)): group sizes alone pull E-I away from 0, so compare `index` with it.
    `by_node` holds each node's own index (NaN without ties to labelled nodes).
    `mixing` is the symmetric group x group tie-count matrix in `groups` order, each tie
    counted once (internal ties on the diagonal).
    """

    attribute: str
    external: int
    internal: int
    index: float | None
    expected_complete: float | None
    groups: tuple[str, ...]
    by_group: tuple[GroupEI, ...]
    by_node: NDArray[np.float64]
    mixing: NDArray[np.int64]
    unlabelled_nodes: int


def _ratio(external: float, internal: float) -> float | None:
    total = external + internal
    return None if total == 0 else (external - internal) / total


def ei_index(net: TieNetwork, attribute: str = "kind") -> EIIndex:
    """E-I index of the network, each group and each node by `attribute` (``"kind"`` by default).

    Nodes without a value for the attribute are left out, with their ties, rather than
    treated as a group of their own: "unknown" is not a sector.
    """
    labels = net.group_labels(attribute)
    groups = tuple(sorted({label for label in labels if label is not None}))
    code_of = {g: i for i, g in enumerate(groups)}
    codes = np.array([-1 if lab is None else code_of[lab] for lab in labels], dtype=np.int64)
    k = len(groups)

    pairs = net.pairs
    a, b = pairs[:, 0], pairs[:, 1]
    labelled = (codes[a] >= 0) & (codes[b] >= 0)
    a, b = a[labelled], b[labelled]
    ga, gb = codes[a], codes[b]
    same = ga == gb
    internal, external = int(same.sum()), int((~same).sum())

    mixing = np.zeros((k, k), dtype=np.int64)
    np.add.at(mixing, (ga, gb), 1)
    mixing = mixing + mixing.T - np.diag(np.diag(mixing))

    node_internal = np.bincount(np.concatenate((a[same], b[same])), minlength=net.n)
    node_external = np.bincount(np.concatenate((a[~same], b[~same])), minlength=net.n)
    node_total = node_internal + node_external
    with np.errstate(invalid="ignore", divide="ignore"):
        by_node = np.where(
            node_total > 0, (node_external - node_internal) / node_total, np.nan
        ).astype(np.float64)

    sizes = np.bincount(codes[codes >= 0], minlength=k)
    by_group = []
    for g, name in enumerate(groups):
        members = codes == g
        ext = int(node_external[members].sum())
        inn = int(node_internal[members].sum())
        by_group.append(GroupEI(name, int(sizes[g]), ext, inn, _ratio(ext, inn)))

    total_labelled = int(sizes.sum())
    if total_labelled > 1:
        possible_external = float((sizes * (total_labelled - sizes)).sum())
        possible_internal = float((sizes * (sizes - 1)).sum())
        expected = (possible_external - possible_internal) / (total_labelled * (total_labelled - 1))
    else:
        expected = None
    return EIIndex(
        attribute=attribute,
        external=external,
        internal=internal,
        index=_ratio(external, internal),
        expected_complete=expected,
        groups=groups,
        by_group=tuple(by_group),
        by_node=by_node,
        mixing=mixing,
        unlabelled_nodes=int((codes < 0).sum()),
    )
