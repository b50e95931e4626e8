"""Queue a brief whenever the store adds a report or a revision (after the commit)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from reports.signals import revision_stored

logger = logging.getLogger(__name__)


@receiver(revision_stored)
def queue_brief(sender: Any, report: Any, revision: Any, **kwargs: Any) -> None:
    from briefs.tasks import brief_revision

    brief_revision.enqueue(revision.pk)
    logger.info("queued brief of report %s revision %s", report.pk, revision.number)
