"""Discovery: find report URLs in a publisher's feed, listing page or sitemap.

Parsers take text and return :class:`~pipeline.types.DiscoveredItem` lists; :func:`discover`
runs the fallback chain through any :class:`PageGetter` (in production the one Fetcher).
"""

from pipeline.discover.chain import (
    DiscoveryResult,
    SourceSpec,
    discover,
    rank_child_sitemaps,
    with_base,
)
from pipeline.discover.feed import parse_feed, read_feed
from pipeline.discover.getter import PageGetter
from pipeline.discover.listing import next_page_url, parse_listing
from pipeline.discover.sitemap import SitemapError, parse_sitemap

__all__ = [
    "DiscoveryResult",
    "PageGetter",
    "SitemapError",
    "SourceSpec",
    "discover",
    "next_page_url",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "rank_child_sitemaps",
    "read_feed",
    "with_base",
]
