"""Background tasks of the board (Django's tasks API)."""

from __future__ import annotations

from django.tasks import task

from ops.retry import retry_or_raise

# Above briefs (0), below discovery and fetching (10): a stored report's post must not wait
# behind minutes of LLM work, and publishing is cheap.
PUBLISH_PRIORITY = 5


@task(priority=PUBLISH_PRIORITY)
def publish_report_task(report_id: int, attempt: int = 0) -> bool:
    """Make or update the post of one stored report; safe to run twice."""
    from board.services import publish_report
    from reports.models import Report

    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return False
    try:
        publish_report(report)
    except Exception as exc:
        retry_or_raise(publish_report_task, [report_id], attempt, exc)
        return False
    return True
