"""What every service (core's and the capability apps') does before it saves a row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def full_clean(instance, *, exclude: list[str] | None = None) -> None:
    """The model's own validation, its unique and check constraints included."""
    instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)


def apply_fields(instance, fields: Mapping[str, Any], allowed: set[str]) -> dict[str, tuple[Any, Any]]:
    """Set allowed fields; return {field: (old, new)} of what changed. Unknown fields are refused."""
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    changes = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = (old, value)
            setattr(instance, name, value)
    return changes
