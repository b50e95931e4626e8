"""Faults the service must ride out: the LLM endpoint down for a while, a locked database.

The worker is django_tasks_db's real worker loop on the real database queue (as in
``tests/test_workers.py``, whose helpers and fixtures are reused), the pages come from the
bundled demo publisher and briefs from a loopback OpenAI-compatible server.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from board.models import Post
from briefs import services as brief_services
from briefs.models import Brief
from ops.demo import DemoPublisher, install_demo_sources
from ops.schedule import schedule_due
from reports.models import Report, ReportLocation, ReportRevision
from reports.services import store_article
from tests.loopback import LoopbackServer, Route, serve
from tests.test_store import make_article
from tests.test_workers import drain, fake_brief, publisher, queue, statuses

__all__ = ["publisher", "queue"]  # fixtures used by name

DOWN_FOR = 9  # requests the LLM endpoint refuses with 503 before it comes back
TASK_RETRIES = {"retries": 12, "backoff": 0.01, "stale_after": 3600.0}


@pytest.fixture
def llm_server() -> Iterator[LoopbackServer]:
    """A loopback OpenAI-compatible endpoint: 503 for the first DOWN_FOR requests, then briefs.

    Overrides test_workers' ``llm_server``, so its ``queue`` fixture points the worker here.
    """
    calls: list[int] = []

    def answer(handler: BaseHTTPRequestHandler) -> Route:
        length = int(handler.headers.get("Content-Length") or 0)
        handler.rfile.read(length)
        calls.append(1)
        if len(calls) <= DOWN_FOR:
            return Route(
                body='{"error": {"message": "model is loading", "type": "server_error"}}',
                status=503,
                content_type="application/json",
            )
        return Route(body=fake_brief(), content_type="application/json")

    brief_services._backend.cache_clear()  # the backend is built once per process
    for server in serve():
        handler: Any = server.httpd.RequestHandlerClass
        handler.do_POST = handler.do_GET
        server.routes["/v1/chat/completions"] = Route(dynamic=answer)
        server.calls = calls  # type: ignore[attr-defined]
        yield server
    brief_services._backend.cache_clear()


def drain_until_empty(seconds: float = 40.0) -> None:
    """Run the worker until nothing is READY, waiting out retries scheduled in the future."""
    deadline = time.monotonic() + seconds
    while True:
        drain()
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return
        assert time.monotonic() < deadline, f"queue not drained: {statuses()}"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_llm_endpoint_down_then_back_every_report_gets_its_brief(
    queue: None, publisher: DemoPublisher, llm_server: LoopbackServer
) -> None:
    """The LLM endpoint answers 503 for its first requests, then comes back.

    In production that is, say, ten minutes of an endpoint restarting (a model loading):
    brief tasks fail, are retried with exponential backoff (``BRIEFROOM_TASK_BACKOFF`` 60 s
    doubling), and complete when it is back. Here the ten minutes are simulated by the same
    retries with a 10 ms backoff, so the whole test takes seconds; the LLM client's own retries
    are off (``BRIEFROOM_LLM_RETRIES=0``), so every refused request is one failed task attempt.
    """
    install_demo_sources(publisher.base_url)
    with override_settings(BRIEFROOM_TASKS=TASK_RETRIES):
        assert len(schedule_due(demo=True)) == 2
        started = time.monotonic()
        drain_until_empty()
        elapsed = time.monotonic() - started

    reports = Report.objects.count()
    assert reports == 7
    assert Post.objects.filter(is_demo=True).count() == reports
    # Every stored revision ends with a finished brief: none skipped, pending or failed.
    assert Brief.objects.count() == ReportRevision.objects.count() == reports
    assert set(Brief.objects.values_list("status", flat=True)) <= {
        Brief.Status.VERIFIED,
        Brief.Status.NEEDS_REVIEW,
    }
    assert not Report.objects.filter(briefs__isnull=True).exists()

    # The task results show the outage: one retry per refused request, none given up.
    results = list(
        DBTaskResult.objects.filter(task_path__endswith=".brief_revision").order_by("enqueued_at")
    )
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}
    retries = [r for r in results if str(r.return_value).startswith("retry ")]
    assert len(retries) == DOWN_FOR
    assert all("503" in str(r.return_value) for r in retries)
    assert max(r.args_kwargs["kwargs"].get("attempt", 0) for r in results) >= 1
    # Every refused request, then at least one answered request per brief not served from cache.
    uncached = Brief.objects.filter(cached=False).count()
    assert len(llm_server.calls) >= DOWN_FOR + uncached  # type: ignore[attr-defined]
    # A brief that failed and then succeeded counts its failed attempts.
    assert Brief.objects.filter(attempts__gte=1).exists()
    print(f"\nLLM down for {DOWN_FOR} requests: {reports} briefs after {elapsed:.2f}s")


@pytest.mark.django_db(transaction=True)
def test_database_locked_by_another_writer_fails_cleanly() -> None:
    """Another connection holds the SQLite write lock; storing a report gives up after its
    busy timeout with ``database is locked`` and leaves nothing half-written."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file lock; PostgreSQL locks rows")
    path = connection.settings_dict["NAME"]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 50")  # tiny, instead of BRIEFROOM_SQLITE_BUSY_TIMEOUT
    other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE reports_report SET title = title")  # a writer mid-transaction
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            store_article(make_article(), raw_html="<html>1</html>")
        waited = time.monotonic() - started
        assert waited < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not connection.in_atomic_block
    assert Report.objects.count() == 0
    assert ReportRevision.objects.count() == 0
    assert ReportLocation.objects.count() == 0
    assert Post.objects.count() == 0
    # The lock is gone: the same store now succeeds in full.
    store_article(make_article(), raw_html="<html>1</html>")
    assert Report.objects.count() == 1 and ReportRevision.objects.count() == 1
    connection.close()  # the next test gets the configured busy timeout back
