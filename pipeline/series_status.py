"""Is each series still coming? Missing editions, gaps and stalls, and superseded editions.

An edition is missing once 48 hours have passed since the hour it usually appears (in the
series' time zone): ISW is often a day late, so only a second day without it is news.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from pipeline.series import Series

GRACE = dt.timedelta(hours=48)

type Status = Literal["ok", "gap", "stalled", "empty"]


@dataclass(frozen=True, slots=True)
class Edition:
    """One stored edition of a series."""

    published: dt.date
    edition: str  # "" for a normal edition, "morning" / "evening" for special reports
    url: str
    stored_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Superseded:
    old: Edition
    by: Edition


@dataclass(frozen=True, slots=True)
class SeriesStatus:
    series: Series
    last: Edition | None  # newest edition that is not superseded
    # Expected dates, oldest first, that are overdue and have no edition.
    missing: tuple[dt.date, ...]
    # "ok"; "gap": the latest expected edition is missing; "stalled": two or more in a row are;
    # "empty": no edition known (and no start date to count from).
    status: Status
    superseded: tuple[Superseded, ...]
    checked_through: dt.date | None = None  # last expected date whose 48 hours have passed


def due_at(series: Series, day: dt.date) -> dt.datetime:
    """When an edition dated ``day`` counts as missing if it has not appeared."""
    usual = dt.datetime.combine(day, dt.time(series.usual_hour), tzinfo=ZoneInfo(series.time_zone))
    return usual + GRACE


def _next_slot(series: Series, cursor: dt.date) -> dt.date:
    return series.expected_dates(cursor, cursor + dt.timedelta(days=6))[0]


def overdue_slots(
    series: Series, published: Iterable[dt.date], start: dt.date, now: dt.datetime
) -> tuple[list[dt.date], list[dt.date]]:
    """(overdue expected dates, the missing ones among them), walking the cadence from ``start``.

    For a daily or weekday series the expected dates are exactly :meth:`Series.expected_dates`
    and only an edition of that date meets one. A spaced series (weekly, biweekly) drifts: an
    expected date is met by an edition up to half a period early or a period less a day late,
    and when the series may appear on any weekday the cadence restarts from that edition, so a
    biweekly report that comes a day late neither counts as missing nor shifts every later date.
    """
    if not series.weekdays:
        return [], []
    period = max(series.interval_days, 1)
    step = dt.timedelta(days=period)
    early = dt.timedelta(days=(period - 1) // 2)
    late = dt.timedelta(days=period - 1)
    drifts = len(series.weekdays) == 7
    dates = sorted({day for day in published if day >= start})
    slots: list[dt.date] = []
    missing: list[dt.date] = []
    cursor = start
    index = 0  # the first edition not yet matched to an expected date
    while True:
        slot = _next_slot(series, cursor)
        if due_at(series, slot) > now:
            return slots, missing
        slots.append(slot)
        while index < len(dates) and dates[index] < slot - early:
            index += 1  # an extra edition between expected dates (e.g. a Saturday special)
        if index < len(dates) and dates[index] <= slot + late:
            cursor = (dates[index] if drifts else slot) + step
            index += 1
        else:
            missing.append(slot)
            cursor = slot + step


_RANK = {"morning": 0, "": 1, "evening": 2}


def find_superseded(editions: Iterable[Edition]) -> list[Superseded]:
    """Editions replaced by a later one of the same date.

    A morning special report is superseded by that day's evening special report; a plain
    edition by an evening one stored after it.
    """
    by_date: dict[dt.date, list[Edition]] = defaultdict(list)
    for edition in editions:
        by_date[edition.published].append(edition)
    found: list[Superseded] = []
    for day in sorted(by_date):
        evenings = sorted(
            (e for e in by_date[day] if e.edition == "evening"), key=lambda e: e.stored_at
        )
        if not evenings:
            continue
        for edition in by_date[day]:
            if edition.edition == "morning":
                found.append(Superseded(edition, evenings[-1]))
            elif edition.edition == "":
                later = [e for e in evenings if e.stored_at > edition.stored_at]
                if later:
                    found.append(Superseded(edition, later[-1]))
    return found


def series_status(
    series: Series,
    editions: Sequence[Edition],
    now: dt.datetime,
    *,
    start: dt.date | None = None,
) -> SeriesStatus:
    """The state of ``series`` at ``now`` (an aware datetime) given its known ``editions``.

    Expected dates are counted from ``start`` or, without one, from the first known edition.
    A series without a cadence (no weekdays, e.g. press releases) reports its last edition only.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    superseded = find_superseded(editions)
    replaced = {id(entry.old) for entry in superseded}
    current = [e for e in editions if id(e) not in replaced]
    last = max(
        current, key=lambda e: (e.published, _RANK.get(e.edition, 1), e.stored_at), default=None
    )
    anchor = start or min((e.published for e in editions), default=None)
    if not series.weekdays or anchor is None:
        status: Status = "ok" if last else "empty"
        return SeriesStatus(series, last, (), status, tuple(superseded))
    slots, missing = overdue_slots(series, (e.published for e in editions), anchor, now)
    newest = last.published if last else dt.date.min
    trailing = sum(1 for day in missing if day > newest)
    status = "ok" if trailing == 0 else "gap" if trailing == 1 else "stalled"
    return SeriesStatus(
        series,
        last,
        tuple(missing),
        status,
        tuple(superseded),
        checked_through=slots[-1] if slots else None,
    )


def _cadence(series: Series) -> str:
    if not series.weekdays:
        return "-"
    if series.interval_days > 1:
        return "weekly" if series.interval_days == 7 else f"every {series.interval_days} days"
    if len(series.weekdays) == 7:
        return "daily"
    if series.weekdays == frozenset(range(5)):
        return "weekdays"
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return ",".join(names[day] for day in sorted(series.weekdays))


def _edition_label(edition: Edition | None) -> str:
    if edition is None:
        return "-"
    return f"{edition.published.isoformat()} {edition.edition}".rstrip()


def _missing_label(status: SeriesStatus, shown: int = 3) -> str:
    if not status.series.weekdays or status.status == "empty":
        return "-"
    if not status.missing:
        return "0"
    newest = [day.isoformat() for day in reversed(status.missing[-shown:])]
    more = len(status.missing) - shown
    suffix = f", +{more} more" if more > 0 else ""
    return f"{len(status.missing)} ({', '.join(newest)}{suffix})"


def format_table(statuses: Iterable[SeriesStatus]) -> str:
    """A plain-text table for ``briefroom series``: one row per series."""
    header = ("SERIES", "CADENCE", "LAST EDITION", "STATUS", "MISSING")
    rows = [header] + [
        (
            s.series.slug,
            _cadence(s.series),
            _edition_label(s.last),
            s.status,
            _missing_label(s),
        )
        for s in statuses
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
