"""The series table: what each recurring report is called, where it lives and how often it comes.

Discovery, extraction and the ``briefroom series`` report all identify a report's series and
date from its slug or title through :func:`identify`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.publishers.base import Series
from pipeline.publishers.isw.series import ISW_SERIES
from pipeline.publishers.mnd.series import MND_SERIES

__all__ = ["SERIES", "SERIES_BY_SLUG", "Identified", "Series", "date_from_text", "identify"]

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


# The publishers' series, in the order their folders are registered.
SERIES: tuple[Series, ...] = (*ISW_SERIES, *MND_SERIES)
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
