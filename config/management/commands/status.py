"""``briefroom status [--json]``: sources, queue, failed tasks, reviews, tokens today."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ops.status import service_status, status_lines


class Command(BaseCommand):
    help = "Show the service status (the same as /healthz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the /healthz JSON")

    def handle(self, *args: Any, json: bool, **options: Any) -> None:
        data = service_status()
        if json:
            self.stdout.write(_dumps(data))
        else:
            self.stdout.write("\n".join(status_lines(data)))


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
