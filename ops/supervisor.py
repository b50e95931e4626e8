"""Run briefroom's processes (web, worker, scheduler) as children and stop them cleanly.

Children get their own session, so a Ctrl-C in the terminal reaches only the supervisor, which
sends each child one SIGTERM: the worker finishes its task in flight, granian drains its
requests, the scheduler stops between ticks. On Linux a child also gets SIGTERM if the
supervisor itself dies (PR_SET_PDEATHSIG), so no orphan keeps a task half-run.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def briefroom_command(*args: str) -> list[str]:
    """The argv of a ``briefroom`` subcommand run with this interpreter."""
    return [sys.executable, "-m", "config.cli", *args]


@dataclass
class Supervisor:
    """Start named commands, wait until one exits or a signal asks to stop, stop the rest."""

    grace: float = 60.0  # seconds a child may take to finish after SIGTERM, then SIGKILL
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and commands)
            argv, env=self.env, start_new_session=True, preexec_fn=_die_with_parent
        )
        self.children[name] = process
        logger.info("started %s (pid %s)", name, process.pid)
        return process

    def install_signals(self) -> None:
        def stop(signum: int, _frame: object) -> None:
            logger.info("received %s, stopping", signal.Signals(signum).name)
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def wait(self) -> int:
        """Block until a stop signal or a child's exit; then stop all. Returns an exit code."""
        code = 0
        while not self.stopping.is_set():
            for name, process in self.children.items():
                returned = process.poll()
                if returned is not None:
                    logger.error("%s exited with %s; stopping the others", name, returned)
                    code = returned or 1
                    self.stopping.set()
                    break
            self.stopping.wait(0.5)
        self.stop_all()
        return code

    def stop_all(self) -> None:
        for process in self.children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for name, process in self.children.items():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %ss; killing it", name, self.grace)
                process.kill()
                process.wait()
