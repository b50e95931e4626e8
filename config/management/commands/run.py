"""``briefroom run [--bind HOST:PORT]``: migrate, then serve the site with granian."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def parse_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise CommandError(f"--bind must be HOST:PORT, not {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


class Command(BaseCommand):
    help = "Migrate the database and serve briefroom with the production web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=1, help="web server processes")

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        host, port = parse_bind(bind)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        granian = Path(sys.executable).with_name("granian")
        command = [
            str(granian),
            "--interface", "wsgi",
            "--host", host,
            "--port", str(port),
            "--workers", str(workers),
            "--blocking-threads", "8",
            "--static-path-route", "/static",
            "--static-path-mount", str(settings.STATIC_ROOT),
            "config.wsgi:application",
        ]  # fmt: skip
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        self.stdout.write(f"briefroom: serving on http://{host}:{port}/ (Ctrl-C stops)")
        process = subprocess.Popen(command, env=env)  # noqa: S603  (our own granian, fixed args)

        def forward(signum: int, _frame: object) -> None:
            process.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        try:
            code = process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            code = process.wait()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            raise CommandError(f"web server exited with {code}")
