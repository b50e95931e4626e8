"""Block and challenge pages (Cloudflare's and other interstitials) are failed fetches, never
reports: recognised in the page, raised by the fetcher, refused by extraction, shown on the
source, and retried once the site serves the page again."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pipeline.blocked import PREFIX_LIMIT, block_reason
from pipeline.discover import with_base
from pipeline.extract import BlockedPage, ExtractionError
from pipeline.fetch import FetchConfig, Fetcher, FetchError
from pipeline.publishers.isw.sources import ISW
from pipeline.publishers.registry import extract
from tests.loopback import LoopbackServer, Route
from tests.publisher import install_isw, page_route

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).parent / "fixtures" / "pages"
BLOCK_PAGE = PAGES / "cloudflare-block.html"
CHALLENGE_PAGE = PAGES / "cloudflare-challenge.html"
BLOCK_HTML = BLOCK_PAGE.read_text()
CHALLENGE_HTML = CHALLENGE_PAGE.read_text()
BLOCK_REASON = "Cloudflare block page: Sorry, you have been blocked"
CHALLENGE_REASON = "Cloudflare challenge page (Just a moment...)"
REPORT_PAGES = sorted(p for p in PAGES.glob("*.html") if not p.name.startswith("cloudflare-"))
ROCA = PAGES / "isw-russian-offensive-campaign-assessment-november-14-2025.html"
IRAN_PATH = "/research/middle-east/iran-update-evening-special-report-june-13-2025/"
IRAN_PAGE = "isw-iran-update-evening-special-report-june-13-2025.html"
# What Cloudflare's edge adds to its own answers.
CF_HEADERS = {"Server": "cloudflare", "CF-RAY": "8f1c2d3e4a5b6c7d-ICN"}


class FakeTime:
    """A clock that only moves when the fetcher sleeps, so every wait is observed exactly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def make_fetcher(fake: FakeTime, **overrides: object) -> Fetcher:
    options: dict[str, object] = {
        "allow_networks": frozenset({"loopback"}),
        "host_delay": 0.0,
        "backoff": 1.0,
        "retries": 2,
        "respect_robots": False,
        "blocked_delay": 10.0,
        "max_retry_after": 25.0,
    }
    options.update(overrides)
    return Fetcher(FetchConfig(**options), sleep=fake.sleep, clock=fake.clock)  # type: ignore[arg-type]


def hits(server: LoopbackServer, path: str) -> int:
    return sum(1 for r in server.requests if r.path.split("?")[0] == path)


# --- block_reason ------------------------------------------------------------------------------


def test_the_fixtures_are_recognised() -> None:
    assert block_reason(BLOCK_HTML) == BLOCK_REASON
    assert block_reason(BLOCK_HTML, status=403, headers=CF_HEADERS) == BLOCK_REASON
    assert block_reason(CHALLENGE_HTML) == CHALLENGE_REASON
    assert block_reason(CHALLENGE_HTML, status=503, headers=CF_HEADERS) == CHALLENGE_REASON


@pytest.mark.parametrize("page", REPORT_PAGES, ids=lambda p: p.name)
def test_no_report_fixture_is_a_block_page(page: Path) -> None:
    assert block_reason(page.read_text(errors="replace")) is None


def test_a_report_that_mentions_cloudflare_and_captchas_is_not_a_block_page() -> None:
    html = ROCA.read_text()
    prose = (
        "<p>Russian milbloggers claimed that Ukrainian drone units hid their ordering site "
        "behind Cloudflare and that visitors saw &quot;Attention Required! | Cloudflare&quot;, "
        "&quot;Sorry, you have been blocked&quot; and &quot;Just a moment...&quot; pages, a "
        "captcha, cf-wrapper and cf-error-details boxes and window._cf_chl_opt scripts.</p>"
    )
    mentioned = html.replace("<p>", prose + "<p>", 1)
    assert mentioned != html and block_reason(mentioned) is None
    # Cloudflare injects its bot-detection script into ordinary pages it serves.
    injected = html.replace(
        "</head>",
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></head>',
    )
    assert block_reason(injected, headers=CF_HEADERS) is None


def test_markers_are_only_read_in_a_bounded_prefix() -> None:
    # A long report that ends with a block page's markup (e.g. a quoted example) is a report.
    long_report = ROCA.read_text() * (PREFIX_LIMIT // len(ROCA.read_text()) + 1)
    assert len(long_report) > PREFIX_LIMIT
    assert block_reason(long_report + BLOCK_HTML) is None


def test_headers_and_other_interstitials() -> None:
    assert block_reason("", status=403, headers={"cf-mitigated": "challenge"}) == (
        "Cloudflare challenge (cf-mitigated: challenge)"
    )
    # A Cloudflare-served outage is an outage (retried), not a block.
    assert block_reason("<h1>Service Unavailable</h1>", status=503, headers=CF_HEADERS) is None
    outage = BLOCK_HTML.replace("Attention Required! | Cloudflare", "isw.test | 522").replace(
        "Sorry, you have been blocked", "Connection timed out"
    )
    assert block_reason(outage, status=503, headers=CF_HEADERS) is None
    captcha = (
        "<html><head><title>Human Verification</title></head><body><form action='/verify'>"
        "<img src='/captcha.png'><input name='captcha_answer'></form></body></html>"
    )
    assert block_reason(captcha) == "captcha page (Human Verification)"
    assert block_reason(captcha.replace("Human Verification", "Iran Update")) is None


# --- the fetcher -------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(body=BLOCK_HTML), BLOCK_REASON),
        (Route(body=BLOCK_HTML, status=403, headers=CF_HEADERS), BLOCK_REASON),
        (
            Route(
                body=CHALLENGE_HTML, status=503, headers={**CF_HEADERS, "cf-mitigated": "challenge"}
            ),
            "Cloudflare challenge (cf-mitigated: challenge)",
        ),
        (Route(body=CHALLENGE_HTML, status=429, headers=CF_HEADERS), CHALLENGE_REASON),
    ],
    ids=["200-block", "403-block", "503-challenge", "429-challenge"],
)
def test_the_fetcher_raises_blocked_at_once(
    server: LoopbackServer, route: Route, reason: str
) -> None:
    server.routes["/research/"] = route
    fake = FakeTime()
    with make_fetcher(fake) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/research/"))
    assert (caught.value.kind, caught.value.status, caught.value.detail) == (
        "blocked",
        route.status,
        reason,
    )
    assert hits(server, "/research/") == 1  # not retried, unlike a plain 503 (below)
    assert fake.sleeps == []


def test_a_plain_503_is_still_retried(server: LoopbackServer) -> None:
    server.routes["/research/"] = Route(body="<h1>Service Unavailable</h1>", status=503)
    with make_fetcher(FakeTime()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/research/"))
    assert (caught.value.kind, caught.value.status) == ("http", 503)
    assert hits(server, "/research/") == 3


def test_only_a_bounded_prefix_of_a_refusal_is_read(server: LoopbackServer) -> None:
    # 2 MB after the challenge: the fetcher reads 64 KiB, recognises it and hangs up.
    server.routes["/big"] = Route(
        body=CHALLENGE_HTML + " " * 2_000_000, status=503, headers=CF_HEADERS
    )
    with make_fetcher(FakeTime(), max_bytes=100_000) as fetcher, pytest.raises(FetchError) as c:
        fetcher.get(server.url("/big"))
    assert c.value.kind == "blocked"


def test_a_blocked_robots_txt_fails_the_page_as_blocked(server: LoopbackServer) -> None:
    server.routes["/robots.txt"] = Route(body=BLOCK_HTML, status=403, headers=CF_HEADERS)
    server.routes["/research/"] = Route(body="<p>listing</p>")
    with make_fetcher(FakeTime(), respect_robots=True) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.get(server.url("/research/"))
        assert caught.value.kind == "blocked"  # not "robots": the site did not say no
        server.routes["/robots.txt"] = Route(body="User-agent: *\nDisallow:\n")
        assert fetcher.get(server.url("/research/")).text == "<p>listing</p>"


def test_the_host_backs_off_while_it_blocks_and_recovers(server: LoopbackServer) -> None:
    server.routes["/research/"] = Route(body=BLOCK_HTML, status=403, headers=CF_HEADERS)
    server.routes["/ok"] = Route(body="<p>a normal page</p>")
    fake = FakeTime()
    with make_fetcher(fake) as fetcher:
        for _ in range(4):
            with pytest.raises(FetchError):
                fetcher.get(server.url("/research/"))
        # 10 s, doubling per consecutive block, capped by max_retry_after (25 s).
        assert fake.sleeps == [10.0, 20.0, 25.0]
        # Another host is not held back.
        other = server.url("/ok").replace("127.0.0.1", "localhost")
        fetcher.get(other)
        assert fake.sleeps == [10.0, 20.0, 25.0]
        # A normal page from the host still waits the last delay, then ends the backoff.
        fetcher.get(server.url("/ok"))
        fetcher.get(server.url("/ok"))
        assert fake.sleeps == [10.0, 20.0, 25.0, 25.0]
        # A new block starts again from blocked_delay.
        with pytest.raises(FetchError):
            fetcher.get(server.url("/research/"))
        fetcher.get(server.url("/ok"))
        assert fake.sleeps == [10.0, 20.0, 25.0, 25.0, 10.0]


# --- extraction and the extract command --------------------------------------------------------


def test_extract_refuses_a_block_page_before_any_adapter() -> None:
    for html in (BLOCK_HTML, CHALLENGE_HTML):
        with pytest.raises(BlockedPage) as caught:
            extract(html, "https://understandingwar.org/research/russia-ukraine/x-may-1-2026/")
        assert isinstance(caught.value, ExtractionError)
        assert "block page, not a report" in str(caught.value)


@pytest.mark.django_db
def test_extract_command_fails_with_one_line() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("extract", str(BLOCK_PAGE), stdout=io.StringIO())
    assert BLOCK_REASON in str(caught.value)
    assert "\n" not in str(caught.value)


def test_briefroom_extract_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    saved = tmp_path / "saved-block.html"
    saved.write_bytes(BLOCK_PAGE.read_bytes())
    env = {**os.environ, "BRIEFROOM_ENV": "test", "BRIEFROOM_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "config.cli", "extract", str(saved)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "block page" in lines[0] and BLOCK_REASON in lines[0]


# --- sources: discovery and item fetching on the database --------------------------------------


def point_isw_at(server: LoopbackServer) -> object:
    from sources.builtin import source_fields
    from sources.models import Source

    source = Source.objects.get(name="isw")
    for name, value in source_fields(with_base(ISW, server.base_url + "/")).items():
        setattr(source, name, value)
    source.mirror_of = "https://understandingwar.org"
    source.save()
    return source


def stored_counts() -> tuple[int, int, int]:
    from board.models import Post
    from reports.models import Report, ReportRevision

    return Report.objects.count(), ReportRevision.objects.count(), Post.objects.count()


def db_fetcher(fake: FakeTime) -> Fetcher:
    from django.conf import settings

    return Fetcher(
        FetchConfig.from_mapping(settings.BRIEFROOM_FETCH), sleep=fake.sleep, clock=fake.clock
    )


@pytest.mark.django_db
def test_a_blocked_feed_falls_through_to_the_listing(server: LoopbackServer) -> None:
    from sources.services import discover_source

    install_isw(server, feed_status=200)
    server.routes["/feed/"] = Route(body=BLOCK_HTML, status=403, headers=CF_HEADERS)
    source = point_isw_at(server)
    fake = FakeTime()
    with db_fetcher(fake) as fetcher:
        run = discover_source(source, fetcher)  # type: ignore[arg-type]
    assert run.result.method == "listing" and run.new_items
    assert run.result.attempts[0][0] == "feed"
    assert run.result.attempts[0][2] == f"blocked: {BLOCK_REASON}"
    assert hits(server, "/feed/") == 1
    assert fake.sleeps and fake.sleeps[0] == 30.0  # the listing waited out the block delay
    source.refresh_from_db()  # type: ignore[attr-defined]
    # The listing was a normal page from the source: it is not (or no longer) blocked.
    assert source.blocked_since is None and source.blocked_detail == ""  # type: ignore[attr-defined]
    assert f"blocked: {BLOCK_REASON}" in source.last_discovery_result  # type: ignore[attr-defined]
    assert stored_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_source_blocked_everywhere_shows_since_when(server: LoopbackServer) -> None:
    from ops.status import service_status, status_lines
    from sources.models import Source
    from sources.services import discover_source

    install_isw(server)
    challenge = Route(body=CHALLENGE_HTML, status=503, headers={"cf-mitigated": "challenge"})
    for path in ("/feed/", "/research/", "/sitemap.xml"):
        server.routes[path] = challenge
    source = point_isw_at(server)
    with db_fetcher(FakeTime()) as fetcher:
        run = discover_source(source, fetcher)  # type: ignore[arg-type]
        assert run.result.method == "" and run.new_items == []
        assert [a[2].split(":")[0] for a in run.result.attempts] == ["blocked"] * 3
        first = Source.objects.get(pk=source.pk)  # type: ignore[attr-defined]
        assert first.blocked_since is not None
        assert first.blocked_detail.startswith("sitemap ")
        assert "cf-mitigated" in first.blocked_detail
        # Still blocked on the next run: the first time is kept.
        discover_source(first, fetcher)
    again = Source.objects.get(pk=first.pk)
    assert again.blocked_since == first.blocked_since
    data = service_status()
    isw = next(s for s in data["sources"] if s["name"] == "isw")
    assert isw["blocked_since"] == first.blocked_since.isoformat()
    assert "cf-mitigated" in isw["blocked_detail"]
    text = "\n".join(status_lines(data))
    assert "    blocked since " in text and "sitemap " in text
    # A 404 says nothing about the block; a normal page ends it.
    server.routes["/feed/"] = Route(body="gone", status=404)
    server.routes["/research/"] = Route(body="gone", status=404)
    server.routes["/sitemap.xml"] = Route(body="gone", status=404)
    with db_fetcher(FakeTime()) as fetcher:
        discover_source(again, fetcher)
    assert Source.objects.get(pk=first.pk).blocked_since == first.blocked_since
    install_isw(server)
    with db_fetcher(FakeTime()) as fetcher:
        assert discover_source(again, fetcher).result.method == "listing"
    assert Source.objects.get(pk=first.pk).blocked_since is None
    assert stored_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_blocked_item_stores_nothing_is_requeued_and_stored_once_served(
    server: LoopbackServer, settings: object
) -> None:
    from django_tasks_db.models import DBTaskResult

    from ops.status import service_status, status_lines
    from reports.models import FetchedPage, Report
    from sources import tasks as source_tasks
    from sources.models import DiscoveredItemRecord, Source
    from sources.services import discover_source, fetch_item
    from tests.test_workers import DB_TASKS

    install_isw(server)
    source = point_isw_at(server)
    fake = FakeTime()
    with db_fetcher(fake) as fetcher:
        discover_source(source, fetcher)  # type: ignore[arg-type]
        record = DiscoveredItemRecord.objects.select_related("source").get(url__endswith=IRAN_PATH)
        server.routes[IRAN_PATH] = Route(body=BLOCK_HTML)  # served with 200
        for _ in range(3):
            result = fetch_item(record, fetcher)
            assert result.outcome == "failed" and BLOCK_REASON in result.detail
    assert hits(server, IRAN_PATH) == 3
    assert stored_counts() == (0, 0, 0)
    assert FetchedPage.objects.count() == 0
    record.refresh_from_db()
    assert record.state == DiscoveredItemRecord.State.FAILED
    assert BLOCK_REASON in record.last_error
    assert record.attempts == 0  # a block is not the item's failure: it stays eligible
    blocked = Source.objects.get(pk=record.source_id)
    assert blocked.blocked_since is not None and IRAN_PATH in blocked.blocked_detail
    assert "blocked since" in "\n".join(status_lines(service_status()))

    # The next discovery run queues the blocked item again.
    settings.BRIEFROOM_FETCH = {**settings.BRIEFROOM_FETCH, "blocked_delay": 0.0}  # type: ignore[attr-defined]
    source_tasks._fetchers.clear()
    try:
        with override_tasks(DB_TASKS):
            source_tasks.discover_source_task.call(record.source_id)
            queued = source_tasks.queued_item_ids()
    finally:
        source_tasks._fetchers.clear()
    assert record.pk in queued
    assert DBTaskResult.objects.filter(task_path__endswith=".fetch_item_task").exists()

    # The site serves the page again: the item is stored and the block is over.
    server.routes[IRAN_PATH] = page_route(IRAN_PAGE)
    record = DiscoveredItemRecord.objects.select_related("source").get(pk=record.pk)
    with db_fetcher(FakeTime()) as fetcher:
        assert fetch_item(record, fetcher).outcome == "new"
    record.refresh_from_db()
    assert record.state == DiscoveredItemRecord.State.FETCHED and record.last_error == ""
    assert Report.objects.count() == 1
    cleared = Source.objects.get(pk=record.source_id)
    assert cleared.blocked_since is None and cleared.blocked_detail == ""


def override_tasks(tasks: dict[str, object]) -> object:
    from django.test import override_settings

    return override_settings(TASKS=tasks)
