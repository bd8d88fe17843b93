"""``tequio import``: organizations and people from CSV/XLSX, or a community export (JSON).

    tequio import organizations SLUG FILE.csv|.xlsx [--actor EMAIL] [--check]
    tequio import people SLUG FILE.csv|.xlsx [--actor EMAIL] [--check]
    tequio import registry SLUG FILE.xlsx        (sheets "organizations" and "people")
    tequio import community FILE.json[.gz] [--slug NEW] [--actor EMAIL]
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from tequio.core.io import community_export, files, tabular


class Command(BaseCommand):
    help = "Import organizations and people (CSV/XLSX) into a community, or a full community export (JSON)."

    def add_arguments(self, parser):
        def language(sub):
            sub.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[code for code, _name in settings.LANGUAGES],
                             help="Language of the messages.")

        kinds = parser.add_subparsers(dest="kind", required=True)
        for kind in ("organizations", "people", "registry"):
            sub = kinds.add_parser(kind, help=f"{kind} from a CSV or XLSX file")
            language(sub)
            sub.add_argument("slug")
            sub.add_argument("file")
            sub.add_argument("--actor", help="Email of the account the import is recorded under in the audit log.")
            sub.add_argument("--check", action="store_true", help="Only check the file; change nothing.")
        sub = kinds.add_parser("community", help="a full community export (JSON) made by `tequio export community`")
        language(sub)
        sub.add_argument("file")
        sub.add_argument("--slug", help="Import under this short name instead of the exported one.")
        sub.add_argument("--actor", help="Email of the account the import is recorded under in the audit log.")
        sub.add_argument("--skip-unknown-capabilities", action="store_true",
                         help="Import even if the export holds data of capabilities not installed here (that data is dropped).")

    def handle(self, *args, kind, language, **options):
        with translation.override(language):
            if kind == "community":
                self._community(**options)
            else:
                self._registry(kind, **options)

    def _registry(self, kind, *, slug, file, actor, check, **options):
        community = files.community_for(slug)
        user = files.actor_for(actor)
        data = files.read_bytes(file, tabular.max_bytes())
        result = tabular.registry_import(actor=user, community=community, data=data, filename=file, kind=kind, dry_run=check)
        for problem in result.problems:
            self.stderr.write(self._describe(problem))
        if result.truncated:
            self.stderr.write(_("Too many problems: only the first %(count)s are listed.") % {"count": len(result.problems)})
        if not result.ok:
            raise CommandError(_("Nothing was imported: %(count)s problem(s) found.") % {"count": len(result.problems)})
        counts = ", ".join(f"{name}: {count}" for name, count in sorted(result.created.items())) or "0"
        if check:
            self.stdout.write(_("The file is valid; importing it would create %(counts)s.") % {"counts": counts})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported into %(community)s: %(counts)s.") % {"community": community.slug, "counts": counts}))

    @staticmethod
    def _describe(problem) -> str:
        where = []
        if problem.sheet:
            where.append(_("sheet %(sheet)s") % {"sheet": problem.sheet})
        if problem.row is not None:
            where.append(_("row %(row)s") % {"row": problem.row})
        if problem.column:
            where.append(_("column “%(column)s”") % {"column": problem.column})
        return f"{', '.join(where)}: {problem.message}" if where else problem.message

    def _community(self, *, file, slug, actor, skip_unknown_capabilities, **options):
        user = files.actor_for(actor)
        try:
            with files.open_text(file, "r") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise CommandError(_("No such file: %(path)s") % {"path": file}) from None
        except (ValueError, UnicodeDecodeError, OSError):
            raise CommandError(_("This is not a Tequio community export.")) from None
        try:
            community = community_export.community_import(
                actor=user, data=data, slug=slug, skip_unknown_capabilities=skip_unknown_capabilities
            )
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(_("Nothing was imported.")) from None
        self.stdout.write(self.style.SUCCESS(_("Imported the community %(slug)s.") % {"slug": community.slug}))
