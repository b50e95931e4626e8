"""``briefroom worker [--concurrency N]``: run queued tasks (discovery, fetch, brief).

One worker is django_tasks_db's worker loop in this process (tasks are taken with
``SELECT … FOR UPDATE SKIP LOCKED``); ``--concurrency N`` runs N such processes under a
supervisor. SIGTERM or Ctrl-C lets each finish the task in flight, then exits; a second signal
aborts it (the task is requeued when its worker is seen dead, see ``ops.retry``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tasks_db.management.commands.db_worker import Worker

from ops.retry import requeue_stale, worker_id
from ops.supervisor import Supervisor, briefroom_command

logger = logging.getLogger("briefroom.worker")


class Command(BaseCommand):
    help = "Run background tasks from the database queue (N processes with --concurrency)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=1, help="worker processes")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run until the queue is empty, then exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after N tasks")
        parser.add_argument("--index", type=int, default=0, help="(internal) worker number")

    def handle(
        self,
        *args: Any,
        concurrency: int,
        interval: float,
        batch: bool,
        max_tasks: int | None,
        index: int,
        **options: Any,
    ) -> None:
        if concurrency > 1:
            supervisor = Supervisor(grace=3600)
            supervisor.install_signals()
            for n in range(concurrency):
                extra = ["--batch"] if batch else []
                if max_tasks:
                    extra += ["--max-tasks", str(max_tasks)]
                supervisor.start(
                    f"worker-{n}",
                    briefroom_command(
                        "worker", "--index", str(n), "--interval", str(interval), *extra
                    ),
                )
            if batch:  # every child exits on its own once the queue is empty
                for process in supervisor.children.values():
                    process.wait()
                return
            supervisor.wait()
            return
        requeued = requeue_stale()
        if requeued:
            logger.warning("requeued %d task(s) left running by dead workers", requeued)
        ident = worker_id(index)
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=max_tasks,
            worker_id=ident,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        logger.info("worker %s started", ident)
        worker.run()
