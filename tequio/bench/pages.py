"""Time the main pages against national-scale data, relative to a trivial view.

Two measurements, both in one run:

* **Query counts**, in process, through Django's test ``Client`` (the whole middleware
  stack) under ``CaptureQueriesContext``: each page is counted for a small community
  (the demo's first group) and for the largest generated one, signed in as a steward of
  each. The counts must be equal: a page whose count grows with the data has an N+1.
* **Latency**, over HTTP against a real gunicorn server (one sync worker, ``DEBUG`` off)
  on a free local port, with a bounded number of sequential requests per page from
  ``http.client``, round-robin with the trivial view (``/healthz``) so that any drift of
  the machine affects every page alike. Each page's p95 must stay within ``BAR`` times
  the trivial view's p95.

Capability apps add pages through their manifest's ``bench_pages(community=..., user=...)``
hook, which returns ``BenchPage`` items (or ``(name, path)`` pairs).
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tequio.core import choices, registry
from tequio.core.demo import GROUP_1
from tequio.core.models import Community, Membership, Organization, Person

from .generate import SLUG_PREFIX

BAR = 5.0  # a page's p95 may be at most this many times the trivial view's p95
TRIVIAL = "trivial (/healthz)"


@dataclass(frozen=True)
class BenchPage:
    name: str
    path: str


@dataclass
class Target:
    """A community to measure, the account that signs in, and its pages."""

    community: Community
    user: object
    pages: list[BenchPage]
    organizations: int = 0
    people: int = 0
    members: int = 0


def core_pages(community: Community, person: Person, organization: Organization) -> list[BenchPage]:
    slug = community.slug
    return [
        BenchPage("community home", reverse("core:community_home", args=[slug])),
        BenchPage("goals", reverse("core:goals", args=[slug])),
        BenchPage("organizations", reverse("core:organizations", args=[slug])),
        BenchPage("organization detail", reverse("core:organization_detail", args=[slug, organization.pk])),
        BenchPage("people", reverse("core:people", args=[slug])),
        BenchPage("person detail", reverse("core:person_detail", args=[slug, person.pk])),
        BenchPage("charter", reverse("core:charter", args=[slug])),
        BenchPage("peer groups", reverse("core:peer_groups", args=[slug])),
        BenchPage("members", reverse("core:members", args=[slug])),
        BenchPage("audit log", reverse("core:audit", args=[slug])),
    ]


def target_for(community: Community) -> Target:
    """Sign in as the community's first steward; open its busiest organization and person."""
    steward = (
        Membership.objects.active().filter(community=community, role=choices.Role.STEWARD)
        .select_related("user").order_by("pk").first()
    )
    if steward is None:
        raise LookupError(f"{community.slug} has no steward to sign in as")
    organization = (
        Organization.objects.active().filter(community=community)
        .annotate(n=Count("affiliations")).order_by("-n", "pk").first()
    )
    person = (
        Person.objects.active().filter(community=community)
        .annotate(n=Count("affiliations")).order_by("-n", "pk").first()
    )
    pages = core_pages(community, person, organization)
    for capability in registry.capabilities():
        if capability.bench_pages:
            for page in capability.bench_pages(community=community, user=steward.user):
                pages.append(page if isinstance(page, BenchPage) else BenchPage(*page))
    return Target(
        community=community, user=steward.user, pages=pages,
        organizations=Organization.objects.active().filter(community=community).count(),
        people=Person.objects.active().filter(community=community).count(),
        members=Membership.objects.active().filter(community=community).count(),
    )


def largest_bench_community() -> Community | None:
    return (
        Community.objects.active().filter(slug__startswith=SLUG_PREFIX)
        .annotate(n=Count("people", filter=Q(people__removed_at__isnull=True)))
        .order_by("-n", "pk").first()
    )


def demo_community() -> Community | None:
    return Community.objects.active().filter(slug=GROUP_1.slug).first()


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def query_counts(target: Target) -> dict[str, int]:
    """Each page's query count, signed in as the target's user (after one warm-up request)."""
    client = signed_in_client(target.user)
    counts = {}
    for page in target.pages:
        client.get(page.path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        if response.status_code != 200:
            raise RuntimeError(f"{page.name} ({page.path}) answered {response.status_code}")
        counts[page.name] = len(queries.captured_queries)
    return counts


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: a value actually observed, never interpolated."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving this project on a free local port, as ``tequio serve`` would."""

    def __init__(self) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="tequio-bench-", suffix=".log", delete=False)  # noqa: SIM115
        env = {**os.environ, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "tequio.settings"}
        db = settings.DATABASES["default"]
        if not env.get("DATABASE_URL") and db["ENGINE"].endswith("sqlite3"):
            env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "tequio.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--log-level", "warning"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log.name}")
            try:
                status, _body = self.get("/healthz", {})
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s; see {self.log.name}")

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        os.unlink(self.log.name)


def latencies(server: Server, cookie: str, pages: list[BenchPage], *, rounds: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds per request, for the trivial view and each page, round-robin."""
    headers = {"Cookie": cookie, "Accept-Encoding": "gzip", "Accept-Language": "es"}
    plan = [BenchPage(TRIVIAL, reverse("core:healthz")), *pages]
    samples: dict[str, list[float]] = {page.name: [] for page in plan}
    for round_number in range(warmup + rounds):
        for page in plan:
            started = time.perf_counter()
            status, _body = server.get(page.path, headers)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise RuntimeError(f"{page.name} ({page.path}) answered {status} over HTTP")
            if round_number >= warmup:
                samples[page.name].append(elapsed)
    return samples


@dataclass
class Row:
    name: str
    queries_demo: int | None
    queries_scale: int | None
    median: float
    p95: float
    ratio: float

    @property
    def queries_ok(self) -> bool:
        return self.queries_demo == self.queries_scale

    @property
    def latency_ok(self) -> bool:
        return self.ratio <= BAR

    @property
    def passed(self) -> bool:
        return self.name == TRIVIAL or (self.queries_ok and self.latency_ok)


def run(*, rounds: int = 200, warmup: int = 5, write: Callable[[str], None] = print) -> bool:
    """Measure and print every page; True when every page meets both bars."""
    big_community = largest_bench_community()
    small_community = demo_community()
    if big_community is None or small_community is None:
        raise LookupError("no benchmark data: run `tequio bench generate` first")
    big, small = target_for(big_community), target_for(small_community)
    demo_counts, scale_counts = query_counts(small), query_counts(big)
    if [page.name for page in small.pages] != [page.name for page in big.pages]:
        raise RuntimeError("the demo and the generated community do not have the same pages")

    client = signed_in_client(big.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    server = Server()
    try:
        server.wait()
        samples = latencies(server, cookie, big.pages, rounds=rounds, warmup=warmup)
    finally:
        server.stop()

    trivial_p95 = percentile(samples[TRIVIAL], 0.95)
    rows = [Row(TRIVIAL, None, None, statistics.median(samples[TRIVIAL]), trivial_p95, 1.0)]
    for page in big.pages:
        p95 = percentile(samples[page.name], 0.95)
        rows.append(Row(page.name, demo_counts[page.name], scale_counts[page.name],
                        statistics.median(samples[page.name]), p95, p95 / trivial_p95))

    engine = connection.vendor
    write(f"Community measured: {big.community.name} ({big.community.slug}): {big.organizations} organizations, "
          f"{big.people} people, {big.members} members; signed in as a steward.")
    write(f"Query counts compared with the demo's {small.community.name} ({small.organizations} organizations, "
          f"{small.people} people, {small.members} members).")
    write(f"{rounds} requests per page after {warmup} warm-up rounds, round-robin; gunicorn, 1 sync worker, "
          f"DEBUG off, {engine}. Bar: p95 <= {BAR:g} x trivial p95, and equal query counts.")
    write("")
    header = f"{'page':<22} {'queries demo':>12} {'queries scale':>13} {'median ms':>10} {'p95 ms':>8} {'p95/trivial':>11}  result"
    write(header)
    write("-" * len(header))
    for row in rows:
        demo = "-" if row.queries_demo is None else str(row.queries_demo)
        scale = "-" if row.queries_scale is None else str(row.queries_scale)
        if row.name == TRIVIAL:
            verdict = "baseline"
        elif row.passed:
            verdict = "PASS"
        else:
            reasons = [reason for reason, ok in (("queries grow", row.queries_ok), ("too slow", row.latency_ok)) if not ok]
            verdict = "FAIL (" + ", ".join(reasons) + ")"
        write(f"{row.name:<22} {demo:>12} {scale:>13} {row.median:>10.1f} {row.p95:>8.1f} {row.ratio:>11.2f}  {verdict}")
    passed = all(row.passed for row in rows)
    write("")
    write("PASS: every page meets both bars." if passed else "FAIL: at least one page misses a bar.")
    return passed
