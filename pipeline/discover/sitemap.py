"""XML sitemaps (lxml, no entities, no network): urlset -> items, sitemapindex -> child URLs."""

from __future__ import annotations

import re
import zlib

# lxml ships no type information; it is used here only through the few calls below.
from lxml import etree

from pipeline.discover.items import absolute_url, date_from_timestamp, make_item
from pipeline.types import DiscoveredItem

# The sitemap protocol caps a sitemap at 50 MB uncompressed; more is a decompression bomb.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ROOT_START_RE = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)


class SitemapError(ValueError):
    """The document is not a sitemap (or not XML at all)."""


def _safe_parser(encoding: str | None = None) -> etree.XMLParser:
    # resolve_entities=False leaves entity references unexpanded (no billion laughs),
    # no_network/load_dtd=False never fetch a DTD, huge_tree=False keeps libxml2's limits.
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_SITEMAP_BYTES + 1)
    except zlib.error as error:
        raise SitemapError(f"bad gzip data: {error}") from error
    if len(out) > MAX_SITEMAP_BYTES:
        raise SitemapError("sitemap larger than 50 MB uncompressed")
    return out


def _refuse_entity_declarations(data: bytes) -> None:
    """Sitemaps never need entities; a document declaring some is refused before parsing.

    The parser would not expand them anyway, but refusing is the same answer on every libxml2.
    """
    root = _ROOT_START_RE.search(data)
    prolog = data[: root.start()] if root else data
    if _ENTITY_DECLARATION_RE.search(prolog):
        raise SitemapError("refused: the document declares XML entities")


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str:
    for child in element:
        if _local_name(child) == name:
            return "".join(child.itertext()).strip()
    return ""


def parse_sitemap(
    content: bytes | str, base_url: str, source: str
) -> tuple[list[DiscoveredItem], list[str]]:
    """Items of a ``<urlset>`` (date from the slug, else ``<lastmod>``) and child sitemap URLs
    of a ``<sitemapindex>``; one of the two lists is empty. Gzipped sitemaps are accepted.

    Raises :class:`SitemapError` for anything that is not a sitemap.
    """
    if isinstance(content, str):
        data, encoding = content.encode("utf-8"), "utf-8"
    else:
        data, encoding = content, None
        if data.startswith(_GZIP_MAGIC):
            data = _gunzip(data)
    _refuse_entity_declarations(data)
    try:
        root = etree.fromstring(data, _safe_parser(encoding))
    except etree.XMLSyntaxError as error:
        raise SitemapError(f"not XML: {error}") from error
    if root is None:
        raise SitemapError("empty document")
    kind = _local_name(root)
    if kind == "sitemapindex":
        children: list[str] = []
        for entry in root:
            if _local_name(entry) == "sitemap":
                url = absolute_url(_child_text(entry, "loc"), base_url)
                if url and url not in children:
                    children.append(url)
        return [], children
    if kind != "urlset":
        raise SitemapError(f"not a sitemap: root element <{kind}>")
    items: list[DiscoveredItem] = []
    seen: set[str] = set()
    for entry in root:
        if _local_name(entry) != "url":
            continue
        url = absolute_url(_child_text(entry, "loc"), base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        lastmod = date_from_timestamp(_child_text(entry, "lastmod"))
        items.append(make_item(url, source=source, method="sitemap", fallback_date=lastmod))
    return items, []
