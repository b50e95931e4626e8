"""``briefroom backfill --source NAME --since DATE``: walk a source's history and store it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from reports.services import make_fetcher
from sources.models import DiscoveredItemRecord, Source
from sources.services import backfill
from sources.tasks import fetcher_overrides, source_url


class Command(BaseCommand):
    help = "Discover a source's past reports back to a date, fetch and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, help="source name (see `briefroom sources`)")
        parser.add_argument("--since", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--max-items", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Source.objects.filter(name=options["source"]).first()
        if source is None:
            raise CommandError(f"unknown source {options['source']!r}; see `briefroom sources`")

        def progress(
            items: Iterable[DiscoveredItemRecord], total: int
        ) -> Iterable[DiscoveredItemRecord]:
            return tqdm(items, total=total, unit="report", disable=options["no_progress"])

        with make_fetcher(**fetcher_overrides(source_url(source))) as fetcher:
            summary = backfill(
                source,
                fetcher,
                since=options["since"],
                max_items=options["max_items"],
                progress=progress,
            )
        for method, url, status in summary.attempts:
            self.stdout.write(f"discovery {method} {url}: {status}")
        for line in summary.lines():
            self.stdout.write(line)
