"""Listing pages (selectolax): report links picked by a CSS selector -> discovered items."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.discover.items import (
    absolute_url,
    clean_title,
    date_from_loose_text,
    make_item,
    same_site_key,
)
from pipeline.types import DiscoveredItem

# How far up from a link to look for the card's date before giving up.
_CARD_DEPTH = 4
_DATE_SELECTOR = "time, [class*=date]"
_NEXT_PAGE_SELECTORS = (
    'link[rel="next"]',
    'a[rel="next"]',
    "a.next",
    ".pagination .next a",
    ".nav-links a.next",
)


def _node_date(node: LexborNode) -> dt.date | None:
    for value in (node.attributes.get("datetime"), node.attributes.get("content"), node.text()):
        if value:
            found = date_from_loose_text(value)
            if found:
                return found
    return None


def _card_date(link: LexborNode, link_ids: set[int]) -> dt.date | None:
    """The date printed in the card around ``link``, without wandering into a neighbour card."""
    node = link.parent
    for _ in range(_CARD_DEPTH):
        if node is None or node.tag in ("body", "html"):
            return None
        if any(a.mem_id in link_ids and a.mem_id != link.mem_id for a in node.css("a")):
            return None
        for candidate in node.css(_DATE_SELECTOR):
            found = _node_date(candidate)
            if found:
                return found
        node = node.parent
    return None


def parse_listing(
    html: str,
    base_url: str,
    source: str,
    link_selector: str = ".research-card-title a",
    link_pattern: str | None = None,
) -> list[DiscoveredItem]:
    """Report links of a listing page, in page order, each URL once.

    ``link_selector`` picks the links (``.research-card-title a`` on ISW's ``/research/``,
    ``.post .title > a`` on mnd.go.kr); ``link_pattern`` is a regex the absolute URL must match.
    The date comes from the slug or title, else from a ``time`` or ``*date*`` element in the card.
    """
    tree = LexborHTMLParser(html)
    links = tree.css(link_selector)
    link_ids = {link.mem_id for link in links}
    pattern = re.compile(link_pattern) if link_pattern else None
    items: list[DiscoveredItem] = []
    seen: set[str] = set()
    for link in links:
        url = absolute_url(link.attributes.get("href") or "", base_url)
        if url is None or url in seen or (pattern and not pattern.search(url)):
            continue
        seen.add(url)
        title = clean_title(link.text(separator=" ") or link.attributes.get("title") or "")
        item = make_item(url, source=source, method="listing", title=title)
        if item.published is None:
            item = replace(item, published=_card_date(link, link_ids))
        items.append(item)
    return items


def next_page_url(html: str, base_url: str) -> str | None:
    """The listing's "next page" link on the listing's own site, if it has one.

    Pagination never leads off the site: a link elsewhere (or to a mirror of the site served
    from another origin) is ignored in favour of the next candidate.
    """
    tree = LexborHTMLParser(html)
    site = same_site_key(base_url)
    for selector in _NEXT_PAGE_SELECTORS:
        for node in tree.css(selector):
            url = absolute_url(node.attributes.get("href") or "", base_url)
            if url and same_site_key(url) == site:
                return url
    return None
