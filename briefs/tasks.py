"""Background tasks of the briefs app (Django's tasks API)."""

from __future__ import annotations

from django.tasks import task

from ops.retry import retry_or_raise
from pipeline.brief.llm import LLMError


@task()
def brief_revision(revision_id: int, attempt: int = 0) -> str:
    """Write and verify the brief of one stored revision; safe to run twice.

    An unreachable or failing LLM endpoint is retried with backoff (the brief shows as failed
    meanwhile, and completes when the endpoint is back); after the last retry the task rests
    FAILED in the admin, where 다시 시도 queues it again.
    """
    from briefs.services import brief_for_revision

    try:
        brief = brief_for_revision(revision_id)
    except LLMError as exc:
        return retry_or_raise(brief_revision, [revision_id], attempt, exc)
    return brief.status if brief else "skipped"
