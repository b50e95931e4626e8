"""Discovery hints: a report's links to its neighbours (previous / next report) fill series gaps.

ISW's pages link the previous and the next report of the series. When a stored report names a
neighbour that briefroom has not stored, and that neighbour's date is close to the report's own,
the neighbour is recorded as a discovered item of the same source (method ``hint``) and fetched
like any other. Only close neighbours are taken, so one old page never starts a crawl of the
whole archive (a backfill is what walks history), and only recent ones, the editions a reader
misses today.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from pipeline.extract.common import canonical_url, on_origin, origin_of
from pipeline.series import identify
from pipeline.types import DiscoveredItem
from reports.models import Report, ReportLocation
from sources.models import DiscoveredItemRecord, Source

# How far (in days) from the report, and from today, a neighbour may be to count as filling a
# gap: the recent editions that ``briefroom series`` would report missing.
HINT_WINDOW_DAYS = 14


def record_hints(source: Source, report: Report, hints: list[str]) -> list[DiscoveredItemRecord]:
    """Record the neighbours of ``report`` that fill a gap; returns the items created."""
    if not hints or not report.series or report.published is None:
        return []
    pattern = re.compile(source.link_pattern) if source.link_pattern else None
    origin = origin_of(source.feed_url or source.listing_url or source.sitemap_url)
    created: list[DiscoveredItemRecord] = []
    today = timezone.localdate()
    for hint in hints:
        found = identify(hint)
        if found.series != report.series or found.published is None:
            continue
        window = dt.timedelta(days=HINT_WINDOW_DAYS)
        if abs(found.published - report.published) > window or today - found.published > window:
            continue
        # A mirror (Source.mirror_of) serves the publisher's paths on its own host.
        url = on_origin(hint, origin) if source.mirror_of and origin else hint
        if pattern is not None and not pattern.search(url):
            continue
        stored = Report.objects.filter(
            series=found.series, published=found.published, edition=found.edition
        ).exists()
        if (
            stored
            or ReportLocation.objects.filter(
                url__in={canonical_url(url), canonical_url(hint)}
            ).exists()
        ):
            continue
        item = DiscoveredItem(
            url=url,
            source=source.name,
            published=found.published,
            series=found.series,
            method="hint",
        )
        record, was_created = DiscoveredItemRecord.record(source, item, url)
        if was_created:
            created.append(record)
    return created
