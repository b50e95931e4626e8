"""What ``briefroom status`` prints and ``/healthz`` answers: sources, queue, reviews, tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from briefs.models import Brief, TokenUsage
from sources.models import DiscoveredItemRecord, Source


def _result_lines(source: Source) -> list[str]:
    """The summary of the last discovery, and when it failed the last thing tried and why."""
    lines = (source.last_discovery_result or "").splitlines()
    if source.last_discovery_ok is False and len(lines) > 1:
        return [lines[0], lines[-1]]
    return lines[:1]


def service_status() -> dict[str, Any]:
    """A JSON-ready summary; no secrets, no URLs with credentials, no tracebacks."""
    now = timezone.now()
    sources = [
        {
            "name": s.name,
            "enabled": s.enabled,
            "last_discovery_at": s.last_discovery_at.isoformat() if s.last_discovery_at else None,
            "last_discovery_ok": s.last_discovery_ok,
            "last_discovery_method": s.last_discovery_method,
            "last_discovery_result": _result_lines(s),
            "blocked_since": s.blocked_since.isoformat() if s.blocked_since else None,
            "blocked_detail": s.blocked_detail,
        }
        for s in Source.objects.order_by("name")
    ]
    counts = {
        row["status"]: row["n"]
        for row in DBTaskResult.objects.order_by().values("status").annotate(n=Count("id"))
    }
    ready_now = DBTaskResult.objects.ready().count()
    failed = [
        {
            "id": str(t.id),
            "task": t.task_path.rsplit(".", 1)[-1],
            "args": (t.args_kwargs or {}).get("args", []),
            "error": t.exception_class_path.rsplit(".", 1)[-1],
            "finished_at": t.finished_at.isoformat() if t.finished_at else None,
        }
        for t in DBTaskResult.objects.failed().order_by("-finished_at")[:10]
    ]
    failed_items = DiscoveredItemRecord.objects.filter(state=DiscoveredItemRecord.State.FAILED)
    fetch_failures = [
        {
            "source": item.source.name,
            "url": item.url,
            "attempts": item.attempts,
            "error": item.last_error.splitlines()[0][:300] if item.last_error else "",
        }
        for item in failed_items.select_related("source").order_by("-id")[:10]
    ]
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    tokens = TokenUsage.objects.filter(created_at__gte=today).aggregate(
        input=Sum("input_tokens"), output=Sum("output_tokens"), calls=Count("id")
    )
    return {
        "ok": True,
        "time": now.isoformat(),
        "sources": sources,
        "queue": {
            "ready": ready_now,
            "waiting": counts.get("READY", 0) - ready_now,  # retries whose run_after is ahead
            "running": counts.get("RUNNING", 0),
            "failed": counts.get("FAILED", 0),
            "successful": counts.get("SUCCESSFUL", 0),
        },
        "failed_tasks": failed,
        "fetch_failures": {"count": failed_items.count(), "latest": fetch_failures},
        "briefs": {
            "needs_review": Brief.objects.filter(status=Brief.Status.NEEDS_REVIEW).count(),
            "pending": Brief.objects.filter(status=Brief.Status.PENDING).count(),
        },
        "tokens_today": {
            "since": today.isoformat(),
            "calls": tokens["calls"] or 0,
            "input": tokens["input"] or 0,
            "output": tokens["output"] or 0,
        },
    }


def status_lines(data: dict[str, Any]) -> list[str]:
    def when(value: str | None) -> str:
        if not value:
            return "never"
        at = dt.datetime.fromisoformat(value)
        return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S %Z")

    lines = ["sources:"]
    for s in data["sources"]:
        result = {True: "ok", False: "FAILED", None: "-"}[s["last_discovery_ok"]]
        detail = " — ".join(s["last_discovery_result"])
        flag = "" if s["enabled"] else " (disabled)"
        lines.append(f"  {s['name']}{flag}: {when(s['last_discovery_at'])} {result} {detail}")
        if s.get("blocked_since"):
            lines.append(f"    blocked since {when(s['blocked_since'])}: {s['blocked_detail']}")
    q = data["queue"]
    lines.append(
        f"queue: {q['ready']} ready, {q['waiting']} waiting to retry, {q['running']} running, "
        f"{q['failed']} failed, {q['successful']} done"
    )
    for t in data["failed_tasks"]:
        lines.append(f"  failed {t['task']}{tuple(t['args'])}: {t['error']} ({t['id']})")
    f = data["fetch_failures"]
    lines.append(f"fetch failures: {f['count']}")
    for item in f["latest"]:
        lines.append(
            f"  {item['source']} {item['url']}: {item['error']} ({item['attempts']} attempts)"
        )
    b = data["briefs"]
    lines.append(f"briefs: {b['needs_review']} awaiting review, {b['pending']} pending")
    t = data["tokens_today"]
    lines.append(f"tokens today: {t['input']} in, {t['output']} out, {t['calls']} calls")
    return lines
