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
from pipeline.extract import BlockedPage, ExtractionError
from pipeline.fetch import ERROR_KINDS, Fetcher, FetchError
from reports.services import IngestResult, Outcome, ingest_url
from sources.hints import record_hints
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
        _note_discovery_blocks(source, result)
    return DiscoveryRun(source, result, new_items)


def _note_discovery_blocks(source: Source, result: DiscoveryResult) -> None:
    """Mark the source blocked when the last page discovery got from it was a block page, and
    clear the mark when a later page came back normally (e.g. a blocked feed, then a listing).

    A page that was fetched but held no items is still a normal page; an error without a page
    (404, timeout) says nothing about a block and leaves the mark as it is.
    """
    last: str | None = None  # the detail of the last block, "" for a normal page
    for method, url, status in result.attempts:
        kind = status.split(":", 1)[0]
        if kind == "blocked":
            last = f"{method} {url}: {status.split(':', 1)[1].strip()}"
        elif status == "ok" or kind not in ERROR_KINDS:
            last = ""
    if last:
        mark_blocked(source, last)
    elif last == "":
        clear_blocked(source)


def mark_blocked(source: Source, detail: str) -> None:
    """Record a block page; ``blocked_since`` keeps the first time while the block lasts."""
    now = timezone.now()
    Source.objects.filter(pk=source.pk, blocked_since__isnull=True).update(blocked_since=now)
    Source.objects.filter(pk=source.pk).update(blocked_detail=detail[:300])
    source.refresh_from_db(fields=["blocked_since", "blocked_detail"])
    logger.warning("source %s is blocked: %s", source.name, detail)


def clear_blocked(source: Source) -> None:
    """The source served a normal page: the block is over."""
    cleared = Source.objects.filter(pk=source.pk, blocked_since__isnull=False).update(
        blocked_since=None, blocked_detail=""
    )
    source.blocked_since, source.blocked_detail = None, ""
    if cleared:
        logger.info("source %s serves normal pages again", source.name)


def _describe(result: DiscoveryResult, new: int) -> str:
    lines = [f"{len(result.items)} found, {new} new, method: {result.method or 'none'}"]
    lines += [f"{method} {url}: {status}" for method, url, status in result.attempts]
    return "\n".join(lines)


def fetch_item(record: DiscoveredItemRecord, fetcher: Fetcher) -> IngestResult:
    """Fetch, extract and store one discovered item; failures are stored on the item.

    A block page marks the source blocked and leaves the item FAILED without counting the
    attempt: the block is the site's doing, not the item's, so the item must stay eligible for
    the next discovery run's re-queue however long the block lasts.
    """
    source = record.source
    try:
        result = ingest_url(record.url, fetcher, mirror_of=source.mirror_of, summary=record.summary)
    except (FetchError, ExtractionError, ValueError) as exc:
        blocked = isinstance(exc, BlockedPage) or (
            isinstance(exc, FetchError) and exc.kind == "blocked"
        )
        if blocked:
            detail = exc.detail if isinstance(exc, FetchError) else str(exc)
            mark_blocked(source, f"{record.url}: {detail}")
        else:
            record.attempts += 1
        record.state = DiscoveredItemRecord.State.FAILED
        record.last_error = str(exc)[:2000]
        record.save(update_fields=["attempts", "state", "last_error"])
        return IngestResult(record.url, "failed", None, str(exc))
    record.attempts += 1
    if source.blocked_since is not None:
        clear_blocked(source)
    record.state = (
        DiscoveredItemRecord.State.UNCHANGED
        if result.outcome == Outcome.UNCHANGED
        else DiscoveredItemRecord.State.FETCHED
    )
    record.last_error = ""
    record.fetched_at = timezone.now()
    record.save(update_fields=["attempts", "state", "last_error", "fetched_at"])
    if result.report is not None and result.outcome in (Outcome.NEW, Outcome.UPDATED):
        # The report's neighbours (previous / next) fill the series' gaps.
        article = result.report.article()
        if article is not None:
            record_hints(source, result.report, article.hints)
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
