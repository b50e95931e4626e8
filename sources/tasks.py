"""Pipeline tasks (Django's tasks API): discover a source, fetch one discovered item.

Each task reads its input from the database and is safe to run twice; the store enqueues the
brief (``briefs.tasks.brief_revision``) in its own transaction. Failures retry with
exponential backoff (:func:`ops.retry.retry_or_raise`) and then rest FAILED in the admin.
Pipeline tasks outrank briefs (priority 10 vs 0), so a slow LLM never holds back new posts.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from ops.retry import READY, RUNNING, retry_or_raise
from pipeline.fetch import Fetcher
from reports.services import make_fetcher
from sources.models import DiscoveredItemRecord, Source

logger = logging.getLogger(__name__)

PIPELINE_PRIORITY = 10
_fetchers: dict[bool, Fetcher] = {}


class DiscoveryFailed(Exception):
    """Every discovery method of a source failed (the attempts are in the message)."""


class FetchFailed(Exception):
    """Fetching, extracting or storing one item failed."""


def is_demo_url(url: str) -> bool:
    """True for a URL on the bundled demo publisher of ``briefroom run --demo``."""
    origin = settings.BRIEFROOM_DEMO_ORIGIN
    if not origin or not url:
        return False
    a, b = urlsplit(url), urlsplit(origin)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def fetcher_for(url: str) -> Fetcher:
    """The process's fetcher (kept between tasks so host pacing and robots.txt carry over).

    Only URLs on the demo origin get a fetcher whose SSRF guard lets loopback through.
    """
    demo = is_demo_url(url)
    if demo not in _fetchers:
        _fetchers[demo] = make_fetcher(**fetcher_overrides(url))
    return _fetchers[demo]


def fetcher_overrides(url: str) -> dict[str, object]:
    """FetchConfig fields to replace for ``url``: the demo origin may be on loopback."""
    if is_demo_url(url):
        return {"allow_networks": frozenset({"loopback"}), "host_delay": 0.0}
    return {}


def source_url(source: Source) -> str:
    return source.feed_url or source.listing_url or source.sitemap_url


def queued_item_ids() -> set[int]:
    """Items that already have a fetch task waiting or running."""
    ids: set[int] = set()
    path = f"{fetch_item_task.func.__module__}.{fetch_item_task.func.__qualname__}"
    for args_kwargs in DBTaskResult.objects.filter(
        task_path=path, status__in=[READY, RUNNING]
    ).values_list("args_kwargs", flat=True):
        args = (args_kwargs or {}).get("args") or []
        if args:
            ids.add(int(args[0]))
    return ids


@task(priority=PIPELINE_PRIORITY)
def discover_source_task(source_id: int, attempt: int = 0) -> str:
    """Discover one source, store what it found, enqueue a fetch of every pending item."""
    from sources.services import discover_source

    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return "skipped: source missing or disabled"
    try:
        run = discover_source(source, fetcher_for(source_url(source)))
        if not run.result.method:
            raise DiscoveryFailed(source.last_discovery_result)
    except Exception as exc:
        return retry_or_raise(discover_source_task, [source_id], attempt, exc)
    limit = 3 * int(settings.BRIEFROOM_TASKS["retries"])
    queued = queued_item_ids()
    enqueued = 0
    for item_id in (
        DiscoveredItemRecord.objects.filter(source=source, attempts__lt=limit)
        .pending()
        .order_by("published", "id")
        .values_list("id", flat=True)
    ):
        if item_id not in queued:
            fetch_item_task.enqueue(item_id)
            enqueued += 1
    return f"{source.last_discovery_result.splitlines()[0]}; {enqueued} fetches queued"


@task(priority=PIPELINE_PRIORITY)
def fetch_item_task(item_id: int, attempt: int = 0) -> str:
    """Fetch, extract and store one discovered item (the store queues its brief)."""
    from sources.services import fetch_item

    record = DiscoveredItemRecord.objects.select_related("source").filter(pk=item_id).first()
    if record is None:
        return "skipped: item gone"
    if record.state in (DiscoveredItemRecord.State.FETCHED, DiscoveredItemRecord.State.UNCHANGED):
        return f"skipped: already {record.state}"
    try:
        result = fetch_item(record, fetcher_for(record.url))
        if result.outcome == "failed":
            raise FetchFailed(result.detail)
    except Exception as exc:
        return retry_or_raise(fetch_item_task, [item_id], attempt, exc)
    if result.report is not None and is_demo_url(record.url):
        # Demo posts are published here (not only by the board's queued publish task) so that
        # they can be marked at once; publish_report is idempotent and keeps the mark.
        from board.models import Post
        from board.services import bump_version, publish_report

        publish_report(result.report)
        if Post.objects.filter(report=result.report, is_demo=False).update(is_demo=True):
            bump_version()
    return f"{result.outcome}: {record.url}"
