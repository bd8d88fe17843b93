"""The consultation pages cost the same number of queries for a few votes or many."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tequio.consultations import services

from .conftest import add_members, vote_in_camps
from .test_views import url

PAGES = ["vote", "results", "report", "consultation_detail", "moderation", "invitations"]


def _consultation(cast, steward, *, statements: int, voters: int, prefix: str):
    consultation = services.consultation_create(
        actor=steward, community=cast.community, question=f"¿Pregunta {prefix}?", audience="invited", state="open",
        seed_statements=[f"Afirmación {prefix} número {number}" for number in range(statements)],
    )
    vote_in_camps(consultation, add_members(cast, voters, prefix=prefix))
    services.vote_cast(actor=steward, consultation=consultation, statement_id=consultation.statements.first().pk, value=1)
    for number in range(min(voters, 5)):
        services.statement_submit(actor=cast.users["member"], consultation=consultation, text=f"Escrita {prefix} {number}")
    services.invitation_link_create(actor=steward, consultation=consultation, max_uses=10)
    services.analysis_compute(consultation_id=consultation.pk, force=True)
    return consultation


def _counts(client, consultation) -> dict[str, int]:
    counts = {}
    for page in PAGES:
        client.get(url(page, consultation))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(page, consultation))
        assert response.status_code == 200, page
        counts[page] = len(queries.captured_queries)
    return counts


def test_pages_cost_the_same_queries_whatever_the_size(cast, steward, client_for):
    small = _consultation(cast, steward, statements=4, voters=3, prefix="s")
    large = _consultation(cast, steward, statements=24, voters=30, prefix="l")
    assert large.analysis.vote_count > 10 * small.analysis.vote_count
    client = client_for("steward")
    small_counts, large_counts = _counts(client, small), _counts(client, large)
    assert small_counts == large_counts, (small_counts, large_counts)
    # And a vote is cheap: a handful of queries, whatever the size.
    for consultation in (small, large):
        statement = consultation.statements.order_by("-number").filter(status="accepted").first()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url("vote", consultation), {"statement": statement.pk, "vote": "pass"})
        assert response.status_code == 302
        assert len(queries.captured_queries) <= 12, [query["sql"] for query in queries.captured_queries]
