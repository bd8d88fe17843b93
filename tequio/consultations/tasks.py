"""Background jobs, run by the database task worker (``tequio db_worker``).

Thin and idempotent: the task calls the one service that computes a consultation's
opinion groups; the service claims the work with a conditional update, so a task run
twice, or after a steward already recomputed, does nothing.
"""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_analysis(consultation_id: int) -> bool:
    from .services import analysis_compute

    return analysis_compute(consultation_id=consultation_id)
