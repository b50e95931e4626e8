"""A task backend for the test suite: run tasks at once, except the ones named to be recorded.

Tests want the cheap follow-ups of a store (publishing the post) to happen as they would in a
worker, but never an LLM call as a side effect of storing a report: ``RECORD_ONLY`` names the
tasks that are only recorded (as Django's DummyBackend does), for tests to run explicitly.
"""

from __future__ import annotations

from typing import Any

from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import Task, TaskResult, TaskResultStatus
from django.utils.crypto import get_random_string


class ImmediateExceptBackend(ImmediateBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.record_only = frozenset(params.get("OPTIONS", {}).get("RECORD_ONLY", ()))
        self.recorded: list[TaskResult[Any]] = []

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        if task.name not in self.record_only:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result: TaskResult[Any] = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        self.recorded.append(result)
        return result
