"""Background tasks of the briefs app (Django's tasks API)."""

from __future__ import annotations

from django.tasks import task


@task()
def brief_revision(revision_id: int) -> str:
    """Write and verify the brief of one stored revision; safe to run twice."""
    from briefs.services import brief_for_revision

    brief = brief_for_revision(revision_id)
    return brief.status if brief else "skipped"
