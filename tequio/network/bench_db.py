"""``tequio bench network``: the metric suite against the benchmark database.

Prints, for the ties ``tequio bench generate`` wrote (50,000 among 2,000 organizations
at scale 1, community by community as the background task computes them):

* the time to load every community's graph from the database, through the same
  selector the background task uses (two queries per community);
* the time of the full metric suite (igraph) on each community's network as it stands
  on the benchmark day;
* the time of the same suite written with networkx, in the same run, and whether both
  agree on the figures they share.

Each of the three is measured ``--repeat`` times from a fresh load (nothing cached
between rounds) and the best round is kept, so that another process on the machine
does not decide the verdict. Bars (exit status 1 when missed): the igraph suite at least
10x faster than networkx, and loading no longer than the computation.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from django.utils import timezone

from tequio.core.models import Community

from .analysis.bench import REQUIRED_RATIO, _agreement, networkx_suite
from .analysis.graph import network_at
from .analysis.suite import metric_suite
from .selectors import network_load

SLUG_PREFIX = "bench-"


def _load(communities):
    started = time.perf_counter()
    loaded = [(community, network_load(community)) for community in communities]
    return time.perf_counter() - started, loaded


def _suite(snapshots):
    started = time.perf_counter()
    suites = [metric_suite(net, group_attribute="kind", convener=community.convener_organization_id)
              for community, net in snapshots]
    return time.perf_counter() - started, suites


def _baseline(snapshots, suites) -> tuple[float, set[str]]:
    seconds, problems = 0.0, set()
    for (community, net), suite in zip(snapshots, suites, strict=True):
        if net.n < 3:
            continue
        started = time.perf_counter()
        theirs = networkx_suite(net, group_attribute="kind", convener=community.convener_organization_id)
        seconds += time.perf_counter() - started
        if suite.summary.ties:
            problems.update(_agreement(suite, theirs))
    return seconds, problems


def main(argv: list[str] | None = None, write: Callable[[str], None] = print) -> int:
    """Run the benchmark on the current database; 0 when both bars are met."""
    parser = argparse.ArgumentParser(prog="tequio bench network", description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the networkx run (no speed ratio)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is kept")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    communities = list(Community.objects.active().filter(slug__startswith=SLUG_PREFIX).order_by("id"))
    if not communities:
        write("No benchmark data: run `tequio bench generate` first.")
        return 2
    day = timezone.localdate()
    load_times, suite_times, baseline_times, problems = [], [], [], set()
    for _round in range(args.repeat):
        seconds, loaded = _load(communities)
        load_times.append(seconds)
        snapshots = [(community, network_at(item.net, day)) for community, item in loaded]
        seconds, suites = _suite(snapshots)
        suite_times.append(seconds)
        if not args.no_baseline:
            seconds, found = _baseline(snapshots, suites)
            baseline_times.append(seconds)
            problems |= found

    organizations = sum(item.net.n for _c, item in loaded)
    records = sum(len(item.net.ties) for _c, item in loaded)
    largest_community, largest = max(snapshots, key=lambda pair: len(pair[1].ties))
    write(f"Benchmark data: {len(communities)} communities, {organizations:,} organizations, {records:,} tie records.")
    write(f"snapshot {day.isoformat()}: {sum(net.n for _c, net in snapshots):,} organizations, "
          f"{sum(len(net.ties) for _c, net in snapshots):,} active ties, "
          f"{sum(len(net.pairs) for _c, net in snapshots):,} connected pairs; largest community "
          f"{largest_community.slug}: {largest.n:,} organizations, {len(largest.pairs):,} pairs")
    write(f"best of {args.repeat} rounds, each from a fresh load:")
    load_seconds, suite_seconds = min(load_times), min(suite_times)
    write(f"  load from the database:  {load_seconds:8.2f} s  (selectors.network_load, 2 queries per community)")
    write(f"  igraph suite:            {suite_seconds:8.2f} s  (all communities)")
    load_ok = load_seconds <= suite_seconds
    write(f"  loading / computation:   {load_seconds / suite_seconds:8.2f}    "
          f"(required <= 1: {'ok' if load_ok else 'BELOW REQUIREMENT'})")
    if args.no_baseline:
        return 0 if load_ok else 1
    baseline_seconds = min(baseline_times)
    ratio = baseline_seconds / suite_seconds if suite_seconds else float("inf")
    write(f"  networkx suite:          {baseline_seconds:8.2f} s  (same snapshots, same run)")
    write("  agreement on shared figures: " + ("ok" if not problems else "DIFFERS in " + ", ".join(sorted(problems))))
    ratio_ok = ratio >= REQUIRED_RATIO
    write(f"  speed ratio networkx / igraph: {ratio:.1f}x (required >= {REQUIRED_RATIO:.0f}x: "
          f"{'ok' if ratio_ok else 'BELOW REQUIREMENT'})")
    passed = ratio_ok and load_ok and not problems
    write("PASS" if passed else "FAIL")
    return 0 if passed else 1
