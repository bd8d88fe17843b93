"""``tequio bench generate|pages|consultations|network``: national-scale data, page timings, consultation votes, network metrics.

Without ``DATABASE_URL`` both use their own SQLite file, ``var/bench.sqlite3``: the
command runs itself again with that database, so the instance's own database is never
touched. See docs/benchmarks.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tequio.bench import bench_database_url, needs_own_database


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: the language is known only when the command runs
        return _("Generate national-scale benchmark data, or time the main pages against it.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser("generate", help=_("Write deterministic national-scale data."))
        generate.add_argument("--scale", type=float, default=1.0,
                              help=_("1 means 2,000 organizations, 10,000 people and 50 communities."))
        generate.add_argument("--reset", action="store_true", help=_("Empty the benchmark database first."))
        pages = actions.add_parser("pages", help=_("Time the main pages and count their queries."))
        pages.add_argument("--requests", type=int, default=200, help=_("Timed requests per page."))
        pages.add_argument("--warmup", type=int, default=5, help=_("Untimed rounds before timing."))
        consultations = actions.add_parser(
            "consultations", help=_("Time the opinion math on synthetic conversations, and votes through the real view."))
        consultations.add_argument("--sizes", default="small,medium,large",
                                   help=_("Synthetic conversations to time: small, medium, large."))
        consultations.add_argument("--repeat", type=int, default=3, help=_("Timed runs per size (the median is shown)."))
        consultations.add_argument("--votes", type=int, default=300, help=_("Timed votes through the vote view."))
        consultations.add_argument("--no-worker", action="store_true",
                                   help=_("Do not run the task worker (no recomputation while voting)."))
        network = actions.add_parser(
            "network", help=_("Time loading the networks from the database and the metric suite, against networkx."))
        network.add_argument("--no-baseline", action="store_true", help=_("Skip the networkx run."))
        network.add_argument("--repeat", type=int, default=3, help=_("Rounds; the best time of each step is kept."))

    def handle(self, *args, action: str, **options):
        if needs_own_database():
            self._run_on_bench_database(action, options)
            return
        if action == "generate":
            self._generate(scale=options["scale"], reset=options["reset"])
        elif action == "consultations":
            self._consultations(options)
        elif action == "network":
            from tequio.network.bench_db import main

            code = main(["--repeat", str(options["repeat"])] + (["--no-baseline"] if options["no_baseline"] else []),
                        write=self.stdout.write)
            if code:
                sys.exit(code)
        else:
            self._pages(requests=options["requests"], warmup=options["warmup"])

    def _run_on_bench_database(self, action: str, options) -> None:
        argv = [sys.executable, "-m", "tequio.cli", "bench", action]
        if action == "generate":
            argv += ["--scale", str(options["scale"])] + (["--reset"] if options["reset"] else [])
        elif action == "consultations":
            argv += ["--sizes", options["sizes"], "--repeat", str(options["repeat"]), "--votes", str(options["votes"])]
            argv += ["--no-worker"] if options["no_worker"] else []
        elif action == "network":
            argv += ["--repeat", str(options["repeat"])] + (["--no-baseline"] if options["no_baseline"] else [])
        else:
            argv += ["--requests", str(options["requests"]), "--warmup", str(options["warmup"])]
        url = bench_database_url()
        self.stdout.write(f"Benchmark database: {url} (set DATABASE_URL to use another)")
        code = subprocess.call(argv, env={**os.environ, "DATABASE_URL": url})  # noqa: S603
        if code:
            sys.exit(code)

    def _generate(self, *, scale: float, reset: bool) -> None:
        from tequio.bench.generate import bench_status, generate

        if scale <= 0:
            raise CommandError("--scale must be positive")
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        status = bench_status(scale)
        if status == "present":
            self.stdout.write(f"Benchmark data at scale {scale:g} is already there (use --reset to write it again).")
            return
        if status == "other":
            raise CommandError("The database holds benchmark data of another scale; use --reset.")
        started = time.perf_counter()
        data = generate(scale=scale, log=lambda message: self.stdout.write(
            f"  {time.perf_counter() - started:6.1f}s  {message}"
        ))
        self.stdout.write(self.style.SUCCESS(
            f"Scale {scale:g}: {len(data.communities)} communities written in {time.perf_counter() - started:.1f}s."
        ))

    def _pages(self, *, requests: int, warmup: int) -> None:
        from tequio.bench.pages import run

        if requests < 20:
            raise CommandError("--requests must be at least 20 for a meaningful p95")
        try:
            passed = run(rounds=requests, warmup=warmup, write=self.stdout.write)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if not passed:
            sys.exit(1)

    def _consultations(self, options) -> None:
        """The opinion math on synthetic conversations, then votes through the real view."""
        from tequio.consultations.analysis.bench import main as math_bench
        from tequio.consultations.bench import vote_bench

        if options["votes"] < 20:
            raise CommandError("--votes must be at least 20 for a meaningful p95")
        code = math_bench(["--sizes", options["sizes"], "--repeat", str(options["repeat"])])
        try:
            passed = vote_bench(votes=options["votes"], worker=not options["no_worker"], write=self.stdout.write)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if code or not passed:
            sys.exit(1)
