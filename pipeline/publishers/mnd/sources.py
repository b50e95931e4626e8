"""Where the ministry's press releases are listed: korea.kr's feed, mnd.go.kr's board."""

from __future__ import annotations

from pipeline.discover.chain import SourceSpec

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
