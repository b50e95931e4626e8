"""Where ISW lists its reports (see design/SOURCES.md)."""

from __future__ import annotations

from pipeline.discover.chain import SourceSpec

# Report pages on both ISW site generations: /research/<topic>/<slug>/ (WordPress, late 2025
# on) and /backgrounder/<slug> (Drupal). Listing, category and event pages do not match.
ISW_REPORT_PATH = r"://[^/]+/(?:research/[a-z0-9-]+/[a-z0-9-]+|backgrounder/[a-z0-9-]+)/?(?:[?#]|$)"

ISW = SourceSpec(
    name="isw",
    feed_url="https://understandingwar.org/feed/?post_type=post",
    listing_url="https://understandingwar.org/research/",
    listing_selector=".research-card-title a",
    # /sitemap.xml rather than /wp-sitemap.xml: WordPress core redirects it to its own index
    # and Yoast or Rank Math redirect it to theirs, so it works whichever generates the sitemap.
    sitemap_url="https://understandingwar.org/sitemap.xml",
    link_pattern=ISW_REPORT_PATH,
    series_only=True,
)
