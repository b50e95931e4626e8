"""django_tasks_db's task admin, plus the action 다시 시도 (retry) for failed tasks."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from ops.models import ScheduledSlot
from ops.retry import FAILED, retry_task_result

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (*DBTaskResultAdmin.list_display, "exception_class_path")
    actions = ["retry"]

    @admin.action(description="다시 시도")
    def retry(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        done = 0
        for result in queryset.filter(status=FAILED):
            retry_task_result(result)
            done += 1
        skipped = queryset.count() - done
        self.message_user(request, f"{done}개 작업을 다시 대기열에 넣었습니다.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"실패하지 않은 작업 {skipped}개는 건너뛰었습니다.", messages.WARNING
            )


@admin.register(ScheduledSlot)
class ScheduledSlotAdmin(admin.ModelAdmin):
    list_display = ("source", "slot_start", "task_id", "created_at")
    list_filter = ("source",)
    date_hierarchy = "slot_start"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
