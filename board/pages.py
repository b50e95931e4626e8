"""Page-level helpers of the board: the page cache, pagination links and the weekly chart."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from board.services import page_version

PAGE_SIZE = 20
PAGE_LINKS = 10  # page links around the current page; CSS shows NARROW_LINKS on a phone
NARROW_LINKS = 5
CACHE_SECONDS = 24 * 3600


def page_key(request: HttpRequest, version: str) -> str:
    """The cache key of a page: its path and page number (other query parameters change
    nothing a cached page shows, so they must not make copies of it)."""
    page = request.GET.get("page", "")
    digest = hashlib.blake2b(f"{request.path}?{page}".encode(), digest_size=12).hexdigest()
    return f"board:page:{version}:{digest}"


def cacheable(request: HttpRequest) -> bool:
    """Only anonymous GETs share cached pages: a signed-in page carries a CSRF token."""
    return request.method in {"GET", "HEAD"} and not request.user.is_authenticated


def cached_page(
    request: HttpRequest, render: Callable[[], HttpResponse], timeout: int = CACHE_SECONDS
) -> HttpResponse:
    """``render()``'s response, from the page cache when it holds this version of the page."""
    if not cacheable(request):
        return render()
    key = page_key(request, page_version())
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = render()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, response["Content-Type"]), timeout)
    return response


def cached_count(name: str, count: Callable[[], int]) -> int:
    """A row count computed once per page-cache version (never a COUNT(*) per request)."""
    key = f"board:count:{page_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = count()
        cache.set(key, value, CACHE_SECONDS)
    return int(value)


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    current: bool
    narrow: bool  # also shown on a narrow screen


@dataclass(frozen=True, slots=True)
class Pagination:
    page: int
    pages: int
    total: int
    links: tuple[PageLink, ...]

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def show_first(self) -> bool:
        return bool(self.links) and self.links[0].number > 1

    @property
    def show_last(self) -> bool:
        return bool(self.links) and self.links[-1].number < self.pages


def _window(page: int, pages: int, size: int) -> range:
    start = max(1, min(page - (size - 1) // 2, pages - size + 1))
    return range(start, min(pages, start + size - 1) + 1)


def paginate(total: int, page: int) -> Pagination | None:
    """Pagination of ``total`` items at ``page``; None when the page does not exist."""
    pages = max(1, -(-total // PAGE_SIZE))
    if page < 1 or page > pages:
        return None
    narrow = set(_window(page, pages, NARROW_LINKS))
    links = tuple(PageLink(n, n == page, n in narrow) for n in _window(page, pages, PAGE_LINKS))
    return Pagination(page, pages, total, links)


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


# --- the weekly mentions chart ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    week: dt.date
    count: int
    label: str  # shown under every few bars


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    top: int  # the largest weekly count
    baseline: float
    total: int


CHART_WEEKS = 26


def weekly_chart(rows: Iterable[tuple[dt.date, int]], weeks: int = CHART_WEEKS) -> Chart | None:
    """Bars of mentions per week over the ``weeks`` weeks up to the latest one with data."""
    counts: dict[dt.date, int] = {}
    for week, count in rows:
        counts[week] = counts.get(week, 0) + int(count)
    if not counts:
        return None
    last = max(counts)
    span = [last - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    top = max(counts[w] for w in span if w in counts) if any(w in counts for w in span) else 1
    width, height, margin, label_space = 640, 200, 8, 22
    plot = height - margin - label_space
    slot = (width - 2 * margin) / weeks
    bars = []
    for i, week in enumerate(span):
        count = counts.get(week, 0)
        bar_height = plot * count / top if top else 0
        bars.append(
            Bar(
                x=round(margin + i * slot + slot * 0.1, 1),
                y=round(margin + plot - bar_height, 1),
                width=round(slot * 0.8, 1),
                height=round(bar_height, 1),
                week=week,
                count=count,
                label=f"{week.month}/{week.day}" if (weeks - 1 - i) % 4 == 0 else "",
            )
        )
    total = sum(counts[w] for w in span if w in counts)
    return Chart(width, height, tuple(bars), top, margin + plot, total)
