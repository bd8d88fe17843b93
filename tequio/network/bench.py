"""Benchmark data for the network: 50,000 ties among the 2,000 organizations at scale 1.

Ties stay inside each generated community (a tie joins two organizations of one
community), so they are shared out in proportion to each community's organizations
(about fifty partners per organization at scale 1, fewer where a small community cannot
hold them); the largest community (a fifth of all organizations) carries the most. Inside a community, partners are drawn with
heavy-tailed activity (a few hubs, many organizations with few ties) and the convener
organization is tied to a fifth of the members, as in real programs. Written with
``bulk_create``; the measures of every community are then computed and cached, as the
background task would, so that ``bench pages`` reads the cache.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.urls import reverse

from tequio.core.models import Organization

from . import services
from .models import DIRECTED_BY_DEFAULT, Tie, TieOrigin, TieType
from .params import NetworkParams

TIES_PER_SCALE = 50_000
MAX_DENSITY = 0.9
TYPES = TieType.values
TYPE_WEIGHTS = [30, 25, 15, 12, 8, 10]


def allocate(total: int, sizes: list[int]) -> list[int]:
    """Ties per community in proportion to its organizations, none above MAX_DENSITY.

    Proportional to size, so that an organization has about as many partners in a large
    community as in a small one; what a small community cannot hold goes to the others.
    """
    caps = [int(n * (n - 1) // 2 * MAX_DENSITY) for n in sizes]
    total = min(total, sum(caps))
    shares = [0] * len(sizes)
    remaining, open_ = total, [i for i, cap in enumerate(caps) if cap > 0]
    while remaining > 0 and open_:
        weight = sum(sizes[i] for i in open_)
        given = 0
        for i in open_:
            extra = min(caps[i] - shares[i], max(1, math.floor(remaining * sizes[i] / weight)), remaining - given)
            shares[i] += extra
            given += extra
        remaining -= given
        open_ = [i for i in open_ if shares[i] < caps[i]]
        if given == 0:
            break
    return shares


def _pairs(rng, members: list[int], count: int, convener: int | None) -> list[tuple[int, int]]:
    n = len(members)
    chosen: set[tuple[int, int]] = set()
    if convener is not None and n > 5:
        for other in rng.sample([m for m in members if m != convener], k=min(n - 1, n // 5, count)):
            chosen.add((min(convener, other), max(convener, other)))
    activity = [rng.lognormvariate(0, 1) for _ in members]
    while len(chosen) < count:
        for a, b in zip(rng.choices(members, weights=activity, k=256), rng.choices(members, weights=activity, k=256),
                        strict=True):
            if a != b and len(chosen) < count:
                chosen.add((min(a, b), max(a, b)))
        if len(chosen) < count and len(chosen) > 0.8 * n * (n - 1) / 2:
            # Weighted draws stall near saturation: finish with uniform ones.
            for a in members:
                for b in members:
                    if a < b and len(chosen) < count and rng.random() < 0.5:
                        chosen.add((a, b))
    return sorted(chosen)


def bench_generate(*, bench) -> None:
    """Write the ties of every generated community, then cache each community's measures."""
    communities = list(bench.communities)
    members = {
        community.pk: list(Organization.objects.filter(community=community).order_by("id").values_list("id", flat=True))
        for community in communities
    }
    shares = allocate(round(TIES_PER_SCALE * bench.scale), [len(members[c.pk]) for c in communities])
    start = bench.start.date()
    rows: list[Tie] = []
    for community, count in zip(communities, shares, strict=True):
        rng = bench.random(f"network:{community.slug}")
        for a, b in _pairs(rng, members[community.pk], count, community.convener_organization_id):
            tie_type = rng.choices(TYPES, weights=TYPE_WEIGHTS)[0]
            directed = tie_type in DIRECTED_BY_DEFAULT
            source, target = (b, a) if directed and rng.random() < 0.5 else (a, b)
            started = start + timedelta(days=rng.randint(0, 4 * 365))
            ended = started + timedelta(days=rng.randint(60, 900)) if rng.random() < 0.08 else None
            confirmed = rng.random()
            moment = bench.start + timedelta(days=(started - start).days)
            rows.append(Tie(
                community=community, source_id=source, target_id=target, type=tie_type, directed=directed,
                started_on=started, ended_on=ended, origin=rng.choice([TieOrigin.CONVENING, TieOrigin.MANUAL, TieOrigin.SURVEY]),
                source_confirmed_at=moment, target_confirmed_at=moment if confirmed < 0.7 else None,
                created_at=moment,
            ))
    Tie.objects.bulk_create(rows, batch_size=5000)
    Tie.objects.filter(community__in=communities).update(updated_at=bench.start)
    for community in communities:
        services.snapshot_request(community=community, params=NetworkParams(), background=False)


def bench_pages(*, community, user) -> list[tuple[str, str]]:
    slug = community.slug
    return [
        ("network map", reverse("network:map", args=[slug])),
        ("network ties", reverse("network:ties", args=[slug])),
    ]
