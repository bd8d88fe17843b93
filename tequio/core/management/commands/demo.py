"""``tequio demo``: migrate, load the demo once, print the sign-in accounts, serve."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from tequio.core import choices, demo


def _language_from_environment() -> str:
    """The terminal's language when we have it (es/en), else the site's default."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = os.environ.get(name, "")[:2].lower()
        if value in {"es", "en"}:
            return value
    return settings.LANGUAGE_CODE


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: argparse needs a str, and the language is known only now
        return _("Migrate the database, load the demo if needed, print one sign-in account per role and serve.")

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help=_("Only migrate and load; do not serve."))
        parser.add_argument("--reset", action="store_true",
                            help=_("Empty the whole database first, then load the demo again."))
        parser.add_argument("--bind", default=os.environ.get("TEQUIO_BIND", "127.0.0.1:8000"),
                            help=_("Address to serve on."))

    def handle(self, *args, no_serve: bool, reset: bool, bind: str, **options):
        with translation.override(_language_from_environment()):
            self._load(reset=reset)
        if not no_serve:
            # The accounts must be on screen (or in the log) before gunicorn takes over.
            self.stdout.flush()
            call_command("serve", bind=bind)

    def _load(self, *, reset: bool) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write(_("Database emptied."))
        if demo.demo_load() is None:
            self.stdout.write(_("The demo is already loaded (use --reset to load it again)."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Demo loaded: three learning communities of a fictional program.")))
        self.stdout.write("")
        self.stdout.write(_("Sign in with one of these accounts (one per role):"))
        labels = {value: str(label) for value, label in choices.Role.choices}
        labels["admin"] = _("Platform administrator")
        accounts = demo.demo_accounts()
        width = max(len(labels[account.role]) for account in accounts)
        email_width = max(len(account.email) for account in accounts)
        for account in accounts:
            where = ", ".join(account.communities) if account.communities else _("every community, through the administration")
            self.stdout.write(f"  {labels[account.role]:<{width}}  {account.email:<{email_width}}  {account.name}")
            self.stdout.write(f"  {'':<{width}}  {where}")
        self.stdout.write(_("Password for every demo account: %(password)s") % {"password": demo.DEMO_PASSWORD})
        self.stdout.write(self.style.WARNING(
            _("Demo only: these accounts and this password are public. Never load the demo on a real instance.")
        ))
        self.stdout.write("")
