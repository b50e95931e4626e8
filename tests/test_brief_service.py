"""The brief task on a stored report with the real packaged model: stored, ledgered, cached."""

from __future__ import annotations

import datetime as dt

import pytest

from briefs.models import Brief, TokenUsage
from briefs.services import backend, brief_for_revision, request_rebrief
from briefs.tasks import brief_revision
from pipeline.types import Article, Topline
from reports.services import store_article
from tests.test_llm import SMALL  # bounds that keep Gemma 270M's answers short

pytestmark = [pytest.mark.django_db, pytest.mark.llm]


def small_report() -> Article:
    takeaways = [
        "Russian forces attempted to infiltrate Pokrovsk in small groups on November 14.",
        "Ukrainian forces struck an oil refinery in Samara Oblast with long-range drones.",
        "The Kremlin rejected a European proposal for a moratorium on energy strikes.",
    ]
    return Article(
        url="https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-november-14-2025/",
        source="isw",
        title="Russian Offensive Campaign Assessment, November 14, 2025",
        series="russian-offensive-campaign-assessment",
        published=dt.date(2025, 11, 14),
        toplines=[Topline(takeaways[0], "Ukrainian forces continue to hold positions.")],
        key_takeaways=takeaways,
        text=" ".join(takeaways),
        extractor="isw",
    )


def test_brief_task_stores_the_brief_its_usage_and_a_rebrief_costs_nothing() -> None:
    stored = store_article(small_report())
    assert stored.revision is not None
    # The store queued the brief (the test queue records instead of running).
    brief = brief_for_revision(stored.revision.pk, limits=SMALL)
    assert brief is not None
    assert brief.status in {Brief.Status.VERIFIED, Brief.Status.NEEDS_REVIEW}
    assert brief.title_ko == "[ISW] 러시아의 공세 캠페인 평가, 2025년 11월 14일"
    assert len(brief.key_points) == 3
    assert all(p["source_ref"] for p in brief.key_points)
    if brief.status == Brief.Status.NEEDS_REVIEW:
        assert brief.failures and all(f["kind"] for f in brief.failures)
    assert brief.input_tokens > 0 and brief.output_tokens > 0
    assert brief.backend == "llamacpp"
    ledger = TokenUsage.objects.get(brief=brief)
    assert (ledger.input_tokens, ledger.output_tokens) == (brief.input_tokens, brief.output_tokens)

    # Running the task again changes nothing: the brief is done.
    assert brief_for_revision(stored.revision.pk, limits=SMALL) == brief
    assert TokenUsage.objects.count() == 1

    # An editor's re-brief of unchanged input is answered from the cache: 0 tokens.
    request_rebrief(brief)
    again = brief_for_revision(stored.revision.pk, limits=SMALL)
    assert again is not None and again.cached
    assert (again.input_tokens, again.output_tokens) == (0, 0)
    assert again.key_points == brief.key_points
    cached_row = TokenUsage.objects.order_by("-id").first()
    assert cached_row is not None and cached_row.cached and cached_row.input_tokens == 0


def test_the_task_is_registered_and_takes_a_revision_id() -> None:
    assert brief_revision.name == "brief_revision"
    assert backend().name == "llamacpp"
