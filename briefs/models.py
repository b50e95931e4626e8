"""Korean briefs, their review states, the token ledger, the LLM cache, glossary and categories."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Category(models.Model):
    """The controlled vocabulary the model chooses 분류 from; editors may add entries."""

    slug = models.SlugField(max_length=64, unique=True)
    label = models.CharField("분류", max_length=120, unique=True)
    description = models.CharField("설명", max_length=300, blank=True)
    active = models.BooleanField("사용", default=True)
    order = models.PositiveSmallIntegerField("순서", default=100)

    class Meta:
        verbose_name = "분류"
        verbose_name_plural = "분류"
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class GlossaryTerm(models.Model):
    """One English term and its fixed Korean form; seeded from the packaged glossary."""

    class Kind(models.TextChoices):
        PLACE = "place", "지명"
        PERSON = "person", "인명"
        ORG = "org", "기관"
        TERM = "term", "용어"
        SERIES = "series", "시리즈"
        COUNTRY = "country", "국가"
        EDITION = "edition", "판"

    english = models.CharField("영어", max_length=200, unique=True)
    korean = models.CharField("한국어", max_length=200)
    kind = models.CharField("종류", max_length=20, choices=Kind.choices)
    basis = models.CharField("근거", max_length=40, blank=True)
    active = models.BooleanField("사용", default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "용어집 항목"
        verbose_name_plural = "용어집"
        ordering = ["kind", "english"]

    def __str__(self) -> str:
        return f"{self.english} → {self.korean}"


class Brief(models.Model):
    """The Korean brief of one report revision."""

    class Status(models.TextChoices):
        PENDING = "pending", "요약 준비 중"
        VERIFIED = "verified", "검증됨"
        NEEDS_REVIEW = "needs_review", "검토 필요"
        APPROVED = "approved", "승인됨"
        FAILED = "failed", "실패"

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="briefs")
    revision = models.OneToOneField(
        "reports.ReportRevision", on_delete=models.CASCADE, related_name="brief"
    )
    status = models.CharField(
        "상태", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    title_ko = models.CharField("제목", max_length=300, blank=True)
    key_points = models.JSONField("주요 내용", default=list, blank=True)
    category = models.CharField("분류", max_length=120, blank=True)
    countries = models.JSONField("관련 주요 국가", default=list, blank=True)
    outlook = models.TextField("향후 전망", blank=True)
    failures = models.JSONField("검증 실패", default=list, blank=True)
    error = models.TextField("오류", blank=True)
    backend = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=200, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    input_tokens = models.PositiveIntegerField("입력 토큰", default=0)
    output_tokens = models.PositiveIntegerField("출력 토큰", default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    cached = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "요약"
        verbose_name_plural = "요약"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title_ko or f"brief of report {self.report_id}"

    @property
    def is_public(self) -> bool:
        return self.status in {self.Status.VERIFIED, self.Status.APPROVED}

    def as_json(self) -> dict[str, object]:
        return {
            "title_ko": self.title_ko,
            "key_points": self.key_points,
            "category": self.category,
            "countries": self.countries,
            "outlook": self.outlook,
        }


class TokenUsage(models.Model):
    """The token ledger: one row per LLM call, per brief and backend."""

    brief = models.ForeignKey(Brief, on_delete=models.SET_NULL, null=True, related_name="usage")
    backend = models.CharField(max_length=40)
    model = models.CharField(max_length=200, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cached = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "토큰 사용량"
        verbose_name_plural = "토큰 사용량"
        ordering = ["-created_at"]


class CachedOutput(models.Model):
    """LLM output keyed by the hash of the selected input, the prompt version and the model."""

    key = models.CharField(max_length=200, unique=True)
    output = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "LLM 캐시"
        verbose_name_plural = "LLM 캐시"
