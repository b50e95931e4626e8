"""The sources briefroom knows out of the box (see design/SOURCES.md)."""

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

# Press releases on korea.kr (the feed) and on mnd.go.kr (the list page, slow and flaky).
MND_PRESS_RELEASE_PATH = (
    r"/briefing/pressReleaseView\.do\?|/user/newsInUserRecord\.action\?(?:.*&)?newsSeq="
)

MND = SourceSpec(
    name="mnd",
    feed_url="https://www.korea.kr/rss/dept_mnd.xml",
    listing_url=(
        "https://www.mnd.go.kr/user/newsInUserRecord.action"
        "?siteId=mnd&handle=I_669&id=mnd_020500000000"
    ),
    listing_selector=".post .title > a",
    link_pattern=MND_PRESS_RELEASE_PATH,
    default_series="mnd-press-release",
)

BUILTIN_SOURCES: dict[str, SourceSpec] = {spec.name: spec for spec in (ISW, MND)}
