"""Background jobs, run by the database task worker (``tequio db_worker``).

Thin and idempotent: each loads by id and calls one service, which claims the work
with a conditional update. A task that runs twice, or early because the convening
moved, sends nothing.
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_convening_reminder(convening_id: int) -> int:
    from .services import convening_reminder_send

    return convening_reminder_send(convening_id=convening_id)


@task()
def send_action_item_reminder(item_id: int) -> int:
    from .services import action_item_reminder_send

    return action_item_reminder_send(item_id=item_id)
