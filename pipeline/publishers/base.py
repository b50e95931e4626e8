"""What a publisher folder declares: its series, its sources and its site adapters.

Kept free of imports from the publisher folders and of :mod:`pipeline.series`, so that every
folder (and the series table built from them) can import it without a cycle.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pipeline.discover.chain import SourceSpec
    from pipeline.extract.common import Page
    from pipeline.types import Article, Resource


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


def host_in(host: str, domains: frozenset[str] | tuple[str, ...]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one (``www.`` and the rest)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


class Adapter(Protocol):
    """A site adapter: it serves some hosts and reads the report pages found there.

    ``name`` is what ``Article.extractor`` and stored revisions carry; ``rank`` orders copies of
    the same report (the publisher's own page beats a mirror, any adapter beats the generic
    fallback): the store keeps the copy of the highest rank.

    Optional: an adapter whose pages keep their text in other documents (a document viewer's
    frame, attached PDF or HWPX files) also implements :class:`WantsResources`. The caller asks
    it which documents it wants, fetches them (same site only, through the one Fetcher) and
    passes them back with :func:`pipeline.publishers.registry.extract`'s ``resources``; the
    adapter itself never fetches.
    """

    name: str
    publisher: str  # Article.source, and the prefix of the fallback warning
    hosts: frozenset[str]
    rank: int

    def extract(self, page: Page) -> Article | None:
        """The article, or None when the page does not have the structure this adapter knows."""
        ...


@runtime_checkable
class WantsResources(Protocol):
    """The optional part of an :class:`Adapter` that reads other documents besides the page."""

    def wanted(self, page: Page) -> list[str]:
        """Absolute same-site URLs of alternative sources of the page's text, best first.

        The caller fetches them in this order and stops at the first that arrives with a
        body; the ones that fail or are refused are simply missing from ``resources``.
        """
        ...

    def extract_with(
        self, page: Page, resources: Mapping[str, Resource], summary: str
    ) -> Article | None:
        """:meth:`Adapter.extract` given the fetched ``resources`` (keyed by the wanted URL)
        and the feed item's description (``summary``, plain text, "" when none)."""
        ...


@dataclass(frozen=True, slots=True)
class Publisher:
    """One publisher folder's declarations, read by :mod:`pipeline.publishers.registry`."""

    key: str  # "isw", "mnd"
    label: str  # board tag: "ISW", "국방부"
    title: str  # shown for its built-in sources
    adapters: tuple[Adapter, ...]
    sources: tuple[SourceSpec, ...] = ()
    series: tuple[Series, ...] = ()

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset().union(*(a.hosts for a in self.adapters))
