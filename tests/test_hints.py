"""A report's previous/next links fill the series' gaps, and only close ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.discover import with_base
from pipeline.publishers.isw.sources import ISW
from reports.models import Report
from reports.services import make_fetcher
from sources.builtin import source_fields
from sources.hints import record_hints
from sources.models import DiscoveredItemRecord, Source
from sources.services import fetch_item
from tests.loopback import LoopbackServer, Route

pytestmark = pytest.mark.django_db

PAGE = "isw-wp-russian-offensive-campaign-assessment-april-14-2026.html"
PATH = "/research/russia-ukraine/russian-offensive-campaign-assessment-april-{day}-2026/"


def _page(fixtures_dir: Path, day: int) -> bytes:
    """The April 14 fixture as the report of another day (its prev link moves with it)."""
    html = (fixtures_dir / "pages" / PAGE).read_text(encoding="utf-8")
    html = html.replace("april-13-2026", f"april-{day - 1}-2026")
    html = html.replace("April 14, 2026", f"April {day}, 2026").replace(
        "april-14-2026", f"april-{day}-2026"
    )
    return html.encode()


def _isw_on(server: LoopbackServer) -> Source:
    source = Source.objects.get(name="isw")
    for name, value in source_fields(with_base(ISW, server.base_url + "/")).items():
        setattr(source, name, value)
    source.mirror_of = "https://understandingwar.org"
    source.save()
    return source


def test_previous_report_link_is_followed_once(
    http_server: LoopbackServer, fixtures_dir: Path
) -> None:
    for day in (13, 14):
        http_server.routes[PATH.format(day=day)] = Route(body=_page(fixtures_dir, day))
    source = _isw_on(http_server)
    first, _ = DiscoveredItemRecord.objects.get_or_create(
        source=source, url=http_server.url(PATH.format(day=14)), defaults={"method": "feed"}
    )
    with make_fetcher() as fetcher:
        assert fetch_item(first, fetcher).outcome == "new"
        hint = DiscoveredItemRecord.objects.get(source=source, method="hint")
        assert hint.url == http_server.url(PATH.format(day=13))  # on the mirror, not ISW
        assert (hint.series, str(hint.published)) == (
            "russian-offensive-campaign-assessment",
            "2026-04-13",
        )
        assert fetch_item(hint, fetcher).outcome == "new"
    assert sorted(str(d) for d in Report.objects.values_list("published", flat=True)) == [
        "2026-04-13",
        "2026-04-14",
    ]
    # April 13 names April 12 (not served yet: it waits as a new item) and April 14 (stored).
    hints = DiscoveredItemRecord.objects.filter(source=source, method="hint")
    assert sorted(str(h.published) for h in hints) == ["2026-04-12", "2026-04-13"]
    assert hints.get(url__contains="april-12").state == DiscoveredItemRecord.State.NEW


def test_far_or_foreign_neighbours_are_not_recorded(
    http_server: LoopbackServer, fixtures_dir: Path
) -> None:
    http_server.routes[PATH.format(day=14)] = Route(body=_page(fixtures_dir, 14))
    source = _isw_on(http_server)
    item, _ = DiscoveredItemRecord.objects.get_or_create(
        source=source, url=http_server.url(PATH.format(day=14)), defaults={"method": "feed"}
    )
    with make_fetcher() as fetcher:
        fetch_item(item, fetcher)
    report = Report.objects.get()
    DiscoveredItemRecord.objects.filter(method="hint").delete()
    hints = [
        # Two months back: a backfill's job, not a gap to fill.
        "https://understandingwar.org/research/russia-ukraine/"
        "russian-offensive-campaign-assessment-february-10-2026/",
        # Another series.
        "https://understandingwar.org/research/middle-east/iran-update-april-13-2026/",
        # Not a report path.
        "https://understandingwar.org/about/russian-offensive-campaign-assessment-april-12-2026",
    ]
    assert record_hints(source, report, hints) == []
