"""Reports, the URLs they live at, every revision of their content, and fetched pages."""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.db import models
from django.utils import timezone

from pipeline.types import Article


class Report(models.Model):
    """One report, however many addresses it has.

    ``identity`` is the idempotency key: ``series:<slug>:<date>:<edition>`` for a dated edition
    of a known series (so the Iran Update on ISW and its copy on CTP are one report), otherwise
    ``url:<canonical url>``.
    """

    identity = models.CharField(max_length=800, unique=True)
    canonical_url = models.URLField("원문 URL", max_length=800)
    source = models.CharField("발행처", max_length=80)
    series = models.CharField("시리즈", max_length=80, blank=True, db_index=True)
    edition = models.CharField("판", max_length=20, blank=True)
    title = models.CharField("원제목", max_length=500)
    published = models.DateField("발행일", null=True, blank=True, db_index=True)
    published_time = models.CharField("발행 시각", max_length=5, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="en")
    current_revision = models.ForeignKey(
        "ReportRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="현재 판본",
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    created_at = models.DateTimeField("저장 시각", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("갱신 시각", default=timezone.now)

    class Meta:
        verbose_name = "보고서"
        verbose_name_plural = "보고서"
        ordering = ["-published", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def article(self) -> Article | None:
        if self.current_revision is None:
            return None
        return self.current_revision.article()


class ReportLocation(models.Model):
    """One address of a report (ISW's page, CTP's copy, the old Drupal path…)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="locations")
    url = models.URLField(max_length=800, unique=True)
    source = models.CharField(max_length=80)
    extractor = models.CharField(max_length=40, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "보고서 위치"
        verbose_name_plural = "보고서 위치"

    def __str__(self) -> str:
        return self.url


class ReportRevision(models.Model):
    """One version of a report's content; a changed page adds one, an unchanged page none."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    location = models.ForeignKey(
        ReportLocation, on_delete=models.SET_NULL, null=True, related_name="revisions"
    )
    extractor = models.CharField(max_length=40)
    # The extracted Article as zlib-compressed JSON, and the page as fetched, zlib-compressed:
    # a full report is ~110 kB of HTML and ~200 kB of Article JSON, 5-6x smaller packed. The
    # raw page is kept so any revision can be re-extracted when an adapter improves.
    article_z = models.BinaryField()
    raw_html_z = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "판본"
        verbose_name_plural = "판본"
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "content_hash"], name="unique_revision"),
            models.UniqueConstraint(fields=["report", "number"], name="unique_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} r{self.number}"

    def article(self) -> Article:
        return Article.from_json(self.article_json)

    @property
    def article_json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(zlib.decompress(bytes(self.article_z)))
        return data

    @article_json.setter
    def article_json(self, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else json.dumps(data)
        self.article_z = zlib.compress(text.encode(), 1)

    @property
    def raw_html(self) -> str:
        return zlib.decompress(bytes(self.raw_html_z)).decode() if self.raw_html_z else ""

    @raw_html.setter
    def raw_html(self, html: str) -> None:
        self.raw_html_z = zlib.compress(html.encode(), 1) if html else b""


class FetchedPage(models.Model):
    """The last response seen for a URL: raw body kept before extraction, validators for 304s.

    Report pages and the documents their adapters want (a viewer frame, attached PDF/HWPX
    files) alike: a textual body is kept in ``html``, a binary one in ``content``.
    """

    url = models.URLField(max_length=800, unique=True)
    final_url = models.URLField(max_length=800, blank=True)
    status = models.PositiveSmallIntegerField(default=0)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    html = models.TextField(blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(blank=True, default=b"")  # a binary body (PDF, HWPX)
    fetched_at = models.DateTimeField(default=timezone.now)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "수집한 페이지"
        verbose_name_plural = "수집한 페이지"

    def __str__(self) -> str:
        return self.url
