"""Queueing follow-up work from inside the store's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import Task, task_backends


def enqueue_with_store(task: Task[Any, Any], *args: Any) -> None:
    """Queue ``task`` so that it exists exactly when the store's transaction commits.

    The database queue writes its row in the same transaction (an outbox: the report and its
    follow-up tasks commit together or not at all); any other queue is told after the commit,
    so a worker never picks up a task whose report it cannot see yet.
    """
    if type(task_backends[task.backend]).__module__.startswith("django_tasks_db"):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
