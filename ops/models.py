"""Rows the running service keeps: one per discovery slot enqueued."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScheduledSlot(models.Model):
    """A discovery slot of one source, inserted once by whichever scheduler gets there first.

    The unique constraint is the lock: two schedulers computing the same slot both try to
    insert it and only the one whose insert succeeds enqueues the discovery task (in the same
    transaction, so the row and its task commit together).
    """

    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="slots")
    slot_start = models.DateTimeField("시작")
    task_id = models.CharField("작업 ID", max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "수집 일정"
        verbose_name_plural = "수집 일정"
        ordering = ["-slot_start"]
        constraints = [
            models.UniqueConstraint(fields=["source", "slot_start"], name="unique_slot_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} @ {self.slot_start.isoformat()}"
