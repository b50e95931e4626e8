"""Background tasks of the board (Django's tasks API)."""

from __future__ import annotations

from django.tasks import task


@task()
def publish_report_task(report_id: int) -> bool:
    """Make or update the post of one stored report; safe to run twice."""
    from board.services import publish_report
    from reports.models import Report

    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return False
    publish_report(report)
    return True
