"""The benchmark data and ``tequio bench network``, at a tiny scale."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tequio.bench.generate import BenchData
from tequio.core import services as core
from tequio.network import bench_db
from tequio.network.bench import allocate, bench_generate, bench_pages
from tequio.network.models import MetricSnapshot, SnapshotStatus, Tie
from tequio.testing.personas import make_user


def test_ties_are_shared_by_size_and_small_communities_are_not_overfilled():
    sizes = [40, 20, 10, 4]
    shares = allocate(600, sizes)
    assert sum(shares) == 600
    assert shares[3] <= int(4 * 3 / 2 * 0.9)  # a community of four holds at most five ties
    assert shares[0] > shares[1] > shares[2]
    assert allocate(10_000, [3, 3]) == [2, 2]  # more than fits: everything that fits


def _bench_community(slug: str, organizations: int):
    owner = make_user(f"{slug}@bench.test")
    community = core.community_create(actor=owner, name=slug, slug=slug, convener_organization_name=f"Convener {slug}")
    for i in range(organizations - 1):
        core.organization_create(actor=owner, community=community, name=f"{slug} org {i}", kind="cso")
    return community


def test_generated_ties_stay_inside_each_community_and_their_measures_are_cached(db, capsys):
    communities = [_bench_community("bench-001", 30), _bench_community("bench-002", 12)]
    data = BenchData(scale=0.005, seed=7, communities=communities,
                     start=datetime(2020, 1, 6, 9, tzinfo=ZoneInfo("America/Mexico_City")))
    bench_generate(bench=data)
    assert Tie.objects.count() == 250
    for tie in Tie.objects.select_related("source", "target"):
        assert tie.source.community_id == tie.target.community_id == tie.community_id
    assert MetricSnapshot.objects.filter(status=SnapshotStatus.READY).count() == 2
    assert [name for name, _path in bench_pages(community=communities[0], user=None)] == ["network map", "network ties"]

    lines: list[str] = []
    code = bench_db.main(["--no-baseline", "--repeat", "1"], write=lines.append)
    text = "\n".join(lines)
    assert "2 communities, 42 organizations, 250 tie records" in text
    assert "load from the database:" in text and "igraph suite:" in text
    assert code in {0, 1}
