"""Discovery runs, backfill and the source commands against a fake publisher on loopback."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pipeline.discover import with_base
from pipeline.publishers.isw.sources import ISW
from reports.models import Report, ReportRevision
from reports.services import make_fetcher
from sources.builtin import source_fields
from sources.models import DiscoveredItemRecord, Source
from sources.services import backfill, discover_source
from tests.loopback import LoopbackServer
from tests.publisher import install_isw

pytestmark = pytest.mark.django_db

ROCA_PAGE = "isw-russian-offensive-campaign-assessment-november-14-2025.html"
ISW_SITE = "https://understandingwar.org"


def point_isw_at(server: LoopbackServer) -> Source:
    source = Source.objects.get(name="isw")
    for name, value in source_fields(with_base(ISW, server.base_url + "/")).items():
        setattr(source, name, value)
    source.mirror_of = ISW_SITE  # the loopback publisher serves ISW's pages as they are
    source.save()
    return source


def test_builtin_sources_exist_after_migrate() -> None:
    names = set(Source.objects.filter(builtin=True).values_list("name", flat=True))
    assert names == {"isw", "mnd"}


def test_feed_403_falls_back_to_listing_and_items_are_stored_before_fetching(
    http_server: LoopbackServer,
) -> None:
    install_isw(http_server, feed_status=403)
    source = point_isw_at(http_server)
    with make_fetcher() as fetcher:
        run = discover_source(source, fetcher)
    assert run.result.method == "listing"
    assert any(a[0] == "feed" and "403" in a[2] for a in run.result.attempts)
    stored = DiscoveredItemRecord.objects.filter(source=source)
    assert stored.count() == len(run.result.items) > 0
    assert set(stored.values_list("state", flat=True)) == {"new"}
    # Only discovery ran: no report page was requested.
    assert not [r for r in http_server.requests if "/research/russia-ukraine/" in r.path]
    source.refresh_from_db()
    assert source.last_discovery_method == "listing"
    assert "403" in source.last_discovery_result
    # Discovery twice stores nothing twice.
    with make_fetcher() as fetcher:
        again = discover_source(source, fetcher)
    assert again.new_items == []
    assert stored.count() == len(run.result.items)


def test_backfill_stores_reports_reports_failures_and_is_idempotent(
    http_server: LoopbackServer,
) -> None:
    install_isw(http_server, feed_status=403)
    source = point_isw_at(http_server)
    with make_fetcher() as fetcher:
        summary = backfill(source, fetcher, since=dt.date(2025, 6, 1))
    assert summary.found > 0
    assert summary.outcomes["new"] >= 1
    # Listing items whose pages the publisher does not serve fail with the reason kept.
    assert summary.failures
    assert all("404" in reason for _, reason in summary.failures)
    failed = DiscoveredItemRecord.objects.filter(state="failed")
    assert failed.count() == len(summary.failures)
    assert all("404" in item.last_error for item in failed)
    reports = Report.objects.count()
    revisions = ReportRevision.objects.count()
    assert reports == summary.outcomes["new"]

    with make_fetcher() as fetcher:
        second = backfill(source, fetcher, since=dt.date(2025, 6, 1))
    assert second.outcomes["new"] == 0
    assert Report.objects.count() == reports
    assert ReportRevision.objects.count() == revisions


def test_backfill_command_prints_a_summary(http_server: LoopbackServer) -> None:
    install_isw(http_server, feed_status=403)
    point_isw_at(http_server)
    out = io.StringIO()
    call_command(
        "backfill", "--source", "isw", "--since", "2025-06-01", "--no-progress", stdout=out
    )
    text = out.getvalue()
    for label in ("found:", "new:", "updated:", "failed:"):
        assert label in text
    assert "discovery feed" in text and "403" in text


def test_backfill_unknown_source_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="unknown source"):
        call_command("backfill", "--source", "nope", "--since", "2025-06-01")


def test_sources_add_list_disable_remove() -> None:
    out = io.StringIO()
    call_command(
        "sources", "add", "rusi", "--feed", "https://rusi.org/feed.xml", "--publisher", "RUSI",
        stdout=out,
    )  # fmt: skip
    assert Source.objects.get(name="rusi").publisher == "RUSI"
    call_command("sources", "disable", "rusi", stdout=out)
    assert Source.objects.get(name="rusi").enabled is False
    listing = io.StringIO()
    call_command("sources", "list", stdout=listing)
    assert "rusi" in listing.getvalue() and "isw" in listing.getvalue()
    call_command("sources", "remove", "rusi", stdout=out)
    assert not Source.objects.filter(name="rusi").exists()


def test_sources_add_refuses_bad_input() -> None:
    with pytest.raises(CommandError, match="at least one"):
        call_command("sources", "add", "empty")
    with pytest.raises(CommandError, match="link_pattern"):
        call_command("sources", "add", "bad", "--feed", "https://x.org/f", "--pattern", "([")


def test_ingest_file_then_url_is_one_report_and_a_rerun_changes_nothing(
    http_server: LoopbackServer, fixtures_dir: Path
) -> None:
    install_isw(http_server)
    page = fixtures_dir / "pages" / ROCA_PAGE
    out = io.StringIO()
    call_command("ingest", str(page), stdout=out)
    assert out.getvalue().startswith("new")
    url = http_server.url(
        "/research/russia-ukraine/russian-offensive-campaign-assessment-november-14-2025/"
    )
    out = io.StringIO()
    call_command("ingest", url, mirror_of=ISW_SITE, stdout=out)
    assert out.getvalue().startswith("unchanged")
    assert Report.objects.count() == 1
    assert ReportRevision.objects.count() == 1
    report = Report.objects.get()
    assert report.locations.count() == 2  # the canonical URL and the address it was fetched at
    assert report.series == "russian-offensive-campaign-assessment"


def test_ingest_uses_conditional_get(http_server: LoopbackServer) -> None:
    install_isw(http_server)
    path = "/research/middle-east/iran-update-evening-special-report-june-13-2025/"
    route = http_server.routes[path]
    route.etag = '"v1"'
    call_command("ingest", http_server.url(path), mirror_of=ISW_SITE, stdout=io.StringIO())
    out = io.StringIO()
    call_command("ingest", http_server.url(path), mirror_of=ISW_SITE, stdout=out)
    assert out.getvalue().startswith("unchanged")
    asked = [r for r in http_server.requests if r.path == path]
    assert asked[-1].headers.get("If-None-Match") == '"v1"'
    assert Report.objects.get().edition == "evening"


def test_ingest_bad_input_fails_clearly_and_stores_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 of 2 failed"):
        call_command("ingest", str(empty), str(tmp_path / "missing.html"), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"failed {empty}:") and "empty" in lines[0].lower()
    assert lines[1].startswith("failed") and "no such file" in lines[1]
    assert Report.objects.count() == 0


def test_extract_json_has_the_documented_keys(fixtures_dir: Path) -> None:
    page = fixtures_dir / "pages" / ROCA_PAGE
    out = io.StringIO()
    call_command("extract", str(page), json=True, stdout=out)
    data = json.loads(out.getvalue())
    keys = list(data)
    documented = [
        "url", "source", "series", "title", "published", "published_time", "authors",
        "toplines", "key_takeaways", "sections", "maps", "endnotes", "text",
    ]  # fmt: skip
    assert keys[: len(documented)] == documented
    assert data["url"].startswith("https://understandingwar.org/research/")
    assert data["published"] == "2025-11-14"
    assert all(set(t) == {"headline", "body"} for t in data["toplines"])
    assert all(set(s) == {"id", "title", "text"} for s in data["sections"])
    assert all(set(m) == {"url", "title", "link"} for m in data["maps"])
    assert all(u.startswith("http") and " dot " not in u for u in data["endnotes"])


def test_series_command_shows_each_series(http_server: LoopbackServer, fixtures_dir: Path) -> None:
    page = fixtures_dir / "pages" / ROCA_PAGE
    call_command("ingest", str(page), stdout=io.StringIO())
    out = io.StringIO()
    call_command("series", stdout=out)
    text = out.getvalue()
    assert "russian-offensive-campaign-assessment" in text
    assert "2025-11-14" in text


def test_mnd_feed_keeps_press_releases_and_stores_korean_reports(
    http_server: LoopbackServer,
) -> None:
    from pipeline.publishers.mnd.sources import MND
    from tests.publisher import install_korea_kr

    install_korea_kr(http_server)
    source = Source.objects.get(name="mnd")
    for name, value in source_fields(with_base(MND, http_server.base_url + "/")).items():
        setattr(source, name, value)
    source.mirror_of = "https://www.korea.kr"
    source.save()
    with make_fetcher() as fetcher:
        summary = backfill(source, fetcher, since=None)
    assert summary.failures == []
    items = DiscoveredItemRecord.objects.filter(source=source)
    assert items.count() == summary.found == 4  # press releases only, no other news
    assert all("pressReleaseView.do" in item.url for item in items)
    reports = Report.objects.filter(series="mnd-press-release")
    assert reports.count() == 4
    report = reports.first()
    assert report is not None and report.language == "ko"
    article = report.article()
    assert article is not None
    assert article.department == "국방부"
    assert article.attachments


def test_extract_command_reads_a_url(http_server: LoopbackServer) -> None:
    install_isw(http_server)
    url = http_server.url("/research/middle-east/iran-update-evening-special-report-june-13-2025/")
    out = io.StringIO()
    call_command("extract", url, json=True, stdout=out)
    data = json.loads(out.getvalue())
    # Served from loopback, the page is loopback's, whatever its canonical link claims.
    assert (data["source"], data["extractor"], data["series"]) == ("127.0.0.1", "generic", None)
    assert data["claimed_url"].startswith("https://understandingwar.org/research/middle-east/")
    assert Report.objects.count() == 0  # extract never stores


def test_a_page_whose_extraction_failed_is_retried_even_when_unchanged(
    http_server: LoopbackServer,
) -> None:
    from pipeline.extract import ExtractionError
    from reports.models import FetchedPage
    from reports.services import ingest_url
    from tests.loopback import Route

    path = "/analysis/empty-then-fixed"
    http_server.routes[path] = Route(body="<html><body></body></html>", etag='"e1"')
    with make_fetcher() as fetcher, pytest.raises(ExtractionError):
        ingest_url(http_server.url(path), fetcher)
    page = FetchedPage.objects.get()
    assert page.error and Report.objects.count() == 0
    # The server still answers 304 for the same ETag: the kept copy is extracted again, and
    # fails again with its reason stored, rather than being reported as "unchanged".
    with make_fetcher() as fetcher, pytest.raises(ExtractionError):
        ingest_url(http_server.url(path), fetcher)
    assert [r.headers.get("If-None-Match") for r in http_server.requests if r.path == path] == [
        None,
        '"e1"',
    ]
    page.refresh_from_db()
    assert page.error
