"""pipeline.fetch against a real HTTP server on loopback: politeness, limits, retries, SSRF."""

from __future__ import annotations

import gzip
import ipaddress
import itertools
import logging
import pickle
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from pipeline.fetch import (
    FetchConfig,
    Fetcher,
    FetchError,
    address_kind,
    decode_body,
)
from tests.loopback import LoopbackServer, Recorded, Route

KOREAN = "국방부는 오늘 북한의 탄도미사일 발사를 강력히 규탄한다고 밝혔습니다. 똠방각하"
KOREAN_PAGE = f"<html><head><title>보도자료</title></head><body><p>{KOREAN}</p></body></html>"


class FakeTime:
    """A clock that only moves when the fetcher sleeps, so waits are exact and instant."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """conftest's server, but polling for shutdown every 20 ms instead of serve_forever's 0.5 s
    (which alone made this file take half a minute)."""
    server = LoopbackServer()
    server.thread = threading.Thread(
        target=server.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


MakeFetcher = Callable[..., Fetcher]


@pytest.fixture
def make_fetcher(fake_time: FakeTime) -> Iterator[MakeFetcher]:
    """Fetchers on fake time allowed to reach loopback, with no host delay unless asked."""
    made: list[Fetcher] = []

    def make(*, real_time: bool = False, **overrides: Any) -> Fetcher:
        options: dict[str, Any] = {
            "allow_networks": frozenset({"loopback"}),
            "host_delay": 0.0,
            "backoff": 1.0,
            "retries": 2,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
        }
        options.update(overrides)
        if real_time:
            fetcher = Fetcher(FetchConfig(**options))
        else:
            fetcher = Fetcher(FetchConfig(**options), sleep=fake_time.sleep, clock=fake_time.clock)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def requests_to(server: LoopbackServer, path: str) -> list[Recorded]:
    return [r for r in server.requests if r.path == path]


def answer_first(times: int, failure: Route) -> Callable[[BaseHTTPRequestHandler], Route | None]:
    """A dynamic route: ``failure`` for the first ``times`` requests, the base route after."""
    calls = {"n": 0}

    def script(_handler: BaseHTTPRequestHandler) -> Route | None:
        calls["n"] += 1
        return failure if calls["n"] <= times else None

    return script


# --- plain GETs ---------------------------------------------------------------------------------


def test_get_returns_page_and_names_briefroom_in_user_agent(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/report"] = Route(
        body="<p>hello</p>", etag='"v1"', last_modified="Mon, 02 Jun 2025 10:00:00 GMT"
    )
    fetcher = make_fetcher(contact_url="https://example.org/contact")

    page = fetcher.get(http_server.url("/report"))

    assert page.status == 200
    assert page.text == "<p>hello</p>"
    assert page.content == b"<p>hello</p>"
    assert page.encoding == "utf-8"
    assert page.content_type == "text/html; charset=utf-8"
    assert page.url == page.requested_url == http_server.url("/report")
    assert page.etag == '"v1"'
    assert page.last_modified == "Mon, 02 Jun 2025 10:00:00 GMT"
    assert not page.not_modified
    (request,) = requests_to(http_server, "/report")
    agent = request.headers["User-Agent"]
    assert agent.startswith("briefroom/")
    assert agent.endswith("(+https://example.org/contact)")
    assert "If-None-Match" not in request.headers


def test_conditional_get_by_etag_returns_not_modified(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/feed"] = Route(body="<rss/>", etag='"abc"')

    page = make_fetcher().get(http_server.url("/feed"), etag='"abc"')

    assert page.not_modified
    assert page.status == 304
    assert page.text == ""
    assert page.content == b""
    assert page.etag == '"abc"'
    (request,) = requests_to(http_server, "/feed")
    assert request.headers["If-None-Match"] == '"abc"'


def test_conditional_get_by_last_modified_returns_not_modified(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    stamp = "Tue, 03 Jun 2025 08:30:00 GMT"
    http_server.routes["/feed"] = Route(body="<rss/>", last_modified=stamp)

    page = make_fetcher().get(http_server.url("/feed"), last_modified=stamp)

    assert page.not_modified
    assert page.status == 304
    assert page.last_modified == stamp
    assert requests_to(http_server, "/feed")[0].headers["If-Modified-Since"] == stamp


def test_stale_etag_gets_the_new_page(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/feed"] = Route(body="<rss>new</rss>", etag='"v2"')

    page = make_fetcher().get(http_server.url("/feed"), etag='"v1"')

    assert page.status == 200
    assert not page.not_modified
    assert page.etag == '"v2"'
    assert page.text == "<rss>new</rss>"


@pytest.mark.parametrize("status", [403, 404, 410])
def test_client_error_raises_http_error(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime, status: int
) -> None:
    http_server.routes["/feed"] = Route(body="no", status=status)

    with pytest.raises(FetchError) as caught:
        make_fetcher().get(http_server.url("/feed"))

    assert caught.value.kind == "http"
    assert caught.value.status == status
    assert str(status) in str(caught.value)
    assert http_server.url("/feed") in str(caught.value)
    assert len(requests_to(http_server, "/feed")) == 1  # 4xx is not retried
    assert fake_time.sleeps == []


def test_binary_body_is_kept_but_not_decoded(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    pdf = b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n" + bytes(range(256))
    http_server.routes["/a.pdf"] = Route(body=pdf, content_type="application/pdf")

    page = make_fetcher().get(http_server.url("/a.pdf"))

    assert page.content == pdf
    assert page.text == ""
    assert page.encoding == ""


# --- redirects ----------------------------------------------------------------------------------


def test_redirects_are_followed(http_server: LoopbackServer, make_fetcher: MakeFetcher) -> None:
    http_server.routes["/old"] = Route(status=301, headers={"Location": "/mid"})
    http_server.routes["/mid"] = Route(status=302, headers={"Location": http_server.url("/new")})
    http_server.routes["/new"] = Route(body="moved here")

    page = make_fetcher().get(http_server.url("/old"))

    assert page.text == "moved here"
    assert page.url == http_server.url("/new")
    assert page.requested_url == http_server.url("/old")


def test_redirect_loop_stops_after_ten_hops(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})

    with pytest.raises(FetchError) as caught:
        make_fetcher().get(http_server.url("/loop"))

    assert caught.value.kind == "http"
    assert "redirects" in caught.value.detail
    assert len(requests_to(http_server, "/loop")) == 11  # the request and 10 redirects


# --- size caps ----------------------------------------------------------------------------------


def test_body_over_max_bytes_is_refused_by_content_length(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/big"] = Route(body=b"x" * 20_001, content_type="text/plain")

    with pytest.raises(FetchError) as caught:
        make_fetcher(max_bytes=20_000).get(http_server.url("/big"))

    assert caught.value.kind == "too-large"
    assert "Content-Length" in caught.value.detail


def test_body_of_exactly_max_bytes_is_accepted(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/fits"] = Route(body=b"x" * 20_000, content_type="text/plain")

    page = make_fetcher(max_bytes=20_000).get(http_server.url("/fits"))

    assert len(page.content) == 20_000


def test_gzip_body_is_decompressed(http_server: LoopbackServer, make_fetcher: MakeFetcher) -> None:
    http_server.routes["/z"] = Route(body=KOREAN_PAGE, gzip=True)

    page = make_fetcher().get(http_server.url("/z"))

    assert page.text == KOREAN_PAGE
    request = requests_to(http_server, "/z")[0]
    assert request.headers["Accept-Encoding"] == "gzip, deflate"


def test_gzip_bomb_is_refused_after_decompression(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    bomb = b"\0" * (20 * 1024 * 1024)
    assert len(gzip.compress(bomb)) < 100_000  # small on the wire: Content-Length passes
    http_server.routes["/bomb"] = Route(body=bomb, gzip=True, content_type="text/plain")

    with pytest.raises(FetchError) as caught:
        make_fetcher(max_bytes=1024 * 1024).get(http_server.url("/bomb"))

    assert caught.value.kind == "too-large"
    assert "decompression" in caught.value.detail


# --- robots.txt ---------------------------------------------------------------------------------


def test_robots_disallow_refuses_without_requesting_the_page(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/robots.txt"] = Route(
        body="User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    http_server.routes["/private/report"] = Route(body="secret")
    http_server.routes["/public"] = Route(body="fine")
    fetcher = make_fetcher()

    with pytest.raises(FetchError) as caught:
        fetcher.get(http_server.url("/private/report"))

    assert caught.value.kind == "robots"
    assert requests_to(http_server, "/private/report") == []
    assert fetcher.get(http_server.url("/public")).text == "fine"
    # robots.txt is fetched once for the fetcher's lifetime, with our user agent
    (robots,) = requests_to(http_server, "/robots.txt")
    assert robots.headers["User-Agent"].startswith("briefroom/")


def test_robots_group_for_briefroom_applies(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/robots.txt"] = Route(
        body="User-agent: briefroom\nDisallow: /\n\nUser-agent: *\nDisallow:\n",
        content_type="text/plain",
    )

    with pytest.raises(FetchError) as caught:
        make_fetcher().get(http_server.url("/anything"))

    assert caught.value.kind == "robots"


@pytest.mark.parametrize("status", [401, 403])
def test_locked_robots_txt_disallows_everything(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, status: int
) -> None:
    http_server.routes["/robots.txt"] = Route(body="no", status=status)
    http_server.routes["/page"] = Route(body="page")

    with pytest.raises(FetchError) as caught:
        make_fetcher().get(http_server.url("/page"))

    assert caught.value.kind == "robots"
    assert requests_to(http_server, "/page") == []


def test_missing_robots_txt_allows_everything(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/page"] = Route(body="page")  # /robots.txt is a 404

    assert make_fetcher().get(http_server.url("/page")).text == "page"
    assert len(requests_to(http_server, "/robots.txt")) == 1


def test_failing_robots_txt_allows_with_a_warning(
    http_server: LoopbackServer,
    make_fetcher: MakeFetcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http_server.routes["/robots.txt"] = Route(body="down", status=500)
    http_server.routes["/page"] = Route(body="page")

    with caplog.at_level(logging.WARNING, logger="pipeline.fetch"):
        page = make_fetcher(retries=1).get(http_server.url("/page"))

    assert page.text == "page"
    assert len(requests_to(http_server, "/robots.txt")) == 2  # robots.txt is retried too
    assert any("robots.txt unavailable" in r.getMessage() for r in caplog.records)


def test_crawl_delay_raises_the_host_delay(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/robots.txt"] = Route(
        body="User-agent: *\nCrawl-delay: 5\n", content_type="text/plain"
    )
    http_server.routes["/a"] = Route(body="a")
    fetcher = make_fetcher(host_delay=1.0)

    fetcher.get(http_server.url("/a"))
    fetcher.get(http_server.url("/a"))

    # robots.txt, then each page 5 s after the previous request (not host_delay's 1 s)
    assert fake_time.sleeps == [5.0, 5.0]


def test_robots_can_be_ignored(http_server: LoopbackServer, make_fetcher: MakeFetcher) -> None:
    http_server.routes["/robots.txt"] = Route(body="User-agent: *\nDisallow: /\n")
    http_server.routes["/page"] = Route(body="page")

    assert make_fetcher(respect_robots=False).get(http_server.url("/page")).text == "page"
    assert requests_to(http_server, "/robots.txt") == []


# --- per-host pacing ----------------------------------------------------------------------------


def test_host_delay_spaces_requests_to_one_host(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/a"] = Route(body="a")
    fetcher = make_fetcher(host_delay=2.0, respect_robots=False)

    fetcher.get(http_server.url("/a"))
    fetcher.get(http_server.url("/a"))
    fake_time.now += 0.5  # time passes elsewhere: only the rest is waited
    fetcher.get(http_server.url("/a"))

    assert fake_time.sleeps == [2.0, 1.5]


def test_host_delay_is_per_host(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/a"] = Route(body="a")
    port = http_server.httpd.server_address[1]
    fetcher = make_fetcher(host_delay=2.0, respect_robots=False)

    fetcher.get(f"http://127.0.0.1:{port}/a")
    fetcher.get(f"http://localhost:{port}/a")  # another host name: no wait

    assert fake_time.sleeps == []
    assert len(requests_to(http_server, "/a")) == 2


def test_host_delay_holds_across_threads(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/a"] = Route(body="a")
    fetcher = make_fetcher(real_time=True, host_delay=0.2, respect_robots=False)
    threads = [
        threading.Thread(target=fetcher.get, args=(http_server.url("/a"),)) for _ in range(3)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    times = sorted(r.time for r in requests_to(http_server, "/a"))
    assert len(times) == 3
    assert all(later - earlier >= 0.19 for earlier, later in itertools.pairwise(times))


# --- retries ------------------------------------------------------------------------------------


def test_429_with_retry_after_waits_then_succeeds(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/busy"] = Route(
        body="done",
        dynamic=answer_first(1, Route(body="slow down", status=429, headers={"Retry-After": "2"})),
    )

    page = make_fetcher(respect_robots=False).get(http_server.url("/busy"))

    assert page.text == "done"
    assert fake_time.sleeps == [2.0]
    assert len(requests_to(http_server, "/busy")) == 2


def test_503_then_200_backs_off(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/flaky"] = Route(
        body="done", dynamic=answer_first(1, Route(body="down", status=503))
    )

    page = make_fetcher(respect_robots=False, backoff=0.5).get(http_server.url("/flaky"))

    assert page.text == "done"
    assert fake_time.sleeps == [0.5]


def test_500_every_time_raises_after_the_last_retry(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/broken"] = Route(body="oops", status=500)

    with pytest.raises(FetchError) as caught:
        make_fetcher(respect_robots=False, retries=3).get(http_server.url("/broken"))

    assert caught.value.kind == "http"
    assert caught.value.status == 500
    assert len(requests_to(http_server, "/broken")) == 4
    assert fake_time.sleeps == [1.0, 2.0, 4.0]  # backoff * 2**attempt


@pytest.mark.parametrize(
    "retry_after", ["3600", "Fri, 01 Jan 2100 00:00:00 GMT"], ids=["seconds", "http-date"]
)
def test_retry_after_longer_than_allowed_fails_at_once(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime, retry_after: str
) -> None:
    http_server.routes["/later"] = Route(
        body="later", status=503, headers={"Retry-After": retry_after}
    )

    with pytest.raises(FetchError) as caught:
        make_fetcher(respect_robots=False, max_retry_after=300).get(http_server.url("/later"))

    assert caught.value.kind == "retry-after"
    assert caught.value.status == 503
    assert fake_time.sleeps == []
    assert len(requests_to(http_server, "/later")) == 1


def test_slow_server_times_out_after_retries(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/slow"] = Route(body="late", delay=1.0)
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        make_fetcher(respect_robots=False, read_timeout=0.3, retries=1).get(
            http_server.url("/slow")
        )

    assert caught.value.kind == "timeout"
    assert len(requests_to(http_server, "/slow")) == 2
    assert fake_time.sleeps == [1.0]
    assert time.monotonic() - started < 0.95  # gave up on each attempt, did not wait for it


def test_connection_dropped_mid_body_is_retried(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    body = "x" * 5000
    http_server.routes["/cut"] = Route(
        body=body, dynamic=answer_first(1, Route(body=body, drop_after=100))
    )

    page = make_fetcher(respect_robots=False).get(http_server.url("/cut"))

    assert page.text == body
    assert len(requests_to(http_server, "/cut")) == 2


def test_connection_always_dropped_raises_connection_error(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, fake_time: FakeTime
) -> None:
    http_server.routes["/cut"] = Route(body="x" * 5000, drop_after=100)

    with pytest.raises(FetchError) as caught:
        make_fetcher(respect_robots=False, retries=2).get(http_server.url("/cut"))

    assert caught.value.kind == "connection"
    assert len(requests_to(http_server, "/cut")) == 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_refused_connection_is_a_connection_error(make_fetcher: MakeFetcher) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(FetchError) as caught:
        make_fetcher(respect_robots=False, retries=1).get(f"http://127.0.0.1:{port}/")

    assert caught.value.kind == "connection"


# --- charsets -----------------------------------------------------------------------------------


def test_utf8_header_on_a_cp949_body_is_not_believed(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/mnd"] = Route(
        body=KOREAN_PAGE.encode("cp949"), content_type="text/html; charset=utf-8"
    )

    page = make_fetcher().get(http_server.url("/mnd"))

    assert page.text == KOREAN_PAGE
    assert page.encoding == "cp949"


def test_latin1_header_on_a_utf8_body_is_not_believed(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/page"] = Route(
        body=KOREAN_PAGE.encode("utf-8"), content_type="text/html; charset=ISO-8859-1"
    )

    page = make_fetcher().get(http_server.url("/page"))

    assert page.text == KOREAN_PAGE
    assert page.encoding == "utf-8"


def test_meta_euc_kr_is_read_as_cp949(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    html = KOREAN_PAGE.replace("<head>", '<head><meta charset="euc-kr">')
    # 똠 is outside EUC-KR proper: only the CP949 superset (what browsers use) decodes it
    http_server.routes["/old"] = Route(body=html.encode("cp949"), content_type="text/html")

    page = make_fetcher().get(http_server.url("/old"))

    assert page.text == html
    assert page.encoding == "cp949"


def test_declared_charset_that_decodes_is_used() -> None:
    body = "Café déjà vu".encode("cp1252")
    text, encoding = decode_body(body, "text/html; charset=windows-1252")
    assert (text, encoding) == ("Café déjà vu", "cp1252")
    html = b'<?xml version="1.0" encoding="EUC-KR"?><rss>' + KOREAN.encode("cp949") + b"</rss>"
    assert decode_body(html, "application/rss+xml")[0].endswith(KOREAN + "</rss>")


# --- SSRF guard ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://0.0.0.0:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://[fd00::1]/",
    ],
)
def test_default_config_refuses_internal_addresses_without_connecting(
    http_server: LoopbackServer, url: str
) -> None:
    port = http_server.httpd.server_address[1]
    with (
        Fetcher(FetchConfig(host_delay=0, retries=0)) as fetcher,
        pytest.raises(FetchError) as caught,
    ):
        fetcher.get(url.format(port=port))

    assert caught.value.kind == "ssrf"
    assert http_server.requests == []


def test_redirect_to_a_private_address_is_refused_before_connecting(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/go"] = Route(status=302, headers={"Location": "http://10.1.2.3/secret"})
    fetcher = make_fetcher(allow_networks=frozenset({"loopback"}), connect_timeout=5.0)
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        fetcher.get(http_server.url("/go"))

    assert caught.value.kind == "ssrf"
    assert caught.value.url == "http://10.1.2.3/secret"
    assert http_server.url("/go") in caught.value.detail
    assert time.monotonic() - started < 2  # no connection attempt to wait for


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/report.pdf",
        "gopher://example.org/",
        "http://user:secret@example.org/",
        "http:///nohost",
        "not a url",
    ],
)
def test_invalid_urls_are_refused(make_fetcher: MakeFetcher, url: str) -> None:
    with pytest.raises(FetchError) as caught:
        make_fetcher().get(url)

    assert caught.value.kind == "invalid-url"


def test_redirect_to_another_scheme_is_refused(
    http_server: LoopbackServer, make_fetcher: MakeFetcher
) -> None:
    http_server.routes["/go"] = Route(status=301, headers={"Location": "file:///etc/passwd"})

    with pytest.raises(FetchError) as caught:
        make_fetcher().get(http_server.url("/go"))

    assert caught.value.kind == "invalid-url"


def test_dns_rebinding_is_caught_at_connect_time(
    http_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is public when checked, loopback when connected: the connection is refused."""
    port = http_server.httpd.server_address[1]
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            host = next(answers, "127.0.0.1")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with (
        Fetcher(FetchConfig(host_delay=0, retries=0, respect_robots=False)) as fetcher,
        pytest.raises(FetchError) as caught,
    ):
        fetcher.get(f"http://rebind.example:{port}/")

    assert caught.value.kind == "ssrf"
    assert http_server.requests == []


def test_connection_goes_to_the_checked_address_with_the_host_name_kept(
    http_server: LoopbackServer, make_fetcher: MakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = http_server.httpd.server_address[1]
    http_server.routes["/"] = Route(body="pinned")
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real_getaddrinfo("127.0.0.1" if host == "pinned.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    page = make_fetcher(respect_robots=False).get(f"http://pinned.example:{port}/")

    assert page.text == "pinned"
    assert http_server.requests[0].headers["Host"] == f"pinned.example:{port}"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "private"),
        ("fd12::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - the address under test, not a bind
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "reserved"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 wrapping 169.254.169.254
    ],
)
def test_address_kind(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


# --- configuration and errors -------------------------------------------------------------------


def test_config_from_settings_mapping() -> None:
    config = FetchConfig.from_mapping(
        {
            "connect_timeout": 5,
            "read_timeout": "7.5",
            "max_bytes": "1000",
            "host_delay": 0,
            "retries": 1,
            "backoff": 0.5,
            "max_retry_after": 60,
            "respect_robots": False,
            "allow_networks": ["loopback"],
            "contact_url": "https://example.org/",
        }
    )

    assert config.read_timeout == 7.5
    assert config.max_bytes == 1000
    assert config.allow_networks == frozenset({"loopback"})
    assert config.respect_robots is False
    assert FetchConfig.from_mapping({}) == FetchConfig()
    from_strings = FetchConfig.from_mapping(
        {"respect_robots": "false", "allow_networks": "loopback, private"}
    )
    assert from_strings.respect_robots is False
    assert from_strings.allow_networks == frozenset({"loopback", "private"})


@pytest.mark.parametrize(
    "data",
    [
        {"allow_networks": ["everything"]},
        {"max_byte": 1},
        {"read_timeout": 0},
        {"retries": -1},
        {"respect_robots": "maybe"},
    ],
)
def test_config_rejects_bad_values(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        FetchConfig.from_mapping(data)


def test_fetch_error_is_one_line_and_pickles() -> None:
    error = FetchError("https://example.org/x", "http", 403, "HTTP 403 Forbidden")

    assert str(error) == "cannot fetch https://example.org/x (http): HTTP 403 Forbidden"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.url, copy.kind, copy.status, copy.detail) == (
        error.url,
        error.kind,
        error.status,
        error.detail,
    )
    with pytest.raises(ValueError):
        FetchError("https://example.org/", "oops")
