"""How much the network depends on its convener (the outside actor that started it).

Three views, all on the undirected projection:

* share of ties: the convener's partners over all connected pairs;
* share of shortest paths: for each pair of *other* organizations that can reach each other,
  the fraction of their shortest paths that pass through the convener, averaged over those
  pairs. The sum of those fractions is the convener's raw betweenness, so this is its
  betweenness divided by the number of reachable member pairs (not by all pairs, so that a
  fragmented network does not look less dependent);
* fragmentation without it (Borgatti's key-player measures): components, the share of
  member pairs that could reach each other and no longer can, F = 1 - sum s_k(s_k-1) /
  (n(n-1)) over component sizes s_k, and the distance-weighted F_d = 1 - sum_{i != j}
  (1/d_ij) / (n(n-1)), before and after removing the convener.

A convener that has stepped back leaves shares near zero and removing it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tequio.network.analysis.graph import NodeId, TieNetwork


@dataclass(frozen=True)
class ConvenerDependence:
    """Dependence figures for one convener; see the module docstring for definitions.

    `*_without` figures are computed on the network with the convener removed (n-1 nodes).
    Shares are None when their denominator is 0.
    """

    convener: NodeId
    degree: int
    tie_share: float | None
    betweenness: float
    member_pairs_reachable: int
    geodesic_share: float | None
    member_pairs_reachable_without: int
    reachable_pairs_lost_share: float | None
    components: int
    components_without: int
    fragmentation: float | None
    fragmentation_without: float | None
    distance_fragmentation: float | None
    distance_fragmentation_without: float | None

    @property
    def fragmentation_delta(self) -> float | None:
        """F(G - convener) - F(G): the methods file's "convener dependence"."""
        if self.fragmentation is None or self.fragmentation_without is None:
            return None
        return self.fragmentation_without - self.fragmentation

    @property
    def distance_fragmentation_delta(self) -> float | None:
        """F_d(G - convener) - F_d(G)."""
        if self.distance_fragmentation is None or self.distance_fragmentation_without is None:
            return None
        return self.distance_fragmentation_without - self.distance_fragmentation


def _reachable_pairs(sizes: NDArray[np.int64]) -> int:
    return int((sizes * (sizes - 1)).sum() // 2)


def _fragmentation(sizes: NDArray[np.int64], n: int) -> float | None:
    if n < 2:
        return None
    return 1.0 - float((sizes * (sizes - 1)).sum()) / (n * (n - 1))


def _distance_fragmentation(harmonic_sums: NDArray[np.float64], n: int) -> float | None:
    # sum over i of sum_{j != i} 1/d_ij is the sum of unnormalized harmonic closeness.
    if n < 2:
        return None
    return 1.0 - float(harmonic_sums.sum()) / (n * (n - 1))


def convener_dependence(
    net: TieNetwork,
    convener: NodeId,
    *,
    betweenness: NDArray[np.float64] | None = None,
    closeness: NDArray[np.float64] | None = None,
) -> ConvenerDependence:
    """Tie share, shortest-path share and fragmentation without `convener`.

    Pass the raw `betweenness` and normalized harmonic `closeness` arrays of `node_metrics`
    to reuse them; otherwise they are computed here.
    """
    if convener not in net.index:
        raise ValueError(f"convener {convener!r} is not in the network")
    c = net.index[convener]
    graph = net.simple
    n = net.n

    degree = graph.degree(c)
    ties = graph.ecount()
    if betweenness is None:
        convener_betweenness = float(graph.betweenness(vertices=[c], directed=False)[0])
    else:
        convener_betweenness = float(betweenness[c])
    if closeness is None:
        harmonic = np.asarray(graph.harmonic_centrality(normalized=False), dtype=np.float64)
    else:
        harmonic = np.asarray(closeness, dtype=np.float64) * (n - 1)

    membership = np.asarray(graph.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(membership)
    member_sizes = sizes.copy()
    member_sizes[membership[c]] -= 1
    pairs_before = _reachable_pairs(member_sizes)

    rest = graph.copy()
    rest.delete_vertices([c])
    sizes_without = np.asarray(rest.connected_components().sizes(), dtype=np.int64)
    pairs_after = _reachable_pairs(sizes_without)
    if n > 2:
        harmonic_without = np.asarray(rest.harmonic_centrality(normalized=False), dtype=np.float64)
    else:
        harmonic_without = np.zeros(n - 1)

    return ConvenerDependence(
        convener=convener,
        degree=degree,
        tie_share=degree / ties if ties else None,
        betweenness=convener_betweenness,
        member_pairs_reachable=pairs_before,
        geodesic_share=convener_betweenness / pairs_before if pairs_before else None,
        member_pairs_reachable_without=pairs_after,
        reachable_pairs_lost_share=(
            (pairs_before - pairs_after) / pairs_before if pairs_before else None
        ),
        components=int(sizes.size),
        components_without=int(sizes_without.size),
        fragmentation=_fragmentation(sizes, n),
        fragmentation_without=_fragmentation(sizes_without, n - 1),
        distance_fragmentation=_distance_fragmentation(harmonic, n),
        distance_fragmentation_without=_distance_fragmentation(harmonic_without, n - 1),
    )
