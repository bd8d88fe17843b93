"""``tequio restore FILE``: load a backup made by ``tequio backup``.

Runs the migrations, then replaces the database's content with the backup's in
one transaction. Refuses a database that already holds data unless --force.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tequio.core.io import backup, files


class Command(BaseCommand):
    help = "Restore a backup made by `tequio backup` (migrates first; atomic)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="Replace everything in a database that already holds data.")

    def handle(self, *args, file, force, **options):
        try:
            with files.open_text(file, "r") as handle:
                data = backup.read_backup(handle)
            counts = backup.instance_restore(data, force=force)
        except FileNotFoundError:
            raise CommandError(_("No such file: %(path)s") % {"path": file}) from None
        except (OSError, EOFError):
            raise CommandError(_("This is not a Tequio backup.")) from None
        except backup.RestoreRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(self.style.SUCCESS(
            _("Restored %(rows)s rows of %(tables)s tables from %(file)s.") % {"rows": sum(counts.values()), "tables": len(counts), "file": file}
        ))
