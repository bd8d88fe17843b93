"""``tequio backup FILE``: the whole instance (every app's tables) to one JSON file.

A name ending in .gz is compressed. The file is written next to its target and
renamed at the end, so a failed backup never leaves a half file behind.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tequio.core.io import backup, files


class Command(BaseCommand):
    help = "Back up the whole instance to a JSON file (.json or .json.gz); restore it with `tequio restore`."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--no-sessions", action="store_true", help="Leave out sign-in sessions (everyone signs in again).")

    def handle(self, *args, file, no_sessions, **options):
        temporary = f"{file}.partial" + (".gz" if file.endswith(".gz") else "")
        try:
            with files.open_text(temporary, "w") as handle:
                counts = backup.instance_backup(handle, include_sessions=not no_sessions)
            os.replace(temporary, file)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        self.stdout.write(self.style.SUCCESS(
            _("Backed up %(rows)s rows of %(tables)s tables to %(file)s.") % {"rows": sum(counts.values()), "tables": len(counts), "file": file}
        ))
