"""The editors' admin of briefs: review states, readable verification failures, tokens, actions.

It lives in the board app because reviewing a brief is publishing it; the briefs app itself has
no admin module.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from briefs import services
from briefs.models import Brief, TokenUsage

FAILURE_KINDS = {
    "number": "수치",
    "date": "날짜",
    "country": "국가",
    "glossary": "용어",
    "markup": "마크업",
    "language": "언어",
    "schema": "형식",
    "source_ref": "원문 연결",
}


class TokenUsageInline(admin.TabularInline):
    model = TokenUsage
    extra = 0
    can_delete = False
    fields = ("created_at", "backend", "model", "input_tokens", "output_tokens", "cached")
    readonly_fields = fields
    verbose_name = "LLM 호출"
    verbose_name_plural = "LLM 호출 (토큰 사용량)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "failure_count",
        "input_tokens",
        "output_tokens",
        "model",
        "updated_at",
    )
    list_filter = ("status", "backend", "cached")
    search_fields = ("title_ko", "report__title", "category")
    date_hierarchy = "created_at"
    list_select_related = ("report",)
    actions = ("approve_briefs", "rebrief")
    inlines = (TokenUsageInline,)
    readonly_fields = (
        "report",
        "revision",
        "status",
        "failures_readable",
        "post_link",
        "error",
        "backend",
        "model",
        "prompt_version",
        "input_hash",
        "input_tokens",
        "output_tokens",
        "attempts",
        "cached",
        "approved_by",
        "approved_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("report", "revision", "status", "post_link")}),
        ("검증", {"fields": ("failures_readable", "error")}),
        ("요약", {"fields": ("title_ko", "key_points", "category", "countries", "outlook")}),
        (
            "생성",
            {
                "fields": (
                    "backend",
                    "model",
                    "prompt_version",
                    "input_hash",
                    ("input_tokens", "output_tokens"),
                    "attempts",
                    "cached",
                )
            },
        ),
        ("승인", {"fields": ("approved_by", "approved_at", "created_at", "updated_at")}),
    )

    @admin.display(description="검증 실패")
    def failure_count(self, obj: Brief) -> int:
        return len(obj.failures or [])

    @admin.display(description="검증 실패 내역")
    def failures_readable(self, obj: Brief) -> str:
        failures = obj.failures or []
        if not failures:
            return "없음"
        return format_html(
            '<ul class="brief-failures">{}</ul>',
            format_html_join(
                "",
                "<li><strong>{}</strong>{} — {}</li>",
                (
                    (
                        FAILURE_KINDS.get(f.get("kind", ""), f.get("kind", "")),
                        f" [{f['field']}]" if f.get("field") else "",
                        f.get("detail", ""),
                    )
                    for f in failures
                ),
            ),
        )

    @admin.display(description="게시판 글")
    def post_link(self, obj: Brief) -> str:
        post = getattr(obj.report, "post", None)
        if post is None:
            return "-"
        return format_html('<a href="{}">{}번 글 보기</a>', post.get_absolute_url(), post.number)

    @admin.action(description="선택한 요약 승인 (게시)", permissions=["change"])
    def approve_briefs(self, request: HttpRequest, queryset: QuerySet[Brief]) -> None:
        count = 0
        for brief in queryset.exclude(status__in=[Brief.Status.PENDING, Brief.Status.FAILED]):
            services.approve(brief, request.user)
            count += 1
        skipped = queryset.count() - count
        self.message_user(request, f"요약 {count}개를 승인했습니다.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"아직 작성되지 않았거나 실패한 요약 {skipped}개는 승인하지 않았습니다.",
                messages.WARNING,
            )

    @admin.action(description="선택한 요약 다시 작성 (재요약)", permissions=["change"])
    def rebrief(self, request: HttpRequest, queryset: QuerySet[Brief]) -> None:
        count = 0
        for brief in queryset:
            services.request_rebrief(brief)
            count += 1
        self.message_user(request, f"요약 {count}개를 다시 작성하도록 요청했습니다.")
