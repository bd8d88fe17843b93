"""Server-drawn pictures: the network map and the stakeholder grid, as inline SVG.

Drawn here rather than in the browser so that they read with JavaScript off and on a
slow phone. Only SVG presentation attributes are used (no ``style``), because the
Content-Security-Policy forbids inline styles. Every text that comes from people goes
through ``escape``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape as _html_escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tequio.core.choices import OrganizationKind, label_for

from .models import Sector, TieType

# Okabe-Ito, distinguishable with the common colour-vision deficiencies, plus two.
KIND_COLORS = {
    "cso": "#0072B2",
    "iso": "#56B4E9",
    "government": "#D55E00",
    "private": "#E69F00",
    "academia": "#009E73",
    "donor": "#CC79A7",
    "media": "#F0E442",
    "community_group": "#882255",
    "network": "#999933",
}
OTHER_COLOR = "#7f7f7f"
SECTOR_COLORS = {
    "government": "#D55E00",
    "private": "#E69F00",
    "academia": "#009E73",
    "donor": "#CC79A7",
    "media": "#F0E442",
    "civil_society": "#0072B2",
    "community": "#882255",
    "international": "#56B4E9",
    "other": "#7f7f7f",
}
EDGE = "#8b929c"
NEW_EDGE = "#1d6b3a"
LOST_EDGE = "#a3192b"
SIZE_MEASURES = ("degree", "betweenness", "closeness", "eigenvector", "brokerage")
# Up to this many organizations every name is written on the map; above, only the largest.
ALL_LABELS = 40
TOP_LABELS = 15
LINKED_NODES = 150


def escape(text) -> str:
    """HTML-escape text for markup we assemble ourselves (quotes included)."""
    return _html_escape(str(text), quote=True)


def kind_color(kind: str) -> str:
    return KIND_COLORS.get(kind, OTHER_COLOR)


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _coordinate(value: float) -> str:
    # Whole units of an 800-wide box are finer than any screen shows the map, and a
    # national map has thousands of line ends: every byte counts on a slow connection.
    return str(round(value))


def _radii(values: Sequence[float | None], n: int) -> list[float]:
    if n <= 50:
        low, high = 6.0, 18.0
    elif n <= 300:
        low, high = 4.0, 12.0
    else:
        low, high = 2.5, 9.0
    numbers = [0.0 if v is None or v != v else max(float(v), 0.0) for v in values]
    top = max(numbers, default=0.0)
    if top <= 0:
        return [low] * len(numbers)
    return [low + (high - low) * math.sqrt(v / top) for v in numbers]


def size_values(data: dict[str, Any], measure: str) -> list[float | None]:
    if measure == "brokerage":
        return list(data.get("brokerage", {}).get("total") or [0] * len(data["ids"]))
    return list(data.get(measure) or [0] * len(data["ids"]))


@dataclass(frozen=True)
class Highlight:
    """Pairs (organization ids) to draw as new or as lost in a comparison between two dates."""

    new_pairs: frozenset[tuple[int, int]] = frozenset()
    lost_pairs: frozenset[tuple[int, int]] = frozenset()


def network_map(data: dict[str, Any], names: dict[int, tuple[str, str]], *, size_by: str = "degree",
                title: str = "", highlight: Highlight | None = None, organization_url: str = "") -> SafeString:
    """The snapshot's layout as SVG: nodes coloured by kind and sized by `size_by`.

    `names` maps organization id to (name, kind) as the registry has them now; nodes of
    organizations no longer in it are left out with their lines. `organization_url`
    contains ``{id}`` and makes each node a link to the organization.
    """
    ids = data["ids"]
    layout = data["layout"]
    width, height = layout["width"], layout["height"]
    radii = _radii(size_values(data, size_by), len(ids))
    xs, ys = layout["x"], layout["y"]
    shown = [i for i, node in enumerate(ids) if node in names]
    visible = set(shown)
    position = {node: i for i, node in enumerate(ids)}
    highlight = highlight or Highlight()

    # Coordinates as text once per node: a national map has thousands of line ends.
    px = [_coordinate(x) for x in xs]
    py = [_coordinate(y) for y in ys]
    kind_labels = {kind: label_for(OrganizationKind, kind) for kind in {kind for _name, kind in names.values()}}
    plain: list[str] = []
    dashed: list[str] = []
    arrows: list[str] = []
    drawn_pairs: set[tuple[int, int]] = set()
    for a, b, confirmed, direction, _bits in data.get("edges", []):
        if a not in visible or b not in visible:
            continue
        pair = (min(ids[a], ids[b]), max(ids[a], ids[b]))
        drawn_pairs.add(pair)
        if pair in highlight.new_pairs:
            continue  # drawn on top, highlighted
        if direction:
            # The arrow head sits at the middle of the line, where no circle hides it.
            start, end = (a, b) if direction > 0 else (b, a)
            middle = f"{round((xs[start] + xs[end]) / 2)} {round((ys[start] + ys[end]) / 2)}"
            dash = "" if confirmed else ' stroke-dasharray="4 3"'
            arrows.append(f'<path d="M{px[start]} {py[start]}L{middle}L{px[end]} {py[end]}"{dash}/>')
            continue
        segment = f"M{px[a]} {py[a]}L{px[b]} {py[b]}"
        (plain if confirmed else dashed).append(segment)

    # Crop the box to the drawing: the layout keeps its aspect ratio inside a fixed box, and
    # on a phone every empty band costs legibility.
    labels_shown = bool(shown)
    if shown:
        pad_x = 110.0 if labels_shown else 24.0
        left = max(min(xs[i] for i in shown) - pad_x, 0.0)
        right = min(max(xs[i] for i in shown) + pad_x, width)
        top = max(min(ys[i] for i in shown) - 28.0, 0.0)
        bottom = min(max(ys[i] for i in shown) + 28.0, height)
    else:
        left, top, right, bottom = 0.0, 0.0, width, height
    box = f"{_number(left)} {_number(top)} {_number(right - left)} {_number(bottom - top)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}" class="network-map" '
        f'role="img" aria-labelledby="tq-map-title tq-map-desc" data-size="{escape(size_by)}">',
        f'<title id="tq-map-title">{escape(title or _("Network map"))}</title>',
        '<desc id="tq-map-desc">' + escape(_(
            "Each circle is an organization, coloured by kind and sized by the chosen measure; each line a tie. "
            "Dashed lines are ties not yet confirmed by both organizations. The table of measures below gives the same "
            "information as text."
        )) + "</desc>",
        '<defs><marker id="tq-arrow" viewBox="0 0 8 8" refX="4" refY="4" markerWidth="7" markerHeight="7" '
        f'orient="auto"><path d="M0 0L8 4L0 8z" fill="{EDGE}"/></marker></defs>',
        f'<rect x="{_number(left)}" y="{_number(top)}" width="{_number(right - left)}" height="{_number(bottom - top)}" fill="#ffffff"/>',
        '<g class="edges" fill="none">',
    ]
    if plain:
        parts.append(f'<path d="{"".join(plain)}" stroke="{EDGE}" stroke-width="1" stroke-opacity="0.7"/>')
    if dashed:
        parts.append(f'<path d="{"".join(dashed)}" stroke="{EDGE}" stroke-width="1" stroke-dasharray="4 3" stroke-opacity="0.8"/>')
    if arrows:
        parts.append(f'<g stroke="{EDGE}" stroke-width="1" stroke-opacity="0.8" marker-mid="url(#tq-arrow)">{"".join(arrows)}</g>')
    lost = [
        f"M{px[position[a]]} {py[position[a]]}L{px[position[b]]} {py[position[b]]}"
        for a, b in sorted(highlight.lost_pairs) if a in position and b in position
        and position[a] in visible and position[b] in visible
    ]
    if lost:
        parts.append(f'<path d="{"".join(lost)}" stroke="{LOST_EDGE}" stroke-width="1.5" stroke-dasharray="2 3" class="lost"/>')
    new = [
        f"M{px[position[a]]} {py[position[a]]}L{px[position[b]]} {py[position[b]]}"
        for a, b in sorted(highlight.new_pairs) if a in position and b in position
        and position[a] in visible and position[b] in visible
    ]
    if new:
        parts.append(f'<path d="{"".join(new)}" stroke="{NEW_EDGE}" stroke-width="2.5" class="new"/>')
    parts.append("</g>")

    parts.append('<g class="nodes" stroke="#1c1f24" stroke-width="0.75">')
    for i in shown:
        node = ids[i]
        name, kind = names[node]
        label = escape(f"{name} · {kind_labels[kind]}")
        circle = (
            f'<circle cx="{px[i]}" cy="{py[i]}" r="{_number(radii[i])}" fill="{kind_color(kind)}">'
            f"<title>{label}</title></circle>"
        )
        # Links on a small map; on a large one the table below links every organization.
        if organization_url and len(shown) <= LINKED_NODES:
            circle = f'<a href="{escape(organization_url.replace("{id}", str(node)))}">{circle}</a>'
        parts.append(circle)
    parts.append("</g>")

    if len(shown) <= ALL_LABELS:
        labelled = sorted(shown, key=lambda i: -radii[i])
    else:
        labelled = sorted(shown, key=lambda i: -radii[i])[:TOP_LABELS]
    font = 12 if len(shown) <= ALL_LABELS else 11
    parts.append(f'<g class="labels" font-size="{font}" fill="#1c1f24" stroke="#ffffff" stroke-width="3" '
                 'paint-order="stroke" font-family="system-ui, sans-serif">')
    for x, y, anchor, text in _place_labels(labelled, xs, ys, radii, [names[ids[i]][0] for i in labelled], font,
                                            (left, top, right, bottom), [(xs[i], ys[i], radii[i]) for i in shown]):
        parts.append(f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append("</g></svg>")
    return mark_safe("".join(parts))


def _place_labels(order: Sequence[int], xs, ys, radii, texts: Sequence[str], font: float,
                  box: tuple[float, float, float, float], circles) -> list[tuple[float, float, str, str]]:
    """Names beside their circles without writing over another name or circle.

    Largest circles first; each name tries the right, the left, above and below its circle
    and takes the first place where it overlaps nothing already placed and stays in the box.
    A name with no free place is shortened once, then left out: its circle keeps the name as
    a tooltip and the table below lists it.
    """
    left, top, right, bottom = box
    taken: list[tuple[float, float, float, float]] = [(x - r, y - r, x + r, y + r) for x, y, r in circles]
    placed = []

    def free(rect) -> bool:
        x0, y0, x1, y1 = rect
        if x0 < left or x1 > right or y0 < top or y1 > bottom:
            return False
        # Its own circle is in `taken` too, and every candidate place starts just outside it.
        return all(x1 <= a0 or x0 >= a1 or y1 <= b0 or y0 >= b1 for a0, b0, a1, b1 in taken)

    for i, name in zip(order, texts, strict=True):
        x, y, r = xs[i], ys[i], radii[i]
        for text in (name if len(name) <= 28 else name[:26] + "…", name[:16] + "…" if len(name) > 18 else None):
            if text is None:
                continue
            # Width of system-ui text is about 0.56 em per character on average.
            w, h = 0.56 * font * len(text), font * 1.1
            candidates = (
                ("start", x + r + 3, y + font / 3, (x + r + 2, y - h / 2, x + r + 4 + w, y + h / 2)),
                ("end", x - r - 3, y + font / 3, (x - r - 4 - w, y - h / 2, x - r - 2, y + h / 2)),
                ("middle", x, y - r - 4, (x - w / 2, y - r - 3 - h, x + w / 2, y - r - 3)),
                ("middle", x, y + r + font, (x - w / 2, y + r + 2, x + w / 2, y + r + 3 + h)),
            )
            spot = next(((anchor, tx, ty, rect) for anchor, tx, ty, rect in candidates if free(rect)), None)
            if spot is not None:
                anchor, tx, ty, rect = spot
                taken.append(rect)
                placed.append((tx, ty, anchor, text))
                break
    return placed


def legend_kinds(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """(colour, translated kind) for the kinds present, in the registry's order."""
    present = set(kinds)
    return [(KIND_COLORS[value], str(label)) for value, label in OrganizationKind.choices if value in present]


def swatch(color: str, size: int = 12) -> SafeString:
    """A small coloured dot for legends (an attribute, not a style, for the CSP)."""
    half = size / 2
    return mark_safe(
        f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" aria-hidden="true" focusable="false">'
        f'<circle cx="{half}" cy="{half}" r="{half - 1}" fill="{escape(color)}" stroke="#1c1f24" stroke-width="0.75"/></svg>'
    )


def tie_types_of(bits: int) -> list[str]:
    return [str(label) for index, (_value, label) in enumerate(TieType.choices) if bits & (1 << index)]


# --- stakeholder grid ------------------------------------------------------------------------------

GRID_MODES = ("influence_alignment", "power_interest")


def quadrant_labels(mode: str) -> dict[tuple[bool, bool], str]:
    """(high on the vertical axis, high on the horizontal axis) -> what to do with them."""
    if mode == "power_interest":
        return {
            (True, True): _("Manage closely"),
            (True, False): _("Keep satisfied"),
            (False, True): _("Keep informed"),
            (False, False): _("Monitor"),
        }
    return {
        (True, True): _("Key allies: engage closely"),
        (True, False): _("Influential, not aligned: open a dialogue"),
        (False, True): _("Aligned supporters: keep involved"),
        (False, False): _("Monitor"),
    }


def axis_labels(mode: str) -> tuple[str, str]:
    """(horizontal, vertical) axis titles."""
    if mode == "power_interest":
        return _("Interest"), _("Power")
    return _("Alignment"), _("Influence")


def is_high(value: int) -> bool:
    """A 3 on a 1-5 scale sits on the dividing line; it counts as high (at least moderate)."""
    return value >= 3


def placement(stakeholder, mode: str) -> tuple[int, int] | None:
    """(horizontal, vertical) scores, or None when the horizontal one is missing."""
    horizontal = stakeholder.interest if mode == "power_interest" else stakeholder.alignment
    if horizontal is None:
        return None
    return horizontal, stakeholder.influence


def stakeholder_grid(stakeholders: Sequence, mode: str) -> SafeString:
    """A 1-5 by 1-5 grid cut in four quadrants, each stakeholder a dot coloured by sector."""
    size, margin = 560.0, 56.0
    inner = size - 2 * margin

    def x_of(value: float) -> float:
        return margin + (value - 0.5) / 5 * inner

    def y_of(value: float) -> float:
        return size - margin - (value - 0.5) / 5 * inner

    horizontal_title, vertical_title = axis_labels(mode)
    labels = quadrant_labels(mode)
    mid_x, mid_y = x_of(3), y_of(3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_number(size)} {_number(size)}" class="stakeholder-grid" '
        'role="img" aria-labelledby="tq-grid-title tq-grid-desc" font-family="system-ui, sans-serif">',
        f'<title id="tq-grid-title">{escape(_("Stakeholder map"))}</title>',
        '<desc id="tq-grid-desc">' + escape(
            _("%(vertical)s from bottom to top and %(horizontal)s from left to right, 1 to 5; the lines at 3 divide four quadrants. The table lists the same stakeholders.")
            % {"vertical": vertical_title, "horizontal": horizontal_title}
        ) + "</desc>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<rect x="{_number(margin)}" y="{_number(margin)}" width="{_number(mid_x - margin)}" height="{_number(mid_y - margin)}" fill="#fff3d6"/>',
        f'<rect x="{_number(mid_x)}" y="{_number(margin)}" width="{_number(size - margin - mid_x)}" height="{_number(mid_y - margin)}" fill="#dcefe3"/>',
        f'<rect x="{_number(margin)}" y="{_number(mid_y)}" width="{_number(mid_x - margin)}" height="{_number(size - margin - mid_y)}" fill="#f4f4f5"/>',
        f'<rect x="{_number(mid_x)}" y="{_number(mid_y)}" width="{_number(size - margin - mid_x)}" height="{_number(size - margin - mid_y)}" fill="#e8f1fa"/>',
        f'<rect x="{_number(margin)}" y="{_number(margin)}" width="{_number(inner)}" height="{_number(inner)}" fill="none" stroke="#545b66"/>',
        f'<line x1="{_number(mid_x)}" y1="{_number(margin)}" x2="{_number(mid_x)}" y2="{_number(size - margin)}" stroke="#545b66" stroke-dasharray="5 4"/>',
        f'<line x1="{_number(margin)}" y1="{_number(mid_y)}" x2="{_number(size - margin)}" y2="{_number(mid_y)}" stroke="#545b66" stroke-dasharray="5 4"/>',
        '<g font-size="12" fill="#545b66" font-style="italic">',
        f'<text x="{_number(margin + 6)}" y="{_number(margin + 16)}">{escape(labels[(True, False)])}</text>',
        f'<text x="{_number(size - margin - 6)}" y="{_number(margin + 16)}" text-anchor="end">{escape(labels[(True, True)])}</text>',
        f'<text x="{_number(margin + 6)}" y="{_number(size - margin - 8)}">{escape(labels[(False, False)])}</text>',
        f'<text x="{_number(size - margin - 6)}" y="{_number(size - margin - 8)}" text-anchor="end">{escape(labels[(False, True)])}</text>',
        "</g>",
        '<g font-size="11" fill="#1c1f24">',
    ]
    for value in range(1, 6):
        parts.append(f'<text x="{_number(x_of(value))}" y="{_number(size - margin + 16)}" text-anchor="middle">{value}</text>')
        parts.append(f'<text x="{_number(margin - 10)}" y="{_number(y_of(value) + 4)}" text-anchor="end">{value}</text>')
    parts.append(f'<text x="{_number(size / 2)}" y="{_number(size - 12)}" text-anchor="middle" font-size="13" font-weight="600">{escape(horizontal_title)}</text>')
    parts.append(f'<text x="16" y="{_number(size / 2)}" text-anchor="middle" font-size="13" font-weight="600" transform="rotate(-90 16 {_number(size / 2)})">{escape(vertical_title)}</text>')
    parts.append("</g>")

    # Stakeholders on the same point are spread on a small circle around it.
    by_point: dict[tuple[int, int], list] = {}
    for stakeholder in stakeholders:
        point = placement(stakeholder, mode)
        if point is not None:
            by_point.setdefault(point, []).append(stakeholder)
    dots: list[tuple[float, float, Any]] = []
    for (horizontal, vertical), group in sorted(by_point.items()):
        cx, cy = x_of(horizontal), y_of(vertical)
        for index, stakeholder in enumerate(group):
            if len(group) > 1:
                angle = 2 * math.pi * index / len(group)
                spread = 12 + 2 * len(group)
                dots.append((cx + spread * math.cos(angle), cy + spread * math.sin(angle), stakeholder))
            else:
                dots.append((cx, cy, stakeholder))
    parts.append('<g stroke="#1c1f24" stroke-width="0.75">')
    for px, py, stakeholder in dots:
        sector = label_for(Sector, stakeholder.sector)
        parts.append(
            f'<circle cx="{_number(px)}" cy="{_number(py)}" r="7" fill="{SECTOR_COLORS.get(stakeholder.sector, OTHER_COLOR)}">'
            f'<title>{escape(f"{stakeholder.name} · {sector}")}</title></circle>'
        )
    parts.append("</g>")
    # Names where they cover no other name or dot, inside the grid's box; the table lists them all.
    xs, ys = [dot[0] for dot in dots], [dot[1] for dot in dots]
    order = sorted(range(len(dots)), key=lambda i: (-dots[i][2].influence, dots[i][2].name))
    labels = _place_labels(order, xs, ys, [7.0] * len(dots), [dots[i][2].name for i in order], 11,
                           # Inside the axes, so that no name hides a tick's number.
                           (margin, 0.0, size, size - margin), [(x, y, 7.0) for x, y in zip(xs, ys, strict=True)])
    parts.append('<g font-size="11" fill="#1c1f24" stroke="#ffffff" stroke-width="3" paint-order="stroke">')
    for x, y, anchor, text in labels:
        parts.append(f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append("</g></svg>")
    return mark_safe("".join(parts))
