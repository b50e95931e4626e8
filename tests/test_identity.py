"""Whose report a page is: the host it was fetched from decides, never what the page claims.

A feed an operator adds (any blog) can serve a page whose canonical link, og:url and site name
claim understandingwar.org. Before, such a page replaced the text of the real ISW report and
created a new "[ISW] …" post with the attacker's text. Copies of one report reached through two
publishers are ranked by the registry (ISW's page beats CTP's copy beats the generic fallback).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from board.models import Post
from pipeline.publishers.registry import extract
from pipeline.types import Article
from reports.models import Report, ReportRevision
from reports.services import Outcome, ingest_file, make_fetcher, store_article
from sources.models import DiscoveredItemRecord, Source
from sources.services import discover_source, fetch_item
from tests.loopback import LoopbackServer, Route

ROCA_PATH = "/research/russia-ukraine/russian-offensive-campaign-assessment-november-14-2025/"
ROCA_URL = "https://understandingwar.org" + ROCA_PATH
SPOOF = "spoof-blog-claims-isw-roca-november-14-2025.html"
SPOOF_PATH = "/2025/11/15/roca-copy/"


def _feed(server: LoopbackServer) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Field Notes'
        f"</title><link>{server.base_url}/</link><item><title>Russian Offensive Campaign "
        f"Assessment, November 14, 2025</title><link>{server.url(SPOOF_PATH)}</link>"
        f"<guid>{server.url(SPOOF_PATH)}</guid>"
        "<pubDate>Sat, 15 Nov 2025 01:00:00 +0000</pubDate></item></channel></rss>"
    )


def test_saved_spoof_page_is_not_isw(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "pages" / SPOOF).read_text(encoding="utf-8")
    article = extract(html, "https://fieldnotes.example.org" + SPOOF_PATH)
    assert article.url == "https://fieldnotes.example.org" + SPOOF_PATH
    assert (article.source, article.extractor) == ("fieldnotes.example.org", "generic")
    assert article.series is None
    assert article.claimed_url == ROCA_URL
    assert any(ROCA_URL in warning for warning in article.warnings)


@pytest.mark.django_db(transaction=True)
def test_a_feed_serving_a_page_that_claims_isw_cannot_replace_isws_report(
    http_server: LoopbackServer, fixtures_dir: Path
) -> None:
    real = ingest_file(
        fixtures_dir / "pages" / "isw-russian-offensive-campaign-assessment-november-14-2025.html"
    )
    assert real.outcome == Outcome.NEW and real.report is not None
    isw_report = Report.objects.get(pk=real.report.pk)
    isw_revision = isw_report.current_revision_id
    isw_text = isw_report.article().text  # type: ignore[union-attr]

    http_server.routes["/feed.xml"] = Route(
        body=_feed(http_server), content_type="application/rss+xml"
    )
    http_server.routes[SPOOF_PATH] = Route(body=(fixtures_dir / "pages" / SPOOF).read_bytes())
    call_command("sources", "add", "fieldnotes", "--feed", http_server.url("/feed.xml"))
    source = Source.objects.get(name="fieldnotes")
    with make_fetcher() as fetcher:
        run = discover_source(source, fetcher)
        assert len(run.new_items) == 1
        result = fetch_item(DiscoveredItemRecord.objects.get(source=source), fetcher)
    assert result.outcome == Outcome.NEW

    # ISW's report is untouched: same revision, same text, one revision only.
    isw_report.refresh_from_db()
    assert isw_report.current_revision_id == isw_revision
    assert isw_report.article().text == isw_text  # type: ignore[union-attr]
    assert ReportRevision.objects.filter(report=isw_report).count() == 1
    assert isw_report.locations.filter(url__contains="127.0.0.1").count() == 0

    # The page is stored as its own source's item, with what it claimed recorded.
    spoof = Report.objects.exclude(pk=isw_report.pk).get()
    assert spoof.identity == "url:" + http_server.url(SPOOF_PATH).replace("http://", "https://")
    assert (spoof.source, spoof.series) == ("127.0.0.1", "")
    article = spoof.article()
    assert article is not None and article.claimed_url == ROCA_URL
    assert any("names " + ROCA_URL in warning for warning in article.warnings)

    # No second "[ISW]" post, and ISW's post keeps its title.
    isw_posts = Post.objects.filter(title_ko__startswith="[ISW]")
    assert list(isw_posts.values_list("report_id", flat=True)) == [isw_report.pk]
    spoof_post = Post.objects.get(report=spoof)
    assert spoof_post.source_tag != "ISW" and not spoof_post.title_ko.startswith("[ISW]")


def _iran_update(extractor: str, source: str, text: str) -> Article:
    return Article(
        url=f"https://{'understandingwar.org' if source == 'isw' else 'www.criticalthreats.org'}"
        f"/research/middle-east/iran-update-june-5-2025-{source}/",
        source=source,
        title="Iran Update, June 5, 2025",
        series="iran-update",
        published=dt.date(2025, 6, 5),
        text=text,
        extractor=extractor,
    )


@pytest.mark.django_db
def test_isws_page_outranks_the_ctp_copy_in_either_order(fixtures_dir: Path) -> None:
    """Copies ranked with the adapters' real names: a CTP copy stored after ISW's page never
    replaces ISW's text; stored before it, it is replaced."""
    ctp_html = (fixtures_dir / "pages" / "ctp-iran-update-june-5-2025.html").read_text()
    ctp = extract(ctp_html, "https://www.criticalthreats.org/analysis/iran-update-june-5-2025")
    assert (ctp.extractor, ctp.series, ctp.published) == ("ctp", "iran-update", dt.date(2025, 6, 5))
    isw = _iran_update("isw", "isw", "ISW's own text of the June 5 Iran Update.")

    first = store_article(isw)
    second = store_article(ctp)
    assert second.outcome == Outcome.DUPLICATE
    assert second.report.pk == first.report.pk
    assert second.report.current_revision.extractor == "isw"  # type: ignore[union-attr]
    assert second.report.locations.count() == 2  # the CTP address is known as a copy

    Report.objects.all().delete()
    first = store_article(ctp)
    second = store_article(isw)
    assert second.outcome == Outcome.UPDATED
    assert second.report.current_revision.extractor == "isw"  # type: ignore[union-attr]
    assert second.report.source == "isw"
