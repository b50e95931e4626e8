"""The discovery chain: feed, then listing page, then sitemap, stopping at the first that works.

Which method won and why the others failed is kept in the result, for ``briefroom status``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit, urlunsplit

from pipeline.discover.feed import read_feed
from pipeline.discover.getter import PageGetter
from pipeline.discover.items import same_site_key, unique_by_url
from pipeline.discover.listing import next_page_url, parse_listing
from pipeline.discover.sitemap import SitemapError, parse_sitemap
from pipeline.fetch import FetchError
from pipeline.types import DiscoveredItem, FetchedPage

# Child sitemaps read from a sitemap index, and listing pages walked when backfilling.
MAX_SITEMAP_CHILDREN = 3
MAX_LISTING_PAGES = 3
# Feed entries parsed at most (feedparser costs about 1 ms an entry). Above max_items so that
# a feed not sorted newest first still yields its newest items when max_items is small.
MIN_FEED_ENTRIES = 1000

# Words in a child sitemap's file name that mark one that never lists reports.
_NOT_REPORT_SITEMAPS = frozenset(
    {"page", "pages", "user", "users", "author", "authors", "category", "categories", "tag", "tags"}
)

type Attempt = tuple[str, str, str]  # (method, url, "ok" or what went wrong)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """Where a publisher lists its reports, and which of the listed URLs are reports."""

    name: str
    feed_url: str | None = None
    listing_url: str | None = None
    listing_selector: str = ".research-card-title a"
    sitemap_url: str | None = None
    link_pattern: str | None = None  # regex a URL must match to be kept (e.g. report paths)
    series_only: bool = False  # keep only items whose series identify() recognises
    default_series: str | None = None  # series of items identify() does not recognise

    def __post_init__(self) -> None:
        # A pattern that does not compile would otherwise surface as "none matched" forever.
        if self.link_pattern is not None:
            try:
                re.compile(self.link_pattern)
            except re.error as error:
                raise ValueError(f"source {self.name!r}: bad link_pattern: {error}") from error


@dataclass(slots=True)
class DiscoveryResult:
    source: str
    items: list[DiscoveredItem]
    method: str  # "feed" | "listing" | "sitemap"; "" when every method failed
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.method)


class _MethodFailed(Exception):
    """A page was fetched but gave no usable items; the message goes into the attempts."""


class _Selector:
    """The source's filters: link pattern, default series, series-only."""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.pattern = re.compile(spec.link_pattern) if spec.link_pattern else None

    def __call__(self, items: Iterable[DiscoveredItem]) -> list[DiscoveredItem]:
        kept: list[DiscoveredItem] = []
        for item in items:
            if self.pattern and not self.pattern.search(item.url):
                continue
            if item.series is None and self.spec.default_series:
                item = replace(item, series=self.spec.default_series)
            if self.spec.series_only and item.series is None:
                continue
            kept.append(item)
        return kept


@dataclass(slots=True)
class _Run:
    """One discovery run's shared state, handed to each method."""

    spec: SourceSpec
    getter: PageGetter
    select: _Selector
    max_items: int
    since: dt.date | None
    notes: list[Attempt] = field(default_factory=list)  # attempts on secondary URLs


type _Method = Callable[[_Run, str], list[DiscoveredItem]]


def describe_error(error: FetchError) -> str:
    """A short line for the attempts list, e.g. ``http: HTTP 403 Forbidden``."""
    return f"{error.kind}: {error.detail}" if error.detail else error.kind


def _none_matched(found: int, what: str) -> _MethodFailed:
    if not found:
        return _MethodFailed(f"no {what}")
    return _MethodFailed(f"{found} {what}, none matched the source's filters")


def discover_from_feed(run: _Run, url: str) -> list[DiscoveredItem]:
    page = run.getter.get(url)
    parsed = read_feed(
        page.content or page.text,
        page.url,
        run.spec.name,
        limit=max(run.max_items, MIN_FEED_ENTRIES),
        content_type=page.content_type,
    )
    if not parsed.entries:
        raise _MethodFailed(f"not a feed: {parsed.problem}" if parsed.problem else "empty feed")
    kept = run.select(parsed.items)
    if not kept:
        raise _none_matched(parsed.entries, "entries")
    return kept


def _reached_since(items: list[DiscoveredItem], since: dt.date | None) -> bool:
    """True when the page reaches back to ``since`` (or there is no ``since`` to reach)."""
    if since is None:
        return True
    dates = [item.published for item in items if item.published]
    return not dates or min(dates) < since


def discover_from_listing(run: _Run, url: str) -> list[DiscoveredItem]:
    """The first listing page; with ``since``, up to MAX_LISTING_PAGES pages until it is reached."""
    page = run.getter.get(url)
    found = parse_listing(_page_text(page), page.url, run.spec.name, run.spec.listing_selector)
    kept = run.select(found)
    if not kept:
        raise _none_matched(len(found), f"links for {run.spec.listing_selector!r}")
    visited = {url, page.url}
    for _ in range(MAX_LISTING_PAGES - 1):
        if len(kept) >= run.max_items or _reached_since(kept, run.since):
            break
        next_url = next_page_url(_page_text(page), page.url)
        if next_url is None or next_url in visited:
            break
        visited.add(next_url)
        try:
            page = run.getter.get(next_url)
        except FetchError as error:
            run.notes.append(("listing", next_url, describe_error(error)))
            break
        more = run.select(
            parse_listing(_page_text(page), page.url, run.spec.name, run.spec.listing_selector)
        )
        run.notes.append(("listing", next_url, "ok" if more else "no matching links"))
        if not more:
            break
        kept.extend(more)
    return kept


def _page_text(page: FetchedPage) -> str:
    return page.text or page.content.decode("utf-8", errors="replace")


def rank_child_sitemaps(children: list[str]) -> list[str]:
    """Child sitemaps worth reading, best first: research, then posts, then the rest.

    Taxonomy, user and page sitemaps never list reports and are dropped. Among equals the
    later entry comes first: WordPress and Yoast number post sitemaps oldest first.
    """

    def score(url: str) -> int:
        name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
        words = {word.rstrip("0123456789") for word in re.split(r"[^a-z0-9]+", name)}
        if words & _NOT_REPORT_SITEMAPS or any(w.startswith("taxonom") for w in words):
            return -1
        if "research" in words:
            return 2
        return 1 if words & {"post", "posts"} else 0

    ranked = sorted(
        ((score(url), index, url) for index, url in enumerate(children)),
        key=lambda entry: (-entry[0], -entry[1]),
    )
    return [url for points, _, url in ranked if points >= 0]


def discover_from_sitemap(run: _Run, url: str) -> list[DiscoveredItem]:
    """A urlset, or up to MAX_SITEMAP_CHILDREN children of a sitemap index on the same site."""
    page = run.getter.get(url)
    try:
        found, children = parse_sitemap(page.content or page.text, page.url, run.spec.name)
    except SitemapError as error:
        raise _MethodFailed(str(error)) from error
    kept = run.select(found)
    read = 0
    for child in rank_child_sitemaps(children):
        if read >= MAX_SITEMAP_CHILDREN or len(kept) >= run.max_items:
            break
        if same_site_key(child) != same_site_key(page.url):
            # The sitemap protocol only lets an index name sitemaps on its own host.
            run.notes.append(("sitemap", child, "skipped: not on the index's host"))
            continue
        read += 1
        kept.extend(_read_child_sitemap(run, child))
    if not kept:
        what = f"URLs in {read} child sitemap(s)" if children else "URLs"
        raise _none_matched(len(found), what) if found else _MethodFailed(f"no usable {what}")
    return kept


def _read_child_sitemap(run: _Run, url: str) -> list[DiscoveredItem]:
    try:
        page = run.getter.get(url)
        found, _nested = parse_sitemap(page.content or page.text, page.url, run.spec.name)
    except FetchError as error:
        run.notes.append(("sitemap", url, describe_error(error)))
        return []
    except SitemapError as error:
        run.notes.append(("sitemap", url, str(error)))
        return []
    kept = run.select(found)
    run.notes.append(("sitemap", url, "ok" if kept else f"{len(found)} URLs, none matched"))
    return kept


def _newest_first(
    items: list[DiscoveredItem], since: dt.date | None, max_items: int
) -> list[DiscoveredItem]:
    unique = unique_by_url(items)
    if since is not None:
        unique = [item for item in unique if item.published is None or item.published >= since]
    # Stable sort: undated items last, ties keep the publisher's order.
    unique.sort(key=lambda item: item.published or dt.date.min, reverse=True)
    return unique[: max(max_items, 0)]


def discover(
    spec: SourceSpec, getter: PageGetter, *, max_items: int = 500, since: dt.date | None = None
) -> DiscoveryResult:
    """Report URLs of ``spec``: from its feed, else its listing page, else its sitemap.

    A method fails when its page cannot be fetched or holds no item that passes the source's
    filters; the next one is tried. Items dated before ``since`` are dropped (undated items
    are kept), the rest come newest first, at most ``max_items``. Never raises for a fetch or
    parse failure: the result then has no items, an empty ``method`` and every error listed.
    """
    run = _Run(spec, getter, _Selector(spec), max_items, since)
    attempts: list[Attempt] = []
    if not (spec.feed_url or spec.listing_url or spec.sitemap_url):
        attempts.append(("none", "", "no feed, listing or sitemap URL configured"))
    methods: tuple[tuple[str, str | None, _Method], ...] = (
        ("feed", spec.feed_url, discover_from_feed),
        ("listing", spec.listing_url, discover_from_listing),
        ("sitemap", spec.sitemap_url, discover_from_sitemap),
    )
    for method, url, method_function in methods:
        if not url:
            continue
        run.notes = []
        try:
            found = method_function(run, url)
        except FetchError as error:
            attempts.append((method, url, describe_error(error)))
        except _MethodFailed as failure:
            attempts.append((method, url, str(failure)))
        else:
            attempts.append((method, url, "ok"))
            attempts.extend(run.notes)
            return DiscoveryResult(
                spec.name, _newest_first(found, since, max_items), method, attempts
            )
        attempts.extend(run.notes)
    return DiscoveryResult(spec.name, [], "", attempts)


def with_base(spec: SourceSpec, base_url: str) -> SourceSpec:
    """``spec`` with every URL moved onto ``base_url``'s origin (and path prefix), keeping paths
    and queries; for tests and the offline demo that serve publishers' pages from loopback."""
    base = urlsplit(base_url)
    prefix = base.path.rstrip("/")

    def move(url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, ""))

    return replace(
        spec,
        feed_url=move(spec.feed_url),
        listing_url=move(spec.listing_url),
        sitemap_url=move(spec.sitemap_url),
    )
