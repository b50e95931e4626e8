"""``briefroom series``: per series the last edition, missing editions and superseded ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from pipeline.series import SERIES
from pipeline.series_status import Edition, format_table, series_status
from reports.models import Report


class Command(BaseCommand):
    help = "Show each series' last edition, editions missing after 48 hours, superseded ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="look for missing editions in this many past days (default 30)",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        now = timezone.now()
        window_start = (now - dt.timedelta(days=days)).date()
        statuses = []
        for series in SERIES:
            reports = Report.objects.filter(series=series.slug, published__isnull=False).only(
                "published", "edition", "canonical_url", "created_at"
            )
            editions = [
                Edition(r.published, r.edition, r.canonical_url, r.created_at)
                for r in reports
                if r.published is not None
            ]
            first = min((e.published for e in editions), default=None)
            start = max(first, window_start) if first else None
            statuses.append(series_status(series, editions, now, start=start))
        self.stdout.write(format_table(statuses))
