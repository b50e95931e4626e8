"""View counts without a database write per page view.

A post page is served from the page cache with no database work at all; writing its view count
on every request would put one SQLite write (and its lock) back on that path. Each process
counts views in memory and adds them to the database with ``F("view_count") + n`` at most
every :data:`FLUSH_SECONDS` seconds or :data:`FLUSH_VIEWS` views, whichever comes first, from
a short-lived thread so that no reader waits for SQLite's write lock. The
page shows the last count read from the database plus the views this process has not yet
written, so a reader always sees the count move. A crash loses at most one interval's views.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F

from board.models import Post

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 2.0
FLUSH_VIEWS = 5000
CHUNK = 500


class ViewCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[int, int] = {}  # the count last read from the database
        self._pending: dict[int, int] = {}  # views not yet written
        self._inflight: dict[int, int] = {}  # views being written by a flush
        self._unwritten = 0
        self._last_flush = time.monotonic()

    def seen(self, pk: int, count: int) -> None:
        """Note the database count read while rendering a post."""
        with self._lock:
            self._known[pk] = count

    def _shown(self, pk: int) -> int:
        known = self._known.get(pk, 0)
        return known + self._inflight.get(pk, 0) + self._pending.get(pk, 0)

    def record(self, pk: int) -> int:
        """Count one view of post ``pk``; returns the count to show."""
        with self._lock:
            self._pending[pk] = self._pending.get(pk, 0) + 1
            self._unwritten += 1
            due = (
                self._unwritten >= FLUSH_VIEWS
                or time.monotonic() - self._last_flush >= FLUSH_SECONDS
            )
            known = pk in self._known
        if not known:
            count = Post.objects.filter(pk=pk).values_list("view_count", flat=True).first()
            with self._lock:
                self._known.setdefault(pk, count or 0)
        if due:
            self._flush_soon()
        with self._lock:
            return self._shown(pk)

    def _flush_soon(self) -> None:
        """Flush outside the request: a reader never waits for the write lock.

        Views counted inside a transaction (a test, a view wrapped in atomic) are written in
        that transaction instead, where they can be seen and rolled back with it.
        """
        if connection.in_atomic_block:
            self.flush()
            return
        threading.Thread(target=self._flush_thread, name="board-views", daemon=True).start()

    def _flush_thread(self) -> None:
        try:
            self.flush()
        finally:
            connections.close_all()  # this thread's own connections

    def flush(self) -> None:
        """Write the pending views (one UPDATE per post, in one transaction)."""
        with self._lock:
            if self._inflight or not self._pending:
                return  # another thread is writing, or nothing to write
            batch, self._pending = self._pending, {}
            self._inflight = batch
            self._unwritten = 0
            self._last_flush = time.monotonic()
        fresh: dict[int, int] = {}
        try:
            with transaction.atomic():
                # One UPDATE per distinct increment (a handful), not one per post: the write
                # lock is held for a millisecond and the statements cost no Python to build.
                by_increment: dict[int, list[int]] = {}
                for pk, added in batch.items():
                    by_increment.setdefault(added, []).append(pk)
                for added, pks in sorted(by_increment.items()):
                    for start in range(0, len(pks), CHUNK):
                        chunk = pks[start : start + CHUNK]
                        Post.objects.filter(pk__in=chunk).update(view_count=F("view_count") + added)
                pks = sorted(batch)
                for start in range(0, len(pks), CHUNK):
                    chunk = pks[start : start + CHUNK]
                    fresh.update(Post.objects.filter(pk__in=chunk).values_list("pk", "view_count"))
        except DatabaseError:
            logger.warning("could not write %d view counts; will retry", sum(batch.values()))
            with self._lock:
                for pk, views in batch.items():
                    self._pending[pk] = self._pending.get(pk, 0) + views
                    self._unwritten += views
                self._inflight = {}
            return
        with self._lock:
            self._known.update(fresh)
            self._inflight = {}

    def reset(self) -> None:
        """Forget everything (tests: the database under the counter was rolled back)."""
        with self._lock:
            self._known.clear()
            self._pending.clear()
            self._inflight.clear()
            self._unwritten = 0


views = ViewCounter()


@atexit.register
def _flush_at_exit() -> None:
    try:
        views.flush()
    except Exception:  # the database may be gone at interpreter exit
        logger.warning("view counts not written at exit", exc_info=True)
