"""Storing reports: idempotent, revisions on change, one report for two locations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.types import Article, Topline
from reports.models import Report, ReportLocation, ReportRevision
from reports.services import Outcome, content_hash, identity_for, store_article

pytestmark = pytest.mark.django_db


def make_article(**changes: object) -> Article:
    article = Article(
        url="https://understandingwar.org/research/middle-east/iran-update-june-2-2025/",
        source="isw",
        title="Iran Update, June 2, 2025",
        series="iran-update",
        published=dt.date(2025, 6, 2),
        toplines=[Topline("Iran rejected the proposal.", "Officials said so on June 1.")],
        key_takeaways=["Iran rejected the proposal."],
        text="Iran rejected the proposal. Officials said so on June 1.",
        extractor="isw",  # the WordPress adapter's real name (pipeline.publishers.registry)
    )
    return dataclasses.replace(article, **changes)  # type: ignore[arg-type]


def test_same_article_twice_changes_nothing() -> None:
    first = store_article(make_article(), raw_html="<html>1</html>")
    second = store_article(make_article(), raw_html="<html>1</html>")
    assert first.outcome == Outcome.NEW
    assert second.outcome == Outcome.UNCHANGED
    assert Report.objects.count() == 1
    assert ReportRevision.objects.count() == 1
    assert second.report.pk == first.report.pk


def test_changed_content_is_a_new_revision_and_history_is_kept() -> None:
    store_article(make_article())
    changed = make_article(key_takeaways=["Iran rejected the proposal.", "A second takeaway."])
    result = store_article(changed)
    assert result.outcome == Outcome.UPDATED
    revisions = list(ReportRevision.objects.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].content_hash == content_hash(changed)
    assert result.report.current_revision == revisions[1]
    assert result.report.article() is not None
    article = result.report.article()
    assert article is not None
    assert article.key_takeaways[-1] == "A second takeaway."


def test_ctp_copy_is_a_second_location_of_the_same_report() -> None:
    isw = store_article(make_article())
    ctp = store_article(
        make_article(
            url="https://www.criticalthreats.org/analysis/iran-update-june-2-2025",
            source="ctp",
            extractor="ctp",
            text="Iran rejected the proposal (CTP copy).",
        )
    )
    assert ctp.report.pk == isw.report.pk
    assert ctp.outcome == Outcome.DUPLICATE
    assert ReportLocation.objects.filter(report=isw.report).count() == 2
    # The lower-priority copy never replaces the publisher's own text.
    report = Report.objects.get()
    assert report.current_revision is not None
    assert report.current_revision.extractor == "isw"
    assert report.canonical_url.startswith("https://understandingwar.org/")


def test_ctp_first_then_isw_upgrades_the_report() -> None:
    store_article(
        make_article(
            url="https://www.criticalthreats.org/analysis/iran-update-june-2-2025",
            source="ctp",
            extractor="ctp",
            text="CTP copy.",
        )
    )
    result = store_article(make_article())
    assert result.outcome == Outcome.UPDATED
    assert Report.objects.get().canonical_url.startswith("https://understandingwar.org/")


def test_evening_special_report_is_its_own_report() -> None:
    base = "https://understandingwar.org/research/middle-east/iran-update-"
    morning = make_article(url=base + "morning-special-report-june-2-2025/", edition="morning")
    evening = make_article(url=base + "evening-special-report-june-2-2025/", edition="evening")
    assert identity_for(morning) != identity_for(evening)
    store_article(morning)
    store_article(evening)
    assert Report.objects.count() == 2


def test_report_without_series_is_keyed_by_url() -> None:
    article = make_article(series=None, url="https://example.org/analysis/some-piece")
    assert identity_for(article) == "url:https://example.org/analysis/some-piece"
    store_article(article)
    store_article(article)
    assert Report.objects.count() == 1


def test_evening_report_supersedes_the_morning_one() -> None:
    base = "https://understandingwar.org/research/middle-east/iran-update-"
    morning = store_article(
        make_article(url=base + "morning-special-report-june-2-2025/", edition="morning")
    ).report
    evening = store_article(
        make_article(url=base + "evening-special-report-june-2-2025/", edition="evening")
    ).report
    morning.refresh_from_db()
    assert morning.superseded_by == evening
    assert evening.superseded_by is None
