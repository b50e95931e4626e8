"""A report's previous/next links fill the series' gaps, and only close ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

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
TODAY = timezone.localdate()
DAY1, DAY2, DAY3 = (TODAY - dt.timedelta(days=n) for n in (3, 2, 1))


def _slug(day: dt.date) -> str:
    return f"{day:%B}-{day.day}-{day.year}".lower()


def _path(day: dt.date) -> str:
    return f"/research/russia-ukraine/russian-offensive-campaign-assessment-{_slug(day)}/"


def _page(fixtures_dir: Path, day: dt.date) -> bytes:
    """The April 14 fixture as the report of another day (its prev link moves with it)."""
    html = (fixtures_dir / "pages" / PAGE).read_text(encoding="utf-8")
    html = html.replace("april-13-2026", _slug(day - dt.timedelta(days=1)))
    html = html.replace("April 14, 2026", f"{day:%B} {day.day}, {day.year}")
    return html.replace("april-14-2026", _slug(day)).encode()


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
    for day in (DAY2, DAY3):
        http_server.routes[_path(day)] = Route(body=_page(fixtures_dir, day))
    source = _isw_on(http_server)
    first, _ = DiscoveredItemRecord.objects.get_or_create(
        source=source, url=http_server.url(_path(DAY3)), defaults={"method": "feed"}
    )
    with make_fetcher() as fetcher:
        assert fetch_item(first, fetcher).outcome == "new"
        hint = DiscoveredItemRecord.objects.get(source=source, method="hint")
        assert hint.url == http_server.url(_path(DAY2))  # on the mirror, not ISW
        assert (hint.series, hint.published) == ("russian-offensive-campaign-assessment", DAY2)
        assert fetch_item(hint, fetcher).outcome == "new"
    assert sorted(Report.objects.values_list("published", flat=True)) == [DAY2, DAY3]
    # DAY2 names DAY1 (not served yet: it waits as a new item) and DAY3 (stored).
    hints = DiscoveredItemRecord.objects.filter(source=source, method="hint")
    assert sorted(h.published for h in hints) == [DAY1, DAY2]
    assert hints.get(published=DAY1).state == DiscoveredItemRecord.State.NEW


def test_far_or_foreign_neighbours_are_not_recorded(
    http_server: LoopbackServer, fixtures_dir: Path
) -> None:
    http_server.routes[_path(DAY3)] = Route(body=_page(fixtures_dir, DAY3))
    source = _isw_on(http_server)
    item, _ = DiscoveredItemRecord.objects.get_or_create(
        source=source, url=http_server.url(_path(DAY3)), defaults={"method": "feed"}
    )
    with make_fetcher() as fetcher:
        fetch_item(item, fetcher)
    report = Report.objects.get()
    DiscoveredItemRecord.objects.filter(method="hint").delete()
    isw = "https://understandingwar.org"
    hints = [
        # Two months back: a backfill's job, not a gap to fill.
        isw + _path(DAY3 - dt.timedelta(days=60)),
        # Another series.
        f"{isw}/research/middle-east/iran-update-{_slug(DAY2)}/",
        # Not a report path.
        f"{isw}/about/russian-offensive-campaign-assessment-{_slug(DAY2)}",
    ]
    assert record_hints(source, report, hints) == []
    # An old report's neighbour is no gap a reader misses today, however close to the report.
    report.published = dt.date(2025, 11, 14)
    old = isw + _path(dt.date(2025, 11, 13))
    assert record_hints(source, report, [old]) == []
