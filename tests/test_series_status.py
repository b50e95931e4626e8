"""Series awareness: expected dates, the 48-hour rule, gaps and stalls, superseded editions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pipeline.series import SERIES_BY_SLUG
from pipeline.series_status import (
    Edition,
    Superseded,
    due_at,
    find_superseded,
    format_table,
    overdue_slots,
    series_status,
)

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
ROCA = SERIES_BY_SLUG["russian-offensive-campaign-assessment"]
IRAN = SERIES_BY_SLUG["iran-update"]
OCCUPATION = SERIES_BY_SLUG["russian-occupation-update"]
FORCE_GENERATION = SERIES_BY_SLUG["russian-force-generation-update"]
MND = SERIES_BY_SLUG["mnd-press-release"]


def d(month: int, day: int) -> dt.date:
    return dt.date(2025, month, day)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=NEW_YORK)


def edition(month: int, day: int, kind: str = "", stored_hour: int = 21) -> Edition:
    return Edition(
        published=d(month, day),
        edition=kind,
        url=f"https://understandingwar.org/research/x-{month}-{day}-{kind or 'plain'}/",
        stored_at=at(month, day, stored_hour),
    )


def daily(first: dt.date, last: dt.date) -> list[Edition]:
    days = (last - first).days + 1
    return [edition(day.month, day.day) for day in (first + dt.timedelta(n) for n in range(days))]


# --- cadence and the 48-hour rule -------------------------------------------------------------


def test_due_at_is_usual_hour_plus_48_hours_in_the_series_time_zone() -> None:
    # 20:00 in New York on June 2 (EDT, -04:00) plus 48 hours.
    assert due_at(ROCA, d(6, 2)) == dt.datetime(2025, 6, 5, 0, 0, tzinfo=dt.UTC)
    # In January New York is at -05:00.
    assert due_at(ROCA, dt.date(2025, 1, 6)) == dt.datetime(2025, 1, 9, 1, 0, tzinfo=dt.UTC)


def test_47_hours_late_is_not_missing_49_hours_late_is() -> None:
    editions = daily(d(6, 1), d(6, 4))
    usual = dt.datetime(2025, 6, 5, 20, 0, tzinfo=NEW_YORK)  # June 5's edition is expected

    early = series_status(ROCA, editions, usual + dt.timedelta(hours=47))
    late = series_status(ROCA, editions, usual + dt.timedelta(hours=49))

    assert early.missing == ()
    assert early.status == "ok"
    assert early.checked_through == d(6, 4)
    assert late.missing == (d(6, 5),)
    assert late.status == "gap"
    assert late.checked_through == d(6, 5)


def test_now_may_be_given_in_any_time_zone() -> None:
    editions = daily(d(6, 1), d(6, 4))
    # 49 hours after 20:00 in New York, written in Seoul time (13 hours ahead in summer).
    seoul = dt.datetime(2025, 6, 8, 10, 0, tzinfo=SEOUL)

    assert series_status(ROCA, editions, seoul).missing == (d(6, 5),)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        series_status(ROCA, daily(d(6, 1), d(6, 2)), dt.datetime(2025, 6, 10))  # noqa: DTZ001


def test_daily_cadence_matches_series_expected_dates() -> None:
    editions = daily(d(6, 1), d(6, 30))
    now = at(7, 3, 8)

    slots, missing = overdue_slots(ROCA, (e.published for e in editions), d(6, 1), now)

    assert slots == ROCA.expected_dates(d(6, 1), d(6, 30))
    assert missing == []


def test_gap_on_the_first_miss_stalled_on_the_second() -> None:
    editions = daily(d(6, 1), d(6, 5))

    one = series_status(ROCA, editions, at(6, 8, 21))  # June 6 overdue since 20:00 on June 8
    two = series_status(ROCA, editions, at(6, 9, 21))

    assert (one.status, one.missing) == ("gap", (d(6, 6),))
    assert (two.status, two.missing) == ("stalled", (d(6, 6), d(6, 7)))
    assert two.last == editions[-1]


def test_an_old_gap_is_listed_but_the_series_is_ok() -> None:
    editions = [e for e in daily(d(6, 1), d(6, 10)) if e.published != d(6, 4)]

    status = series_status(ROCA, editions, at(6, 11, 12))

    assert status.missing == (d(6, 4),)
    assert status.status == "ok"


def test_weekday_series_expects_nothing_at_the_weekend() -> None:
    # June 2, 2025 is a Monday.
    week = [edition(6, day) for day in (2, 3, 4, 5, 6)]

    monday_noon = series_status(IRAN, week, at(6, 9, 12))
    wednesday_night = series_status(IRAN, week, at(6, 11, 21))

    assert (monday_noon.status, monday_noon.missing) == ("ok", ())
    assert (wednesday_night.status, wednesday_night.missing) == ("gap", (d(6, 9),))


def test_an_extra_weekend_edition_counts_as_alive_not_as_a_weekday() -> None:
    editions = [edition(6, day) for day in (2, 3, 4)] + [edition(6, 7)]  # Thu, Fri missed; Sat

    status = series_status(IRAN, editions, at(6, 9, 12))

    assert status.missing == (d(6, 5), d(6, 6))
    assert status.status == "ok"  # the newest edition is later than the missed days
    assert status.last == editions[-1]


def test_biweekly_cadence_from_the_first_edition() -> None:
    editions = [edition(5, 8), edition(5, 22)]

    before = series_status(OCCUPATION, editions, at(6, 7, 19))  # June 5 due June 7 20:00
    after = series_status(OCCUPATION, editions, at(6, 7, 21))
    stalled = series_status(OCCUPATION, editions, at(6, 22, 12))

    assert (before.status, before.missing) == ("ok", ())
    assert (after.status, after.missing) == ("gap", (d(6, 5),))
    assert (stalled.status, stalled.missing) == ("stalled", (d(6, 5), d(6, 19)))


def test_biweekly_edition_a_day_late_is_not_missing_and_moves_the_cadence() -> None:
    editions = [edition(5, 8), edition(5, 22), edition(6, 6)]  # June 5 expected, came June 6

    status = series_status(OCCUPATION, editions, at(6, 22, 12))
    later = series_status(OCCUPATION, editions, at(6, 22, 21))

    assert (status.status, status.missing) == ("ok", ())
    assert status.checked_through == d(6, 5)  # the expected date the June 6 edition met
    assert (later.status, later.missing) == ("gap", (d(6, 20),))


def test_biweekly_edition_a_few_days_early_meets_its_date() -> None:
    editions = [edition(5, 8), edition(5, 19), edition(6, 2)]

    status = series_status(OCCUPATION, editions, at(6, 10, 12))

    assert (status.status, status.missing) == ("ok", ())


def test_weekly_cadence() -> None:
    editions = [edition(4, 2), edition(4, 9), edition(4, 16), edition(4, 23)]

    status = series_status(FORCE_GENERATION, editions, at(5, 10, 12))

    assert status.missing == (d(4, 30), d(5, 7))
    assert status.status == "stalled"


def test_start_date_counts_before_the_first_edition() -> None:
    editions = [edition(6, 3), edition(6, 4)]

    status = series_status(ROCA, editions, at(6, 5, 12), start=d(6, 1))

    assert status.missing == (d(6, 1), d(6, 2))
    assert status.status == "ok"


def test_no_editions() -> None:
    assert series_status(ROCA, [], at(6, 5)).status == "empty"
    from_start = series_status(ROCA, [], at(6, 5, 21), start=d(6, 1))
    assert (from_start.status, from_start.missing) == ("stalled", (d(6, 1), d(6, 2), d(6, 3)))
    assert from_start.last is None


def test_series_without_cadence_reports_only_its_last_edition() -> None:
    releases = [
        Edition(d(6, 2), "", "https://www.korea.kr/a", dt.datetime(2025, 6, 2, 10, tzinfo=SEOUL)),
        Edition(d(6, 12), "", "https://www.korea.kr/b", dt.datetime(2025, 6, 12, 9, tzinfo=SEOUL)),
    ]

    status = series_status(MND, releases, dt.datetime(2025, 9, 1, tzinfo=SEOUL))

    assert status.last == releases[1]
    assert status.missing == ()
    assert status.status == "ok"
    assert series_status(MND, [], dt.datetime(2025, 9, 1, tzinfo=SEOUL)).status == "empty"


# --- superseded editions ----------------------------------------------------------------------


def test_morning_special_report_is_superseded_by_the_evening_one() -> None:
    morning = edition(6, 13, "morning", stored_hour=11)
    evening = edition(6, 13, "evening", stored_hour=21)
    previous = edition(6, 12)

    status = series_status(IRAN, [previous, evening, morning], at(6, 14, 9))

    assert status.superseded == (Superseded(old=morning, by=evening),)
    assert status.last == evening


def test_morning_stays_current_until_the_evening_report_exists() -> None:
    morning = edition(6, 13, "morning", stored_hour=11)

    status = series_status(IRAN, [edition(6, 12), morning], at(6, 13, 15))

    assert status.superseded == ()
    assert status.last == morning


def test_plain_edition_is_superseded_only_by_a_later_evening_one() -> None:
    plain = edition(6, 13, "", stored_hour=15)
    evening = edition(6, 13, "evening", stored_hour=21)
    plain_after = edition(6, 16, "", stored_hour=23)
    evening_before = edition(6, 16, "evening", stored_hour=20)

    found = find_superseded([plain, evening, plain_after, evening_before])

    assert found == [Superseded(old=plain, by=evening)]


def test_editions_of_other_dates_never_supersede() -> None:
    assert find_superseded([edition(6, 12, "morning"), edition(6, 13, "evening")]) == []


# --- the table --------------------------------------------------------------------------------


def test_format_table() -> None:
    now = at(6, 20, 23)
    statuses = [
        series_status(ROCA, daily(d(6, 1), d(6, 20)), now),
        series_status(OCCUPATION, [edition(5, 8), edition(5, 22), edition(6, 6)], now),
        series_status(
            IRAN,
            [edition(6, 2), edition(6, 13, "morning", 11), edition(6, 13, "evening")],
            now,
        ),
        series_status(MND, [edition(6, 11)], now),
        series_status(FORCE_GENERATION, [], now),
    ]

    table = format_table(statuses)

    assert table.splitlines() == [
        "SERIES                                 CADENCE        LAST EDITION        STATUS   "
        "MISSING",
        "russian-offensive-campaign-assessment  daily          2025-06-20          ok       0",
        "russian-occupation-update              every 14 days  2025-06-06          ok       0",
        "iran-update                            weekdays       2025-06-13 evening  stalled  "
        "11 (2025-06-18, 2025-06-17, 2025-06-16, +8 more)",
        "mnd-press-release                      -              2025-06-11          ok       -",
        "russian-force-generation-update        weekly         -                   empty    -",
    ]
