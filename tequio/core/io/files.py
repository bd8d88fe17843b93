"""Helpers of the data commands (import_data, export_data, backup, restore)."""

from __future__ import annotations

import gzip
import os
from typing import IO

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from tequio.core.models import Community


def open_text(path: str, mode: str) -> IO[str]:
    """A text file, gzip-compressed when its name ends in .gz."""
    if path.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def read_bytes(path: str, limit: int | None = None) -> bytes:
    if not os.path.isfile(path):
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    if limit is not None and os.path.getsize(path) > limit:
        raise CommandError(_("%(path)s is larger than TEQUIO_MAX_UPLOAD_BYTES (%(limit)s bytes).") % {"path": path, "limit": f"{limit:,}"})
    with open(path, "rb") as handle:
        return handle.read()


def actor_for(email: str | None):
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(_("No account with the email %(email)s.") % {"email": email})
    return user


def community_for(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise CommandError(_("No community with the short name “%(slug)s”.") % {"slug": slug})
    return community


def write_atomically(path: str, content: bytes) -> None:
    """Write next to the target and rename, so a failure never leaves half a file."""
    temporary = f"{path}.partial"
    with open(temporary, "wb") as handle:
        handle.write(content)
    os.replace(temporary, path)
