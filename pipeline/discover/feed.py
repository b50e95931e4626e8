"""RSS and Atom feeds (feedparser) -> discovered items."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser

from pipeline.discover.items import absolute_url, clean_title, date_from_timestamp, make_item
from pipeline.types import DiscoveredItem

# Entry start and end tags, with or without a namespace prefix ("<atom:entry>").
_ENTRY_START_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_ENTRY_END_RE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_CHARSET_RE = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
# Where a description's markup breaks a line: paragraphs, line breaks, list items, cells.
_BREAK_RE = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)
SUMMARY_MAX_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class FeedParse:
    """What a feed held: its usable items, how many entries it had, and what was wrong with it."""

    items: list[DiscoveredItem]
    entries: int
    problem: str = ""  # feedparser's "bozo" exception, "" for a well-formed feed


def trim_entries(data: bytes, limit: int) -> bytes:
    """The feed with only its first ``limit`` entries, cut before feedparser sees it.

    feedparser needs about a millisecond per entry and keeps them all in memory, so a
    100,000-entry feed would take minutes. Feeds list their newest entries first, so the cut
    keeps the head and the document's tail (``</channel></rss>`` or ``</feed>``) and drops the
    run of entries in between; the result stays well-formed.
    """
    cut = None
    for index, match in enumerate(_ENTRY_START_RE.finditer(data)):
        if index == limit:
            cut = match.start()
            break
    if cut is None:
        return data
    last_end = None
    for match in _ENTRY_END_RE.finditer(data, cut):
        last_end = match.end()
    return data[:cut] + (data[last_end:] if last_end is not None else b"")


def _entry_date(entry: Any) -> dt.date | None:
    # dict.get: FeedParserDict maps a missing "updated" to "published" with a warning.
    for key in ("published", "updated", "created"):
        raw = dict.get(entry, key)
        if isinstance(raw, str):
            found = date_from_timestamp(raw)
            if found:
                return found
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)
        if parsed:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def plain_summary(entry: Any) -> str:
    """The entry's description (or Atom summary) as plain text, one paragraph a line."""
    raw = entry.get("summary") or entry.get("description") or ""
    if not isinstance(raw, str) or not raw.strip():
        return ""
    raw = raw[: SUMMARY_MAX_CHARS * 4]
    if "<" in raw or "&" in raw:
        tree = LexborHTMLParser(_BREAK_RE.sub("\n", raw))
        for node in tree.css("script, style"):
            node.decompose()
        raw = tree.body.text(separator="") if tree.body is not None else ""
    lines = (" ".join(line.split()) for line in raw.splitlines())
    return "\n".join(line for line in lines if line)[:SUMMARY_MAX_CHARS]


def _charset(content_type: str) -> str | None:
    match = _CHARSET_RE.search(content_type)
    return match.group(1) if match else None


def read_feed(
    content: bytes | str,
    base_url: str,
    source: str,
    *,
    limit: int | None = None,
    content_type: str = "",
) -> FeedParse:
    """Parse an RSS or Atom document; relative links resolve against ``base_url``.

    Entries without a usable http(s) link are skipped. Dates are kept as given, even in the
    future. ``limit`` caps the entries read (see :func:`trim_entries`); ``content_type`` is the
    HTTP header, whose charset (if any) overrides the XML declaration.
    """
    charset: str | None
    if isinstance(content, str):
        # The text is already decoded: a stale encoding declaration must not re-decode it.
        data, charset = content.encode("utf-8"), "utf-8"
    else:
        data, charset = content, _charset(content_type)
    # Always an XML media type: servers label feeds text/html or nothing at all, and feedparser
    # would report that as a problem although the document is fine.
    headers = {
        "content-location": base_url,
        "content-type": f"application/xml; charset={charset}" if charset else "application/xml",
    }
    if limit is not None:
        data = trim_entries(data, max(limit, 0))
    # A BytesIO, never bytes or str: feedparser opens those as a file name or URL when it can.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    problem = ""
    if parsed.get("bozo"):
        exception = parsed.get("bozo_exception")
        problem = f"{type(exception).__name__}: {exception}" if exception else "malformed"
    items: list[DiscoveredItem] = []
    entries = parsed.get("entries", [])
    for entry in entries:
        url = absolute_url(entry.get("link") or "", base_url)
        if url is None:
            continue
        item = make_item(
            url,
            source=source,
            method="feed",
            title=clean_title(entry.get("title") or ""),
            guid=(entry.get("id") or "").strip() or url,
            fallback_date=_entry_date(entry),
        )
        items.append(dataclasses.replace(item, summary=plain_summary(entry)))
    return FeedParse(items=items, entries=len(entries), problem=problem)


def parse_feed(
    content: bytes | str,
    base_url: str,
    source: str,
    *,
    limit: int | None = None,
    content_type: str = "",
) -> list[DiscoveredItem]:
    """The items of an RSS or Atom feed (see :func:`read_feed`)."""
    return read_feed(content, base_url, source, limit=limit, content_type=content_type).items
