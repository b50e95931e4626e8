"""ISW's current WordPress site (late 2025 on): ``understandingwar.org/research/…``."""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extract.common import (
    ET_ZONE,
    Page,
    canonical_url,
    parse_iso_datetime,
    remove_nodes,
    split_authors,
    squash,
    walk_blocks,
)
from pipeline.publishers.isw.report import (
    BODY_JUNK,
    ISW_HOSTS,
    ReportDraft,
    body_images,
    finish_html,
    image_src,
    isw_article,
)
from pipeline.types import Article, MapImage


def group_keys(
    tree: LexborHTMLParser, content: LexborNode
) -> tuple[dict[int, str], dict[str, str]]:
    """The report blocks of a WordPress body: {mem_id: key} and {key: title}.

    A block is a ``div``/``section`` with a ``data-id`` naming it (WordPress also puts numeric
    ``data-id`` on gallery images; those are not blocks) or one of the known anchors. A block
    with no heading gets an ``<h2>`` from its ``title`` attribute, so its HTML has one too.
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


def conflict_maps(tree: LexborHTMLParser, content: LexborNode, base_url: str) -> list[MapImage]:
    """Maps of ``div.conflict-map-block`` elements, each turned into a figure with a caption."""
    maps: list[MapImage] = []
    for block in content.css("div.conflict-map-block"):
        img = block.css_first("img")
        title_node = block.css_first("[data-map-title]")
        if title_node is None:
            sibling = block.next
            while sibling is not None and not sibling.is_element_node:
                sibling = sibling.next
            if sibling is not None and sibling.css_matches(".conflict-map-title, [data-map-title]"):
                title_node = sibling
        title = ""
        if title_node is not None:
            title = squash(title_node.attrs.get("data-map-title") or title_node.text())
            title_node.decompose()
        if img is None or not image_src(img):
            block.decompose()
            continue
        url = canonical_url(urljoin(base_url, image_src(img)))
        title = title or squash(img.attrs.get("alt") or "")
        maps.append(MapImage(url=url, title=title))
        figure = tree.create_node("figure")
        img.attrs["src"] = url
        img.attrs["alt"] = title
        figure.insert_child(img, move=True)
        if title:
            caption = tree.create_node("figcaption")
            caption.insert_child(title)
            figure.insert_child(caption, move=True)
        block.insert_before(figure, move=True)
        block.decompose()
    return maps


def wordpress_authors(page: Page) -> list[str]:
    for selector in (".entry-authors a", ".entry-authors", ".byline .author", "a[rel=author]"):
        nodes = page.tree.css(selector)
        names = [squash(n.text()) for n in nodes]
        if selector.endswith(" a") or selector.startswith("a"):
            if any(names):
                return [n for n in names if n]
        elif names and names[0]:
            return split_authors(names[0])
    return []


class IswWordPress:
    """Reports on the WordPress site: ``h1.entry-title``, ``time[datetime]``, ``.entry-content``."""

    name = "isw"
    publisher = "isw"
    hosts = ISW_HOSTS
    rank = 100

    def extract(self, page: Page) -> Article | None:
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
