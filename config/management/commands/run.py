"""``briefroom run [--demo] [--bind HOST:PORT]``: migrate, then web + scheduler + worker.

One supervisor (this process) starts the three as child processes, their logs go to this
terminal, and Ctrl-C or SIGTERM stops them all cleanly: the worker finishes its task in
flight (a task cut short is requeued by the next scheduler tick, see ``ops.retry``).

``--demo`` serves the bundled ISW and 국방부 pages from a loopback server inside this process,
points the demo sources at it and schedules only them, so a fresh database fills its board
with (demo-marked) posts within a minute and no request leaves the machine.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.management.commands.web import parse_bind
from ops.supervisor import Supervisor, briefroom_command

logger = logging.getLogger("briefroom.run")


class Command(BaseCommand):
    help = "Migrate, then run the web server, the scheduler and a worker (Ctrl-C stops all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=1, help="web server processes")
        parser.add_argument("--concurrency", type=int, default=1, help="task worker processes")
        parser.add_argument(
            "--demo", action="store_true", help="discover the bundled demo pages (offline)"
        )
        parser.add_argument("--tick", type=float, default=60.0, help="scheduler tick (seconds)")
        parser.add_argument(
            "--grace", type=float, default=120.0, help="seconds to wait for tasks in flight"
        )

    def handle(
        self,
        *args: Any,
        bind: str,
        workers: int,
        concurrency: int,
        demo: bool,
        tick: float,
        grace: float,
        **options: Any,
    ) -> None:
        host, port = parse_bind(bind)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        supervisor = Supervisor(grace=grace)
        publisher = None
        scheduler_args = ["scheduler", "--tick", str(tick)]
        if demo:
            from ops.demo import DemoPublisher, install_demo_sources

            publisher = DemoPublisher().start()
            names = install_demo_sources(publisher.base_url)
            supervisor.env["BRIEFROOM_DEMO_ORIGIN"] = publisher.base_url
            scheduler_args.append("--demo")
            self.stdout.write(
                f"briefroom: demo publisher on {publisher.base_url} (sources {', '.join(names)})"
            )
        supervisor.install_signals()
        supervisor.start("web", briefroom_command("web", "--bind", bind, "--workers", str(workers)))
        supervisor.start("scheduler", briefroom_command(*scheduler_args))
        supervisor.start("worker", briefroom_command("worker", "--concurrency", str(concurrency)))
        self.stdout.write(f"briefroom: serving on http://{host}:{port}/ (Ctrl-C stops)")
        try:
            code = supervisor.wait()
        finally:
            if publisher is not None:
                publisher.stop()
        if code:
            raise CommandError(f"a process exited with {code}; everything was stopped")
        self.stdout.write("briefroom: stopped")
