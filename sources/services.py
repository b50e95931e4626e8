"""Discovery runs and item fetching for stored sources (the Django side of pipeline.discover)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from pipeline.discover import DiscoveryResult, discover
from pipeline.extract import ExtractionError
from pipeline.fetch import Fetcher, FetchError
from reports.services import IngestResult, Outcome, ingest_url
from sources.models import DiscoveredItemRecord, Source

logger = logging.getLogger(__name__)


@dataclass
class DiscoveryRun:
    source: Source
    result: DiscoveryResult
    new_items: list[DiscoveredItemRecord]


def discover_source(
    source: Source,
    fetcher: Fetcher,
    *,
    since: dt.date | None = None,
    max_items: int = 500,
    history: bool = False,
) -> DiscoveryRun:
    """Run discovery for one source and store every item found before anything is fetched.

    With ``history`` the listing and sitemap are also walked when the feed does not reach
    back to ``since`` (feeds only hold the latest items).
    """
    spec = source.spec()
    result = discover(spec, fetcher, max_items=max_items, since=since)
    if history and spec.feed_url and result.method == "feed":
        oldest = min((i.published for i in result.items if i.published), default=None)
        if since is None or oldest is None or oldest > since:
            older = discover(
                dataclasses.replace(spec, feed_url=None), fetcher, max_items=max_items, since=since
            )
            seen = {i.url for i in result.items}
            merged = result.items + [i for i in older.items if i.url not in seen]
            result = dataclasses.replace(
                result, items=merged, attempts=[*result.attempts, *older.attempts]
            )
    new_items: list[DiscoveredItemRecord] = []
    with transaction.atomic():
        for item in result.items:
            record, created = DiscoveredItemRecord.record(source, item, item.url)
            if created:
                new_items.append(record)
        source.last_discovery_at = timezone.now()
        source.last_discovery_method = result.method or ""
        source.last_discovery_ok = bool(result.method)
        source.last_discovery_result = _describe(result, len(new_items))
        source.save(
            update_fields=[
                "last_discovery_at",
                "last_discovery_method",
                "last_discovery_ok",
                "last_discovery_result",
            ]
        )
    return DiscoveryRun(source, result, new_items)


def _describe(result: DiscoveryResult, new: int) -> str:
    lines = [f"{len(result.items)} found, {new} new, method: {result.method or 'none'}"]
    lines += [f"{method} {url}: {status}" for method, url, status in result.attempts]
    return "\n".join(lines)


def fetch_item(record: DiscoveredItemRecord, fetcher: Fetcher) -> IngestResult:
    """Fetch, extract and store one discovered item; failures are stored on the item."""
    record.attempts += 1
    try:
        result = ingest_url(
            record.url, fetcher, mirror_of=record.source.mirror_of, summary=record.summary
        )
    except (FetchError, ExtractionError, ValueError) as exc:
        record.state = DiscoveredItemRecord.State.FAILED
        record.last_error = str(exc)[:2000]
        record.save(update_fields=["attempts", "state", "last_error"])
        return IngestResult(record.url, "failed", None, str(exc))
    record.state = (
        DiscoveredItemRecord.State.UNCHANGED
        if result.outcome == Outcome.UNCHANGED
        else DiscoveredItemRecord.State.FETCHED
    )
    record.last_error = ""
    record.fetched_at = timezone.now()
    record.save(update_fields=["attempts", "state", "last_error", "fetched_at"])
    return result


@dataclass
class BackfillSummary:
    found: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    attempts: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"found: {self.found}",
            f"new: {self.outcomes[Outcome.NEW]}",
            f"updated: {self.outcomes[Outcome.UPDATED]}",
            f"unchanged: {self.outcomes[Outcome.UNCHANGED]}",
            f"duplicate copies: {self.outcomes[Outcome.DUPLICATE]}",
            f"failed: {len(self.failures)}",
        ]
        out += [f"  {url}: {reason}" for url, reason in self.failures]
        return out


def backfill(
    source: Source,
    fetcher: Fetcher,
    *,
    since: dt.date | None,
    max_items: int = 5000,
    progress: Callable[[Iterable[DiscoveredItemRecord], int], Iterable[DiscoveredItemRecord]]
    | None = None,
) -> BackfillSummary:
    """Walk a source's history back to ``since`` and store every report found.

    Items already fetched are skipped, so an interrupted backfill resumes where it stopped.
    """
    run = discover_source(source, fetcher, since=since, max_items=max_items, history=True)
    summary = BackfillSummary(found=len(run.result.items), attempts=run.result.attempts)
    urls = [i.url for i in run.result.items]
    records = list(
        DiscoveredItemRecord.objects.filter(source=source, url__in=urls)
        .exclude(state__in=[DiscoveredItemRecord.State.FETCHED])
        .order_by("published", "id")
    )
    summary.outcomes[Outcome.UNCHANGED] += len(urls) - len(records)
    iterable: Iterable[DiscoveredItemRecord] = (
        progress(records, len(records)) if progress else records
    )
    for record in iterable:
        result = fetch_item(record, fetcher)
        if result.outcome == "failed":
            summary.failures.append((record.url, result.detail))
        else:
            summary.outcomes[result.outcome] += 1
    return summary
