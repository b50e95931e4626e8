"""``briefroom web [--bind HOST:PORT] [--workers N]``: serve the site with granian (no migrate)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def parse_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise CommandError(f"--bind must be HOST:PORT, not {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def granian_command(host: str, port: int, workers: int) -> list[str]:
    granian = Path(sys.executable).with_name("granian")
    return [
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


class Command(BaseCommand):
    help = "Serve briefroom with granian (run `briefroom migrate` and `collectstatic` first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
        parser.add_argument("--workers", type=int, default=1, help="web server processes")

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        host, port = parse_bind(bind)
        self.stdout.write(f"briefroom web: serving on http://{host}:{port}/")
        # exec: granian becomes this process, so systemd and the supervisor signal it directly.
        argv = granian_command(host, port, workers)
        if os.name == "posix":
            os.execv(argv[0], argv)  # noqa: S606  (our own granian, fixed args)
        process = subprocess.Popen(argv)  # noqa: S603
        signal.signal(signal.SIGTERM, lambda signum, _f: process.send_signal(signum))
        process.wait()
