"""The demo consultation, the benchmark data and pages, and the background task."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client

from tequio.consultations import bench, services, tasks
from tequio.consultations.models import AnalysisSnapshot, Consultation, Participant, Statement, Vote
from tequio.core.demo import demo_load
from tequio.core.models import Community


def test_the_demo_asks_the_first_community_its_priorities_and_finds_three_groups(db):
    demo_load()
    consultation = Consultation.objects.get(community__slug="aliadas")
    assert consultation.language == "es" and consultation.phase == "open" and consultation.moderation_required
    snapshot = consultation.analysis
    assert snapshot.group_count == 3
    assert all(group["size"] >= 8 for group in snapshot.result["groups"])
    assert snapshot.result["common_ground"], "the demo shows common ground"
    assert Participant.objects.filter(consultation=consultation, kind="invited", user__isnull=True).count() == 32
    assert set(Statement.objects.filter(consultation=consultation).values_list("status", flat=True)) == {
        "accepted", "pending", "rejected", "spam"}
    # The story's dates, not the day the demo was loaded.
    assert Vote.objects.filter(consultation=consultation).latest("created_at").created_at < datetime(
        2020, 4, 1, tzinfo=ZoneInfo("America/Mexico_City"))
    # The demo's member account has not voted: whoever tries the demo starts from the first statement.
    client = Client()
    client.force_login(Participant.objects.model._meta.get_field("user").related_model.objects.get(
        email="lucia.mendez@demo.example.org"))
    page = client.get(f"/c/aliadas/consultations/{consultation.pk}/vote/")
    assert b"0 of" in page.content


def test_benchmark_data_holds_a_large_consultation_and_its_pages_answer(cast):
    from tequio.bench.generate import BenchData

    data = BenchData(scale=0.01, seed=1, communities=[cast.community], start=datetime(2020, 1, 6, tzinfo=ZoneInfo("UTC")),
                     members_by_community={cast.community.pk: [cast.users["member"].pk, cast.users["steward"].pk]})
    consultation = bench.bench_generate(bench=data)
    # At this scale half of the 20 x 25 cells bound the votes (at scale 1: 100,000 of 500,000).
    assert Vote.objects.filter(consultation=consultation).count() == 250
    assert Participant.objects.filter(consultation=consultation).count() == 20
    assert AnalysisSnapshot.objects.get(consultation=consultation).vote_count == 250
    client = Client()
    client.force_login(cast.users["steward"])
    pages = bench.bench_pages(community=Community.objects.get(pk=cast.community.pk), user=cast.users["steward"])
    assert [page.name for page in pages] == ["consultation vote", "consultation results", "consultation report"]
    assert all(client.get(page.path).status_code == 200 for page in pages)


def test_the_background_task_recomputes_once(voters, consultation):
    services.vote_cast(actor=voters[0], consultation=consultation, statement_id=consultation.statements.first().pk,
                       value=0)
    before = AnalysisSnapshot.objects.get(consultation=consultation).generation
    assert tasks.recompute_analysis.call(consultation.pk) is True
    assert tasks.recompute_analysis.call(consultation.pk) is False
    assert AnalysisSnapshot.objects.get(consultation=consultation).generation == before + 1
