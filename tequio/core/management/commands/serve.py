"""Serve with gunicorn (WSGI) and run the database task worker beside it."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tequio with gunicorn and the background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("TEQUIO_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")

    def handle(self, *args, bind, workers, no_worker, **options):
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "tequio.cli", "db_worker"])
        self.stdout.write(f"Tequio on http://{bind}/  (Ctrl+C to stop)")
        try:
            subprocess.call(  # noqa: S603  (fixed argv, no user input)
                [sys.executable, "-m", "gunicorn", "tequio.wsgi:application", "--bind", bind,
                 "--workers", str(workers), "--access-logfile", "-"]
            )
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
