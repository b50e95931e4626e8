"""Queue a brief whenever the store adds a report or a revision."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.tasks import task_backends

from reports.signals import revision_stored

logger = logging.getLogger(__name__)


@receiver(revision_stored)
def queue_brief(sender: Any, report: Any, revision: Any, **kwargs: Any) -> None:
    from briefs.tasks import brief_revision

    def enqueue() -> None:
        brief_revision.enqueue(revision.pk)
        logger.info("queued brief of report %s revision %s", report.pk, revision.number)

    # The database queue writes its row in the store's transaction (an outbox: the report and
    # its queued brief commit together); any other queue is told only after the commit.
    if type(task_backends["default"]).__module__.startswith("django_tasks_db"):
        enqueue()
    else:
        transaction.on_commit(enqueue)
