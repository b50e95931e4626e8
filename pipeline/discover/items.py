"""Helpers shared by the feed, listing and sitemap parsers: building items, reading dates, URLs."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

from pipeline.series import date_from_text, identify
from pipeline.types import DiscoveredItem

_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMERIC_DATE_RE = re.compile(r"(\d{4})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{1,2})")
_KOREAN_DATE_RE = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_SHORT_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "Jun 2, 2025", "Sept. 2 2025" and "2 June 2025"; full month names are handled by series.py.
_ABBREVIATED_DATE_RE = re.compile(
    rf"\b({'|'.join(_SHORT_MONTHS)})[a-z]*\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE
)
_DAY_FIRST_DATE_RE = re.compile(
    rf"\b(\d{{1,2}})\s+({'|'.join(_SHORT_MONTHS)})[a-z]*\.?,?\s+(\d{{4}})\b", re.IGNORECASE
)


def _safe_date(year: str, month: str | int, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def date_from_loose_text(text: str) -> dt.date | None:
    """A calendar date in the forms listing pages print: ISO, "2025.06.02", Korean, English."""
    text = text.strip()
    if not text:
        return None
    for regex in (_ISO_DATE_RE, _NUMERIC_DATE_RE, _KOREAN_DATE_RE):
        match = regex.search(text)
        if match:
            return _safe_date(*match.groups())
    found = date_from_text(text)
    if found:
        return found
    match = _ABBREVIATED_DATE_RE.search(text)
    if match:
        month = _SHORT_MONTHS.index(match.group(1).lower()[:3]) + 1
        return _safe_date(match.group(3), month, match.group(2))
    match = _DAY_FIRST_DATE_RE.search(text)
    if match:
        month = _SHORT_MONTHS.index(match.group(2).lower()[:3]) + 1
        return _safe_date(match.group(3), month, match.group(1))
    return None


def date_from_timestamp(text: str) -> dt.date | None:
    """The calendar date of an RFC 822 or ISO 8601 timestamp, in the offset it was written in.

    Converting to UTC first would move an ISW report published at 9 pm Eastern to the next day.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return date_from_loose_text(text)


def absolute_url(href: str, base_url: str) -> str | None:
    """``href`` resolved against ``base_url``, without fragment; None unless it is http(s)."""
    href = href.strip()
    if not href:
        return None
    url = urldefrag(urljoin(base_url, href)).url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def same_site_key(url: str) -> str:
    """Scheme-less host and port with any ``www.`` dropped: what "the same site" compares."""
    return urlsplit(url).netloc.lower().removeprefix("www.")


def clean_title(text: str) -> str:
    """Plain one-line text: markup left in HTML-typed or malformed feed titles is dropped."""
    return " ".join(_TAG_RE.sub(" ", text).split())


def make_item(
    url: str,
    *,
    source: str,
    method: str,
    title: str = "",
    guid: str = "",
    fallback_date: dt.date | None = None,
) -> DiscoveredItem:
    """An item whose series and date come from its slug or title, else from ``fallback_date``.

    The slug date wins over a feed or sitemap timestamp: it is the date the publisher gave the
    edition, while timestamps are often in UTC or record a later modification.
    """
    identified = identify(url, title)
    return DiscoveredItem(
        url=url,
        source=source,
        title=title,
        published=identified.published or fallback_date,
        series=identified.series,
        guid=guid or url,
        method=method,
    )


def unique_by_url(items: Iterable[DiscoveredItem]) -> list[DiscoveredItem]:
    """Items in their order, each URL once (the first occurrence wins)."""
    seen: set[str] = set()
    unique: list[DiscoveredItem] = []
    for item in items:
        if item.url not in seen:
            seen.add(item.url)
            unique.append(item)
    return unique
