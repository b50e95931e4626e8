"""A fake publisher for tests: ISW's and korea.kr's pages served from loopback.

Discovery fixtures (feed, listing, sitemap) and report pages are served with their
``https://understandingwar.org`` / ``https://www.korea.kr`` links rewritten to the loopback
server, so discovery, fetching and extraction run end to end on real HTTP.
"""

from __future__ import annotations

from pathlib import Path

from tests.loopback import LoopbackServer, Route

FIXTURES = Path(__file__).parent / "fixtures"
ORIGINS = (
    "https://www.understandingwar.org",
    "https://understandingwar.org",
    "https://www.korea.kr",
)

FORCE_GENERATION = "russian-force-generation-and-technological-adaptations-update-april-23-2025"
FORCE_GENERATION_PAGE = f"isw-{FORCE_GENERATION}.html"

# Report pages by path on the publisher's site.
REPORT_PAGES = {
    "/research/middle-east/iran-update-evening-special-report-june-13-2025/": (
        "isw-iran-update-evening-special-report-june-13-2025.html"
    ),
    "/research/russia-ukraine/russian-offensive-campaign-assessment-november-14-2025/": (
        "isw-russian-offensive-campaign-assessment-november-14-2025.html"
    ),
    "/research/russia-ukraine/" + FORCE_GENERATION + "/": FORCE_GENERATION_PAGE,
}


def rewrite(text: str, base_url: str) -> str:
    for origin in ORIGINS:
        text = text.replace(origin, base_url)
    return text


def discovery_route(server: LoopbackServer, name: str, content_type: str) -> Route:
    body = rewrite((FIXTURES / "discovery" / name).read_text(), server.base_url)
    return Route(body=body, content_type=content_type)


def page_route(name: str, **kwargs: object) -> Route:
    # Report pages keep their canonical links: a page is one report wherever it is served.
    return Route(body=(FIXTURES / "pages" / name).read_bytes(), **kwargs)  # type: ignore[arg-type]


def install_isw(server: LoopbackServer, *, feed_status: int = 403) -> None:
    """ISW as of late 2025: the feed refuses automated readers, the listing works."""
    if feed_status == 200:
        server.routes["/feed/"] = discovery_route(server, "isw_feed.xml", "application/rss+xml")
    else:
        server.routes["/feed/"] = Route(body="Forbidden", status=feed_status)
    server.routes["/research/"] = discovery_route(server, "isw_research.html", "text/html")
    server.routes["/research/page/2/"] = discovery_route(
        server, "isw_research_page2.html", "text/html"
    )
    server.routes["/sitemap.xml"] = discovery_route(
        server, "isw_sitemap_index.xml", "application/xml"
    )
    server.routes["/robots.txt"] = Route(
        body="User-agent: *\nDisallow: /wp-admin/\nDisallow: /wp-json/\n",
        content_type="text/plain",
    )
    for path, name in REPORT_PAGES.items():
        server.routes[path] = page_route(name)


def install_korea_kr(server: LoopbackServer) -> None:
    """korea.kr's 국방부 feed and its press-release pages (one fixture, numbered per request)."""
    from urllib.parse import parse_qs, urlsplit

    server.routes["/rss/dept_mnd.xml"] = discovery_route(
        server, "korea_dept_mnd.xml", "application/rss+xml"
    )
    template = (FIXTURES / "pages" / "korea-kr-press-release-mnd-156691234.html").read_text()

    def release(handler: object) -> Route:
        query = parse_qs(urlsplit(handler.path).query)  # type: ignore[attr-defined]
        news_id = query.get("newsId", ["156691234"])[0]
        return Route(body=template.replace("156691234", news_id))

    server.routes["/briefing/pressReleaseView.do"] = Route(dynamic=release)
