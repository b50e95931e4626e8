"""The bundled demo publisher: ISW and korea.kr pages from the repository, served on loopback.

``briefroom run --demo`` starts :class:`DemoPublisher` in its supervisor process and points
two demo sources (``demo-isw``, ``demo-mnd``) at it with ``with_base``; the worker's fetcher
lets loopback through for that origin only (``BRIEFROOM_DEMO_ORIGIN``), and posts of reports
found there are marked ``Post.is_demo``. The pages are the test fixtures in
``tests/fixtures/`` (report pages keep their canonical links: a page is one report wherever it
is served); the ISW feed is generated from the pages published so far, so a test or the demo
can publish a new report while the service runs (:meth:`DemoPublisher.publish`).
"""

from __future__ import annotations

import datetime as dt
import threading
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone

from ops.quiet_server import QuietHTTPServer

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures"
ORIGINS = (
    "https://www.understandingwar.org",
    "https://understandingwar.org",
    "https://www.korea.kr",
)
ISW_PAGES: dict[str, tuple[str, str]] = {
    "/research/russia-ukraine/russian-force-generation-and-technological-adaptations-update-"
    "april-23-2025/": (
        "isw-russian-force-generation-and-technological-adaptations-update-april-23-2025.html",
        "Russian Force Generation and Technological Adaptations Update, April 23, 2025",
    ),
    "/research/middle-east/iran-update-evening-special-report-june-13-2025/": (
        "isw-iran-update-evening-special-report-june-13-2025.html",
        "Iran Update Evening Special Report, June 13, 2025",
    ),
    "/research/russia-ukraine/russian-offensive-campaign-assessment-november-14-2025/": (
        "isw-russian-offensive-campaign-assessment-november-14-2025.html",
        "Russian Offensive Campaign Assessment, November 14, 2025",
    ),
}
PRESS_RELEASE_ID = 157000000
MND_TEMPLATE = "korea-kr-press-release-mnd-156691234.html"
ROBOTS = "User-agent: *\nDisallow: /wp-admin/\n"


def press_release_page(news_id: int) -> str:
    """The korea.kr press release page of ``news_id`` (the fixture page, renumbered); generated
    releases (``PRESS_RELEASE_ID`` and up) get their own title."""
    page = (FIXTURES / "pages" / MND_TEMPLATE).read_text().replace("156691234", str(news_id))
    if news_id >= PRESS_RELEASE_ID:
        page = page.replace("계획 발표", f"계획 발표 (제{news_id - PRESS_RELEASE_ID + 1}보)")
    return page


class DemoPublisher:
    """A tiny threaded HTTP server on 127.0.0.1 playing ISW and korea.kr."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, isw: bool = True, press_releases: int = 0
    ) -> None:
        self.pages: dict[str, tuple[str, str]] = dict(ISW_PAGES) if isw else {}
        # With press_releases > 0 the korea.kr feed lists that many generated releases (one a
        # day back from today) instead of the fixture feed: a long history for backfills.
        self.press_releases = press_releases
        self.requests: list[str] = []
        self.lock = threading.Lock()
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                publisher.requests.append(self.path)
                status, content_type, body = publisher.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

        self.httpd = QuietHTTPServer((host, port), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoPublisher:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def publish(self, path: str, page_file: str, title: str) -> None:
        """Put one more ISW report (a file in tests/fixtures/pages) on the site and its feed."""
        with self.lock:
            self.pages = {path: (page_file, title), **self.pages}

    def rewrite(self, text: str) -> str:
        for origin in ORIGINS:
            text = text.replace(origin, self.base_url)
        return text

    def isw_feed(self) -> str:
        now = format_datetime(timezone.now())
        items = "".join(
            f"<item><title>{escape(title)}</title><link>{self.base_url}{path}</link>"
            f"<guid>{self.base_url}{path}</guid><pubDate>{now}</pubDate></item>"
            for path, (_file, title) in self.pages.items()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>ISW (demo)</title><link>{self.base_url}/</link>{items}</channel></rss>"
        )

    def press_release_url(self, n: int) -> str:
        return f"{self.base_url}/briefing/pressReleaseView.do?newsId={PRESS_RELEASE_ID + n}"

    def mnd_feed(self) -> str:
        today = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
        items = "".join(
            f"<item><title>국방부 보도자료 {n + 1}</title>"
            f"<link>{escape(self.press_release_url(n))}</link>"
            f"<guid>{PRESS_RELEASE_ID + n}</guid>"
            f"<pubDate>{format_datetime(today - dt.timedelta(days=n))}</pubDate></item>"
            for n in range(self.press_releases)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>국방부 (데모)</title><link>{self.base_url}/</link>{items}</channel></rss>"
        )

    def answer(self, raw_path: str) -> tuple[int, str, bytes]:
        parts = urlsplit(raw_path)
        path = parts.path
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS.encode()
        if path == "/feed/":
            return 200, "application/rss+xml", self.isw_feed().encode()
        if path == "/rss/dept_mnd.xml":
            if self.press_releases:
                return 200, "application/rss+xml", self.mnd_feed().encode()
            feed = self.rewrite((FIXTURES / "discovery" / "korea_dept_mnd.xml").read_text())
            return 200, "application/rss+xml", feed.encode()
        if path == "/briefing/pressReleaseView.do":
            news_id = parse_qs(parts.query).get("newsId", ["156691234"])[0]
            if not news_id.isdigit():
                return 404, "text/plain", b"not found"
            return 200, "text/html; charset=utf-8", press_release_page(int(news_id)).encode()
        with self.lock:
            entry = self.pages.get(path)
        if entry is not None:
            body = (FIXTURES / "pages" / entry[0]).read_bytes()
            return 200, "text/html; charset=utf-8", body
        return 404, "text/plain", b"not found"


def install_demo_sources(base_url: str) -> list[str]:
    """Create or re-point ``demo-isw`` and ``demo-mnd`` at ``base_url``; returns their names."""
    from pipeline.discover import with_base
    from pipeline.extract.common import origin_of
    from pipeline.publishers.isw.sources import ISW
    from pipeline.publishers.mnd.sources import MND
    from sources.builtin import source_fields
    from sources.models import Source

    names = []
    for spec, title, publisher in (
        (ISW, "ISW (데모)", "ISW"),
        (MND, "국방부 보도자료 (데모)", "국방부"),
    ):
        name = f"demo-{spec.name}"
        fields = source_fields(with_base(spec, base_url + "/"))
        fields["listing_url"] = ""  # the demo publisher serves feeds only
        fields["sitemap_url"] = ""
        # The demo publisher mirrors the publishers' sites: its pages are read as theirs.
        fields["mirror_of"] = origin_of(spec.feed_url or "")
        Source.objects.update_or_create(
            name=name,
            defaults={"title": title, "publisher": publisher, "enabled": True, **fields},
        )
        names.append(name)
    return names
