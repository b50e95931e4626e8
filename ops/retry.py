"""Retries with exponential backoff for pipeline tasks, and requeueing tasks of dead workers."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

RUNNING = "RUNNING"
READY = "READY"
FAILED = "FAILED"


def retry_or_raise(task: Task[Any, Any], args: list[Any], attempt: int, exc: BaseException) -> str:
    """Re-enqueue ``task(*args)`` after ``backoff * 2**attempt`` seconds, or re-raise ``exc``.

    The retry is a new queued task (``run_after`` in the future) and this run ends successfully
    with a note saying so; the last attempt re-raises, so the task rests FAILED in the admin
    with its exception and traceback.
    """
    config = settings.BRIEFROOM_TASKS
    if attempt + 1 >= config["retries"]:
        raise exc
    delay = float(config["backoff"]) * 2**attempt
    run_after = timezone.now() + dt.timedelta(seconds=delay)
    task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
    logger.warning("%s%s failed (%s); retry %d in %.0fs", task.name, args, exc, attempt + 1, delay)
    return f"retry {attempt + 1} in {delay:.0f}s: {exc}"[:500]


def retry_task_result(result: DBTaskResult) -> str:
    """Enqueue a failed task's function again with its arguments (the admin's 다시 시도)."""
    task = result.task
    kwargs = dict(result.args_kwargs.get("kwargs") or {})
    if "attempt" in kwargs:
        kwargs["attempt"] = 0
    new = task.using(queue_name=result.queue_name, priority=result.priority).enqueue(
        *(result.args_kwargs.get("args") or []), **kwargs
    )
    return str(new.id)


# --- workers and stale tasks --------------------------------------------------------------------


def worker_id(index: int = 0) -> str:
    """``host:pid:index``: lets a scheduler on the same host see whether the worker is alive."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{index}"


def _alive_here(worker: str) -> bool | None:
    """True/False for a worker id of this host (by pid); None when it cannot be told."""
    rest = worker.split(":")
    if len(rest) != 3 or rest[0] != socket.gethostname()[:40] or not rest[1].isdigit():
        return None
    try:
        os.kill(int(rest[1]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_stale(stale_after: float | None = None) -> int:
    """Put back in the queue tasks left RUNNING by a worker that died (SIGKILL, power loss).

    A worker of this host is dead when its pid is gone; any other worker's task is stale when
    it has run longer than ``BRIEFROOM_TASK_STALE_AFTER``. The update is conditional on the
    task still being RUNNING, so two schedulers requeue a task once. Every pipeline task is
    safe to run twice, so a requeued task that had half-run does no harm.
    """
    if stale_after is None:
        stale_after = float(settings.BRIEFROOM_TASKS["stale_after"])
    cutoff = timezone.now() - dt.timedelta(seconds=stale_after)
    requeued = 0
    for result in DBTaskResult.objects.filter(status=RUNNING).only(
        "id", "worker_ids", "started_at"
    ):
        workers = result.worker_ids or []
        alive = _alive_here(workers[-1]) if workers else None
        timed_out = result.started_at is not None and result.started_at < cutoff
        if alive is False or (alive is None and timed_out):
            requeued += DBTaskResult.objects.filter(
                Q(pk=result.pk), status=RUNNING, started_at=result.started_at
            ).update(status=READY, started_at=None)
            logger.warning("requeued task %s left running by %s", result.pk, workers[-1:])
    return requeued
