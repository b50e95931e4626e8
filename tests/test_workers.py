"""The running service: pipeline tasks on the real database queue, the schedule, status.

Workers run django_tasks_db's real worker loop in this process (``--batch``: until the queue
is empty) against the database test backend; pages come from the bundled demo publisher on
loopback and briefs from a tiny OpenAI-compatible server on loopback (a real HTTP backend).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from board.models import Post
from briefs.models import Brief
from ops.demo import DemoPublisher, install_demo_sources
from ops.models import ScheduledSlot
from ops.retry import requeue_stale
from ops.schedule import cadence_for, schedule_due
from pipeline.brief.categories import load_categories
from reports.models import Report
from sources import tasks as source_tasks
from sources.models import DiscoveredItemRecord, Source
from tests.loopback import LoopbackServer, Route, serve

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FAST_RETRIES = {"retries": 3, "backoff": 0.0, "stale_after": 3600.0}


def fake_brief() -> str:
    label = load_categories()[0].label
    content = json.dumps(
        {
            "key_points": [
                {"text": "보고서는 전선 상황을 평가합니다.", "source_ref": "p-1"},
                {"text": "보고서는 외교 동향을 다룹니다.", "source_ref": "p-2"},
                {"text": "보고서는 향후 작전을 전망합니다.", "source_ref": "p-3"},
            ],
            "category": label,
            "roles": [],
            "outlook": "발행처는 상황이 계속될 것으로 평가합니다.",
        },
        ensure_ascii=False,
    )
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "loopback",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }
    )


def openai_server() -> Iterator[LoopbackServer]:
    """A loopback OpenAI-compatible endpoint answering every chat completion with one brief."""
    calls: list[int] = []

    def answer(handler: BaseHTTPRequestHandler) -> Route:
        length = int(handler.headers.get("Content-Length") or 0)
        handler.rfile.read(length)
        calls.append(1)
        return Route(body=fake_brief(), content_type="application/json")

    for server in serve():
        handler: Any = server.httpd.RequestHandlerClass
        handler.do_POST = handler.do_GET
        server.routes["/v1/chat/completions"] = Route(dynamic=answer)
        server.calls = calls  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def llm_server() -> Iterator[LoopbackServer]:
    yield from openai_server()


@pytest.fixture
def publisher() -> Iterator[DemoPublisher]:
    server = DemoPublisher().start()
    yield server
    server.stop()


def use_loopback_llm(settings: Any, base_url: str) -> None:
    """Brief through the OpenAI-compatible endpoint at ``base_url``, without the client's own
    retries (each refused request is one failed task attempt)."""
    settings.BRIEFROOM_LLM = {
        **settings.BRIEFROOM_LLM,
        "backend": "openai",
        "openai_base_url": base_url + "/v1",
        "openai_api_key": "test",
        "retries": 0,
    }


@pytest.fixture
def queue(settings: Any, llm_server: LoopbackServer, publisher: DemoPublisher) -> Iterator[None]:
    """The real database queue, the demo origin and the loopback LLM."""
    settings.BRIEFROOM_DEMO_ORIGIN = publisher.base_url
    settings.BRIEFROOM_TASKS = FAST_RETRIES
    use_loopback_llm(settings, llm_server.base_url)
    source_tasks._fetchers.clear()
    with override_settings(TASKS=DB_TASKS):
        yield
    source_tasks._fetchers.clear()


def drain() -> None:
    """Run every ready task with django_tasks_db's worker loop, as `briefroom worker` does."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def statuses() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, status in DBTaskResult.objects.values_list("task_path", "status"):
        out.setdefault(path.rsplit(".", 1)[-1], []).append(status)
    return out


def test_cadence_slots() -> None:
    isw = cadence_for(Source(name="isw", publisher="ISW"))
    mnd = cadence_for(Source(name="mnd", publisher="국방부", default_series="mnd-press-release"))
    assert isw.time_zone == "America/New_York"
    assert isw.hours == (0, 6, 12, 14, 16, 18, 20, 22)
    assert mnd.hours == tuple(range(9, 20))
    # 2025-06-13 21:30 EDT is 01:30 UTC the next day: the 20:00 EDT slot (00:00 UTC).
    now = dt.datetime(2025, 6, 14, 1, 30, tzinfo=dt.UTC)
    assert isw.slot_start(now) == dt.datetime(2025, 6, 14, 0, 0, tzinfo=dt.UTC)
    # 07:00 KST is before the first office-hours slot: yesterday's 19:00 KST slot.
    seven_kst = dt.datetime(2025, 6, 13, 22, 0, tzinfo=dt.UTC)
    assert mnd.slot_start(seven_kst) == dt.datetime(2025, 6, 13, 10, 0, tzinfo=dt.UTC)
    demo = cadence_for(Source(name="demo-isw"))
    assert demo.slot_start(dt.datetime(2025, 1, 1, 3, 5, 59, tzinfo=dt.UTC)).minute == 4


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_enqueue_each_slot_once(queue: None) -> None:
    now = dt.datetime(2025, 6, 14, 1, 30, tzinfo=dt.UTC)
    sources = Source.objects.filter(enabled=True).exclude(name__startswith="demo-").count()
    assert sources >= 2
    barrier = threading.Barrier(4)
    created: list[int] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        from django.db import connection

        try:
            barrier.wait()
            for _ in range(3):
                created.append(len(schedule_due(now)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(created) == sources
    assert ScheduledSlot.objects.count() == sources
    assert statuses() == {"discover_source_task": ["READY"] * sources}
    # The next slot is a new row; the same instant again is not.
    assert len(schedule_due(now + dt.timedelta(hours=6))) == sources
    assert schedule_due(now + dt.timedelta(hours=6)) == []


@pytest.mark.django_db(transaction=True)
def test_worker_drains_discovery_fetch_store_brief(
    queue: None, publisher: DemoPublisher, llm_server: LoopbackServer
) -> None:
    install_demo_sources(publisher.base_url)
    started = time.monotonic()
    assert len(schedule_due(demo=True)) == 2
    drain()
    elapsed = time.monotonic() - started
    counts = {name: len(values) for name, values in statuses().items()}
    counts.pop("publish_report_task", None)  # the board's own follow-up of a brief
    assert counts == {"discover_source_task": 2, "fetch_item_task": 7, "brief_revision": 7}
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert Report.objects.count() == 7
    assert Post.objects.filter(is_demo=True).count() == 7
    assert Brief.objects.count() == 7
    assert not Brief.objects.filter(status=Brief.Status.PENDING).exists()
    calls = len(llm_server.calls)  # type: ignore[attr-defined]
    assert calls + Brief.objects.filter(cached=True).count() >= 7  # two releases share a text
    print(f"\n7 reports discovered, fetched, stored, posted and briefed in {elapsed:.2f}s")

    # Discovery again finds nothing new and queues nothing; fetching a stored item is a no-op.
    for source in Source.objects.filter(name__startswith="demo-"):
        source_tasks.discover_source_task.enqueue(source.pk)
    item = DiscoveredItemRecord.objects.first()
    assert item is not None
    source_tasks.fetch_item_task.enqueue(item.pk)
    drain()
    assert Report.objects.count() == 7 and Brief.objects.count() == 7
    assert statuses()["fetch_item_task"].count("SUCCESSFUL") == 8

    # A new report appears at the publisher: the next slot brings its post.
    publisher.publish(
        "/backgrounder/russian-offensive-campaign-assessment-june-2-2025",
        "isw-old-russian-offensive-campaign-assessment-june-2-2025.html",
        "Russian Offensive Campaign Assessment, June 2, 2025",
    )
    appeared = time.monotonic()
    assert len(schedule_due(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2), demo=True)) == 2
    drain()
    to_post = time.monotonic() - appeared
    assert Post.objects.filter(is_demo=True).count() == 8
    assert Brief.objects.count() == 8
    print(f"new report at the publisher -> post and brief in {to_post:.2f}s (worker loop)")


@pytest.mark.django_db(transaction=True)
def test_failed_fetch_retries_with_backoff_then_rests_failed_and_admin_retries(
    queue: None, http_server: LoopbackServer, admin_client: Client
) -> None:
    source = Source.objects.create(
        name="flaky", title="Flaky", publisher="X", feed_url=http_server.url("/feed.xml")
    )
    record = DiscoveredItemRecord.objects.create(
        source=source, url=http_server.url("/gone/report/"), title="gone"
    )
    http_server.routes["/gone/report/"] = Route(body="no", status=404)
    source_tasks.fetch_item_task.enqueue(record.pk)
    drain()
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]
    assert [r.args_kwargs["kwargs"].get("attempt", 0) for r in results] == [0, 1, 2]
    assert "retry 1" in results[0].return_value
    assert results[-1].exception_class_path == "sources.tasks.FetchFailed"
    record.refresh_from_db()
    assert record.state == "failed" and record.attempts == 3 and "404" in record.last_error

    # The publisher fixed the page; an editor retries the failed task from the admin.
    http_server.routes["/gone/report/"] = Route(
        body=(
            source_tasks.settings.BASE_DIR
            / "tests/fixtures/pages/isw-russian-offensive-campaign-assessment-november-14-2025.html"
        ).read_bytes()
    )
    response = admin_client.post(
        reverse("admin:django_tasks_database_dbtaskresult_changelist"),
        {"action": "retry", "_selected_action": [str(results[-1].pk)]},
    )
    assert response.status_code == 302
    ready = DBTaskResult.objects.filter(status="READY").get()
    assert ready.args_kwargs == {"args": [record.pk], "kwargs": {"attempt": 0}}
    drain()
    record.refresh_from_db()
    assert record.state == "fetched"
    assert Report.objects.count() == 1 and Post.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_discovery_failure_is_retried_and_recorded(
    queue: None, http_server: LoopbackServer
) -> None:
    source = Source.objects.create(
        name="down", title="Down", publisher="X", feed_url=http_server.url("/feed.xml")
    )
    http_server.routes["/feed.xml"] = Route(body="oops", status=500)
    source_tasks.discover_source_task.enqueue(source.pk)
    drain()
    assert statuses() == {"discover_source_task": ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]} or sorted(
        statuses()["discover_source_task"]
    ) == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"]
    source.refresh_from_db()
    assert source.last_discovery_ok is False


@pytest.mark.django_db(transaction=True)
def test_tasks_of_a_dead_worker_are_requeued(queue: None) -> None:
    import socket

    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = f"{socket.gethostname()[:40]}:{os.getpid()}:0"
    source = Source.objects.get(name="isw")
    first = source_tasks.discover_source_task.enqueue(source.pk)
    second = source_tasks.discover_source_task.enqueue(source.pk)
    host = socket.gethostname()[:40]
    DBTaskResult.objects.filter(pk=first.id).update(
        status="RUNNING", worker_ids=[f"{host}:{dead.pid}:0"], started_at=dt.datetime.now(dt.UTC)
    )
    DBTaskResult.objects.filter(pk=second.id).update(
        status="RUNNING", worker_ids=[alive], started_at=dt.datetime.now(dt.UTC)
    )
    assert requeue_stale() == 1
    assert DBTaskResult.objects.get(pk=first.id).status == "READY"
    assert DBTaskResult.objects.get(pk=second.id).status == "RUNNING"
    # A worker elsewhere is trusted until the stale timeout.
    DBTaskResult.objects.filter(pk=second.id).update(worker_ids=["elsewhere:1:0"])
    assert requeue_stale() == 0
    assert requeue_stale(stale_after=-1) == 1


@pytest.mark.django_db(transaction=True)
def test_status_and_healthz(queue: None, client: Client) -> None:
    source = Source.objects.get(name="isw")
    source_tasks.discover_source_task.enqueue(source.pk)
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["queue"]["ready"] == 1 and data["queue"]["running"] == 0
    assert {s["name"] for s in data["sources"]} >= {"isw", "mnd"}
    assert set(data) == {
        "ok", "time", "sources", "queue", "failed_tasks", "fetch_failures", "briefs",
        "tokens_today",
    }  # fmt: skip
    assert "secret" not in response.content.decode().lower()
    from io import StringIO

    out = StringIO()
    call_command("status", stdout=out)
    text = out.getvalue()
    assert "queue: 1 ready" in text and "isw: never" in text and "tokens today:" in text
    out = StringIO()
    call_command("status", "--json", stdout=out)
    assert json.loads(out.getvalue())["queue"]["ready"] == 1


# --- worker processes on PostgreSQL ------------------------------------------------------------


def worker_env(publisher: DemoPublisher, llm: LoopbackServer) -> dict[str, str]:
    """Settings for `briefroom` subprocesses on this test's database (PostgreSQL or SQLite)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "BRIEFROOM_ENV": "dev",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": url,
        "BRIEFROOM_DEMO_ORIGIN": publisher.base_url,
        "BRIEFROOM_LLM_BACKEND": "openai",
        "BRIEFROOM_OPENAI_BASE_URL": llm.base_url + "/v1",
        "BRIEFROOM_OPENAI_API_KEY": "test",
        "BRIEFROOM_LLM_RETRIES": "0",
        "BRIEFROOM_TASK_BACKOFF": "0",
    }


WORKER = ["-m", "config.cli", "worker"]


def run_workers(env: dict[str, str], concurrency: int) -> None:
    """`briefroom worker --concurrency N --batch` until nothing is ready or running."""
    import sys

    for _ in range(10):
        subprocess.run(
            [
                sys.executable,
                *WORKER,
                "--batch",
                "--interval",
                "0.2",
                "--concurrency",
                str(concurrency),
            ],
            env=env,
            check=True,
            timeout=600,
            capture_output=True,
        )
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return
    raise AssertionError(f"queue not drained: {statuses()}")


def enqueue_press_releases(publisher: DemoPublisher, count: int) -> list[int]:
    install_demo_sources(publisher.base_url)
    source = Source.objects.get(name="demo-mnd")
    ids = []
    for n in range(count):
        url = f"{publisher.base_url}/briefing/pressReleaseView.do?newsId={157000000 + n}"
        record = DiscoveredItemRecord.objects.create(source=source, url=url, title=f"#{n}")
        source_tasks.fetch_item_task.enqueue(record.pk)
        ids.append(record.pk)
    return ids


def assert_each_report_posted_and_briefed_once(count: int, *, demo: bool = True) -> None:
    assert Report.objects.count() == count
    assert Post.objects.count() == count
    if demo:
        assert Post.objects.filter(is_demo=True).count() == count
    assert Brief.objects.count() == count
    assert not Brief.objects.filter(status=Brief.Status.PENDING).exists()
    briefed = [
        tuple(a["args"])
        for a in DBTaskResult.objects.filter(
            task_path="briefs.tasks.brief_revision", status="SUCCESSFUL"
        ).values_list("args_kwargs", flat=True)
    ]
    assert len(briefed) >= count and len(set(briefed)) == count
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING", "FAILED"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_worker_processes_drain_200_reports_each_briefed_once(
    queue: None, publisher: DemoPublisher, llm_server: LoopbackServer
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes on the shared queue: PostgreSQL")
    count = 200
    enqueue_press_releases(publisher, count)
    started = time.monotonic()
    run_workers(worker_env(publisher, llm_server), 4)
    elapsed = time.monotonic() - started
    assert_each_report_posted_and_briefed_once(count)
    print(f"\n4 worker processes: {count} reports to posts and briefs in {elapsed:.1f}s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_task_loses_and_duplicates_nothing(
    queue: None, publisher: DemoPublisher, llm_server: LoopbackServer
) -> None:
    import signal
    import sys

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes on the shared queue: PostgreSQL")
    route = llm_server.routes["/v1/chat/completions"]
    llm_server.routes["/v1/chat/completions"] = Route(dynamic=route.dynamic, delay=1.0)
    count = 6
    enqueue_press_releases(publisher, count)
    env = worker_env(publisher, llm_server)
    victim = subprocess.Popen(
        [sys.executable, "-m", "config.cli", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = DBTaskResult.objects.filter(
                status="RUNNING", task_path="briefs.tasks.brief_revision"
            )
            if running.exists():
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"no brief started: {statuses()}")
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    finally:
        if victim.poll() is None:
            victim.kill()
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1  # left behind
    run_workers(env, 2)  # a new worker requeues the dead one's task and finishes the rest
    assert_each_report_posted_and_briefed_once(count)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_worker_finish_its_task(
    queue: None, publisher: DemoPublisher, llm_server: LoopbackServer
) -> None:
    import signal
    import sys

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes on the shared queue: PostgreSQL")
    route = llm_server.routes["/v1/chat/completions"]
    llm_server.routes["/v1/chat/completions"] = Route(dynamic=route.dynamic, delay=1.5)
    enqueue_press_releases(publisher, 2)
    worker = subprocess.Popen(
        [sys.executable, *WORKER, "--interval", "0.2"],
        env=worker_env(publisher, llm_server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        running = DBTaskResult.objects.filter(
            status="RUNNING", task_path="briefs.tasks.brief_revision"
        )
        while not running.exists():
            assert time.monotonic() < deadline, statuses()
            time.sleep(0.05)
        task_id = running.get().pk
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert DBTaskResult.objects.get(pk=task_id).status == "SUCCESSFUL"
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_enqueue_each_slot_once(
    queue: None, publisher: DemoPublisher, llm_server: LoopbackServer
) -> None:
    import sys

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("scheduler processes on one database: PostgreSQL")
    env = worker_env(publisher, llm_server)
    command = [sys.executable, "-m", "config.cli", "scheduler", "--once"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes)
    sources = Source.objects.filter(enabled=True).exclude(name__startswith="demo-").count()
    assert sum(int(out.split()[0]) for out in outputs) == sources, outputs
    assert ScheduledSlot.objects.count() == sources
    assert statuses() == {"discover_source_task": ["READY"] * sources}
