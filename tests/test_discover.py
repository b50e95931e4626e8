"""Discovery: the feed, listing and sitemap parsers on stored pages, and the fallback chain
against a real loopback server through the real Fetcher."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.discover import (
    SitemapError,
    SourceSpec,
    discover,
    next_page_url,
    parse_feed,
    parse_listing,
    parse_sitemap,
    rank_child_sitemaps,
    read_feed,
    with_base,
)
from pipeline.discover.feed import trim_entries
from pipeline.fetch import FetchConfig, Fetcher
from pipeline.publishers.isw.sources import ISW, ISW_REPORT_PATH
from pipeline.publishers.mnd.sources import MND, MND_PRESS_RELEASE_PATH
from pipeline.series import identify
from pipeline.types import DiscoveredItem
from tests.loopback import LoopbackServer, Route

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
ISW_FEED_URL = "https://understandingwar.org/feed/?post_type=post"
ISW_LISTING_URL = "https://understandingwar.org/research/"
MND_LIST_URL = (
    "https://www.mnd.go.kr/user/newsInUserRecord.action?siteId=mnd&handle=I_669&id=mnd_020500000000"
)
ROCA = "russian-offensive-campaign-assessment"
RU = "https://understandingwar.org/research/russia-ukraine/"
ME = "https://understandingwar.org/research/middle-east/"
KOREA = "https://www.korea.kr/briefing/pressReleaseView.do?newsId="
MND_VIEW = "https://www.mnd.go.kr/user/newsInUserRecord.action?siteId=mnd&newsId=I_669&newsSeq="


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rows(items: list[DiscoveredItem]) -> list[tuple[str, dt.date | None, str | None]]:
    return [(item.url, item.published, item.series) for item in items]


def d(month: int, day: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, day)


# --- feeds ------------------------------------------------------------------------------------


def test_isw_feed_items_in_feed_order_with_series_and_slug_dates() -> None:
    items = parse_feed(fixture("isw_feed.xml"), ISW_FEED_URL, "isw")

    assert rows(items) == [
        (ME + "iran-update-evening-special-report-june-13-2025/", d(6, 13), "iran-update"),
        (ME + "iran-update-morning-special-report-june-13-2025/", d(6, 13), "iran-update"),
        (ME + "iran-update-june-12-2025/", d(6, 12), "iran-update"),
        (RU + "made-up-look-at-drone-production/", d(6, 11), None),
        (RU + "russian-offensive-campaign-assessment-june-2-2025/", d(6, 2), ROCA),
        (RU + "russian-offensive-campaign-assessment-june-1-2025/", d(6, 1), ROCA),
        (RU + "russian-occupation-update-may-22-2025/", d(5, 22), "russian-occupation-update"),
        (
            RU + "russian-force-generation-and-technological-adaptations-update-april-23-2025/",
            d(4, 23),
            "russian-force-generation-update",
        ),
        (
            "https://www.understandingwar.org/backgrounder/"
            "russian-offensive-campaign-assessment-may-31-2025",
            d(5, 31),
            ROCA,
        ),
        (ME + "iran-update-special-edition/", d(6, 21), "iran-update"),
        ("https://understandingwar.org/events/fixture-panel-on-deterrence/", d(6, 9), None),
    ]
    assert {item.source for item in items} == {"isw"}
    assert {item.method for item in items} == {"feed"}
    assert items[0].title == "Iran Update Evening Special Report, June 13, 2025"
    assert items[0].guid == "https://understandingwar.org/?p=90113"


def test_feed_slug_date_wins_over_a_utc_timestamp_of_the_next_day() -> None:
    items = {i.url: i for i in parse_feed(fixture("isw_feed.xml"), ISW_FEED_URL, "isw")}

    # pubDate "Tue, 03 Jun 2025 00:40:00 +0000" is the evening of June 2 in Washington.
    assert items[RU + "russian-offensive-campaign-assessment-june-2-2025/"].published == d(6, 2)
    # No date in the slug or title: the feed's own date is used.
    assert items[ME + "iran-update-special-edition/"].published == d(6, 21)


def test_feed_special_reports_keep_their_edition_for_identify() -> None:
    items = parse_feed(fixture("isw_feed.xml"), ISW_FEED_URL, "isw")

    editions = [identify(i.url, i.title).edition for i in items[:3]]

    assert editions == ["evening", "morning", ""]


def test_atom_feed_relative_links_xml_base_and_offset_dates() -> None:
    items = parse_feed(fixture("atom_relative.xml"), "https://fixture.example/feeds/atom.xml", "fx")

    assert rows(items) == [
        (
            "https://fixture.example/research/middle-east/iran-update-june-13-2025/",
            d(6, 13),
            "iran-update",
        ),
        # Updated 23:30 at -04:00: the date as written, not the UTC date (June 11).
        ("https://fixture.example/feeds/notes/weekly-notes-24/", d(6, 10), None),
        ("https://mirror.example.org/base/article-7/", d(6, 8), None),
    ]
    assert [i.guid for i in items] == [
        "urn:briefroom:fixture:iran-2025-06-13",
        "urn:briefroom:fixture:notes-24",
        "urn:briefroom:fixture:mirrored",
    ]


def test_feed_edge_cases_missing_links_dates_and_the_future() -> None:
    parsed = read_feed(fixture("feed_edge_cases.xml"), "https://fixture.example/feed/", "fx")

    assert parsed.entries == 8
    assert parsed.problem == ""
    assert [(i.title, i.url, i.published) for i in parsed.items] == [
        (
            "A permalink guid instead of a link",
            "https://fixture.example/posts/permalink-guid/",
            d(6, 3),
        ),
        ("No date anywhere", "https://fixture.example/posts/undated/", None),
        (
            "Only the slug has a date",
            "https://fixture.example/research/russian-occupation-update-june-5-2025/",
            d(6, 5),
        ),
        ("From the future", "https://fixture.example/posts/from-the-future/", d(1, 1, 2099)),
        ("Unparseable date", "https://fixture.example/posts/bad-date/", None),
    ]
    # Without a guid the URL stands in.
    assert parsed.items[1].guid == "https://fixture.example/posts/undated/"


def test_korea_feed_dates_stay_in_seoul_time() -> None:
    items = parse_feed(fixture("korea_dept_mnd.xml"), MND.feed_url or "", "mnd")

    assert [(i.title, i.published) for i in items if "156700003" in i.url] == [
        # 08:00 +0900 is still June 11 in UTC.
        ("국방부, 가상 방산 수출 지원 회의 개최", d(6, 12))
    ]
    assert items[0].guid == "156700001"
    assert items[0].url == KOREA + "156700001&pWise=sub&pWiseSub=B1"


def test_feed_text_with_a_stale_encoding_declaration_is_read_as_text() -> None:
    text = (
        fixture("korea_dept_mnd.xml")
        .decode("utf-8")
        .replace('encoding="UTF-8"', 'encoding="EUC-KR"')
    )

    items = parse_feed(text, MND.feed_url or "", "mnd")

    assert items[0].title == "국방부, 가상 연합훈련 계획 발표"


def test_feed_bytes_in_a_declared_legacy_encoding() -> None:
    text = (
        fixture("korea_dept_mnd.xml")
        .decode("utf-8")
        .replace('encoding="UTF-8"', 'encoding="EUC-KR"')
    )

    items = parse_feed(text.encode("euc-kr"), MND.feed_url or "", "mnd")

    assert items[2].title == "국방부 장관, 가상 부대 방문해 장병 격려"


def test_feed_content_is_never_opened_as_a_path_or_url(tmp_path: Path) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_bytes(fixture("isw_feed.xml"))

    assert parse_feed(str(secret), ISW_FEED_URL, "isw") == []
    assert parse_feed(str(secret).encode(), ISW_FEED_URL, "isw") == []
    assert parse_feed("http://127.0.0.1:9/feed.xml", ISW_FEED_URL, "isw") == []


def test_malformed_feed_recovers_complete_items_and_reports_the_problem() -> None:
    parsed = read_feed(fixture("malformed_feed.xml"), "https://understandingwar.org/feed/", "isw")

    assert "not well-formed" in parsed.problem
    assert [(i.title, i.url, i.published) for i in parsed.items] == [
        (
            "Russian Offensive Campaign Assessment, June 3, 2025",
            RU + "russian-offensive-campaign-assessment-june-3-2025/",
            d(6, 3),
        ),
        ("Iran Update, June 3, 2025", ME + "iran-update-june-3-2025/", d(6, 3)),
    ]


def test_billion_laughs_feed_is_not_expanded() -> None:
    parsed = read_feed(fixture("billion_laughs_feed.xml"), "https://understandingwar.org/", "isw")

    assert parsed.entries == 1
    assert parsed.problem  # the undeclared entities make it malformed
    [item] = parsed.items
    assert item.url == RU + "russian-offensive-campaign-assessment-june-3-2025/"
    assert "lollol" not in item.title
    assert len(item.title) < 100


def _big_feed(count: int) -> bytes:
    items = "".join(
        f"<item><title>Iran Update, June {i % 28 + 1}, 2025</title>"
        f"<link>https://understandingwar.org/research/middle-east/item-{i}/</link>"
        f"<guid isPermaLink='false'>{i}</guid></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Big</title>{items}</channel></rss>"
    ).encode()


def test_a_100000_entry_feed_is_cut_to_the_limit_before_parsing() -> None:
    data = _big_feed(100_000)

    parsed = read_feed(data, "https://understandingwar.org/feed/", "isw", limit=500)

    assert parsed.entries == 500
    assert parsed.problem == ""  # the cut keeps the document well-formed
    assert parsed.items[0].url == ME + "item-0/"
    assert parsed.items[-1].url == ME + "item-499/"


def test_trim_entries_keeps_head_and_tail() -> None:
    data = _big_feed(5)

    trimmed = trim_entries(data, 2)

    assert trimmed.count(b"<item>") == 2
    assert trimmed.endswith(b"</channel></rss>")
    assert trim_entries(data, 5) is data


# --- listing pages ----------------------------------------------------------------------------


def test_isw_research_listing_cards_deduplicated_with_card_dates() -> None:
    html = fixture("isw_research.html").decode()

    items = parse_listing(html, ISW_LISTING_URL, "isw")

    assert rows(items) == [
        (ME + "iran-update-evening-special-report-june-13-2025/", d(6, 13), "iran-update"),
        (ME + "iran-update-special-edition/", d(6, 21), "iran-update"),  # from the card's date
        (ME + "iran-update-morning-special-report-june-13-2025/", d(6, 13), "iran-update"),
        (RU + "russian-offensive-campaign-assessment-june-12-2025/", d(6, 12), ROCA),
        (RU + "made-up-look-at-drone-production/", d(6, 11), None),  # from <time datetime>
        (RU + "russian-occupation-update-june-5-2025/", d(6, 5), "russian-occupation-update"),
        (ME + "iran-update-invented-backgrounder/", None, "iran-update"),
    ]
    assert items[1].title == "Iran Update Special Edition: Invented Strike Overview"
    assert {i.method for i in items} == {"listing"}


def test_listing_link_pattern_filters_urls() -> None:
    html = fixture("isw_research.html").decode()

    items = parse_listing(html, ISW_LISTING_URL, "isw", link_pattern=r"/middle-east/")

    assert len(items) == 4
    assert all("/middle-east/" in i.url for i in items)


def test_isw_listing_next_page() -> None:
    assert (
        next_page_url(fixture("isw_research.html").decode(), ISW_LISTING_URL)
        == "https://understandingwar.org/research/page/2/"
    )
    page2 = "https://understandingwar.org/research/page/2/"
    assert (
        next_page_url(fixture("isw_research_page2.html").decode(), page2)
        == "https://understandingwar.org/research/page/3/"
    )
    assert next_page_url(fixture("mnd_list.html").decode(), MND_LIST_URL) is None
    # Served from elsewhere, the absolute <link rel="next"> leads off the site: the page's own
    # relative "Next" link is used instead.
    assert (
        next_page_url(fixture("isw_research.html").decode(), "http://127.0.0.1:8000/research/")
        == "http://127.0.0.1:8000/research/page/2/"
    )


def test_mnd_list_page_items_with_korean_and_dotted_dates() -> None:
    html = fixture("mnd_list.html").decode()

    items = parse_listing(html, MND_LIST_URL, "mnd", ".post .title > a")

    assert [(i.url, i.title, i.published) for i in items] == [
        (MND_VIEW + "I_13410&page=1", "[공지] 보도자료 열람 안내(가상)", d(1, 2)),
        (MND_VIEW + "I_13415&page=1", "국방부, 가상 연합훈련 계획 발표", d(6, 13)),
        (MND_VIEW + "I_13414&page=1", "국방부 장관, 가상 부대 방문해 장병 격려", d(6, 12)),
        (MND_VIEW + "I_13409&page=1", "2025년 가상 국방정책 설명회 개최", d(6, 11)),
    ]


# --- sitemaps ---------------------------------------------------------------------------------


def test_sitemap_index_lists_children() -> None:
    items, children = parse_sitemap(
        fixture("isw_sitemap_index.xml"), "https://understandingwar.org/sitemap.xml", "isw"
    )

    assert items == []
    assert children == [
        "https://understandingwar.org/wp-sitemap-posts-post-1.xml",
        "https://understandingwar.org/wp-sitemap-posts-page-1.xml",
        "https://understandingwar.org/wp-sitemap-posts-research-1.xml",
        "https://understandingwar.org/wp-sitemap-taxonomies-category-1.xml",
        "https://understandingwar.org/wp-sitemap-users-1.xml",
        "https://understandingwar.org/wp-sitemap-posts-post-2.xml",
        "https://cdn.elsewhere.example/wp-sitemap-posts-post-3.xml",
    ]


def test_child_sitemaps_ranked_research_then_newest_posts() -> None:
    _, children = parse_sitemap(
        fixture("isw_sitemap_index.xml"), "https://understandingwar.org/sitemap.xml", "isw"
    )

    assert rank_child_sitemaps(children) == [
        "https://understandingwar.org/wp-sitemap-posts-research-1.xml",
        "https://cdn.elsewhere.example/wp-sitemap-posts-post-3.xml",
        "https://understandingwar.org/wp-sitemap-posts-post-2.xml",
        "https://understandingwar.org/wp-sitemap-posts-post-1.xml",
    ]


def test_child_sitemaps_ranked_with_yoast_names() -> None:
    children = [
        "https://x.example/post-sitemap.xml",
        "https://x.example/page-sitemap.xml",
        "https://x.example/post-sitemap2.xml",
        "https://x.example/heritage-sitemap.xml",
        "https://x.example/category-sitemap.xml",
    ]

    assert rank_child_sitemaps(children) == [
        "https://x.example/post-sitemap2.xml",
        "https://x.example/post-sitemap.xml",
        "https://x.example/heritage-sitemap.xml",
    ]


def test_sitemap_urlset_slug_dates_then_lastmod() -> None:
    items, children = parse_sitemap(
        fixture("isw_sitemap_posts.xml"), "https://understandingwar.org/sitemap.xml", "isw"
    )

    assert children == []
    assert rows(items) == [
        ("https://understandingwar.org/", d(6, 21), None),
        ("https://understandingwar.org/research/", None, None),
        (
            "https://www.understandingwar.org/backgrounder/"
            "russian-offensive-campaign-assessment-may-30-2025-0",
            d(5, 30),
            ROCA,
        ),
        # lastmod June 5 is a later edit; the slug says June 2.
        (RU + "russian-offensive-campaign-assessment-june-2-2025/", d(6, 2), ROCA),
        (ME + "iran-update-june-12-2025/", d(6, 12), "iran-update"),
        (RU + "made-up-look-at-drone-production/", d(6, 11), None),
        (ME + "iran-update-special-edition/", d(6, 21), "iran-update"),
        ("https://understandingwar.org/about/", d(1, 10), None),
    ]
    assert {i.method for i in items} == {"sitemap"}


def test_gzipped_sitemap_reads_like_the_plain_one() -> None:
    plain = parse_sitemap(fixture("isw_sitemap_posts.xml"), "https://understandingwar.org/", "isw")

    packed = gzip.compress(fixture("isw_sitemap_posts.xml"))

    assert parse_sitemap(packed, "https://understandingwar.org/", "isw") == plain


def test_gzip_bomb_sitemap_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (51 * 1024 * 1024) + b"</urlset>")

    with pytest.raises(SitemapError, match="50 MB"):
        parse_sitemap(bomb, "https://understandingwar.org/", "isw")


def test_billion_laughs_sitemap_is_refused() -> None:
    with pytest.raises(SitemapError, match="entities"):
        parse_sitemap(fixture("billion_laughs_sitemap.xml"), "https://understandingwar.org/", "isw")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Just a moment...</body></html>", "root element <html>"),
        (b"this is not xml", "not XML"),
        (fixture("isw_feed.xml"), "root element <rss>"),
    ],
)
def test_non_sitemaps_raise(body: bytes, message: str) -> None:
    with pytest.raises(SitemapError, match=re.escape(message)):
        parse_sitemap(body, "https://understandingwar.org/", "isw")


# --- specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (RU + "russian-offensive-campaign-assessment-june-2-2025/", True),
        (ME + "iran-update-june-12-2025", True),
        ("https://www.understandingwar.org/backgrounder/iran-update-june-2-2025", True),
        ("https://understandingwar.org/research/", False),
        ("https://understandingwar.org/research/?_product_line_filter=iran-update", False),
        ("https://understandingwar.org/research/middle-east/", False),
        ("https://understandingwar.org/events/fixture-panel-on-deterrence/", False),
        ("https://understandingwar.org/wp-json/wp/v2/posts", False),
    ],
)
def test_isw_report_path_pattern(url: str, kept: bool) -> None:
    assert bool(re.search(ISW_REPORT_PATH, url)) is kept


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (KOREA + "156700001", True),
        ("https://www.korea.kr/news/policyNewsView.do?newsId=148900001", False),
        ("https://www.korea.kr/briefing/policyBriefingView.do?newsId=156700099", False),
        (MND_VIEW + "I_13415&page=1", True),
        (MND_LIST_URL, False),
    ],
)
def test_mnd_press_release_pattern(url: str, kept: bool) -> None:
    assert bool(re.search(MND_PRESS_RELEASE_PATH, url)) is kept


def test_with_base_moves_every_url_and_keeps_queries() -> None:
    moved = with_base(MND, "http://127.0.0.1:8001")

    assert moved.feed_url == "http://127.0.0.1:8001/rss/dept_mnd.xml"
    assert moved.listing_url == (
        "http://127.0.0.1:8001/user/newsInUserRecord.action"
        "?siteId=mnd&handle=I_669&id=mnd_020500000000"
    )
    assert moved.sitemap_url is None
    assert moved.listing_selector == MND.listing_selector
    prefixed = with_base(ISW, "http://127.0.0.1:8001/isw/")
    assert prefixed.feed_url == "http://127.0.0.1:8001/isw/feed/?post_type=post"
    assert prefixed.sitemap_url == "http://127.0.0.1:8001/isw/sitemap.xml"


def test_source_spec_refuses_a_link_pattern_that_does_not_compile() -> None:
    with pytest.raises(ValueError, match="bad link_pattern"):
        SourceSpec(name="x", feed_url="https://a.example/feed/", link_pattern="(")


def test_a_source_without_urls_says_so(fetcher: Fetcher) -> None:
    result = discover(SourceSpec(name="blank"), fetcher)

    assert (result.items, result.method) == ([], "")
    assert result.attempts == [("none", "", "no feed, listing or sitemap URL configured")]


# --- the chain, over real HTTP ----------------------------------------------------------------


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    config = FetchConfig(allow_networks=frozenset({"loopback"}), host_delay=0, retries=0)
    with Fetcher(config) as client:
        yield client


def serve_isw(server: LoopbackServer) -> SourceSpec:
    """ISW's feed, listing (two pages) and sitemap on loopback; returns the spec pointing there."""
    rss = "application/rss+xml; charset=UTF-8"
    server.routes["/feed/"] = Route(body=fixture("isw_feed.xml"), content_type=rss)
    server.routes["/research/"] = Route(body=fixture("isw_research.html"))
    server.routes["/research/page/2/"] = Route(body=fixture("isw_research_page2.html"))
    index = fixture("isw_sitemap_index.xml").replace(
        b"https://understandingwar.org", server.base_url.encode()
    )
    server.routes["/sitemap.xml"] = Route(body=index, content_type="application/xml")
    server.routes["/wp-sitemap-posts-post-2.xml"] = Route(
        body=fixture("isw_sitemap_posts.xml"), content_type="application/xml"
    )
    return with_base(ISW, server.base_url)


def requested(server: LoopbackServer) -> list[str]:
    return [r.path for r in server.requests if r.path != "/robots.txt"]


def test_feed_wins_when_it_works(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    spec = serve_isw(http_server)

    result = discover(spec, fetcher)

    assert result.method == "feed"
    assert result.ok
    assert result.attempts == [("feed", spec.feed_url, "ok")]
    # series_only drops the special edition and the event; newest first.
    assert [(i.published, i.series) for i in result.items] == [
        (d(6, 21), "iran-update"),
        (d(6, 13), "iran-update"),
        (d(6, 13), "iran-update"),
        (d(6, 12), "iran-update"),
        (d(6, 2), ROCA),
        (d(6, 1), ROCA),
        (d(5, 31), ROCA),
        (d(5, 22), "russian-occupation-update"),
        (d(4, 23), "russian-force-generation-update"),
    ]
    assert requested(http_server) == ["/feed/?post_type=post"]


def test_feed_403_falls_back_to_the_listing(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(status=403, body="Forbidden")

    result = discover(spec, fetcher)

    assert result.method == "listing"
    assert result.attempts == [
        ("feed", spec.feed_url, "http: HTTP 403 Forbidden"),
        ("listing", spec.listing_url, "ok"),
    ]
    base = http_server.base_url
    assert [(i.url, i.published) for i in result.items] == [
        (base + "/research/middle-east/iran-update-special-edition/", d(6, 21)),
        (base + "/research/middle-east/iran-update-evening-special-report-june-13-2025/", d(6, 13)),
        (ME + "iran-update-morning-special-report-june-13-2025/", d(6, 13)),
        (RU + "russian-offensive-campaign-assessment-june-12-2025/", d(6, 12)),
        (base + "/research/russia-ukraine/russian-occupation-update-june-5-2025/", d(6, 5)),
        (base + "/research/middle-east/iran-update-invented-backgrounder/", None),
    ]
    assert all(i.method == "listing" for i in result.items)
    # Without ``since`` only the first listing page is read.
    assert "/research/page/2/" not in requested(http_server)


def test_a_feed_that_is_not_a_feed_falls_back(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(body="<html><body>Just a moment...</body></html>")

    result = discover(spec, fetcher)

    assert result.method == "listing"
    # feedparser reads the well-formed HTML page as a feed without entries.
    assert result.attempts[0] == ("feed", spec.feed_url, "empty feed")


def test_a_broken_feed_without_entries_falls_back(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(body="<rss><channel><title>Broken & cut", content_type="")

    result = discover(spec, fetcher)

    assert result.method == "listing"
    method, url, message = result.attempts[0]
    assert (method, url) == ("feed", spec.feed_url)
    assert message.startswith("not a feed: SAXParseException")


def test_a_feed_with_no_matching_entries_falls_back(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(body=fixture("korea_dept_mnd.xml"))

    result = discover(spec, fetcher)

    assert result.method == "listing"
    assert result.attempts[0] == (
        "feed",
        spec.feed_url,
        "7 entries, none matched the source's filters",
    )


def test_feed_and_listing_broken_falls_back_to_the_sitemap(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(status=403, body="Forbidden")
    http_server.routes["/research/"] = Route(status=503, body="down")
    base = http_server.base_url

    result = discover(spec, fetcher)

    assert result.method == "sitemap"
    assert result.attempts == [
        ("feed", spec.feed_url, "http: HTTP 403 Forbidden"),
        ("listing", spec.listing_url, "http: HTTP 503 Service Unavailable"),
        ("sitemap", spec.sitemap_url, "ok"),
        ("sitemap", base + "/wp-sitemap-posts-research-1.xml", "http: HTTP 404 Not Found"),
        (
            "sitemap",
            "https://cdn.elsewhere.example/wp-sitemap-posts-post-3.xml",
            "skipped: not on the index's host",
        ),
        ("sitemap", base + "/wp-sitemap-posts-post-2.xml", "ok"),
        ("sitemap", base + "/wp-sitemap-posts-post-1.xml", "http: HTTP 404 Not Found"),
    ]
    assert rows(result.items) == [
        (ME + "iran-update-special-edition/", d(6, 21), "iran-update"),
        (ME + "iran-update-june-12-2025/", d(6, 12), "iran-update"),
        (RU + "russian-offensive-campaign-assessment-june-2-2025/", d(6, 2), ROCA),
        (
            "https://www.understandingwar.org/backgrounder/"
            "russian-offensive-campaign-assessment-may-30-2025-0",
            d(5, 30),
            ROCA,
        ),
    ]


def test_everything_broken_gives_an_empty_result_with_every_error(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(status=403, body="Forbidden")
    http_server.routes["/research/"] = Route(body="<html><body><p>No cards today</p></body></html>")
    http_server.routes["/sitemap.xml"] = Route(body="<html>not a sitemap</html>")

    result = discover(spec, fetcher)

    assert result.items == []
    assert result.method == ""
    assert not result.ok
    assert result.attempts == [
        ("feed", spec.feed_url, "http: HTTP 403 Forbidden"),
        ("listing", spec.listing_url, "no links for '.research-card-title a'"),
        ("sitemap", spec.sitemap_url, "not a sitemap: root element <html>"),
    ]


def test_unreachable_host_is_an_attempt_not_an_exception(fetcher: Fetcher) -> None:
    # Port 9 (discard) on loopback: nothing listens there in the test environment.
    spec = SourceSpec(name="gone", feed_url="http://127.0.0.1:9/feed/")

    result = discover(spec, fetcher)

    assert result.items == []
    assert [(m, u) for m, u, _ in result.attempts] == [("feed", "http://127.0.0.1:9/feed/")]
    assert result.attempts[0][2].startswith("connection")


def test_since_walks_listing_pages_until_it_is_reached(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    spec = serve_isw(http_server)
    http_server.routes["/feed/"] = Route(status=403, body="Forbidden")
    base = http_server.base_url

    result = discover(spec, fetcher, since=d(6, 1))

    assert result.method == "listing"
    assert result.attempts[-1] == ("listing", base + "/research/page/2/", "ok")
    urls = [i.url for i in result.items]
    assert (
        base + "/research/russia-ukraine/russian-offensive-campaign-assessment-june-1-2025/" in urls
    )
    assert not any("may-20-2025" in url for url in urls)
    assert result.items[-1].published is None  # undated items survive ``since``
    # Page 2 reached May 20, before ``since``: page 3 is not asked for.
    assert requested(http_server) == ["/feed/?post_type=post", "/research/", "/research/page/2/"]


def test_since_and_max_items_on_the_feed(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    spec = serve_isw(http_server)

    recent = discover(spec, fetcher, since=d(6, 12))
    capped = discover(spec, fetcher, max_items=2)

    assert [i.published for i in recent.items] == [d(6, 21), d(6, 13), d(6, 13), d(6, 12)]
    assert [i.url for i in capped.items] == [
        ME + "iran-update-special-edition/",
        ME + "iran-update-evening-special-report-june-13-2025/",
    ]


def test_mnd_feed_keeps_only_press_releases(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.routes["/rss/dept_mnd.xml"] = Route(
        body=fixture("korea_dept_mnd.xml"), content_type="text/xml; charset=UTF-8"
    )
    spec = with_base(MND, http_server.base_url)

    result = discover(spec, fetcher)

    assert result.method == "feed"
    assert [(i.url, i.published, i.series) for i in result.items] == [
        (KOREA + "156700001&pWise=sub&pWiseSub=B1", d(6, 13), "mnd-press-release"),
        (KOREA + "156700002", d(6, 12), "mnd-press-release"),
        (KOREA + "156700003", d(6, 12), "mnd-press-release"),
        (KOREA + "156700004", d(6, 11), "mnd-press-release"),
    ]
    assert result.items[0].title == "국방부, 가상 연합훈련 계획 발표"


def test_mnd_falls_back_to_the_ministry_list_page(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.routes["/rss/dept_mnd.xml"] = Route(status=403, body="Forbidden")
    http_server.routes["/user/newsInUserRecord.action"] = Route(body=fixture("mnd_list.html"))
    spec = with_base(MND, http_server.base_url)
    view = http_server.base_url + "/user/newsInUserRecord.action?siteId=mnd&newsId=I_669&newsSeq="

    result = discover(spec, fetcher)

    assert result.method == "listing"
    assert [(i.url, i.published, i.series) for i in result.items] == [
        (view + "I_13415&page=1", d(6, 13), "mnd-press-release"),
        (view + "I_13414&page=1", d(6, 12), "mnd-press-release"),
        (view + "I_13409&page=1", d(6, 11), "mnd-press-release"),
        (view + "I_13410&page=1", d(1, 2), "mnd-press-release"),
    ]
