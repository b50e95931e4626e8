"""What every extractor shares: the parsed page with its metadata, URL normalisation, a walk
over an element's text blocks, time lines, author lines, endnote URLs and HTML sanitising."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode


class ExtractionError(Exception):
    """The input cannot be turned into an article: empty, not HTML, or no text in it."""


class BlockedPage(ExtractionError):
    """The input is a block or challenge page (e.g. Cloudflare's), not the page asked for."""


# --------------------------------------------------------------------------- URLs

# Query parameters that only say where a click came from; they never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "li_fat_id",
    }
)
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _is_tracking(param: str) -> bool:
    key = unquote(param.split("=", 1)[0]).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The form of ``url`` the project stores and compares.

    http(s) URLs get https, a lower-case host without default port, no fragment and no
    tracking parameters (``utm_*``, ``fbclid`` …); the other parameters keep their order
    and spelling, and the path keeps or lacks its trailing slash as the site wrote it.
    A local file path becomes a ``file://`` URL; other schemes are returned unchanged.
    """
    url = url.strip()
    if not url:
        return ""
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        if scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/")):
            return Path(url).absolute().as_uri()
        return url
    host = (parts.hostname or "").rstrip(".")
    netloc = host
    if parts.port is not None and str(parts.port) not in DEFAULT_PORTS.values():
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit(("https", netloc, parts.path or "/", query, ""))


def host_of(url: str) -> str:
    """Lower-case host of an http(s) URL, "" for anything else."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in DEFAULT_PORTS:
        return ""
    return (parts.hostname or "").rstrip(".")


def is_web_url(url: str) -> bool:
    return bool(host_of(url))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, "" when it has no host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def on_origin(url: str, origin: str) -> str:
    """``url`` with its scheme and host replaced by those of ``origin`` (path and query kept)."""
    parts, base = urlsplit(url), urlsplit(origin)
    if not base.scheme or not base.netloc:
        raise ValueError(f"not a site address: {origin!r}")
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


# --------------------------------------------------------------------------- the page


@dataclass(slots=True)
class Page:
    """One HTML document parsed once, with where it came from and what it claims to be.

    ``url`` starts as the address the page was fetched from (``fetched_url``, normalised): that,
    not the page's own markup, says whose page it is. A page given as a saved file has no such
    address; its canonical link (resolved against ``base_url`` when relative) stands in for it,
    because a saved file is the operator's own input. ``claimed_url`` is the page's canonical
    link (else its ``og:url``), made absolute; :func:`pipeline.publishers.registry.extract`
    decides whether it may become the article's URL (only on the same publisher's hosts).
    """

    html: str
    given_url: str
    tree: LexborHTMLParser
    url: str
    fetched_url: str
    claimed_url: str
    hosts: frozenset[str]
    site_name: str
    meta: dict[str, str]
    notes: list[str]

    @classmethod
    def parse(cls, html: str, given_url: str, *, base_url: str = "") -> Page:
        tree = LexborHTMLParser(html)
        meta: dict[str, str] = {}
        for node in tree.css("meta[content]"):
            attrs = node.attrs
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            if key:
                meta.setdefault(key.strip().lower(), (attrs.get("content") or "").strip())
        given = given_url.strip()
        fetched = canonical_url(given) if is_web_url(given) else ""
        base = fetched or (canonical_url(base_url) if is_web_url(base_url) else "")
        notes: list[str] = []
        canonical = ""
        link = tree.css_first('link[rel="canonical"][href]')
        if link is not None:
            href = (link.attrs.get("href") or "").strip()
            absolute = urljoin(base, href) if base else href
            if is_web_url(absolute):
                canonical = canonical_url(absolute)
            elif href and not fetched:
                notes.append(
                    f"relative canonical link {href[:200]!r} and no site given: "
                    "pass --base (or --url) to say where the file came from"
                )
        og_url = meta.get("og:url", "")
        og_url = canonical_url(og_url) if is_web_url(og_url) else ""
        claimed = canonical or og_url
        # A saved file: its canonical link (never its og:url, which some sites point at a
        # development host) stands for the address it was fetched from.
        trusted = fetched or canonical
        url = trusted or canonical_url(given)
        hosts = frozenset({host_of(trusted)} - {""})
        return cls(
            html=html,
            given_url=given,
            tree=tree,
            url=url,
            fetched_url=trusted,
            claimed_url=claimed if claimed != trusted else "",
            hosts=hosts,
            site_name=meta.get("og:site_name", ""),
            meta=meta,
            notes=notes,
        )

    def on_site(self, domain: str) -> bool:
        """True when the host the page came from is ``domain`` or under it."""
        return any(h == domain or h.endswith("." + domain) for h in self.hosts)

    @property
    def host(self) -> str:
        return host_of(self.url)

    @property
    def language(self) -> str:
        html = self.tree.css_first("html")
        lang = (html.attrs.get("lang") or "") if html is not None else ""
        lang = lang or self.meta.get("og:locale", "") or self.meta.get("content-language", "")
        return lang.replace("_", "-").split("-")[0].lower()

    def first_text(self, selector: str, root: LexborNode | None = None) -> str:
        node = (root or self.tree).css_first(selector)
        return squash(node.text()) if node is not None else ""

    def head_title(self) -> str:
        """``og:title`` or ``<title>``, without a trailing " | Site name"."""
        title = self.meta.get("og:title", "") or self.first_text("title")
        return re.split(r"\s+[|–—]\s+", title, maxsplit=1)[0].strip() if title else ""


# --------------------------------------------------------------------------- text


def squash(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) into one space."""
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


# "[12]" or "[iv]" endnote marks, with the space before them.
ENDNOTE_MARK_RE = re.compile(r"\s*\[(?:\d{1,3}|[ivxlc]{1,7})\]")


def strip_marks(text: str) -> str:
    """Whitespace-normalised text without its endnote marks."""
    return squash(ENDNOTE_MARK_RE.sub("", text)) if "[" in text else squash(text)


def join_parts(parts: list[str]) -> str:
    """Paragraphs apart by a blank line; list items ("- …") one per line."""
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            both_items = part.startswith("- ") and parts[i - 1].startswith("- ")
            out.append("\n" if both_items else "\n\n")
        out.append(part)
    return "".join(out)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


class Block(NamedTuple):
    """One paragraph-like piece of text found by :func:`walk_blocks`."""

    tag: str  # "p", "li", "h2", "tr" …; for loose text, the tag of the element holding it
    text: str  # whitespace-normalised
    lead: str  # text of a leading <strong>/<b>, "" when the block does not start in bold
    node: LexborNode  # the element the block came from
    group: str  # key of the enclosing group element (see walk_blocks), "" outside any


INLINE_TAGS = _tags(
    "a abbr b bdi bdo cite code data del dfn em font i ins kbd label mark q s samp small span "
    "strong sub sup time tt u var wbr"
)
# Never text: skipped with everything inside them.
SKIP_TAGS = _tags(
    "script style noscript template iframe img picture svg math video audio canvas object embed "
    "figure button input select option textarea form head link meta source track map area "
    "#comment"
)
BOLD_TAGS = frozenset({"strong", "b"})
# Wrappers through which a bold lead is still a lead: <em><strong>Lead.</strong> …</em>.
LEAD_WRAPPERS = frozenset({"span", "em", "i", "u", "font"})
# Inside these, nested paragraphs keep the outer tag (a <p> inside an <li> is a list item).
STICKY_TAGS = frozenset({"li", "td", "th", "dd", "blockquote", "figcaption"})
CELL_TAGS = frozenset({"td", "th"})


def _bold_lead(node: LexborNode, depth: int = 0) -> str:
    tag = node.tag or ""
    if tag in BOLD_TAGS:
        return node.text()
    if tag in LEAD_WRAPPERS and depth < 2:
        for child in node.iter(include_text=True):
            if child.is_text_node:
                if (child.text_content or "").strip():
                    return ""
                continue
            return _bold_lead(child, depth + 1)
    return ""


def walk_blocks(root: LexborNode, groups: Mapping[int, str] | None = None) -> list[Block]:
    """The text of ``root`` as paragraph-like blocks, in document order.

    Block elements (p, li, h2, …) give one block each; loose text between them gives a block
    tagged with its parent; two ``<br>`` in a row split a block. ``groups`` maps the
    ``mem_id`` of group elements (report sections) to a key carried by every block inside.
    One pass, no re-parsing: this is on the hot path.
    """
    out: list[Block] = []
    _walk(root, out, groups or {}, "", root.tag or "div")
    return out


class _Frame:
    """One element being walked: the text gathered for its current block, and its children."""

    __slots__ = ("after_br", "children", "group", "lead", "node", "pieces", "tag")

    def __init__(self, node: LexborNode, group: str, tag: str) -> None:
        self.node = node
        self.group = group
        self.tag = tag
        self.children = iter(node.iter(include_text=True))
        self.pieces: list[str] = []
        self.lead: str | None = None  # None: no text seen yet in the current block
        self.after_br = False

    def flush(self, out: list[Block]) -> None:
        text = squash("".join(self.pieces))
        if text:
            out.append(Block(self.tag, text, squash(self.lead or ""), self.node, self.group))
        self.pieces.clear()
        self.lead = None


def _walk(
    root: LexborNode, out: list[Block], groups: Mapping[int, str], group: str, tag: str
) -> None:
    # An explicit stack, not recursion: hostile pages nest thousands of elements deep.
    stack = [_Frame(root, group, tag)]
    while stack:
        frame = stack[-1]
        child = next(frame.children, None)
        if child is None:
            frame.flush(out)
            stack.pop()
            continue
        if child.is_text_node:
            piece = child.text_content or ""
            if piece.strip():
                frame.lead = "" if frame.lead is None else frame.lead
                frame.after_br = False
            frame.pieces.append(piece)
            continue
        child_tag = child.tag or ""
        if child_tag in INLINE_TAGS:
            piece = child.text()
            if piece.strip():
                if frame.lead is None:
                    frame.lead = _bold_lead(child)
                frame.after_br = False
            frame.pieces.append(piece)
        elif child_tag == "br":
            if frame.after_br:
                frame.flush(out)
                frame.after_br = False
            else:
                frame.pieces.append("\n")
                frame.after_br = True
        elif child_tag in SKIP_TAGS or child.is_comment_node:
            continue
        elif child_tag == "tr":
            frame.flush(out)
            cells = [squash(c.text()) for c in child.iter() if c.tag in CELL_TAGS]
            text = " | ".join(c for c in cells if c)
            if text:
                out.append(Block("tr", text, "", child, groups.get(child.mem_id, frame.group)))
        else:
            frame.flush(out)
            sticky = frame.tag in STICKY_TAGS and child_tag in ("p", "div")
            child_block = frame.tag if sticky else child_tag
            stack.append(_Frame(child, groups.get(child.mem_id, frame.group), child_block))


def remove_nodes(nodes: Iterable[LexborNode]) -> None:
    """Decompose nodes, children before parents, so no freed node is touched twice."""
    for node in reversed(list(nodes)):
        node.decompose()


HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def is_heading(block: Block, max_len: int = 140) -> bool:
    """A heading element, or a short paragraph set entirely in bold that is not a sentence."""
    if block.tag in HEADING_TAGS:
        return True
    return (
        block.tag in ("p", "div")
        and bool(block.lead)
        and block.lead == block.text
        and len(block.text) <= max_len
        and not block.text.endswith((".", ":", "?", "!"))
    )


def label_of(block: Block) -> tuple[str, str] | None:
    """("Assessed Russian advances", "rest of the paragraph") for a bold "Label:" paragraph."""
    lead = block.lead
    if not lead or len(lead) > 80 or block.tag not in ("p", "div", "li"):
        return None
    rest = block.text[len(lead) :] if block.text.startswith(lead) else ""
    if lead.endswith(":"):
        return lead[:-1].strip(), rest.strip()
    if rest.startswith(":"):
        return lead.strip(), rest[1:].strip()
    return None


def split_lead(block: Block) -> tuple[str, str]:
    """(bold lead, the rest) of a block."""
    if block.lead and block.text.startswith(block.lead):
        return block.lead, block.text[len(block.lead) :].strip()
    return "", block.text


# --------------------------------------------------------------------------- times and people

ET_ZONE = "America/New_York"
ZONES = {"ET": ET_ZONE, "EST": ET_ZONE, "EDT": ET_ZONE, "KST": "Asia/Seoul"}
_CLOCK = r"(\d{1,2}):(\d{2})\s*([ap])\.?\s*m\.?\s*(E[SD]?T|KST)\b"
# "Assessment as of: 7:45 PM ET", "Information Cutoff: 2:00 pm ET", "Data Cutoff: 12:00 PM ET".
ASSESSMENT_TIME_RE = re.compile(r"assessment as of:?\s*" + _CLOCK, re.IGNORECASE)
CUTOFF_TIME_RE = re.compile(r"(?:information|data) cut-?off:?\s*" + _CLOCK, re.IGNORECASE)
# The old site's "June 2, 2025, 7:15pm ET" line.
DATED_TIME_LINE_RE = re.compile(
    r"^[A-Z][a-z]+\.? \d{1,2}, \d{4},?\s*(?:at\s+)?" + _CLOCK + r"\.?$", re.IGNORECASE
)


def clock_time(match: re.Match[str]) -> tuple[str, str]:
    """("19:45", "America/New_York") from a match of one of the time regexes above."""
    hour, minute, half, zone = match.group(1, 2, 3, 4)
    hours = int(hour) % 12 + (12 if half.lower() == "p" else 0)
    return f"{hours:02d}:{int(minute):02d}", ZONES[zone.upper()]


def parse_iso_datetime(value: str, zone: str) -> tuple[dt.date | None, str | None]:
    """Date and "HH:MM" in ``zone`` of an ISO 8601 value; no time when none was given."""
    value = value.strip()
    if not value:
        return None, None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:10]), None
        except ValueError:
            return None, None
    if "T" not in value and " " not in value:
        return moment.date(), None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.date(), moment.strftime("%H:%M")


_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,\s*(?:and|&)\s+|,|;|\s+(?:and|&|with)\s+)\s*")
_NAME_PARTICLES = frozenset({"de", "del", "der", "van", "von", "al", "bin", "ibn", "la", "le"})


def split_authors(line: str) -> list[str]:
    """["Jane Doe", "John Roe"] from "By Jane Doe, and John Roe with …"."""
    line = re.sub(r"^(?:by|authors?:?)\s+", "", squash(line), flags=re.IGNORECASE)
    return [name for name in (squash(p) for p in _AUTHOR_SPLIT_RE.split(line)) if name]


def looks_like_author_line(text: str) -> bool:
    """A short list of personal names, not a sentence."""
    if len(text) > 400 or any(ch.isdigit() for ch in text) or text.endswith((".", ":")):
        return False
    names = split_authors(text)
    if not names or len(names) > 25:
        return False
    for name in names:
        words = name.replace("-", " ").split()
        if not 2 <= len(words) <= 5:
            return False
        if not all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words):
            return False
    return True


# --------------------------------------------------------------------------- endnote URLs

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOT = r"(?:\.|\s+dot\s+|\s*\[\.\]\s*|\s*\(\.\)\s*)"
# A host name, written plainly or as "kremlin dot ru", then its path.
_HOST_URL_RE = re.compile(
    rf"(?<![\w@./:-])(?P<scheme>https?://)?(?P<host>{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}"
    rf"(?:[a-z]{{2,24}}|xn--[a-z0-9-]+))(?P<rest>[/?#][^\s;,]*)?",
    re.IGNORECASE,
)
_PLAIN_DOT_RE = re.compile(_DOT, re.IGNORECASE)


def _full_url(match: re.Match[str]) -> str:
    scheme, host, rest = match.group("scheme"), match.group("host"), match.group("rest") or ""
    obfuscated = "." not in host or any(s in host for s in (" ", "[", "("))
    if not (obfuscated or rest.startswith("/") or host.lower().startswith("www.") or scheme):
        return match.group(0)  # "U.S.", "e.g." and other words with dots stay as they are
    trail = ""
    while rest and rest[-1] in ".,;:)]'\"":
        trail = rest[-1] + trail
        rest = rest[:-1]
    return f"{scheme or 'https://'}{_PLAIN_DOT_RE.sub('.', host).lower()}{rest}{trail}"


def deobfuscate_urls(text: str) -> str:
    """Endnote text with "kremlin dot ru/events/…" turned into "https://kremlin.ru/events/…"."""
    return _HOST_URL_RE.sub(_full_url, text)


# --------------------------------------------------------------------------- HTML

ALLOWED_TAGS = _tags(
    "p h2 h3 h4 ol ul li strong em a img figure figcaption blockquote table caption thead "
    "tbody tfoot tr th td br sup sub"
)
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Removed with their content, not just unwrapped.
DROPPED_CONTENT_TAGS = _tags(
    "script style noscript template iframe object embed svg math form button select textarea "
    "title head"
)
_EMPTY_PARAGRAPH_RE = re.compile(r"<(p|li|h[234]|figcaption|strong|em)>\s*</\1>")
# What nh3 leaves of an in-page anchor once its href is gone.
_BARE_LINK_RE = re.compile(r'<a rel="[^"]*">(.*?)</a>', re.DOTALL)
_SPACE_BETWEEN_TAGS_RE = re.compile(r">\s+<")


def _relative_url_resolver(base_url: str) -> Callable[[str], str | None]:
    def resolve(url: str) -> str | None:
        if url.startswith("#"):
            return None  # in-page anchors (endnote marks) point nowhere once copied
        return urljoin(base_url, url) if is_web_url(base_url) else url

    return resolve


def clean_html(fragment: str, base_url: str) -> str:
    """Display HTML: structural tags only, absolute links, no script, style or event handler."""
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_CONTENT_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        url_relative=_relative_url_resolver(base_url),
        strip_comments=True,
    )
    cleaned = _BARE_LINK_RE.sub(r"\1", cleaned)
    cleaned = _EMPTY_PARAGRAPH_RE.sub("", cleaned)
    return _SPACE_BETWEEN_TAGS_RE.sub(">\n<", cleaned).strip()


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one block per paragraph (for the generic extractor)."""
    tree = LexborHTMLParser(fragment)
    root = tree.body
    if root is None:
        return ""
    return "\n\n".join(
        f"- {b.text}" if b.tag == "li" else b.text for b in walk_blocks(root) if b.text
    )
