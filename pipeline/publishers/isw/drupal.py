"""ISW's old Drupal site (2022–2025): ``understandingwar.org/backgrounder/…``."""

from __future__ import annotations

from pipeline.extract.common import (
    ET_ZONE,
    Page,
    parse_iso_datetime,
    remove_nodes,
    squash,
    walk_blocks,
)
from pipeline.publishers.isw.report import (
    BODY_JUNK,
    ISW_HOSTS,
    ReportDraft,
    body_images,
    finish_html,
    isw_article,
)
from pipeline.types import Article


class IswDrupal:
    """Reports on the old Drupal site: ``h1#page-title`` and ``.field-name-body``."""

    name = "isw-drupal"
    publisher = "isw"
    hosts = ISW_HOSTS
    rank = 90

    def extract(self, page: Page) -> Article | None:
        tree = page.tree
        title_node = tree.css_first("h1#page-title")
        body = tree.css_first(".field-name-body .field-item") or tree.css_first(".field-name-body")
        if title_node is None or body is None:
            return None
        remove_nodes(body.css(BODY_JUNK))
        draft = ReportDraft()
        draft.read_flat(walk_blocks(body))
        if not draft.found_report:
            return None

        article = isw_article(page, squash(title_node.text()), "isw-drupal")
        created = tree.css_first('[property="dc:date dc:created"]')
        if created is not None:
            day, _ = parse_iso_datetime(created.attrs.get("content") or "", ET_ZONE)
            article.published = article.published or day
        draft.fill(article)
        article.maps = body_images(body, page.url)
        article.html = finish_html(draft, body, page.url)
        return article
