"""``tequio consultations import-polis DIR`` and ``tequio consultations export-polis ID DIR``.

The Pol.is open-data format (comments.csv, votes.csv, participants-votes.csv,
summary.csv); see docs/consultations.md.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tequio.core import choices
from tequio.core import services as core_services
from tequio.core.models import Community


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: argparse needs a str, and the language is known only now
        return _("Import a Pol.is export into a new consultation, or export a consultation in that format.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        importer = actions.add_parser("import-polis", help=_("Read comments.csv and votes.csv from DIR."))
        importer.add_argument("directory", metavar="DIR")
        importer.add_argument("--community", metavar="SLUG",
                              help=_("Import into this community; without it a new hidden community is made."))
        importer.add_argument("--question", default="", help=_("The question (default: summary.csv's topic)."))
        importer.add_argument("--language", choices=[code for code, _name in choices.CONTENT_LANGUAGES], default="")
        importer.add_argument("--actor", metavar="EMAIL",
                              help=_("Who imports (audited); default: the first platform administrator."))
        exporter = actions.add_parser("export-polis", help=_("Write the four Pol.is files of consultation ID into DIR."))
        exporter.add_argument("consultation", metavar="ID", type=int)
        exporter.add_argument("directory", metavar="DIR")
        exporter.add_argument("--actor", metavar="EMAIL")

    def handle(self, *args, action: str, **options):
        if action == "import-polis":
            self._import(options)
        else:
            self._export(options)

    def _actor(self, email: str | None):
        User = get_user_model()
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(_("No account with the email %(email)s.") % {"email": email})
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError(_("Name who imports with --actor EMAIL (there is no platform administrator)."))
        return user

    def _import(self, options) -> None:
        from pathlib import Path

        from tequio.consultations.polis import consultation_import_polis

        actor = self._actor(options["actor"])
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(_("%(directory)s is not a directory.") % {"directory": directory})
        slug = options["community"]
        if slug:
            community = Community.objects.active().filter(slug=slug).first()
            if community is None:
                raise CommandError(_("No community with the short name %(slug)s.") % {"slug": slug})
            try:
                consultation = consultation_import_polis(actor=actor, community=community, directory=directory,
                                                         question=options["question"], language=options["language"])
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from None
        else:
            from django.db import transaction

            name = slugify(directory.name)[:50] or "polis"
            slug = f"polis-{name}"
            counter = 1
            while Community.objects.filter(slug=slug).exists():
                counter += 1
                slug = f"polis-{name}-{counter}"
            try:
                # The new community and the consultation stand or fall together.
                with transaction.atomic():
                    community = core_services.community_create(
                        actor=actor, name=_("Pol.is: %(name)s") % {"name": directory.name}, slug=slug,
                        privacy=choices.Privacy.HIDDEN, languages=[options["language"] or "en"],
                    )
                    consultation = consultation_import_polis(actor=actor, community=community, directory=directory,
                                                             question=options["question"], language=options["language"])
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from None
        counts = consultation.analysis.result
        self.stdout.write(self.style.SUCCESS(_(
            "Imported into consultation %(id)s of %(community)s: %(participants)s participants, %(statements)s "
            "statements, %(votes)s votes, %(groups)s opinion groups."
        ) % {
            "id": consultation.pk, "community": community.slug, "participants": counts.get("n_participants", 0),
            "statements": consultation.statements.count(), "votes": counts.get("n_votes", 0),
            "groups": counts.get("n_groups", 0),
        }))

    def _export(self, options) -> None:
        from tequio.consultations.models import Consultation
        from tequio.consultations.polis import consultation_export_polis

        actor = self._actor(options["actor"])
        consultation = Consultation.objects.active().select_related("community").filter(pk=options["consultation"]).first()
        if consultation is None:
            raise CommandError(_("No consultation with id %(id)s.") % {"id": options["consultation"]})
        try:
            counts = consultation_export_polis(actor=actor, consultation=consultation, directory=options["directory"])
        except OSError as error:
            raise CommandError(_("Cannot write to %(directory)s: %(reason)s") % {
                "directory": options["directory"], "reason": error.strerror or error}) from None
        self.stdout.write(self.style.SUCCESS(_(
            "Wrote comments.csv, votes.csv, participants-votes.csv and summary.csv to %(directory)s: %(statements)s "
            "statements, %(participants)s participants (%(grouped)s in opinion groups), %(votes)s votes."
        ) % {"directory": options["directory"], **counts}))
