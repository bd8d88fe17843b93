"""Every command of Tequio answers --help (argparse needs plain strings, not lazy ones)."""

from __future__ import annotations

import argparse

from django.core.management import get_commands, load_command_class
from django.utils import translation


def test_every_tequio_command_and_subcommand_prints_its_help_in_both_languages():
    names = [(name, app) for name, app in get_commands().items() if app.startswith("tequio")]
    assert {"demo", "bench", "backup", "restore", "serve", "import_data", "export_data", "consultations"} <= {n for n, _ in names}
    for language in ("es", "en"):
        with translation.override(language):
            for name, app in names:
                parser = load_command_class(app, name).create_parser("tequio", name)
                assert parser.format_help()
                for action in parser._actions:
                    if isinstance(action, argparse._SubParsersAction):
                        for sub in action.choices.values():
                            assert sub.format_help()
