"""Benchmarks of the consultations capability.

* ``bench_generate(bench=...)``: 100,000 consultation votes per unit of scale, in one
  consultation of the largest generated community (2,000 participants per unit, members
  first, the rest invited by link), with three latent opinion camps; the opinion groups
  are computed once, as the task worker would.
* ``bench_pages(community=..., user=...)``: the vote, results and report pages, timed by
  ``tequio bench pages`` against the demo's consultation and the generated one.
* ``vote_bench()`` (``tequio bench consultations``): votes cast through the real view
  on 127.0.0.1 (gunicorn, one sync worker), round-robin with the trivial ``/healthz``
  view, while the task worker recomputes the opinion groups of the same consultation.
  The bar: the vote's p95 within ``BAR`` times the trivial view's, and every vote stored.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import get_random_string

from tequio.core import choices
from tequio.core.models import Membership

from .analysis import build_vote_matrix
from .analysis.bench import Size, synthesize
from .models import (
    AnalysisSnapshot,
    Audience,
    Consultation,
    ConsultationState,
    Participant,
    ParticipantKind,
    Statement,
    StatementStatus,
    Vote,
)

VOTES_PER_SCALE = 100_000
PARTICIPANTS_PER_SCALE = 2_000
STATEMENTS = 250
BAR = 5.0
QUESTION = "¿Qué debe priorizar la comunidad? (datos generados para las pruebas de rendimiento)"
PARTICIPATING = [choices.Role.CONVENER, choices.Role.STEWARD, choices.Role.MEMBER, choices.Role.ALLY]


def bench_generate(*, bench) -> Consultation:
    """Write one large consultation in the largest generated community (see the module docstring)."""
    from . import services

    community = bench.communities[0]
    n_participants = max(20, round(PARTICIPANTS_PER_SCALE * bench.scale))
    n_statements = max(20, round(STATEMENTS * bench.scale ** 0.5))
    n_votes = min(round(VOTES_PER_SCALE * bench.scale), n_participants * n_statements // 2)
    rng = bench.random("consultations")
    seed = rng.randrange(2**31)
    data = synthesize(Size("bench", n_participants, n_statements, n_votes, 3), seed=seed)
    matrix = build_vote_matrix(data.participants, data.statements, data.votes, n_participants=n_participants,
                               n_statements=n_statements)
    start = bench.start
    consultation = Consultation.objects.create(
        community=community, question=QUESTION, language="es", audience=Audience.INVITED, state=ConsultationState.OPEN,
        created_at=start, context="Datos generados para las pruebas de rendimiento.",
    )
    statements = Statement.objects.bulk_create([
        Statement(consultation=consultation, number=number, text=f"Afirmación generada número {number + 1}.",
                  fingerprint=services.statement_fingerprint(f"Afirmación generada número {number + 1}."),
                  is_seed=True, status=StatementStatus.ACCEPTED, created_at=start)
        for number in range(n_statements)
    ], batch_size=2000)
    members = list(bench.members_by_community.get(community.pk, []))[:n_participants]
    participants = Participant.objects.bulk_create([
        Participant(
            consultation=consultation, number=number, created_at=start + timedelta(minutes=number),
            **({"kind": ParticipantKind.MEMBER, "user_id": members[number]} if number < len(members) else
               {"kind": ParticipantKind.INVITED,
                "token_hash": hashlib.sha256(f"bench:{consultation.pk}:{number}".encode()).hexdigest()}),
        )
        for number in range(n_participants)
    ], batch_size=2000)
    offsets = rng.sample(range(60 * 24 * 30), k=min(matrix.n_votes, 60 * 24 * 30))
    votes = []
    for position, (row, col, value) in enumerate(zip(matrix.rows.tolist(), matrix.cols.tolist(), matrix.values.tolist(),
                                                     strict=True)):
        when = start + timedelta(minutes=offsets[position % len(offsets)])
        votes.append(Vote(consultation=consultation, participant=participants[row], statement=statements[col],
                          value=value, created_at=when, updated_at=when))
    Vote.objects.bulk_create(votes, batch_size=5000)
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    return consultation


def _consultation_of(community) -> Consultation | None:
    return (Consultation.objects.active().filter(community=community, state=ConsultationState.OPEN)
            .order_by("-pk").first())


def bench_pages(*, community, user) -> list:
    """The consultation pages of the community's newest open consultation."""
    from tequio.bench.pages import BenchPage

    consultation = _consultation_of(community)
    if consultation is None:
        return []
    args = [community.slug, consultation.pk]
    return [
        BenchPage("consultation vote", reverse("consultations:vote", args=args)),
        BenchPage("consultation results", reverse("consultations:results", args=args)),
        BenchPage("consultation report", reverse("consultations:report", args=args)),
    ]


# --- votes through the real view ------------------------------------------------------------------

def _percentile(samples: list[float], share: float) -> float:
    from tequio.bench.pages import percentile

    return percentile(samples, share)


def _request(port: int, method: str, path: str, headers: dict[str, str], body: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _plan(consultation: Consultation, voters: list, total: int) -> list[tuple[object, int, int]]:
    """(user, statement id, value) for ``total`` new votes, voters taking turns."""
    accepted = list(Statement.objects.filter(consultation=consultation, status=StatementStatus.ACCEPTED)
                    .order_by("number").values_list("pk", flat=True))
    pending: dict[int, list[int]] = {}
    for user in voters:
        seen = set(Vote.objects.filter(consultation=consultation, participant__user=user).values_list("statement_id", flat=True))
        pending[user.pk] = [pk for pk in accepted if pk not in seen]
    plan = []
    rng = np.random.default_rng(7)
    while len(plan) < total:
        progressed = False
        for user in voters:
            if pending[user.pk] and len(plan) < total:
                plan.append((user, pending[user.pk].pop(0), int(rng.choice([1, -1, 0]))))
                progressed = True
        if not progressed:
            raise LookupError(f"the voters have only {len(plan)} statements left to vote on; regenerate the data")
    return plan


def vote_bench(*, votes: int = 300, warmup: int = 20, worker: bool = True, write: Callable[[str], None] = print) -> bool:
    """Cast votes through the vote view over HTTP and compare their p95 with /healthz's."""
    from tequio.bench.generate import SLUG_PREFIX
    from tequio.bench.pages import Server, largest_bench_community, signed_in_client

    community = largest_bench_community()
    consultation = _consultation_of(community) if community is not None else None
    if consultation is None or not community.slug.startswith(SLUG_PREFIX):
        raise LookupError("no benchmark data: run `tequio bench generate` first")
    voters = [m.user for m in Membership.objects.active().filter(community=community, role__in=PARTICIPATING)
              .select_related("user").order_by("pk")[:60]]
    plan = _plan(consultation, voters, warmup + votes)
    token = get_random_string(32)
    cookies = {}
    for user in voters:
        client = signed_in_client(user)
        cookies[user.pk] = (f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
                            f"{settings.CSRF_COOKIE_NAME}={token}")
    snapshot = AnalysisSnapshot.objects.only("generation").get(consultation=consultation)
    generation = snapshot.generation
    vote_count = Vote.objects.filter(consultation=consultation).count()
    path = reverse("consultations:vote", args=[community.slug, consultation.pk])
    healthz = reverse("core:healthz")

    server = Server()
    worker_process = None
    if worker:
        env = {**os.environ, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "tequio.settings"}
        db = settings.DATABASES["default"]
        if not env.get("DATABASE_URL") and db["ENGINE"].endswith("sqlite3"):
            env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
        worker_process = subprocess.Popen(
            [sys.executable, "-m", "tequio.cli", "db_worker", "--no-startup-delay", "--interval", "0.5", "--no-reload"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    samples: dict[str, list[float]] = {"trivial": [], "vote": []}
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    try:
        server.wait()
        for index, (user, statement_id, value) in enumerate(plan):
            headers = {"Cookie": cookies[user.pk], "Accept-Language": "es"}
            t0 = time.perf_counter()
            status = _request(server.port, "GET", healthz, headers)
            t1 = time.perf_counter()
            body = urlencode({"csrfmiddlewaretoken": token, "statement": statement_id,
                              "vote": {1: "agree", -1: "disagree", 0: "pass"}[value]})
            vote_status = _request(server.port, "POST", path,
                                   {**headers, "Content-Type": "application/x-www-form-urlencoded"}, body)
            t2 = time.perf_counter()
            statuses[vote_status] = statuses.get(vote_status, 0) + 1
            if status != 200:
                raise RuntimeError(f"/healthz answered {status}")
            if index >= warmup:
                samples["trivial"].append((t1 - t0) * 1000)
                samples["vote"].append((t2 - t1) * 1000)
        elapsed = time.perf_counter() - started
        # Let the worker finish the recomputation the votes asked for.
        deadline = time.monotonic() + 60
        while worker and time.monotonic() < deadline:
            if not Consultation.objects.filter(pk=consultation.pk, analysis_queued=True).exists():
                break
            time.sleep(0.5)
    finally:
        server.stop()
        if worker_process is not None:
            worker_process.terminate()
            try:
                worker_process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker_process.kill()
                worker_process.wait()

    stored = Vote.objects.filter(consultation=consultation).count() - vote_count
    wanted = {(user.pk, statement_id): value for user, statement_id, value in plan}
    found = Vote.objects.filter(consultation=consultation, participant__user__in=voters).filter(
        Q(statement_id__in={statement for _user, statement in wanted})).values_list("participant__user_id", "statement_id", "value")
    matching = sum(1 for user_id, statement_id, value in found if wanted.get((user_id, statement_id)) == value)
    after = AnalysisSnapshot.objects.only("generation", "vote_count").get(consultation=consultation)
    recomputations = after.generation - generation

    trivial_p95, vote_p95 = _percentile(samples["trivial"], 0.95), _percentile(samples["vote"], 0.95)
    ratio = vote_p95 / trivial_p95
    lost = len(plan) - matching
    write("")
    write(f"Votes through the real view: {community.slug}, consultation {consultation.pk} "
          f"({vote_count:,} votes before the run); {len(voters)} signed-in voters taking turns.")
    write(f"{votes} timed votes after {warmup} warm-up, each after one /healthz request; gunicorn, 1 sync worker, "
          f"DEBUG off, {connection.vendor}; task worker {'running' if worker else 'off'}.")
    header = f"{'request':<24}{'median ms':>10}{'p95 ms':>9}{'p95/trivial':>13}"
    write(header)
    write("-" * len(header))
    write(f"{'trivial (/healthz)':<24}{statistics.median(samples['trivial']):>10.1f}{trivial_p95:>9.1f}{1:>13.2f}")
    write(f"{'vote (POST, redirect)':<24}{statistics.median(samples['vote']):>10.1f}{vote_p95:>9.1f}{ratio:>13.2f}")
    write(f"Throughput: {len(plan) / elapsed:.0f} votes/s sequential (one client, each vote after a /healthz request).")
    write(f"Answers: {statuses}. Stored: {stored} new rows, {matching} of {len(plan)} votes as cast ({lost} lost). "
          f"Opinion groups recomputed {recomputations} time(s) during the run (last with {after.vote_count:,} votes).")
    passed = ratio <= BAR and lost == 0 and statuses.get(302, 0) == len(plan)
    write(f"{'PASS' if passed else 'FAIL'}: vote p95 <= {BAR:g} x trivial p95, and every vote stored.")
    return passed
