"""Writing the audit log. Call inside the transaction of the action it records."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, Community


def audit_record(
    *,
    actor,
    action: str,
    community: Community | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a sensitive action (membership, roles, privacy, exports, deletions)."""
    return AuditEvent.objects.create(
        community=community,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )
