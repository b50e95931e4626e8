"""SIGKILL at random points of a 200-report backfill: after it resumes, nothing lost or doubled.

``briefroom backfill`` (a subprocess) walks a demo korea.kr feed of 200 press releases served on
loopback and stores each report; the store queues publish and brief tasks that a
``briefroom worker`` subprocess runs against a loopback OpenAI-compatible endpoint. The test
kills the backfill with SIGKILL at least ten times, each time after a random number of newly
stored reports plus a random few milliseconds, and kills the worker at about half of those
moments, restarting both each time. Then it lets the backfill finish and the queue drain, and
counts: exactly 200 reports, revisions, locations, posts (numbered 1..200 without a gap), search
documents and briefs, each briefed once, and no task left failed or waiting.

It runs on SQLite and on PostgreSQL (``make test-postgres``). The seed is printed and can be
set with ``BRIEFROOM_CHAOS_SEED`` to replay a run's kill points.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django_tasks_db.models import DBTaskResult

from board.models import Post
from briefs.models import Brief
from ops.demo import PRESS_RELEASE_ID, DemoPublisher, install_demo_sources
from pipeline.extract.common import canonical_url
from reports.models import Report, ReportLocation, ReportRevision
from search.models import SearchDocument
from sources.models import DiscoveredItemRecord, Source
from tests.loopback import LoopbackServer, Route
from tests.test_workers import (
    assert_each_report_posted_and_briefed_once,
    openai_server,
    run_workers,
    statuses,
    worker_env,
)

COUNT = 200
KILLS = 10
CLI = [sys.executable, "-m", "config.cli"]
BACKFILL = [*CLI, "backfill", "--source", "demo-mnd", "--since", "2000-01-01", "--no-progress"]
WORKER = [*CLI, "worker", "--interval", "0.1"]


@pytest.fixture
def llm() -> Iterator[LoopbackServer]:
    for server in openai_server():
        # A little latency, so that some kills land while a brief is in flight.
        route = server.routes["/v1/chat/completions"]
        server.routes["/v1/chat/completions"] = Route(dynamic=route.dynamic, delay=0.05)
        yield server


@pytest.fixture
def publisher() -> Iterator[DemoPublisher]:
    server = DemoPublisher(isw=False, press_releases=COUNT).start()
    yield server
    server.stop()


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill(process: subprocess.Popen[bytes]) -> int | None:
    """SIGKILL; returns the exit code if the process had already ended by itself."""
    code = process.poll()
    if code is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    process.stderr.close()
    return code


@pytest.mark.django_db(transaction=True)
def test_sigkill_at_random_points_of_a_200_report_backfill_loses_and_doubles_nothing(
    settings: object, publisher: DemoPublisher, llm: LoopbackServer
) -> None:
    seed = int(os.environ.get("BRIEFROOM_CHAOS_SEED") or random.SystemRandom().randrange(10**6))
    print(f"\nchaos seed {seed} (BRIEFROOM_CHAOS_SEED={seed} replays the kill points)")
    rng = random.Random(seed)
    install_demo_sources(publisher.base_url)
    Source.objects.filter(name="demo-isw").update(enabled=False)
    env = worker_env(publisher, llm)

    backfill_kills: list[int] = []  # reports stored when each kill landed
    worker_kills = 0
    worker = start(WORKER, env)
    deadline = time.monotonic() + 600
    try:
        while len(backfill_kills) < KILLS:
            before = Report.objects.count()
            assert before < COUNT, f"the backfill finished before {KILLS} kills: {backfill_kills}"
            target = min(before + rng.randint(2, 12), COUNT - 1)
            backfill = start(BACKFILL, env)
            while Report.objects.count() < target and backfill.poll() is None:
                assert time.monotonic() < deadline, "no progress"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.04))
            code = kill(backfill)
            assert code is None, f"backfill exited by itself with {code} at {before} reports"
            backfill_kills.append(Report.objects.count())
            if rng.random() < 0.5:
                kill(worker)
                worker_kills += 1
                worker = start(WORKER, env)
        # Resume: the backfill runs to its end, then the worker drains the queue.
        finished = subprocess.run(
            BACKFILL, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert finished.returncode == 0, finished.stderr[-3000:]
        assert "failed: 0" in finished.stdout, finished.stdout
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            worker_kills += 1
        worker.wait()
        if worker.stderr is not None:
            worker.stderr.close()
    run_workers(env, 1)  # requeues what the killed workers left RUNNING, then drains
    print(
        f"backfill SIGKILLed {len(backfill_kills)} times at {backfill_kills} stored reports; "
        f"worker SIGKILLed {worker_kills} times; {len(llm.calls)} LLM calls"  # type: ignore[attr-defined]
    )

    urls = {publisher.press_release_url(n) for n in range(COUNT)}
    items = DiscoveredItemRecord.objects.filter(source__name="demo-mnd")
    assert set(items.values_list("url", flat=True)) == urls  # 0 lost
    assert not items.exclude(state__in=["fetched", "unchanged"]).exists()
    # Each report has two locations: the address it was fetched at and its canonical link.
    canonical = {
        f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={PRESS_RELEASE_ID + n}"
        for n in range(COUNT)
    }
    assert set(Report.objects.values_list("canonical_url", flat=True)) == canonical
    locations = set(ReportLocation.objects.values_list("url", flat=True))
    assert locations == canonical | {canonical_url(url) for url in urls}
    assert ReportLocation.objects.count() == 2 * COUNT
    assert ReportRevision.objects.count() == COUNT  # no revision stored twice
    assert not Report.objects.filter(post__isnull=True).exists()
    assert sorted(Post.objects.values_list("number", flat=True)) == list(range(1, COUNT + 1))
    assert SearchDocument.objects.filter(doc_type="post").count() == COUNT
    assert_each_report_posted_and_briefed_once(COUNT, demo=False)
    assert not Brief.objects.exclude(status__in=["verified", "needs_review"]).exists()
    assert not DBTaskResult.objects.filter(status="FAILED").exists(), statuses()
