"""Queue a brief whenever the store adds a report or a revision."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from reports.queue import enqueue_with_store
from reports.signals import revision_stored


@receiver(revision_stored)
def queue_brief(sender: Any, report: Any, revision: Any, **kwargs: Any) -> None:
    from briefs.tasks import brief_revision

    enqueue_with_store(brief_revision, revision.pk)
