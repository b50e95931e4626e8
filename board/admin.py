"""Admin of the board (in Korean): boards, posts, tags, notices, comments; and briefs' review."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from board import admin_briefs  # noqa: F401  (registers the briefs' admin)
from board.forms import ThrottledAdminAuthenticationForm
from board.models import Board, Comment, Notice, Post, Tag
from board.services import publish_report

# The admin's sign-in counts failures and locks like /accounts/login/ (board.throttle).
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order", "lists_all", "series", "sources")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "slug")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("number", "title_ko", "board", "state", "created_at", "view_count", "is_demo")
    list_filter = ("state", "board", "is_demo")
    search_fields = ("title_ko", "report__title")
    date_hierarchy = "created_at"
    list_select_related = ("board",)
    readonly_fields = ("report", "number", "brief", "state", "view_count", "updated_at")
    fields = (
        "number",
        "report",
        "board",
        "title_ko",
        "source_tag",
        "author",
        "created_at",
        "published",
        "state",
        "brief",
        "tags",
        "is_demo",
        "view_count",
        "updated_at",
    )
    filter_horizontal = ("tags",)
    actions = ("republish",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # posts come from stored reports, never by hand

    @admin.action(
        description="선택한 글 다시 게시 (제목·태그·요약 상태 갱신)", permissions=["change"]
    )
    def republish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        count = 0
        for post in queryset.select_related("report"):
            publish_report(post.report)
            count += 1
        self.message_user(request, f"글 {count}개를 다시 게시했습니다.", messages.SUCCESS)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "pinned", "author", "created_at")
    list_filter = ("pinned",)
    search_fields = ("title", "body")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "post", "user", "created_at", "hidden")
    list_filter = ("hidden",)
    search_fields = ("body", "user__username")
    list_select_related = ("post", "user")
    readonly_fields = ("post", "user", "created_at")
    actions = ("hide_comments", "show_comments")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="내용")
    def excerpt(self, obj: Comment) -> str:
        return obj.body[:60]

    @admin.action(description="선택한 댓글 숨기기", permissions=["change"])
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._set_hidden(request, queryset, hidden=True)

    @admin.action(description="선택한 댓글 다시 보이기", permissions=["change"])
    def show_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._set_hidden(request, queryset, hidden=False)

    def _set_hidden(self, request: HttpRequest, queryset: QuerySet[Comment], hidden: bool) -> None:
        # One save per comment (not queryset.update) so the post_save receiver drops cached pages.
        count = 0
        for comment in queryset:
            comment.hidden = hidden
            comment.save(update_fields=["hidden"])
            count += 1
        verb = "숨겼습니다" if hidden else "다시 보이게 했습니다"
        self.message_user(request, f"댓글 {count}개를 {verb}.", messages.SUCCESS)
