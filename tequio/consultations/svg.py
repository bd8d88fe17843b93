"""Geometry of the pictures drawn on the server: the opinion map and the vote bars.

The markup of the map and of the bars is written here rather than in template loops:
a map has hundreds of points and a results page dozens of bars, and Django's template
engine spends tens of milliseconds on that many lookups. Every text is escaped; every
number is a Python number, never localized (a Spanish "12,5" would break the drawing).
No script and no inline style: the CSP allows neither.
"""

from __future__ import annotations

import string
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe-Ito colours: told apart with the common colour-vision deficiencies.
GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MAP_WIDTH = 640
MAP_HEIGHT = 440
MAP_PADDING = 28


def group_letter(index: int) -> str:
    return string.ascii_uppercase[index] if 0 <= index < 26 else str(index + 1)


def group_label(index: int) -> str:
    return _("Group %(letter)s") % {"letter": group_letter(index)}


def group_colour(index: int) -> str:
    return GROUP_COLOURS[index % len(GROUP_COLOURS)] if index >= 0 else "#6b7280"


class _Scale:
    """Data coordinates to the picture, one scale for both axes so that distances stay true."""

    def __init__(self, bounds: list[float], width: int, height: int, padding: int) -> None:
        xmin, xmax, ymin, ymax = bounds
        span = max(xmax - xmin, ymax - ymin, 1e-9)
        self.scale = min(width - 2 * padding, height - 2 * padding) / span
        self.cx = width / 2 - (xmin + xmax) / 2 * self.scale
        self.cy = height / 2 + (ymin + ymax) / 2 * self.scale

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        # SVG's y grows downwards.
        return round(self.cx + x * self.scale, 1), round(self.cy - y * self.scale, 1)


def opinion_map(result: dict[str, Any], viewer: list[float] | None = None) -> dict[str, Any]:
    """Points, group hulls with their labels, and the viewer's own position."""
    bounds = list(result.get("bounds") or [0, 0, 0, 0])
    if viewer is not None:
        bounds = [min(bounds[0], viewer[0]), max(bounds[1], viewer[0]), min(bounds[2], viewer[1]), max(bounds[3], viewer[1])]
    scale = _Scale(bounds, MAP_WIDTH, MAP_HEIGHT, MAP_PADDING)
    groups = []
    for index, group in enumerate(result.get("groups", [])):
        hull = [scale(x, y) for x, y in group["hull"]]
        lx, ly = scale(*group["centre"])
        if hull:
            # Above the group's shape rather than on its dots (below it when at the top edge).
            top, bottom = min(y for _x, y in hull), max(y for _x, y in hull)
            ly = top - 22 if top - 22 > 16 else bottom + 30
        groups.append({
            "index": index, "letter": group_letter(index), "label": group_label(index), "colour": group_colour(index),
            "size": group["size"], "points": " ".join(f"{x},{y}" for x, y in hull), "label_x": lx, "label_y": ly,
        })
    points = [{"x": px, "y": py, "colour": group_colour(g)} for px, py, g in
              ((*scale(x, y), g) for x, y, g in result.get("points", []))]
    you = None
    if viewer is not None:
        vx, vy = scale(viewer[0], viewer[1])
        you = {"x": vx, "y": vy}
    geometry = {"width": MAP_WIDTH, "height": MAP_HEIGHT, "groups": groups, "points": points, "you": you}
    geometry["svg"] = _map_markup(geometry)
    return geometry


def _map_markup(geometry: dict[str, Any]) -> SafeString:
    width, height = geometry["width"], geometry["height"]
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="map-title map-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">',
        f'<title id="map-title">{escape(_("Opinion map"))}</title>',
        '<desc id="map-desc">' + escape(_("Each dot is a participant; people who vote alike are close together. "
                                            "The shaded areas are the opinion groups.")) + "</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for group in geometry["groups"]:
        parts.append(f'<polygon points="{group["points"]}" fill="{group["colour"]}" fill-opacity="0.12" '
                     f'stroke="{group["colour"]}" stroke-opacity="0.35" stroke-width="16" stroke-linejoin="round"/>')
    parts += [f'<circle cx="{point["x"]}" cy="{point["y"]}" r="3.5" fill="{point["colour"]}" fill-opacity="0.8"/>'
              for point in geometry["points"]]
    for group in geometry["groups"]:
        parts.append(f'<text x="{group["label_x"]}" y="{group["label_y"]}" dy="8" text-anchor="middle" font-size="24" '
                     f'font-weight="700" fill="{group["colour"]}" stroke="#ffffff" stroke-width="5" '
                     f'paint-order="stroke">{escape(group["letter"])}</text>')
    you = geometry["you"]
    if you:
        parts.append(f'<circle cx="{you["x"]}" cy="{you["y"]}" r="9" fill="none" stroke="#1c1f24" stroke-width="3"/>')
        parts.append(f'<text x="{you["x"]}" y="{you["y"]}" dx="13" dy="5" font-size="15" font-weight="700" '
                     f'fill="#1c1f24" stroke="#ffffff" stroke-width="4" paint-order="stroke">{escape(_("You"))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # safe: numbers and escaped text only


def _bar(label: str, colour: str, counts: list[int]) -> dict[str, Any]:
    agree, disagree, passes = (int(value) for value in counts)
    total = agree + disagree + passes
    if total:
        widths = [round(100 * value / total, 1) for value in (agree, disagree, passes)]
    else:
        widths = [0.0, 0.0, 0.0]
    percents = [round(width) for width in widths]
    return {
        "label": label, "colour": colour, "agree": agree, "disagree": disagree, "passes": passes, "total": total,
        "agree_width": widths[0], "disagree_width": widths[1], "pass_width": widths[2],
        "disagree_x": widths[0], "pass_x": round(widths[0] + widths[1], 1),
        "agree_percent": percents[0], "disagree_percent": percents[1], "pass_percent": percents[2],
    }


def vote_bars(counts: dict[str, Any] | None, labels: list[str] | None = None) -> list[dict[str, Any]]:
    """One bar for everyone, then one per group: agree, disagree and pass as shares of votes.

    ``labels``: "Everyone" then the group labels, translated once by the caller for a page
    that draws many bars."""
    if not counts:
        return []
    labels = labels or [_("Everyone"), *(group_label(index) for index in range(len(counts["groups"])))]
    bars = [_bar(labels[0], "#1c1f24", counts["all"])]
    bars += [_bar(labels[index + 1], group_colour(index), row) for index, row in enumerate(counts["groups"])]
    for row, bar in enumerate(bars):
        bar["y"] = row * 22
    return bars


def bars_markup(bars: list[dict[str, Any]]) -> SafeString:
    """A figure with one stacked bar per row (agree, disagree, pass) and its text equivalent."""
    if not bars:
        return mark_safe("")
    template = _("%(label)s: %(agree)s%% agree, %(disagree)s%% disagree, %(passed)s%% pass, of %(total)s votes.")
    parts = [f'<figure class="bars"><svg viewBox="0 0 340 {len(bars) * 22}" xmlns="http://www.w3.org/2000/svg" '
             'font-family="system-ui, sans-serif" font-size="12" aria-hidden="true">']
    sentences = []
    for bar in bars:
        label = escape(bar["label"])
        parts.append(
            f'<g transform="translate(0 {bar["y"]})"><text x="0" y="14" fill="{bar["colour"]}" font-weight="600">{label}</text>'
            '<svg x="132" y="2" width="140" height="16" viewBox="0 0 100 16" preserveAspectRatio="none">'
            '<rect width="100" height="16" fill="#eef0f2"/>'
            f'<rect x="0" width="{bar["agree_width"]}" height="16" fill="#1d6b3a"/>'
            f'<rect x="{bar["disagree_x"]}" width="{bar["disagree_width"]}" height="16" fill="#a3192b"/>'
            f'<rect x="{bar["pass_x"]}" width="{bar["pass_width"]}" height="16" fill="#b8bcc4"/></svg>'
            f'<text x="278" y="14" fill="#1c1f24">{bar["agree_percent"]}% · {bar["total"]}</text></g>'
        )
        sentences.append(escape(template % {
            "label": bar["label"], "agree": bar["agree_percent"], "disagree": bar["disagree_percent"],
            "passed": bar["pass_percent"], "total": bar["total"]}))
    parts.append('</svg><figcaption class="sr-only">' + " ".join(sentences) + "</figcaption></figure>")
    return mark_safe("".join(parts))  # safe: numbers and escaped text only


def _period_start(day, unit: str):
    if unit == "week":
        return day.fromordinal(day.toordinal() - day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_period(start, unit: str):
    from datetime import timedelta

    if unit == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start + timedelta(days=7 if unit == "week" else 1)


def timeline_bars(rows: list[list[Any]], *, limit: int = 60) -> dict[str, Any]:
    """Votes per day, per week, or per month (the smallest unit that draws at most
    ``limit`` bars), on a calendar: quiet days are empty bars, not left out, so that
    the picture shows when people took part."""
    from datetime import date

    entries = [(date.fromisoformat(day), votes, people) for day, votes, people in rows]
    first_day = min((day for day, _votes, _people in entries), default=None)
    last_day = max((day for day, _votes, _people in entries), default=None)
    unit = "day"
    if first_day is not None:
        span = (last_day - first_day).days + 1
        unit = "day" if span <= limit else "week" if span <= limit * 7 else "month"
    totals: dict[date, list[int]] = {}
    for day, votes, people in entries:
        total = totals.setdefault(_period_start(day, unit), [0, 0])
        total[0] += votes
        total[1] += people
    periods = []
    if first_day is not None:
        start, end = _period_start(first_day, unit), _period_start(last_day, unit)
        while start <= end:
            periods.append(start)
            start = _next_period(start, unit)
    # Months over more than five years: the latest ``limit`` (a consultation that long is rare).
    periods = periods[-limit:]
    peak = max((totals.get(period, [0])[0] for period in periods), default=0) or 1
    width = 640
    step = width / max(len(periods), 1)
    bars = []
    for index, period in enumerate(periods):
        votes, people = totals.get(period, [0, 0])
        height = round(120 * votes / peak, 1)
        # A bar stays a bar when there are only a few days.
        bars.append({"day": period, "votes": votes, "people": people, "x": round(index * step, 1),
                     "width": round(min(max(step - 2, 1), 24), 1), "height": height, "y": round(130 - height, 1)})
    timeline = {"bars": bars, "unit": unit, "by_week": unit == "week", "width": width, "peak": peak}
    timeline["svg"] = _timeline_markup(timeline)
    return timeline


def _timeline_markup(timeline: dict[str, Any]) -> SafeString:
    from django.utils.formats import date_format

    width = timeline["width"]
    title = {"day": _("Votes per day"), "week": _("Votes per week"), "month": _("Votes per month")}[timeline["unit"]]
    parts = [f'<svg viewBox="0 0 {width} 154" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" '
             f'font-size="18" role="img" aria-labelledby="timeline-title"><title id="timeline-title">{escape(title)}</title>']
    for bar in timeline["bars"]:
        parts.append(f'<rect x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" height="{bar["height"]}" fill="#8a3b12">'
                     f'<title>{bar["day"].isoformat()}: {bar["votes"]}</title></rect>')
    parts.append(f'<line x1="0" y1="130.5" x2="{width}" y2="130.5" stroke="#545b66"/>')
    if timeline["bars"]:
        first, last = timeline["bars"][0]["day"], timeline["bars"][-1]["day"]
        parts.append(f'<text x="0" y="152" fill="#1c1f24">{escape(date_format(first, "SHORT_DATE_FORMAT"))}</text>'
                     f'<text x="{width}" y="152" text-anchor="end" fill="#1c1f24">'
                     f'{escape(date_format(last, "SHORT_DATE_FORMAT"))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # safe: numbers and escaped text only
