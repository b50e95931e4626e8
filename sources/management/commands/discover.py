"""``briefroom discover [--source NAME]``: find new reports and store them, optionally fetching."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.services import make_fetcher
from sources.models import DiscoveredItemRecord, Source
from sources.services import discover_source, fetch_item


class Command(BaseCommand):
    help = "Run discovery for enabled sources; --fetch also fetches and stores what is new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="only this source (name)")
        parser.add_argument("--fetch", action="store_true", help="fetch pending items too")

    def handle(self, *args: Any, source: str | None, fetch: bool, **options: Any) -> None:
        sources = Source.objects.filter(enabled=True)
        if source:
            sources = Source.objects.filter(name=source)
            if not sources.exists():
                raise CommandError(f"unknown source {source!r}; see `briefroom sources`")
        with make_fetcher() as fetcher:
            for src in sources:
                run = discover_source(src, fetcher)
                self.stdout.write(f"[{src.name}] {src.last_discovery_result}")
                if not fetch:
                    continue
                for record in DiscoveredItemRecord.objects.filter(source=src).pending():
                    result = fetch_item(record, fetcher)
                    self.stdout.write(f"  {result.outcome:9} {record.url} {result.detail}")
                del run
