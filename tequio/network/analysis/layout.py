"""Node coordinates for the server-rendered network map (SVG).

Force-directed layouts push disconnected pieces apart without bound, so after fitting to a
box the main component would shrink to a dot surrounded by isolates. We therefore lay out
each connected component on its own (Fruchterman-Reingold, igraph's grid variant above
1,000 nodes) and pack the pieces in rows, largest first, each scaled to the square root
of its size so that area follows the number of organizations. The result is deterministic
for the same network and seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tequio.network.analysis._rng import seeded_igraph
from tequio.network.analysis.graph import NodeId, TieNetwork

# Gap between packed components, in units of a single node's cell.
_GAP = 0.6


@dataclass(frozen=True)
class Layout:
    """Coordinates in a `width` x `height` box (SVG user units, y pointing down)."""

    width: float
    height: float
    positions: dict[NodeId, tuple[float, float]]


def _component_coords(net: TieNetwork, members: list[int], seed: int) -> NDArray[np.float64]:
    """Coordinates of one component scaled into a [0, side]^2 square, side = sqrt(size)."""
    size = len(members)
    if size == 1:
        return np.zeros((1, 2))
    if size == 2:
        coords = np.array([[0.0, 0.0], [1.0, 0.0]])
    else:
        sub = net.simple.induced_subgraph(members)
        with seeded_igraph(seed):
            coords = np.asarray(sub.layout_fruchterman_reingold().coords, dtype=np.float64)
    coords = coords - coords.min(axis=0)
    span = float(coords.max())
    side = float(np.sqrt(size))
    return coords / span * side if span > 0 else coords


def layout_network(
    net: TieNetwork,
    *,
    width: float = 800.0,
    height: float = 600.0,
    margin: float = 20.0,
    seed: int = 7,
) -> Layout:
    """Deterministic coordinates for every node, fitted inside the box minus `margin`.

    The aspect ratio of the drawing is kept; it is centred in the box. Coordinates are
    rounded to 0.1 unit, plenty for SVG and it keeps the markup small.
    """
    if net.n == 0:
        return Layout(width, height, {})
    components = sorted(
        (sorted(c) for c in net.simple.connected_components()),
        key=lambda c: (-len(c), c[0]),
    )
    pieces = [(members, _component_coords(net, members, seed)) for members in components]

    # Shelf packing: rows about as wide as the square root of the total area.
    total_area = sum((np.sqrt(len(m)) + _GAP) ** 2 for m, _ in pieces)
    row_width = max(np.sqrt(total_area) * 1.2, np.sqrt(len(components[0])) + _GAP)
    x = y = row_height = 0.0
    placed = np.zeros((net.n, 2))
    for members, coords in pieces:
        side = float(coords.max()) if len(members) > 1 else 0.0
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y + row_height + _GAP, 0.0
        placed[members] = coords + np.array([x, y])
        x += side + _GAP
        row_height = max(row_height, side)

    placed -= placed.min(axis=0)
    extent = placed.max(axis=0)
    inner_w, inner_h = max(width - 2 * margin, 1.0), max(height - 2 * margin, 1.0)
    scale = min(
        inner_w / extent[0] if extent[0] > 0 else np.inf,
        inner_h / extent[1] if extent[1] > 0 else np.inf,
    )
    if not np.isfinite(scale):  # a single node: nothing to scale, it goes to the centre
        scale = 0.0
    offset = np.array([(width - extent[0] * scale) / 2, (height - extent[1] * scale) / 2])
    final = np.round(placed * scale + offset, 1)
    return Layout(
        width,
        height,
        {node_id: (float(final[i, 0]), float(final[i, 1])) for i, node_id in enumerate(net.ids)},
    )
