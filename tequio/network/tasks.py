"""Background jobs, run by the database task worker (``tequio db_worker``).

Thin and idempotent: the task loads a snapshot by id and calls the one service that
computes it; the service claims the work with a conditional update, so a task run
twice, or one overtaken by a newer request, does nothing.
"""

from __future__ import annotations

from django_tasks import task


@task()
def compute_metric_snapshot(snapshot_id: int, generation: int) -> bool:
    from .services import metric_snapshot_compute

    return metric_snapshot_compute(snapshot_id=snapshot_id, generation=generation)
