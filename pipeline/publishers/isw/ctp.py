"""Adapter for criticalthreats.org: CTP's copy of the Iran Update, which ISW also publishes.

The page is an Angular app; its raw HTML still holds ``{{…}}`` template placeholders beside the
text the server rendered. We read the real text with the flat report reader of
:mod:`pipeline.publishers.isw.report` and never let a placeholder through.
"""

from __future__ import annotations

import re

from pipeline.extract.common import Block, Page, clean_html, remove_nodes, squash, walk_blocks
from pipeline.publishers.isw.report import BODY_JUNK, ReportDraft, body_images
from pipeline.series import identify
from pipeline.types import Article

CTP_HOSTS = frozenset({"criticalthreats.org"})
PLACEHOLDER_RE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
BODY_SELECTORS = (".analysis-body", ".article-body", ".entry-content", "article", "main")


def without_placeholders(text: str) -> str:
    return squash(PLACEHOLDER_RE.sub(" ", text)) if "{{" in text else text


class CriticalThreats:
    """CTP's copy: the same report as ISW's page (one identity), ranked below it."""

    name = "ctp"
    publisher = "ctp"
    hosts = CTP_HOSTS
    rank = 50

    def extract(self, page: Page) -> Article | None:
        tree = page.tree
        body = next((n for s in BODY_SELECTORS if (n := tree.css_first(s)) is not None), None)
        if body is None:
            return None
        remove_nodes(body.css(BODY_JUNK))
        # Template-only links and images ("{{map.url}}") would become broken addresses.
        remove_nodes(body.css('img[src*="{{"], img[ng-src]:not([src])'))
        for link in body.css('a[href*="{{"]'):
            del link.attrs["href"]
        blocks = [
            Block(b.tag, text, without_placeholders(b.lead), b.node, b.group)
            for b in walk_blocks(body)
            if (text := without_placeholders(b.text))
        ]
        draft = ReportDraft()
        draft.read_flat(blocks)
        if not draft.found_report:
            return None

        title = without_placeholders(page.first_text("h1", body) or page.first_text("h1"))
        title = title or page.head_title()
        found = identify(page.url, title)
        article = Article(
            url=page.url,
            source="ctp",
            title=title,
            series=found.series,
            published=found.published,
            edition=found.edition,
            extractor="ctp",
        )
        if h1 := body.css_first("h1"):
            h1.decompose()  # the title is shown apart from the body
        draft.fill(article)
        if not article.authors and (author := without_placeholders(page.meta.get("author", ""))):
            article.authors = [author]
        article.maps = body_images(body, page.url)
        remove_nodes(draft.dropped)
        article.html = clean_html(PLACEHOLDER_RE.sub("", body.inner_html or ""), page.url)
        return article
