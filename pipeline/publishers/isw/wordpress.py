"""ISW's current WordPress site (late 2025 on): ``understandingwar.org/research/…``.

The real pages (see ``design/SOURCES.md``, "Seen on real pages") are GenerateBlocks templates:
the title in ``h1.h1-interior-page`` above the article, the report date as text in an
``h6.gb-text``, the body in ``#printable-area > .dynamic-entry-content`` with one
``div[data-id]`` per report block, the authors and the data cutoff in the right sidebar, and
the neighbouring reports in ``#nav-posts``. ``article:published_time`` is UTC: a report posted
late in the evening (ET) carries the next day's date there, so the report date never comes from
it. Older fixtures use an invented ``h1.entry-title`` / ``.entry-content`` shape; it is still
read, after the real one.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extract.common import (
    CUTOFF_TIME_RE,
    ET_ZONE,
    Page,
    canonical_url,
    clock_time,
    deobfuscate_urls,
    host_of,
    parse_iso_datetime,
    remove_nodes,
    split_authors,
    squash,
    walk_blocks,
)
from pipeline.publishers.base import host_in
from pipeline.publishers.isw.report import (
    BODY_JUNK,
    ENDNOTES_KEY,
    ISW_HOSTS,
    ReportDraft,
    body_images,
    finish_html,
    image_src,
    isw_article,
)
from pipeline.series import date_from_text
from pipeline.types import Article, MapImage

# The report body of the current template; its title, above and inside the article.
CURRENT_BODY = "#printable-area > div.dynamic-entry-content"
CURRENT_TITLES = ("h1.h1-interior-page", "article h1.gb-headline")
# Inside the body but never the report: the "Powered by Babel Street" figure between the last
# section and the endnotes (matched by its alt text / file name wherever it sits) and the empty
# map-id markers.
BABEL_STREET_RE = re.compile(r"babel[\s_-]*street", re.IGNORECASE)
AUTHOR_NAMES = ".researchers_sidebar .researcher-card .researcher-info h3"
NEIGHBOUR_LINKS = ".nav-posts a[rel=prev][href], .nav-posts a[rel=next][href]"
ENDNOTE_NUMBER_RE = re.compile(r"^\[(\d{1,3})\]\s*")


def group_keys(
    tree: LexborHTMLParser, content: LexborNode
) -> tuple[dict[int, str], dict[str, str]]:
    """The report blocks of a WordPress body: {mem_id: key} and {key: title}.

    A block is a ``div``/``section`` with a ``data-id`` naming it (WordPress also puts numeric
    ``data-id`` on gallery images; those are not blocks) or one of the known anchors. The key is
    the ``data-id`` without its whitespace (real pages have ``"…-response "``), whatever its
    spelling (``martitime-developments``). A block with no heading gets an ``<h2>`` from its
    ``title`` attribute, so its HTML has one too.
    """
    groups: dict[int, str] = {}
    titles: dict[str, str] = {}
    selector = "div[data-id], section[data-id], #toplines, #key-takeaways, #endnotes"
    for node in content.css(selector):
        key = (node.attrs.get("data-id") or node.attrs.get("id") or "").strip().lower()
        if not key or key.isdigit():
            continue
        groups[node.mem_id] = key
        title = squash(node.attrs.get("title") or "")
        if title:
            titles[key] = title
            if node.css_first("h2") is None:
                heading = tree.create_node("h2")
                heading.insert_child(title)
                first = node.child
                if first is not None:
                    first.insert_before(heading, move=True)
                else:
                    node.insert_child(heading, move=True)
    return groups, titles


def _map_link(block: LexborNode, base_url: str) -> str:
    """The map's own page (``/map/<slug>/``): the ``a.map-link``, else any link to a map page.

    A browser-saved page has two links in one block, an empty ``a.map-link`` and a plain ``a``
    around the image; both point at the map page. A link to the image file is not a map page.
    """
    anchors = [*block.css("a.map-link[href]"), *block.css("a[href]")]
    for anchor in anchors:
        href = (anchor.attrs.get("href") or "").strip()
        if href and (anchor.css_matches("a.map-link") or "/map/" in href):
            return canonical_url(urljoin(base_url, href))
    return ""


def _map_title_node(block: LexborNode) -> LexborNode | None:
    inner = block.css_first("[data-map-title]")
    if inner is not None:
        return inner
    sibling = block.next
    while sibling is not None and not sibling.is_element_node:
        sibling = sibling.next
    if sibling is not None and sibling.css_matches(".conflict-map-title, [data-map-title]"):
        return sibling
    return None


def conflict_maps(tree: LexborHTMLParser, content: LexborNode, base_url: str) -> list[MapImage]:
    """Maps of ``div.conflict-map-block`` elements, each turned into a figure with a caption.

    The map's name is the ``data-map-title`` of the sibling ``div.conflict-map-title``; the
    figure links to the map's page when the block has one.
    """
    maps: list[MapImage] = []
    for block in content.css("div.conflict-map-block"):
        img = block.css_first("img")
        title_node = _map_title_node(block)
        title = ""
        if title_node is not None:
            title = squash(title_node.attrs.get("data-map-title") or title_node.text())
            title_node.decompose()
        if img is None or not image_src(img):
            block.decompose()
            continue
        url = canonical_url(urljoin(base_url, image_src(img)))
        link = _map_link(block, base_url)
        title = title or squash(img.attrs.get("alt") or "")
        if title == "Map Thumbnail":
            title = ""  # the real pages' alt text names no map
        maps.append(MapImage(url=url, title=title, link=link))
        figure = tree.create_node("figure")
        img.attrs["src"] = url
        img.attrs["alt"] = title
        if link:
            anchor = tree.create_node("a")
            anchor.attrs["href"] = link
            anchor.insert_child(img, move=True)
            figure.insert_child(anchor, move=True)
        else:
            figure.insert_child(img, move=True)
        if title:
            caption = tree.create_node("figcaption")
            caption.insert_child(title)
            figure.insert_child(caption, move=True)
        block.insert_before(figure, move=True)
        block.decompose()
    return maps


def wordpress_authors(page: Page) -> list[str]:
    """Authors of the older shape's byline (``.entry-authors``)."""
    for selector in (".entry-authors a", ".entry-authors", ".byline .author", "a[rel=author]"):
        nodes = page.tree.css(selector)
        names = [squash(n.text()) for n in nodes]
        if selector.endswith(" a") or selector.startswith("a"):
            if any(names):
                return [n for n in names if n]
        elif names and names[0]:
            return split_authors(names[0])
    return []


def sidebar_authors(tree: LexborHTMLParser) -> list[str]:
    """The researchers' names in the right sidebar, in order; a card may name several
    ("A, B, and C"). ``meta[name=author]`` names the WordPress uploader, never an author."""
    names: list[str] = []
    for node in tree.css(AUTHOR_NAMES):
        for name in split_authors(node.text()):
            if name not in names:
                names.append(name)
    return names


def data_cutoff(tree: LexborHTMLParser) -> tuple[str, str] | None:
    """("14:00", "America/New_York") from the sidebar's "Data Cutoff: 2:00 PM ET"."""
    for node in tree.css(".analysts-note p, .analysts-note"):
        match = CUTOFF_TIME_RE.search(squash(node.text()))
        if match is not None:
            return clock_time(match)
    return None


def header_date_text(tree: LexborHTMLParser) -> str:
    """The report date as the page header writes it ("April 22, 2026"), "" when absent."""
    for node in tree.css("h6.gb-text"):
        text = squash(node.text())
        if date_from_text(text) is not None:
            return text
    return ""


def neighbour_links(page: Page) -> list[str]:
    """Absolute URLs of the previous / next reports (``#nav-posts``), on ISW's hosts only."""
    links: list[str] = []
    for anchor in page.tree.css(NEIGHBOUR_LINKS):
        url = canonical_url(urljoin(page.url, (anchor.attrs.get("href") or "").strip()))
        host = host_of(url)
        if host and host_in(host, ISW_HOSTS) and url != page.url and url not in links:
            links.append(url)
    return links


def read_endnotes(node: LexborNode | None) -> list[str]:
    """Endnotes numbered by their own "[n]"; a paragraph without a number continues the note
    before it. An accordion with no paragraphs (a page saved early) has no endnotes."""
    if node is None:
        return []
    paragraphs = node.css(".endnote-accordion-content p") or node.css("p")
    notes: list[str] = []
    for paragraph in paragraphs:
        text = squash(paragraph.text())
        if not text:
            continue
        match = ENDNOTE_NUMBER_RE.match(text)
        body = deobfuscate_urls(text[match.end() :] if match else text)
        if match is None and notes:
            notes[-1] = f"{notes[-1]} {body}".strip()
            continue
        number = int(match.group(1)) if match else len(notes) + 1
        while len(notes) < number - 1:
            notes.append("")  # a number the page skipped: keep the others at their places
        if number <= len(notes):
            notes[number - 1] = f"{notes[number - 1]} {body}".strip()
        else:
            notes.append(body)
    return notes


def endnotes_html(notes: list[str]) -> str:
    """The endnotes as display HTML, as read (continuations joined, URLs in full)."""
    if not notes:
        return ""
    items = (f"<p>[{n}] {escape(note, quote=False)}</p>" for n, note in enumerate(notes, 1) if note)
    return "\n".join(("<h2>Endnotes</h2>", *items))


def _endnotes_block(content: LexborNode) -> LexborNode | None:
    for node in content.css("div[data-id], #endnotes"):
        key = (node.attrs.get("data-id") or node.attrs.get("id") or "").strip().lower()
        if key == ENDNOTES_KEY:
            return node
    return None


def _body_chrome(content: LexborNode) -> list[LexborNode]:
    """Nodes inside the body that are page furniture: the Babel Street figure, map-id markers."""
    chrome = list(content.css("div.conflict-map-id"))
    for figure in content.css("figure"):
        img = figure.css_first("img")
        label = (
            " ".join((img.attrs.get(a) or "") for a in ("alt", "src", "title"))
            if img is not None
            else ""
        )
        if BABEL_STREET_RE.search(label) or BABEL_STREET_RE.search(figure.text()):
            chrome.append(figure)
    return chrome


class IswWordPress:
    """Reports on the WordPress site: the real template (``h1.h1-interior-page``,
    ``#printable-area > .dynamic-entry-content``), else the older ``h1.entry-title`` /
    ``.entry-content`` shape."""

    name = "isw"
    publisher = "isw"
    hosts = ISW_HOSTS
    rank = 100

    def extract(self, page: Page) -> Article | None:
        return self.extract_current(page) or self.extract_entry_content(page)

    def extract_current(self, page: Page) -> Article | None:
        tree = page.tree
        content = tree.css_first(CURRENT_BODY)
        if content is None:
            return None
        title = next((t for s in CURRENT_TITLES if (t := page.first_text(s))), "")
        title = title or page.head_title()
        if not title:
            return None
        remove_nodes(content.css(BODY_JUNK))
        remove_nodes(_body_chrome(content))
        notes_node = _endnotes_block(content)
        endnotes = read_endnotes(notes_node)
        if notes_node is not None:
            # Read once here; the walk and the display HTML go without the accordion.
            notes_node.decompose()
        maps = conflict_maps(tree, content, page.url)
        groups, titles = group_keys(tree, content)
        draft = ReportDraft()
        draft.read_grouped(walk_blocks(content, groups), titles)
        if not draft.found_report:
            return None

        article = isw_article(page, title, "isw")
        header_day = date_from_text(header_date_text(tree))
        article.published = header_day or article.published
        article.authors = sidebar_authors(tree)
        day, clock = parse_iso_datetime(page.meta.get("article:published_time", ""), ET_ZONE)
        if clock:
            article.published_time, article.time_zone = clock, ET_ZONE
        # Last resort for the date: the posting time in ET (its UTC date may be the next day).
        article.published = article.published or day
        cutoff = data_cutoff(tree)
        if cutoff is not None:
            article.data_cutoff, zone = cutoff
            article.time_zone = article.time_zone or zone
        draft.fill(article)
        article.endnotes = endnotes
        article.maps = maps
        article.hints = neighbour_links(page)
        article.html = "\n".join(
            part
            for part in (finish_html(draft, content, page.url), endnotes_html(endnotes))
            if part
        )
        if not article.key_takeaways:
            article.warnings.append("isw: no Key Takeaways block found")
        if any(not note for note in endnotes):
            missing = [str(n) for n, note in enumerate(endnotes, 1) if not note]
            article.warnings.append(f"isw: endnotes without text: [{'], ['.join(missing)}]")
        return article

    def extract_entry_content(self, page: Page) -> Article | None:
        """The older shape of the existing fixtures: ``h1.entry-title``, ``.entry-content``."""
        tree = page.tree
        title_node = tree.css_first("h1.entry-title")
        content = tree.css_first(".entry-content")
        if title_node is None or content is None:
            return None
        remove_nodes(content.css(BODY_JUNK))
        maps = conflict_maps(tree, content, page.url)
        groups, titles = group_keys(tree, content)
        blocks = walk_blocks(content, groups)
        draft = ReportDraft()
        if groups:
            draft.read_grouped(blocks, titles)
        else:
            # A report from the old site, moved here with its body as it was.
            draft.read_flat(blocks)
            maps = maps or body_images(content, page.url)
        if not draft.found_report:
            return None

        article = isw_article(page, squash(title_node.text()), "isw")
        article.authors = wordpress_authors(page)
        time_node = tree.css_first("time[datetime]")
        if time_node is not None:
            day, clock = parse_iso_datetime(time_node.attrs.get("datetime") or "", ET_ZONE)
            article.published = article.published or day
            if clock and not draft.published_time:
                article.published_time, article.time_zone = clock, ET_ZONE
        draft.fill(article)
        article.maps = maps
        article.html = finish_html(draft, content, page.url)
        if groups and not article.key_takeaways:
            article.warnings.append("isw: no Key Takeaways block found")
        return article
