"""The one HTTP client of briefroom: polite, bounded GETs (robots.txt, per-host pacing, retries,
size caps, SSRF guard, honest charset detection) that return :class:`~pipeline.types.FetchedPage`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import importlib.metadata
import ipaddress
import logging
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import charset_normalizer
import httpcore
import httpx
from protego import Protego

from pipeline.blocked import block_reason
from pipeline.types import FetchedPage

logger = logging.getLogger(__name__)


def _package_version() -> str:
    try:
        return importlib.metadata.version("briefroom")
    except importlib.metadata.PackageNotFoundError:
        return "dev"  # running from a checkout that was never installed


USER_AGENT_TEMPLATE = "briefroom/{version} (+{contact_url})"
VERSION = _package_version()
# The token matched against robots.txt ``User-agent`` lines.
ROBOTS_USER_AGENT = "briefroom"

MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
ERROR_KINDS = frozenset(
    {
        "ssrf",
        "robots",
        "too-large",
        "http",
        "timeout",
        "connection",
        "retry-after",
        "invalid-url",
        "blocked",
    }
)
# Statuses whose body is read (at most BLOCK_BODY_LIMIT bytes) to tell a block or challenge
# page from an ordinary refusal or outage.
BLOCK_STATUSES = frozenset({403, 429, 503})
BLOCK_BODY_LIMIT = 64 * 1024
ALLOWABLE_NETWORKS = frozenset({"loopback", "private", "link-local"})
# Only encodings we can decompress with a bounded output are offered, so that a gzip bomb is
# refused after max_bytes of output instead of being inflated in one go.
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Every knob of the fetcher; the defaults are the production ones (see config/options.py)."""

    contact_url: str = "https://github.com/briefroom/briefroom"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    host_delay: float = 2.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 300.0
    blocked_delay: float = 30.0
    respect_robots: bool = True
    allow_networks: frozenset[str] = frozenset()  # subset of {"loopback", "private", "link-local"}

    def __post_init__(self) -> None:
        unknown = set(self.allow_networks) - ALLOWABLE_NETWORKS
        if unknown:
            raise ValueError(
                f"allow_networks: unknown kind(s) {sorted(unknown)}; "
                f"choose from {sorted(ALLOWABLE_NETWORKS)}"
            )
        if not self.contact_url:
            raise ValueError("contact_url must name a page where publishers can reach us")
        for name in ("connect_timeout", "read_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("host_delay", "backoff", "max_retry_after", "retries", "blocked_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.max_bytes <= 0:
            raise ValueError("max_bytes must be positive")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FetchConfig:
        """Build from ``settings.BRIEFROOM_FETCH``; missing keys keep their defaults.

        Unknown keys are an error so that a misspelt setting fails loudly instead of being
        ignored.
        """
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fetch setting(s): {sorted(unknown)}")
        values: dict[str, Any] = {}
        for name, raw in data.items():
            if name == "allow_networks":
                parts = raw.split(",") if isinstance(raw, str) else raw
                values[name] = frozenset(p.strip() for p in parts if p.strip())
            elif name in {"max_bytes", "retries"}:
                values[name] = int(raw)
            elif name == "respect_robots":
                values[name] = _as_bool(raw)
            elif name == "contact_url":
                values[name] = str(raw)
            else:
                values[name] = float(raw)
        return cls(**values)


def _as_bool(raw: object) -> bool:
    if isinstance(raw, str):  # bool("false") is True; settings may hand us the raw string
        lowered = raw.strip().lower()
        if lowered not in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}:
            raise ValueError(f"not a boolean: {raw!r}")
        return lowered in {"1", "true", "yes", "on"}
    return bool(raw)


class FetchError(Exception):
    """A fetch that did not produce a page; ``kind`` says why, for callers that branch on it.

    Kinds: ``ssrf``, ``robots``, ``too-large``, ``http`` (a final status other than 200/304,
    ``status`` set), ``timeout``, ``connection``, ``retry-after`` (the server asked us to wait
    longer than ``max_retry_after``), ``invalid-url``, ``blocked`` (a block or challenge page,
    e.g. Cloudflare's, instead of content; ``detail`` says which, see :mod:`pipeline.blocked`).
    """

    def __init__(self, url: str, kind: str, status: int | None = None, detail: str = "") -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown FetchError kind {kind!r}")
        # args mirror __init__ so the error survives pickling (task queues store it).
        super().__init__(url, kind, status, detail)
        self.url = url
        self.kind = kind
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        return f"cannot fetch {self.url} ({self.kind}): {self.detail}"


# --- SSRF guard -------------------------------------------------------------------------------

type _IP = ipaddress.IPv4Address | ipaddress.IPv6Address

_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: _IP) -> _IP:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), else ``ip`` itself.

    ``::ffff:127.0.0.1`` reaches 127.0.0.1, so it must be judged as 127.0.0.1.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_kind(ip: _IP) -> str | None:
    """Classify an address: ``None`` for a public one, else the reason it is not public.

    Only ``loopback``, ``private`` and ``link-local`` can be allowed by configuration;
    ``unspecified`` (0.0.0.0 reaches the local host on Linux), ``multicast`` and ``reserved``
    (documentation, benchmarking and other non-global ranges) are always refused.
    """
    ip = _embedded_ipv4(ip)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:  # 169.254.0.0/16 holds the cloud metadata service
        return "link-local"
    if any(ip in net for net in _PRIVATE_NETWORKS if net.version == ip.version):
        return "private"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


class _BlockedAddress(Exception):
    """Raised inside the connection layer; :class:`Fetcher` turns it into FetchError("ssrf")."""


class _AddressGuard:
    """Resolves a host and refuses it if any of its addresses is not allowed."""

    def __init__(self, allow: frozenset[str]) -> None:
        self._allow = allow

    def resolve(self, host: str, port: int) -> list[str]:
        """All addresses of ``host``, checked; raises _BlockedAddress or socket.gaierror.

        ANY bad address refuses the host: a name with one public and one internal address
        would otherwise let the connection land on the internal one.
        """
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses: list[str] = []
        for info in infos:
            address = str(info[4][0])
            kind = address_kind(ipaddress.ip_address(address.split("%")[0]))
            if kind is not None and kind not in self._allow:
                shown = host if host == address else f"{host} resolves to {address}, which"
                raise _BlockedAddress(f"{shown} is a {kind} address (SSRF guard)")
            if address not in addresses:
                addresses.append(address)
        return addresses


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to the addresses the guard has just checked.

    This pins each TCP connection to a checked IP, which closes the DNS-rebinding gap
    between "check the name" and "connect to the name": the name is resolved once, here,
    and the socket goes to exactly the address that passed. TLS still verifies the
    certificate against the host name, because httpcore takes the SNI/verification name
    from the request URL, not from the address we connect to.
    """

    def __init__(self, guard: _AddressGuard) -> None:
        self._guard = guard
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._guard.resolve(host, port)
        except OSError as exc:  # socket.gaierror: the name does not resolve
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        last_error: httpcore.ConnectError | None = None
        for address in addresses:  # like socket.create_connection: first one that answers
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the fetcher never connects to unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool rebuilt on the guarded backend."""

    def __init__(self, guard: _AddressGuard) -> None:
        super().__init__(trust_env=False)
        # httpx 0.28 has no public hook for the network backend; replacing the pool it built is
        # the smallest way to pin connections (httpx is pinned exactly in pyproject.toml).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=httpx.Limits().max_connections,
            max_keepalive_connections=httpx.Limits().max_keepalive_connections,
            keepalive_expiry=httpx.Limits().keepalive_expiry,
            network_backend=_GuardedBackend(guard),
        )


# --- bounded body reading ---------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _BoundedDecoder:
    """Undoes Content-Encoding while never holding more than ``limit + 1`` decoded bytes.

    zlib's ``max_length`` stops inflation at the limit, so a small compressed body that would
    inflate to gigabytes (a gzip bomb) is refused after ``limit`` bytes of output.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [
            c.strip().lower()
            for c in content_encoding.split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise ValueError(f"unsupported Content-Encoding {content_encoding!r}")
        self._coding = codings[0] if codings else ""
        self._limit = limit
        self._inflater: Any = None  # zlib's Decompress type is not importable for annotations
        self.body = bytearray()

    def _new_inflater(self, first: bytes) -> Any:
        if self._coding in {"gzip", "x-gzip"}:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped but some servers send raw deflate; the zlib
        # header (CM=8, header checksum divisible by 31) tells them apart.
        wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
        return zlib.decompressobj() if wrapped else zlib.decompressobj(-zlib.MAX_WBITS)

    def _append(self, data: bytes) -> None:
        self.body += data
        if len(self.body) > self._limit:
            raise _TooLarge

    def feed(self, data: bytes) -> None:
        if not self._coding:
            self._append(data)
            return
        while data:
            if self._inflater is None:
                self._inflater = self._new_inflater(data)
            room = self._limit - len(self.body) + 1
            self._append(self._inflater.decompress(data, room))
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:
                # A gzip body may hold several members; anything after a deflate stream is junk.
                rest = self._inflater.unused_data
                self._inflater = None
                data = rest if self._coding != "deflate" else b""


# --- charset detection ------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers (WHATWG Encoding) decode these labels with a superset; so do we, or Korean pages
# labelled euc-kr that use CP949-only syllables (똠, 햏…) would fail to decode.
_SUPERSETS = {"euc_kr": "cp949", "iso8859-1": "cp1252", "ascii": "cp1252"}
_TEXTUAL = ("text/", "xml", "json", "html", "javascript", "rss", "atom")


def _codec_name(label: str) -> str | None:
    """Python's codec for a charset label, widened to the browser's superset; None if unknown."""
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def declared_charset(content: bytes, content_type: str) -> str | None:
    """The charset the page claims: the Content-Type header first, then the markup's own."""
    for param in content_type.split(";")[1:]:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            return val.strip()
    head = content[:4096]
    found = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return found.group(1).decode("ascii") if found else None


def decode_body(content: bytes, content_type: str) -> tuple[str, str]:
    """Decode a body, distrusting the declared charset: returns ``(text, codec name)``.

    Order: a BOM wins; then any body that is valid UTF-8 and not plain ASCII is UTF-8 (text in
    a legacy encoding is practically never valid UTF-8, while UTF-8 pages mislabelled
    ISO-8859-1 are common and decode "cleanly" as mojibake); then the declared charset if it
    decodes without error; then charset-normalizer's best guess (EUC-KR/CP949 pages labelled
    UTF-8 end here).
    """
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace"), name
    if not content.isascii():
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    label = declared_charset(content, content_type)
    codec = _codec_name(label) if label else None
    if codec is not None:
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            logger.info("declared charset %s does not decode the body; guessing", label)
    elif content.isascii():
        return content.decode("ascii"), "utf-8"
    best = charset_normalizer.from_bytes(content).best()
    if best is not None:
        guessed = _codec_name(best.encoding) or best.encoding
        return content.decode(guessed, errors="replace"), guessed
    fallback = codec or "utf-8"
    return content.decode(fallback, errors="replace"), fallback


def _is_textual(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return not media or any(marker in media for marker in _TEXTUAL)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


# --- politeness ------------------------------------------------------------------------------


class _HostPacer:
    """Keeps requests to one host at least ``delay`` seconds apart, across threads.

    The host's lock is held while sleeping, so concurrent callers queue up in turn instead of
    all waking at the same instant.
    """

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    def _lock_for(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def wait(self, host: str, delay: float) -> None:
        with self._lock_for(host):
            last = self._last.get(host)
            if last is not None:
                remaining = last + delay - self._clock()
                if remaining > 0:
                    logger.debug("waiting %.2fs before the next request to %s", remaining, host)
                    self._sleep(remaining)
            self._last[host] = self._clock()


@dataclass(frozen=True, slots=True)
class _Rules:
    """robots.txt as it applies to us; ``parser`` is a Protego instance."""

    parser: Any
    crawl_delay: float | None


_ALLOW_ALL = "User-agent: *\nDisallow:\n"
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


@dataclass(frozen=True, slots=True)
class _Response:
    url: str
    status: int
    reason: str
    headers: httpx.Headers
    content: bytes


# --- the fetcher ------------------------------------------------------------------------------


class Fetcher:
    """One polite HTTP client; share one per worker, it is thread-safe.

    robots.txt policy (fetched once per scheme+host+port for the Fetcher's lifetime, through
    the same SSRF guard, size cap, pacing and retries as any page):

    * 200: parsed with Protego; ``Crawl-delay`` raises the host delay when longer (capped at
      ``max_retry_after`` so one robots.txt cannot park a worker for hours).
    * 401/403: disallow everything. This is the older Google convention the project chose;
      RFC 9309 would allow, but a publisher who locks robots.txt away rarely wants crawlers.
    * other 4xx (404, 410…): no robots.txt, allow everything.
    * 5xx, 429 after retries, timeouts, connection errors, too many redirects or an oversized
      file: allow everything and log a warning — the page fetch will meet the same trouble and
      fail on its own if the site is really down, while a flaky robots.txt does not stop a
      whole run.
    * an address refused by the SSRF guard, a Retry-After beyond ``max_retry_after``, or a
      block page: the page fetch fails with that error.

    Block and challenge pages (:func:`pipeline.blocked.block_reason`, on a 200 or on the first
    ``BLOCK_BODY_LIMIT`` bytes of a 403/429/503) fail with kind ``blocked`` at once, never
    retried: a block is not a transient error. The host is then paced by ``blocked_delay``,
    doubling with each consecutive block (at most ``max_retry_after``), until it serves a
    normal page again.
    """

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config or FetchConfig()
        self.user_agent = USER_AGENT_TEMPLATE.format(
            version=VERSION, contact_url=self.config.contact_url
        )
        self._sleep = sleep
        self._clock = clock
        self._guard = _AddressGuard(self.config.allow_networks)
        self._pacer = _HostPacer(clock, sleep)
        self._robots: dict[str, _Rules] = {}
        self._robots_guard = threading.Lock()
        self._robots_locks: dict[str, threading.Lock] = {}
        self._blocks: dict[str, int] = {}  # host -> consecutive block pages
        self._blocks_guard = threading.Lock()
        # trust_env=False: proxies from the environment would get their own transports and so
        # bypass the SSRF guard.
        self._client = httpx.Client(
            transport=_GuardedTransport(self._guard),
            headers={
                "User-Agent": self.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(
                connect=self.config.connect_timeout,
                read=self.config.read_timeout,
                write=self.config.read_timeout,
                pool=self.config.connect_timeout,
            ),
            follow_redirects=False,  # followed by hand so every hop meets the guard and robots
            trust_env=False,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedPage:
        """GET ``url``: a page for 200, a ``not_modified`` page for 304, FetchError otherwise.

        ``etag`` and ``last_modified`` are the validators stored from the previous fetch; they
        are sent as If-None-Match / If-Modified-Since.
        """
        started = self._clock()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._follow(url, headers, check_robots=self.config.respect_robots)
        elapsed = self._clock() - started
        content_type = response.headers.get("Content-Type", "")
        host = httpx.URL(response.url).host
        if response.status == 304:
            self._note_normal(host)
            return FetchedPage(
                url=response.url,
                requested_url=url,
                status=304,
                text="",
                content=b"",
                encoding="",
                content_type=content_type,
                etag=response.headers.get("ETag") or etag,
                last_modified=response.headers.get("Last-Modified") or last_modified,
                not_modified=True,
                elapsed=elapsed,
            )
        if response.status != 200:
            raise FetchError(
                response.url, "http", response.status, f"HTTP {response.status} {response.reason}"
            )
        text, encoding = "", ""
        if _is_textual(content_type):
            text, encoding = decode_body(response.content, content_type)
            reason = block_reason(text, status=200, headers=response.headers)
            if reason is not None:
                self._note_blocked(host, response.url, reason)
                raise FetchError(response.url, "blocked", 200, reason)
        self._note_normal(host)
        return FetchedPage(
            url=response.url,
            requested_url=url,
            status=200,
            text=text,
            content=response.content,
            encoding=encoding,
            content_type=content_type,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            elapsed=elapsed,
        )

    # -- hops ----------------------------------------------------------------------------------

    def _follow(self, url: str, headers: Mapping[str, str], *, check_robots: bool) -> _Response:
        """Follow redirects by hand; every hop is validated, guarded, robots-checked and paced."""
        current = url
        for hops in range(MAX_REDIRECTS + 1):
            parsed = self._validate(current, origin=url)
            if check_robots:
                self._check_robots(parsed, current)
            response = self._send_with_retries(parsed, current, headers)
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or not location:
                return response
            try:
                following = str(parsed.join(location).copy_with(fragment=None))
            except httpx.InvalidURL as exc:
                raise FetchError(current, "invalid-url", None, f"bad redirect: {exc}") from exc
            logger.debug("%s redirects (%d) to %s", current, response.status, following)
            if hops == MAX_REDIRECTS:
                raise FetchError(
                    current,
                    "http",
                    response.status,
                    f"more than {MAX_REDIRECTS} redirects from {url}",
                )
            current = following
        raise AssertionError("unreachable")  # the last hop returns or raises

    def _validate(self, url: str, *, origin: str) -> httpx.URL:
        """Refuse what must never be fetched, before any connection is opened."""
        via = "" if url == origin else f" (redirected from {origin})"
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(url, "invalid-url", None, f"malformed URL: {exc}{via}") from exc
        if parsed.scheme not in {"http", "https"}:
            raise FetchError(url, "invalid-url", None, f"scheme {parsed.scheme!r} is refused{via}")
        if parsed.userinfo:
            raise FetchError(url, "invalid-url", None, f"URLs with credentials are refused{via}")
        if not parsed.raw_host:
            raise FetchError(url, "invalid-url", None, f"no host{via}")
        # Checked here for a clear error naming the URL (and to refuse before robots.txt is
        # fetched); the connection layer checks again and pins the address it connects to.
        try:
            self._guard.resolve(parsed.raw_host.decode("ascii"), _port(parsed))
        except _BlockedAddress as exc:
            raise FetchError(url, "ssrf", None, f"{exc}{via}") from exc
        except OSError:
            pass  # unresolvable: the connection attempt reports it (and retries it)
        return parsed

    # -- robots --------------------------------------------------------------------------------

    def _check_robots(self, parsed: httpx.URL, url: str) -> None:
        rules = self._rules_for(parsed)
        if not rules.parser.can_fetch(url, ROBOTS_USER_AGENT):
            logger.info("robots.txt disallows %s", url)
            raise FetchError(url, "robots", None, "disallowed by robots.txt")

    def _rules_for(self, parsed: httpx.URL) -> _Rules:
        origin = _origin(parsed)
        with self._robots_guard:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt fetch per origin even when threads race for it
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._load_robots(origin)
                self._robots[origin] = rules
            return rules

    def _load_robots(self, origin: str) -> _Rules:
        robots_url = origin + "/robots.txt"
        try:
            response = self._follow(robots_url, {}, check_robots=False)
        except FetchError as exc:
            if exc.kind in {"ssrf", "invalid-url", "retry-after", "blocked"}:
                raise
            logger.warning("robots.txt unavailable (%s); allowing all of %s", exc, origin)
            return _Rules(Protego.parse(_ALLOW_ALL), None)
        if response.status in {401, 403}:
            logger.warning(
                "%s answered %d; treating the whole site as disallowed", robots_url, response.status
            )
            return _Rules(Protego.parse(_DISALLOW_ALL), None)
        if response.status != 200:
            logger.info("%s answered %d; allowing all", robots_url, response.status)
            return _Rules(Protego.parse(_ALLOW_ALL), None)
        parser = Protego.parse(response.content.decode("utf-8", errors="replace"))
        delay = parser.crawl_delay(ROBOTS_USER_AGENT)
        crawl_delay = float(delay) if delay is not None else None
        if crawl_delay is not None and crawl_delay > self.config.max_retry_after:
            logger.warning(
                "%s asks for a crawl-delay of %ss; capping at %ss",
                robots_url,
                crawl_delay,
                self.config.max_retry_after,
            )
            crawl_delay = self.config.max_retry_after
        logger.info("loaded %s (crawl-delay %s)", robots_url, crawl_delay)
        return _Rules(parser, crawl_delay)

    def _host_delay(self, parsed: httpx.URL) -> float:
        delay = max(self.config.host_delay, self._blocked_delay(parsed.host))
        rules = self._robots.get(_origin(parsed))
        if rules is not None and rules.crawl_delay is not None:
            return max(delay, rules.crawl_delay)
        return delay

    # -- block pages ---------------------------------------------------------------------------

    def _blocked_delay(self, host: str) -> float:
        """The extra pacing of a host that has just served block pages; 0 when it has not."""
        with self._blocks_guard:
            count = self._blocks.get(host, 0)
        if not count:
            return 0.0
        return min(self.config.blocked_delay * 2.0 ** (count - 1), self.config.max_retry_after)

    def _note_blocked(self, host: str, url: str, reason: str) -> None:
        with self._blocks_guard:
            self._blocks[host] = self._blocks.get(host, 0) + 1
        logger.warning(
            "%s served a block page (%s); next request to %s in %.0fs at the earliest",
            url,
            reason,
            host,
            self._blocked_delay(host),
        )

    def _note_normal(self, host: str) -> None:
        with self._blocks_guard:
            self._blocks.pop(host, None)

    def _refusal_block(self, response: _Response) -> str | None:
        """Why a 403/429/503 answer is a block or challenge page, or None for a plain one."""
        if response.status not in BLOCK_STATUSES:
            return None
        content_type = response.headers.get("Content-Type", "")
        text = decode_body(response.content, content_type)[0] if response.content else ""
        return block_reason(text, status=response.status, headers=response.headers)

    # -- one hop -------------------------------------------------------------------------------

    def _send_with_retries(
        self, parsed: httpx.URL, url: str, headers: Mapping[str, str]
    ) -> _Response:
        """One hop with retries on connection errors, timeouts, 429 and 5xx."""
        config = self.config
        host = parsed.host
        for attempt in range(config.retries + 1):
            self._pacer.wait(host, self._host_delay(parsed))
            retry_after: float | None = None
            try:
                response = self._send_once(url, headers)
            except FetchError as exc:
                if exc.kind not in {"timeout", "connection"}:
                    raise
                failure = exc
            else:
                reason = self._refusal_block(response)
                if reason is not None:
                    self._note_blocked(host, url, reason)
                    raise FetchError(url, "blocked", response.status, reason)
                if response.status not in RETRY_STATUSES:
                    return response
                failure = FetchError(
                    url, "http", response.status, f"HTTP {response.status} {response.reason}"
                )
                if response.status in RETRY_AFTER_STATUSES:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > config.max_retry_after:
                    raise FetchError(
                        url,
                        "retry-after",
                        response.status,
                        f"server asks to retry after {retry_after:.0f}s "
                        f"(more than the {config.max_retry_after:.0f}s we wait)",
                    )
            if attempt == config.retries:
                raise failure
            wait = retry_after
            if wait is None:
                wait = min(config.backoff * 2**attempt, config.max_retry_after)
            logger.warning(
                "%s; retry %d of %d in %.1fs", failure, attempt + 1, config.retries, wait
            )
            self._sleep(wait)
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _send_once(self, url: str, headers: Mapping[str, str]) -> _Response:
        """One request; a 200's body is read (under the size cap), the start of a 403/429/503's
        (to recognise block pages), other bodies are dropped."""
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                content = b""
                if response.status_code == 200:
                    content = self._read_body(response, url)
                elif response.status_code in BLOCK_STATUSES:
                    content = _read_prefix(response, BLOCK_BODY_LIMIT)
                return _Response(
                    url=url,
                    status=response.status_code,
                    reason=response.reason_phrase or _reason(response.status_code),
                    headers=response.headers,
                    content=content,
                )
        except _BlockedAddress as exc:
            raise FetchError(url, "ssrf", None, str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(url, "timeout", None, f"{type(exc).__name__}: {exc}") from exc
        except httpx.TransportError as exc:
            raise FetchError(url, "connection", None, f"{type(exc).__name__}: {exc}") from exc

    def _read_body(self, response: httpx.Response, url: str) -> bytes:
        limit = self.config.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                url, "too-large", 200, f"Content-Length {declared} exceeds {limit} bytes"
            )
        try:
            decoder = _BoundedDecoder(response.headers.get("Content-Encoding", ""), limit)
        except ValueError as exc:
            raise FetchError(url, "http", 200, str(exc)) from exc
        received = 0
        try:
            for chunk in response.iter_raw():
                received += len(chunk)
                if received > limit:
                    raise _TooLarge
                decoder.feed(chunk)
        except _TooLarge:
            raise FetchError(
                url, "too-large", 200, f"body exceeds {limit} bytes (after decompression)"
            ) from None
        except zlib.error as exc:
            raise FetchError(url, "http", 200, f"corrupt compressed body: {exc}") from exc
        return bytes(decoder.body)


def _read_prefix(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` decoded bytes of a body; what was read so far on any trouble.

    Only used to look at refusals, so a broken or endless body never turns a 503 into a
    connection error.
    """
    try:
        decoder = _BoundedDecoder(response.headers.get("Content-Encoding", ""), limit)
    except ValueError:
        return b""
    received = 0
    try:
        for chunk in response.iter_raw():
            received += len(chunk)
            decoder.feed(chunk)
            if received >= limit:
                break
    except (_TooLarge, zlib.error, httpx.TransportError):
        pass
    return bytes(decoder.body[:limit])


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
