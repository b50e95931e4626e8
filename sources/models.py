"""Sources (feeds, listings, sitemaps) and the items discovery found in them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from pipeline.discover import SourceSpec
from pipeline.types import DiscoveredItem


class Source(models.Model):
    """A place reports are discovered: a feed, with a listing page and a sitemap as fallbacks."""

    name = models.SlugField("이름", max_length=64, unique=True)
    title = models.CharField("제목", max_length=200)
    publisher = models.CharField(
        "발행처 태그", max_length=40, help_text="게시판 제목 앞의 태그, 예: ISW, 국방부"
    )
    feed_url = models.URLField("피드 URL", max_length=500, blank=True)
    listing_url = models.URLField("목록 페이지 URL", max_length=500, blank=True)
    listing_selector = models.CharField(
        "목록 링크 선택자", max_length=200, blank=True, default=".research-card-title a"
    )
    sitemap_url = models.URLField("사이트맵 URL", max_length=500, blank=True)
    link_pattern = models.CharField(
        "링크 패턴", max_length=300, blank=True, help_text="보고서 URL이 맞아야 하는 정규식"
    )
    series_only = models.BooleanField("연재물만", default=False)
    default_series = models.CharField("기본 시리즈", max_length=80, blank=True)
    mirror_of = models.URLField(
        "원 발행처 사이트",
        max_length=200,
        blank=True,
        help_text=(
            "이 출처가 발행처의 페이지를 그대로 옮겨 싣는 사본일 때만 그 사이트 주소(예: "
            "https://understandingwar.org). 비워 두면 페이지를 가져온 주소가 발행처를 정합니다."
        ),
    )
    enabled = models.BooleanField("사용", default=True)
    builtin = models.BooleanField("기본 제공", default=False, editable=False)
    last_discovery_at = models.DateTimeField("마지막 수집", null=True, blank=True)
    last_discovery_method = models.CharField("마지막 수집 방법", max_length=20, blank=True)
    last_discovery_result = models.TextField("마지막 수집 결과", blank=True)
    last_discovery_ok = models.BooleanField("마지막 수집 성공", null=True, blank=True)
    # Set when the publisher answered with a block or challenge page instead of content, and
    # cleared by the next page it serves normally.
    blocked_since = models.DateTimeField("차단 시작", null=True, blank=True)
    blocked_detail = models.CharField("차단 내용", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "출처"
        verbose_name_plural = "출처"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title or self.name

    def clean(self) -> None:
        if not (self.feed_url or self.listing_url or self.sitemap_url):
            raise ValidationError("피드, 목록 페이지, 사이트맵 URL 중 하나는 있어야 합니다.")
        try:
            self.spec()
        except ValueError as exc:
            raise ValidationError({"link_pattern": str(exc)}) from exc

    def spec(self) -> SourceSpec:
        return SourceSpec(
            name=self.name,
            feed_url=self.feed_url or None,
            listing_url=self.listing_url or None,
            listing_selector=self.listing_selector or ".research-card-title a",
            sitemap_url=self.sitemap_url or None,
            link_pattern=self.link_pattern or None,
            series_only=self.series_only,
            default_series=self.default_series or None,
        )


class DiscoveredItemQuerySet(models.QuerySet):
    def pending(self) -> DiscoveredItemQuerySet:
        return self.filter(
            state__in=[DiscoveredItemRecord.State.NEW, DiscoveredItemRecord.State.FAILED]
        )


class DiscoveredItemRecord(models.Model):
    """A report URL found by discovery, stored before it is fetched so nothing found is lost."""

    class State(models.TextChoices):
        NEW = "new", "새 항목"
        FETCHED = "fetched", "수집됨"
        UNCHANGED = "unchanged", "변경 없음"
        FAILED = "failed", "실패"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    url = models.URLField(max_length=800)
    guid = models.CharField(max_length=800, blank=True)
    title = models.CharField(max_length=500, blank=True)
    published = models.DateField(null=True, blank=True)
    series = models.CharField(max_length=80, blank=True)
    method = models.CharField(max_length=20, blank=True)
    summary = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    discovered_at = models.DateTimeField(default=timezone.now)
    fetched_at = models.DateTimeField(null=True, blank=True)

    objects = DiscoveredItemQuerySet.as_manager()

    class Meta:
        verbose_name = "발견된 항목"
        verbose_name_plural = "발견된 항목"
        constraints = [
            models.UniqueConstraint(fields=["source", "url"], name="unique_item_per_source")
        ]
        indexes = [models.Index(fields=["state", "discovered_at"])]

    def __str__(self) -> str:
        return self.title or self.url

    @classmethod
    def record(
        cls, source: Source, item: DiscoveredItem, url: str
    ) -> tuple[DiscoveredItemRecord, bool]:
        """Store one discovered item; idempotent on (source, canonical url).

        A second discovery of the same URL refreshes title and date but never resets the
        state of an item already fetched, so re-running discovery cannot re-queue old work.
        """
        obj, created = cls.objects.get_or_create(
            source=source,
            url=url,
            defaults={
                "guid": item.guid[:800],
                "title": item.title[:500],
                "published": item.published,
                "series": item.series or "",
                "method": item.method,
                "summary": item.summary[:20000],
            },
        )
        if not created:
            changed = []
            if item.title and not obj.title:
                obj.title = item.title[:500]
                changed.append("title")
            if item.summary and not obj.summary:
                obj.summary = item.summary[:20000]
                changed.append("summary")
            if changed:
                obj.save(update_fields=changed)
        return obj, created
