"""``briefroom scheduler``: enqueue each source's discovery once per slot (see ops.schedule)."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ops.schedule import Scheduler


class Command(BaseCommand):
    help = "Enqueue discovery of every enabled source once per slot; requeue dead workers' tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=float, default=60.0, help="seconds between checks")
        parser.add_argument(
            "--demo", action="store_true", help="schedule only the demo sources (run --demo)"
        )
        parser.add_argument("--once", action="store_true", help="one check, then exit")

    def handle(self, *args: Any, tick: float, demo: bool, once: bool, **options: Any) -> None:
        scheduler = Scheduler(tick=tick, demo=demo)
        if once:
            created = scheduler.run_once()
            self.stdout.write(f"{created} slot(s) enqueued")
            return
        signal.signal(signal.SIGTERM, scheduler.stop)
        signal.signal(signal.SIGINT, scheduler.stop)
        scheduler.run()
