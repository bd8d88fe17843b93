"""The tie network as plain data, its snapshots at a date, and the graphs measures run on.

A `TieNetwork` keeps every tie record as entered (type, direction, dates, confirmation),
because filtering by date, type and confirmation must happen before any measure. The
measures themselves run on two projections computed once per network and cached:

* `simple`: undirected, one edge per connected pair whatever the number, types or
  directions of the ties between them (the "union" symmetrization rule of the methods
  file). Density, centralities, components, communities and E-I use it.
* `arcs`: directed, one arc per ordered pair; an undirected tie gives both arcs.
  Gould-Fernandez brokerage uses it, because brokerage is defined on 2-paths a->v->b.

Dates are half-open: a tie is active on day D when ``start <= D < end``; a missing start
means "already there when records begin" and a missing end means "still active". The same
rule applies to an organization's optional ``since``/``until`` (membership) dates.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from itertools import compress
from types import MappingProxyType
from typing import Any, NamedTuple, TypeAlias

import igraph as ig
import numpy as np
from numpy.typing import NDArray

NodeId: TypeAlias = Hashable

# Sentinels for open-ended dates, kept far from real ordinals so that comparisons stay exact.
_NO_START = np.iinfo(np.int64).min
_NO_END = np.iinfo(np.int64).max

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Node:
    """An organization: its id, its kind (CSO, government, ...) and any other attributes.

    `attrs` holds grouping attributes such as ``state`` or ``tier`` that E-I and brokerage can
    use; `since`/`until` optionally bound its membership (half-open, like tie dates).
    """

    id: NodeId
    kind: str = ""
    attrs: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    since: date | None = None
    until: date | None = None


class Tie(NamedTuple):
    """One tie record between two organizations, as stored by the network app.

    `directed` ties (e.g. a referral) point from `source` to `target`; undirected ones (a joint
    activity) have no direction. `key` identifies the record in diffs; it defaults to the
    tie's position in the input when left as None. A named tuple rather than a frozen
    dataclass: a national network has tens of thousands of them, and a frozen dataclass
    costs four times as much to create, which made loading slower than computing.
    """

    source: NodeId
    target: NodeId
    type: str
    directed: bool = False
    start: date | None = None
    end: date | None = None
    confirmed: bool = False
    key: Hashable | None = None


TieLike: TypeAlias = (
    Tie
    | tuple[NodeId, NodeId, str, bool, date | None, date | None, bool]
    | tuple[NodeId, NodeId, str, bool, date | None, date | None, bool, Hashable]
)
NodeLike: TypeAlias = Node | tuple[NodeId, Mapping[str, Any]]


def _ordinal(value: date | None, missing: int) -> int:
    return missing if value is None else value.toordinal()


@dataclass(frozen=True, eq=False)
class TieNetwork:
    """Organizations (positions 0..n-1) and tie records between them, with cached projections.

    Build it with `build_network`; derive snapshots and subsets with `network_at`,
    `filter_ties` and `filter_nodes`. Arrays are indexed by node position (`ids[i]`) or by
    tie position (`ties[k]`) and must not be mutated.
    """

    nodes: tuple[Node, ...]
    ties: tuple[Tie, ...]
    source: NDArray[np.int64]
    target: NDArray[np.int64]
    tie_start: NDArray[np.int64]
    tie_end: NDArray[np.int64]
    tie_directed: NDArray[np.bool_]
    tie_confirmed: NDArray[np.bool_]
    node_since: NDArray[np.int64]
    node_until: NDArray[np.int64]

    @property
    def n(self) -> int:
        """Number of organizations."""
        return len(self.nodes)

    @cached_property
    def ids(self) -> tuple[NodeId, ...]:
        """Node ids in position order."""
        return tuple(node.id for node in self.nodes)

    @cached_property
    def index(self) -> dict[NodeId, int]:
        """Position of each node id."""
        return {node_id: i for i, node_id in enumerate(self.ids)}

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        """Kind of each node, in position order."""
        return tuple(node.kind for node in self.nodes)

    @cached_property
    def tie_types(self) -> NDArray[np.str_]:
        """Type of each tie record, as a string array for vectorized filtering."""
        return np.array([tie.type for tie in self.ties], dtype=np.str_)

    @cached_property
    def pairs(self) -> NDArray[np.int64]:
        """Distinct connected pairs (i < j) as an (m, 2) array, sorted: the `simple` edges."""
        if not self.ties:
            return np.empty((0, 2), dtype=np.int64)
        lo = np.minimum(self.source, self.target)
        hi = np.maximum(self.source, self.target)
        codes = np.unique(lo * self.n + hi)
        return np.column_stack((codes // self.n, codes % self.n))

    @cached_property
    def arc_pairs(self) -> NDArray[np.int64]:
        """Distinct ordered pairs (a, b) with an arc a->b, sorted by code a*n+b."""
        if not self.ties:
            return np.empty((0, 2), dtype=np.int64)
        undirected = ~self.tie_directed
        src = np.concatenate((self.source, self.target[undirected]))
        dst = np.concatenate((self.target, self.source[undirected]))
        codes = np.unique(src * self.n + dst)
        return np.column_stack((codes // self.n, codes % self.n))

    @cached_property
    def simple(self) -> ig.Graph:
        """Undirected simple graph over all nodes (isolates included), one edge per pair."""
        return ig.Graph(n=self.n, edges=self.pairs.tolist(), directed=False)

    @cached_property
    def arcs(self) -> ig.Graph:
        """Directed simple graph; undirected ties contribute an arc in each direction."""
        return ig.Graph(n=self.n, edges=self.arc_pairs.tolist(), directed=True)

    def group_labels(self, attribute: str) -> tuple[str | None, ...]:
        """Value of a grouping attribute per node: ``"kind"`` or a key of `Node.attrs`.

        Values are turned into strings so that groups compare the same way whatever the
        caller stored; a missing value is None.
        """
        if attribute == "kind":
            return tuple(kind or None for kind in self.kinds)
        labels: list[str | None] = []
        for node in self.nodes:
            value = node.attrs.get(attribute)
            labels.append(None if value is None or value == "" else str(value))
        return tuple(labels)


def _as_node(item: NodeLike) -> Node:
    if isinstance(item, Node):
        return item
    node_id, attrs = item
    attrs = dict(attrs)
    kind = str(attrs.pop("kind", "") or "")
    since = attrs.pop("since", None)
    until = attrs.pop("until", None)
    return Node(node_id, kind, MappingProxyType(attrs), since, until)


def build_network(
    nodes: Iterable[NodeLike], ties: Iterable[TieLike], *, enter_with_first_tie: bool = False
) -> TieNetwork:
    """Build a `TieNetwork` from plain inputs.

    `nodes` are `Node` objects or ``(id, {"kind": ..., other attrs})`` pairs. `ties` are `Tie`
    objects or tuples ``(source, target, type, directed, start, end, confirmed[, key])``.
    Raises ValueError on a duplicate node id, a tie to an unknown or to the same node, or an
    end date before the start date: those are data errors the caller must surface, not
    something a measure should silently absorb.

    With `enter_with_first_tie`, a node whose first tie starts before its own `since`
    enters the network on that start instead (ties entered after the fact keep their dates).
    """
    node_list = tuple(_as_node(item) for item in nodes)
    index: dict[NodeId, int] = {}
    for i, node in enumerate(node_list):
        if node.id in index:
            raise ValueError(f"duplicate node id {node.id!r}")
        if node.since is not None and node.until is not None and node.until < node.since:
            raise ValueError(f"node {node.id!r}: 'until' is before 'since'")
        index[node.id] = i

    # Columns first (zip and map run in C), then checks on whole arrays: a national network
    # has tens of thousands of ties, and Python work per tie is what loading costs.
    tie_list = [item if isinstance(item, Tie) else Tie(*item) for item in ties]
    m = len(tie_list)
    sources, targets, _types, directed, starts, ends, confirmed, keys = (
        zip(*tie_list, strict=True) if m else ((),) * 8
    )
    try:
        source = np.fromiter(map(index.__getitem__, sources), dtype=np.int64, count=m)
        target = np.fromiter(map(index.__getitem__, targets), dtype=np.int64, count=m)
    except KeyError:
        k, missing = next((k, tie.source if tie.source not in index else tie.target)
                          for k, tie in enumerate(tie_list) if tie.source not in index or tie.target not in index)
        raise ValueError(f"tie {k}: unknown node id {missing!r}") from None
    tie_start = np.array([_NO_START if d is None else d.toordinal() for d in starts], dtype=np.int64)
    tie_end = np.array([_NO_END if d is None else d.toordinal() for d in ends], dtype=np.int64)
    for problem, message in ((source == target, "an organization cannot be tied to itself"),
                             (tie_end < tie_start, "end date is before start date")):
        if problem.any():
            raise ValueError(f"tie {int(np.flatnonzero(problem)[0])}: {message}")
    if None in keys:
        tie_list = [tie._replace(key=k) if tie.key is None else tie for k, tie in enumerate(tie_list)]

    net = TieNetwork(
        nodes=node_list,
        ties=tuple(tie_list),
        source=source,
        target=target,
        tie_start=tie_start,
        tie_end=tie_end,
        tie_directed=np.array(directed, dtype=np.bool_).reshape(m),
        tie_confirmed=np.array(confirmed, dtype=np.bool_).reshape(m),
        node_since=np.array([_ordinal(v.since, _NO_START) for v in node_list], dtype=np.int64),
        node_until=np.array([_ordinal(v.until, _NO_END) for v in node_list], dtype=np.int64),
    )
    return _entered_with_first_tie(net) if enter_with_first_tie else net


def _entered_with_first_tie(net: TieNetwork) -> TieNetwork:
    """Move each node's `since` back to the start of its first dated tie when that is earlier."""
    if not net.ties:
        return net
    dated = net.tie_start != _NO_START
    first = np.full(net.n, _NO_END, dtype=np.int64)
    np.minimum.at(first, net.source[dated], net.tie_start[dated])
    np.minimum.at(first, net.target[dated], net.tie_start[dated])
    earlier = first < net.node_since
    if not earlier.any():
        return net
    nodes = list(net.nodes)
    for i in np.flatnonzero(earlier).tolist():
        nodes[i] = replace(nodes[i], since=date.fromordinal(int(first[i])))
    return replace(net, nodes=tuple(nodes), node_since=np.minimum(net.node_since, first))


def _subset(
    net: TieNetwork, node_mask: NDArray[np.bool_], tie_mask: NDArray[np.bool_]
) -> TieNetwork:
    """Keep the masked nodes and the masked ties whose two ends are kept; renumber positions."""
    tie_mask = tie_mask & node_mask[net.source] & node_mask[net.target]
    if node_mask.all() and tie_mask.all():
        return net
    new_pos = np.cumsum(node_mask) - 1
    return TieNetwork(
        nodes=tuple(compress(net.nodes, node_mask)),
        ties=tuple(compress(net.ties, tie_mask)),
        source=new_pos[net.source[tie_mask]],
        target=new_pos[net.target[tie_mask]],
        tie_start=net.tie_start[tie_mask],
        tie_end=net.tie_end[tie_mask],
        tie_directed=net.tie_directed[tie_mask],
        tie_confirmed=net.tie_confirmed[tie_mask],
        node_since=net.node_since[node_mask],
        node_until=net.node_until[node_mask],
    )


def _active_nodes(net: TieNetwork, day: int) -> NDArray[np.bool_]:
    return (net.node_since <= day) & (day < net.node_until)


def _active_ties(net: TieNetwork, day: int) -> NDArray[np.bool_]:
    return (net.tie_start <= day) & (day < net.tie_end)


def network_at(net: TieNetwork, when: date) -> TieNetwork:
    """The network as it stood on `when`: members on that day and the ties active between them."""
    day = when.toordinal()
    return _subset(net, _active_nodes(net, day), _active_ties(net, day))


def filter_ties(
    net: TieNetwork,
    *,
    types: Collection[str] | None = None,
    confirmed_only: bool = False,
    directed: bool | None = None,
) -> TieNetwork:
    """Keep only ties of the given types, confirmed ones, or of one direction mode; all nodes stay."""
    mask = np.ones(len(net.ties), dtype=np.bool_)
    if types is not None:
        mask &= np.isin(net.tie_types, np.array(sorted(types), dtype=np.str_))
    if confirmed_only:
        mask &= net.tie_confirmed
    if directed is not None:
        mask &= net.tie_directed == directed
    return _subset(net, np.ones(net.n, dtype=np.bool_), mask)


def filter_nodes(
    net: TieNetwork,
    *,
    kinds: Collection[str] | None = None,
    ids: Collection[NodeId] | None = None,
) -> TieNetwork:
    """Keep only nodes of the given kinds and/or ids, and the ties among them."""
    mask = np.ones(net.n, dtype=np.bool_)
    if kinds is not None:
        wanted = set(kinds)
        mask &= np.fromiter((k in wanted for k in net.kinds), dtype=np.bool_, count=net.n)
    if ids is not None:
        wanted_ids = set(ids)
        mask &= np.fromiter((i in wanted_ids for i in net.ids), dtype=np.bool_, count=net.n)
    return _subset(net, mask, np.ones(len(net.ties), dtype=np.bool_))


@dataclass(frozen=True)
class NetworkDiff:
    """What changed between two dates.

    `formed` and `ended` are events inside the window ``(before, after]``: a tie formed and
    ended within the window appears in both. `new_pairs` and `lost_pairs` compare the two
    snapshots: pairs of organizations connected (by any tie) on `after` but not on `before`,
    and the reverse. `joined` and `left` compare membership on the two days.
    """

    before: date
    after: date
    formed: tuple[Tie, ...]
    ended: tuple[Tie, ...]
    new_pairs: tuple[tuple[NodeId, NodeId], ...]
    lost_pairs: tuple[tuple[NodeId, NodeId], ...]
    joined: tuple[NodeId, ...]
    left: tuple[NodeId, ...]


def _pair_ids(net: TieNetwork) -> set[tuple[NodeId, NodeId]]:
    ids = net.ids
    return {(ids[a], ids[b]) for a, b in net.pairs.tolist()}


def _sorted_pairs(
    net: TieNetwork, pairs: set[tuple[NodeId, NodeId]]
) -> tuple[tuple[NodeId, NodeId], ...]:
    # Node-position order makes the output deterministic for the same input.
    order = net.index
    return tuple(sorted(pairs, key=lambda p: (order[p[0]], order[p[1]])))


def network_diff(net: TieNetwork, before: date, after: date) -> NetworkDiff:
    """Ties formed and ended, pairs connected and disconnected, members joined and left.

    Use it for "new ties since convening X": ``network_diff(net, convening.date, today)``.
    """
    if after < before:
        raise ValueError("'after' must not be earlier than 'before'")
    lo, hi = before.toordinal(), after.toordinal()
    formed = (lo < net.tie_start) & (net.tie_start <= hi)
    ended = (lo < net.tie_end) & (net.tie_end <= hi)
    then, now = network_at(net, before), network_at(net, after)
    pairs_then, pairs_now = _pair_ids(then), _pair_ids(now)
    members_then, members_now = set(then.ids), set(now.ids)
    return NetworkDiff(
        before=before,
        after=after,
        formed=tuple(compress(net.ties, formed)),
        ended=tuple(compress(net.ties, ended)),
        new_pairs=_sorted_pairs(net, pairs_now - pairs_then),
        lost_pairs=_sorted_pairs(net, pairs_then - pairs_now),
        joined=tuple(i for i in net.ids if i in members_now and i not in members_then),
        left=tuple(i for i in net.ids if i in members_then and i not in members_now),
    )


def to_igraph(net: TieNetwork) -> ig.Graph:
    """Every tie record as an edge of a directed multigraph, with node and tie attributes.

    Meant for exports (GraphML, GEXF): dates become ISO strings and undirected ties carry
    ``directed=False`` since a GraphML graph has a single direction mode.
    """
    graph = ig.Graph(
        n=net.n, edges=np.column_stack((net.source, net.target)).tolist(), directed=True
    )
    graph.vs["node_id"] = [str(i) for i in net.ids]
    graph.vs["kind"] = list(net.kinds)
    for key in sorted({k for node in net.nodes for k in node.attrs}):
        graph.vs[key] = ["" if v.attrs.get(key) is None else str(v.attrs[key]) for v in net.nodes]
    graph.es["type"] = [t.type for t in net.ties]
    graph.es["directed"] = [bool(t.directed) for t in net.ties]
    graph.es["confirmed"] = [bool(t.confirmed) for t in net.ties]
    graph.es["start"] = ["" if t.start is None else t.start.isoformat() for t in net.ties]
    graph.es["end"] = ["" if t.end is None else t.end.isoformat() for t in net.ties]
    return graph
