"""Faults the service must ride out: the LLM endpoint down for a while, a locked database.

The worker is django_tasks_db's real worker loop on the real database queue (as in
``tests/test_workers.py``, whose helpers and fixtures are reused), the pages come from the
bundled demo publisher and briefs from a loopback OpenAI-compatible server.
"""

from __future__ import annotations

import errno
import itertools
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from board.models import Post
from briefs import services as brief_services
from briefs.models import Brief
from ops.demo import DemoPublisher, install_demo_sources, press_release_page
from ops.schedule import schedule_due
from ops.status import service_status
from reports.models import Report, ReportLocation, ReportRevision
from reports.services import store_article
from sources import tasks as source_tasks
from sources.models import DiscoveredItemRecord, Source
from tests.loopback import LoopbackServer, Route, serve
from tests.test_store import make_article
from tests.test_workers import (
    DB_TASKS,
    drain,
    fake_brief,
    openai_server,
    publisher,
    queue,
    statuses,
    use_loopback_llm,
)

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


# --- the source misbehaves ---------------------------------------------------------------------

NEWS_ID = 157000001
FEED_PATH = "/rss/dept_mnd.xml"
PAGE_PATH = "/briefing/pressReleaseView.do"
# Each fault, and what the stored error says about it.
FAULTS: dict[str, tuple[Route, str]] = {
    "500": (Route(body="Internal Server Error", status=500, content_type="text/plain"), "500"),
    "429": (
        Route(body="wait", status=429, headers={"Retry-After": "1"}, content_type="text/plain"),
        "429",
    ),
    "timeout": (Route(body="late", delay=1.5), "timed out"),
    "drop": (Route(body="<html>" + "x" * 8000, drop_after=1000), "connection"),
}


def feed_route(server: LoopbackServer) -> Route:
    link = f"{server.base_url}{PAGE_PATH}?newsId={NEWS_ID}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>국방부</title>'
        f"<link>{server.base_url}/</link><item><title>국방부 보도자료</title><link>{link}</link>"
        f"<guid>{NEWS_ID}</guid><pubDate>Fri, 13 Jun 2025 10:30:00 +0900</pubDate></item>"
        "</channel></rss>"
    )
    return Route(body=body, content_type="application/rss+xml")


def page_route() -> Route:
    return Route(body=press_release_page(NEWS_ID))


@pytest.fixture
def source_server(settings: Any) -> Iterator[LoopbackServer]:
    """A korea.kr look-alike on loopback, reached as the demo origin (so loopback is allowed)."""
    for server, llm in zip(serve(), openai_server(), strict=True):
        use_loopback_llm(settings, llm.base_url)
        brief_services._backend.cache_clear()
        server.routes[FEED_PATH] = feed_route(server)
        server.routes[PAGE_PATH] = page_route()
        settings.BRIEFROOM_DEMO_ORIGIN = server.base_url
        settings.BRIEFROOM_FETCH = {
            **settings.BRIEFROOM_FETCH,
            "read_timeout": 0.5,
            "retries": 1,
            "backoff": 0.01,
        }
        settings.BRIEFROOM_TASKS = {"retries": 2, "backoff": 0.0, "stale_after": 3600.0}
        source_tasks._fetchers.clear()
        install_demo_sources(server.base_url)
        Source.objects.filter(name="demo-isw").update(enabled=False)
        with override_settings(TASKS=DB_TASKS):
            yield server
        source_tasks._fetchers.clear()
        brief_services._backend.cache_clear()


def status_text() -> str:
    out = StringIO()
    call_command("status", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("where", ["feed", "page"])
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.django_db(transaction=True)
def test_source_fault_is_retried_shown_in_status_and_the_next_run_recovers(
    source_server: LoopbackServer, fault: str, where: str
) -> None:
    route, says = FAULTS[fault]
    path = FEED_PATH if where == "feed" else PAGE_PATH
    source_server.routes[path] = route
    source = Source.objects.get(name="demo-mnd")

    source_tasks.discover_source_task.enqueue(source.pk)
    drain_until_empty()

    # Retried: the fetcher's own retry inside each of the task's attempts.
    hits = [r for r in source_server.requests if r.path.split("?")[0] == path]
    assert len(hits) == 2 * 2, [r.path for r in source_server.requests]  # 2 tasks × 2 tries
    if fault == "429":  # Retry-After: 1 is honoured between the fetcher's two tries
        gaps = [b.time - a.time for a, b in itertools.pairwise(hits)]
        assert max(gaps) >= 0.95, gaps
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert failed.count() == 1
    task = "discover_source_task" if where == "feed" else "fetch_item_task"
    assert failed.get().task_path.endswith(task)
    assert Report.objects.count() == 0

    # Visible in `briefroom status` and /healthz.
    data = service_status()
    assert [t["task"] for t in data["failed_tasks"]] == [task]
    text = status_text()
    if where == "feed":
        mnd = next(s for s in data["sources"] if s["name"] == "demo-mnd")
        assert mnd["last_discovery_ok"] is False
        assert "demo-mnd:" in text and "FAILED" in text
        assert says in " ".join(mnd["last_discovery_result"]).lower()
        assert says in text.lower()
    else:
        assert data["fetch_failures"]["count"] == 1
        latest = data["fetch_failures"]["latest"][0]
        assert latest["attempts"] == 2 and says in latest["error"].lower(), latest
        assert "fetch failures: 1" in text and str(NEWS_ID) in text

    # The source is back; the next scheduled discovery picks the item up again.
    source_server.routes[FEED_PATH] = feed_route(source_server)
    source_server.routes[PAGE_PATH] = page_route()
    source_tasks.discover_source_task.enqueue(source.pk)
    drain_until_empty()
    assert Report.objects.count() == 1 and Post.objects.count() == 1
    assert Brief.objects.get().status in {Brief.Status.VERIFIED, Brief.Status.NEEDS_REVIEW}
    item = DiscoveredItemRecord.objects.get(source=source)
    assert item.state == DiscoveredItemRecord.State.FETCHED and item.last_error == ""
    data = service_status()
    assert data["fetch_failures"]["count"] == 0
    assert next(s for s in data["sources"] if s["name"] == "demo-mnd")["last_discovery_ok"]
    assert "fetch failures: 0" in status_text()


# --- the LLM endpoint refuses connections ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_llm_endpoint_refusing_connections_then_back_every_report_gets_its_brief(
    settings: Any, publisher: DemoPublisher
) -> None:
    """Nothing listens at the endpoint (a crashed server): connections are refused, the brief
    tasks wait on their retries, and complete once a server listens there again."""
    port = free_port()
    settings.BRIEFROOM_DEMO_ORIGIN = publisher.base_url
    settings.BRIEFROOM_TASKS = {"retries": 6, "backoff": 0.5, "stale_after": 3600.0}
    use_loopback_llm(settings, f"http://127.0.0.1:{port}")
    source_tasks._fetchers.clear()
    brief_services._backend.cache_clear()
    install_demo_sources(publisher.base_url)
    with override_settings(TASKS=DB_TASKS):
        assert len(schedule_due(demo=True)) == 2
        # Until nothing is left but briefs waiting for their next try.
        deadline = time.monotonic() + 30
        while Brief.objects.filter(status=Brief.Status.FAILED).count() < 7:
            drain()
            assert time.monotonic() < deadline, statuses()
        assert Report.objects.count() == 7
        refused = [
            str(r.return_value)
            for r in DBTaskResult.objects.filter(task_path__endswith=".brief_revision")
            if str(r.return_value).startswith("retry ")
        ]
        assert refused
        assert all("APIConnectionError" in value for value in refused), refused
        assert not DBTaskResult.objects.filter(status="FAILED").exists()
        # Meanwhile each brief shows as failed, with the reason, and waits for its next try.
        assert all("Connection" in e for e in Brief.objects.values_list("error", flat=True))
        assert (
            DBTaskResult.objects.filter(
                status="READY", task_path__endswith=".brief_revision"
            ).count()
            == 7
        )

        # The endpoint is back on the same port.
        server = LoopbackServer(port=port)
        handler: Any = server.httpd.RequestHandlerClass
        handler.do_POST = handler.do_GET

        def answer(handler: BaseHTTPRequestHandler) -> Route:
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
            return Route(body=fake_brief(), content_type="application/json")

        server.routes["/v1/chat/completions"] = Route(dynamic=answer)
        server.start()
        try:
            drain_until_empty()
        finally:
            server.stop()
    brief_services._backend.cache_clear()
    source_tasks._fetchers.clear()
    assert set(Brief.objects.values_list("status", flat=True)) <= {
        Brief.Status.VERIFIED,
        Brief.Status.NEEDS_REVIEW,
    }
    assert Brief.objects.count() == ReportRevision.objects.count() == 7
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_postgresql_lock_timeout_fails_cleanly_and_the_store_succeeds_later() -> None:
    """Another session holds the report's row lock; the store gives up after the lock timeout
    with a clear ``lock timeout`` error, writes nothing, and succeeds once the lock is gone."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout; SQLite is covered by the test above")
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "20s"  # BRIEFROOM_PG_LOCK_TIMEOUT, on every connection
    first = store_article(make_article(), raw_html="<html>1</html>")
    changed = make_article(key_takeaways=["Iran rejected the proposal.", "A second takeaway."])
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=False
    )
    try:
        other.execute("SELECT id FROM reports_report WHERE id = %s FOR UPDATE", [first.report.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")  # short, instead of the 20 s default
        started = time.monotonic()
        with pytest.raises(OperationalError, match="lock timeout"):
            store_article(changed, raw_html="<html>2</html>")
        assert time.monotonic() - started < 5
    finally:
        other.rollback()
        other.close()
    assert not connection.in_atomic_block
    assert ReportRevision.objects.count() == 1
    assert Report.objects.get().current_revision_id == first.revision.pk
    result = store_article(changed, raw_html="<html>2</html>")
    assert result.outcome == "updated" and ReportRevision.objects.count() == 2
    connection.close()  # the next test gets the configured lock timeout back


# --- the disk fills up -------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB filesystem (tmpfs), so writes fail with ENOSPC as on a full disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def briefroom(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BRIEFROOM_ENV": "dev",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "",
        "BRIEFROOM_DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "config.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def fill(path: Path) -> None:
    """Write until the filesystem is full."""
    fd = os.open(path / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def free(path: Path, size: int) -> None:
    """Give back ``size`` bytes of the filler."""
    filler = path / "filler"
    os.truncate(filler, max(filler.stat().st_size - size, 0))


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        out = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "reports_report",
                "reports_reportrevision",
                "reports_reportlocation",
                "board_post",
                "django_tasks_database_dbtaskresult",
            )
        }
    db.close()
    return out


def test_disk_full_while_storing_is_a_clear_error_and_the_data_stays_consistent(
    full_disk: Path,
) -> None:
    """The data directory (SQLite database and all) is on a disk that fills up. Ingesting a
    report fails with one clear line, whether the disk is full to the last byte (SQLite cannot
    even open its shared-memory file) or has a few KiB left (the write fails mid-transaction:
    "database or disk is full"). The database stays intact with nothing half-written, and once
    space is freed the same command stores the report."""
    pages = Path(__file__).parent / "fixtures" / "pages"
    first = pages / "isw-iran-update-evening-special-report-june-13-2025.html"
    second = pages / "isw-russian-offensive-campaign-assessment-november-14-2025.html"
    database = full_disk / "briefroom.sqlite3"
    assert briefroom(full_disk, "migrate", "--no-input").returncode == 0
    stored = briefroom(full_disk, "ingest", str(first))
    assert stored.returncode == 0, stored.stderr[-2000:]
    before = counts(database)
    # Stored, with its publish and brief tasks queued in the same transaction (the outbox).
    assert before["reports_report"] == 1 and before["django_tasks_database_dbtaskresult"] == 2

    fill(full_disk)
    errors = []
    for room in (0, 48 * 1024):  # full to the byte, then a few KiB left
        free(full_disk, room)
        refused = briefroom(full_disk, "ingest", str(second))
        assert refused.returncode != 0
        last = refused.stderr.strip().splitlines()[-1]
        assert last.startswith("briefroom: OperationalError: "), refused.stderr[-2000:]
        assert "is the disk of the data directory or the database full?" in last
        assert "Traceback" not in refused.stderr  # one clear line, not a stack
        errors.append(last)
    assert "database or disk is full" in errors[1], errors

    # Space is back (reading needs some too: SQLite maps a shared-memory file next to the
    # database). Nothing of the refused report was written, and the database is intact.
    (full_disk / "filler").unlink()
    assert counts(database) == before
    again = briefroom(full_disk, "ingest", str(second))
    assert again.returncode == 0, again.stderr[-2000:]
    after = counts(database)
    assert after["reports_report"] == 2 and after["reports_reportrevision"] == 2
    assert after["django_tasks_database_dbtaskresult"] == 4
    print("\n" + "\n".join(errors))
