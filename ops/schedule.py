"""The discovery schedule: slots per source, enqueued once each however many schedulers run.

A slot is the period between two discovery times of a source. ISW publishes its daily
editions in the US evening, so from six hours before the series' usual hour until midnight
(America/New_York) a slot starts every two hours, otherwise every six hours. 국방부 press
releases come during office hours: hourly 09–19 (Asia/Seoul), one slot overnight. Any other
source: every three hours (UTC). The demo publisher: every two minutes.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from ops.models import ScheduledSlot
from pipeline.series import SERIES
from sources.models import Source

logger = logging.getLogger(__name__)

DEMO_PREFIX = "demo-"


@dataclass(frozen=True)
class Cadence:
    time_zone: str
    hours: tuple[int, ...] = ()  # local start hours of the day's slots
    every_minutes: int = 0  # or a slot every N minutes

    def slot_start(self, now: dt.datetime) -> dt.datetime:
        """The start of the slot ``now`` falls in, as an aware datetime in UTC."""
        local = now.astimezone(ZoneInfo(self.time_zone))
        if self.every_minutes:
            minutes = local.hour * 60 + local.minute
            start = minutes - minutes % self.every_minutes
            slot = local.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)
            return slot.astimezone(dt.UTC)
        earlier = [h for h in self.hours if h <= local.hour]
        if earlier:
            day, hour = local.date(), max(earlier)
        else:  # before the day's first slot: the previous day's last one
            day, hour = local.date() - dt.timedelta(days=1), max(self.hours)
        slot = dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(self.time_zone))
        return slot.astimezone(dt.UTC)


def _isw_cadence() -> Cadence:
    isw = [s for s in SERIES if s.publisher == "ISW"]
    usual = min(s.usual_hour for s in isw)
    dense = set(range(max(usual - 6, 0), 24, 2))
    sparse = set(range(0, 24, 6))
    return Cadence(isw[0].time_zone, tuple(sorted(dense | {h for h in sparse if h < min(dense)})))


def _mnd_cadence() -> Cadence:
    mnd = next(s for s in SERIES if s.slug == "mnd-press-release")
    return Cadence(mnd.time_zone, tuple(range(9, 20)))


def cadence_for(source: Source) -> Cadence:
    if source.name.startswith(DEMO_PREFIX):
        return Cadence("UTC", every_minutes=2)
    if source.name == "isw" or source.publisher == "ISW":
        return _isw_cadence()
    if source.name == "mnd" or source.default_series == "mnd-press-release":
        return _mnd_cadence()
    return Cadence("UTC", hours=tuple(range(0, 24, 3)))


def schedule_due(now: dt.datetime | None = None, *, demo: bool = False) -> list[ScheduledSlot]:
    """Insert the current slot of every enabled source and enqueue its discovery, once.

    With ``demo`` only the demo sources are scheduled, without it only the others.
    """
    from sources.tasks import discover_source_task

    now = now or timezone.now()
    sources = Source.objects.filter(enabled=True)
    sources = (
        sources.filter(name__startswith=DEMO_PREFIX)
        if demo
        else sources.exclude(name__startswith=DEMO_PREFIX)
    )
    created = []
    for source in sources:
        start = cadence_for(source).slot_start(now)
        if ScheduledSlot.objects.filter(source=source, slot_start=start).exists():
            continue
        try:
            with transaction.atomic():
                slot = ScheduledSlot.objects.create(source=source, slot_start=start)
                result = discover_source_task.enqueue(source.pk)
                slot.task_id = str(result.id)
                slot.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another scheduler inserted this slot first
        logger.info("slot %s of %s: discovery queued", start.isoformat(), source.name)
        created.append(slot)
    return created


class Scheduler:
    """Every ``tick`` seconds: enqueue due slots, requeue tasks of dead workers."""

    def __init__(self, *, tick: float = 60.0, demo: bool = False) -> None:
        self.tick = tick
        self.demo = demo
        self.stopping = threading.Event()

    def stop(self, *_args: object) -> None:
        self.stopping.set()

    def run_once(self) -> int:
        from django.db import close_old_connections

        from ops.retry import requeue_stale

        close_old_connections()
        created = len(schedule_due(demo=self.demo))
        requeue_stale()
        return created

    def run(self) -> None:
        logger.info("scheduler started (tick %ss%s)", self.tick, ", demo" if self.demo else "")
        while not self.stopping.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("scheduler tick failed; trying again next tick")
            self.stopping.wait(self.tick)
        logger.info("scheduler stopped")
