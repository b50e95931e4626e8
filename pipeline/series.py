"""The series table: what each recurring report is called, where it lives and how often it comes.

Discovery, extraction and the ``briefroom series`` report all identify a report's series and
date from its slug or title through :func:`identify`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH_RE = "|".join(MONTHS)
# "june-2-2025" in slugs, "June 2, 2025" in titles.
SLUG_DATE_RE = re.compile(rf"(?<![a-z])({_MONTH_RE})-(\d{{1,2}})-(\d{{4}})(?![0-9])")
TITLE_DATE_RE = re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Series:
    """One recurring report series."""

    slug: str
    publisher: str  # board tag, e.g. "ISW"
    title_en: str
    # Regex matched against a URL slug or a title (lower-cased, dashes for spaces).
    pattern: re.Pattern[str]
    # Publication weekdays (0 = Monday) and the minimum spacing between editions in days.
    weekdays: frozenset[int]
    interval_days: int
    # Hour (publisher local time) after which the day's edition is usually out.
    usual_hour: int
    time_zone: str
    # Whether a day can have several editions (morning / evening special reports).
    special_editions: bool = False

    def expected_dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Dates in [start, end] on which an edition is expected, anchored at ``start``."""
        dates: list[dt.date] = []
        day = start
        while day <= end:
            if day.weekday() in self.weekdays:
                dates.append(day)
                day += dt.timedelta(days=self.interval_days)
            else:
                day += dt.timedelta(days=1)
        return dates


ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset(range(5))

SERIES: tuple[Series, ...] = (
    Series(
        slug="russian-offensive-campaign-assessment",
        publisher="ISW",
        title_en="Russian Offensive Campaign Assessment",
        pattern=re.compile(r"russian-offensive-campaign-assessment"),
        weekdays=ALL_DAYS,
        interval_days=1,
        usual_hour=20,
        time_zone="America/New_York",
    ),
    Series(
        slug="iran-update",
        publisher="ISW",
        title_en="Iran Update",
        pattern=re.compile(r"(?<![a-z])iran-update"),
        weekdays=WEEKDAYS,
        interval_days=1,
        usual_hour=20,
        time_zone="America/New_York",
        special_editions=True,
    ),
    Series(
        slug="russian-occupation-update",
        publisher="ISW",
        title_en="Russian Occupation Update",
        pattern=re.compile(r"russian-occupation-update"),
        weekdays=ALL_DAYS,
        interval_days=14,
        usual_hour=20,
        time_zone="America/New_York",
    ),
    Series(
        slug="russian-force-generation-update",
        publisher="ISW",
        title_en="Russian Force Generation and Technological Adaptations Update",
        pattern=re.compile(
            r"russian-force-generation-(and-)?(technological-)?(and-)?adaptations?-update"
        ),
        weekdays=ALL_DAYS,
        interval_days=7,
        usual_hour=20,
        time_zone="America/New_York",
    ),
    Series(
        slug="mnd-press-release",
        publisher="국방부",
        title_en="Ministry of National Defense press release",
        pattern=re.compile(r"(?!x)x"),  # identified by source, never by slug
        weekdays=frozenset(),
        interval_days=0,
        usual_hour=18,
        time_zone="Asia/Seoul",
    ),
)
SERIES_BY_SLUG = {s.slug: s for s in SERIES}


@dataclass(frozen=True, slots=True)
class Identified:
    series: str | None
    published: dt.date | None
    edition: str  # "" for a normal edition, "morning" / "evening" for special reports


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def date_from_text(text: str) -> dt.date | None:
    """The first "june-2-2025" or "June 2, 2025" date in a slug or a title."""
    for regex in (SLUG_DATE_RE, TITLE_DATE_RE):
        match = regex.search(text)
        if match:
            month = MONTHS[match.group(1).lower()]
            try:
                return dt.date(int(match.group(3)), month, int(match.group(2)))
            except ValueError:
                continue
    return None


def identify(url: str = "", title: str = "") -> Identified:
    """Series, date and edition of a report from its URL slug and/or its title."""
    path = urlsplit(url).path.rstrip("/")
    slug = path.rsplit("/", 1)[-1].lower() if path else ""
    candidates = [c for c in (slug, _slugify(title)) if c]
    series: str | None = None
    for candidate in candidates:
        for entry in SERIES:
            if entry.pattern.search(candidate):
                series = entry.slug
                break
        if series:
            break
    published = None
    for candidate in (slug, title):
        published = date_from_text(candidate)
        if published:
            break
    joined = " ".join(candidates)
    edition = ""
    if "morning" in joined and "special" in joined:
        edition = "morning"
    elif "evening" in joined and "special" in joined:
        edition = "evening"
    return Identified(series=series, published=published, edition=edition)
