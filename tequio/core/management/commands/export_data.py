"""``tequio export``: organizations and people as CSV/XLSX, or a full community export (JSON).

    tequio export organizations SLUG FILE.csv|.xlsx
    tequio export people SLUG FILE.csv|.xlsx
    tequio export registry SLUG FILE.xlsx        (both, one sheet each)
    tequio export community SLUG FILE.json[.gz] [--with-audit]

Run on the server, so everything is exported, sensitive fields included; the
export is recorded in the community's audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from tequio.core.io import community_export, files, tabular


class Command(BaseCommand):
    help = "Export a community's organizations and people (CSV/XLSX), or the whole community (JSON)."

    def add_arguments(self, parser):
        def language(sub):
            sub.add_argument("--language", default=settings.LANGUAGE_CODE, choices=[code for code, _name in settings.LANGUAGES],
                             help="Language of the column headers and messages.")

        kinds = parser.add_subparsers(dest="kind", required=True)
        for kind in ("organizations", "people", "registry", "community"):
            sub = kinds.add_parser(kind)
            language(sub)
            sub.add_argument("slug")
            sub.add_argument("file", help="Its extension chooses the format: .csv or .xlsx (.json or .json.gz for community).")
            sub.add_argument("--actor", help="Email of the account the export is recorded under in the audit log.")
            if kind == "community":
                sub.add_argument("--with-audit", action="store_true", help="Include the community's audit log.")

    def handle(self, *args, kind, language, slug, file, actor, **options):
        with translation.override(language):
            community = files.community_for(slug)
            user = files.actor_for(actor)
            if kind == "community":
                if not file.endswith((".json", ".json.gz")):
                    raise CommandError(_("A community export is written as .json or .json.gz."))
                data = community_export.community_export(actor=user, community=community, include_audit=options["with_audit"])
                with files.open_text(file, "w") as handle:
                    handle.write(community_export.dumps(data))
                self.stdout.write(self.style.SUCCESS(_("Wrote %(file)s.") % {"file": file}))
                return
            fmt = file.rsplit(".", 1)[-1].lower() if "." in file else ""
            if fmt not in tabular.FORMATS:
                raise CommandError(_("The file name must end in .csv or .xlsx."))
            try:
                exported = tabular.registry_export(actor=user, community=community, kind=kind, fmt=fmt, language=language)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            files.write_atomically(file, exported.content)
            self.stdout.write(self.style.SUCCESS(_("Wrote %(rows)s rows to %(file)s.") % {"rows": exported.rows, "file": file}))
