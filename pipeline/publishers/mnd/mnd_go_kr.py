"""mnd.go.kr, the ministry's own board (slow and flaky; korea.kr is the practical source)."""

from __future__ import annotations

from pipeline.extract.common import Page, squash
from pipeline.publishers.mnd.press import press_release
from pipeline.types import Article


class MndNewsDetail:
    """``mnd.go.kr/user/newsInUserRecord.action``: the ministry's own board post."""

    name = "mnd-go-kr"
    publisher = "mnd"
    hosts = frozenset({"mnd.go.kr"})
    rank = 90

    def extract(self, page: Page) -> Article | None:
        tree = page.tree
        view = tree.css_first(".board_view, .bbs_view, .view_wrap")
        if view is None:
            return None
        title_node = view.css_first(".view_title, .title, h3, h4")
        body = view.css_first(".view_cont, .view_content, .cont")
        if title_node is None or body is None:
            return None
        info = view.css_first(".view_info, .info")
        date_text = squash(info.text()) if info is not None else ""
        return press_release(
            page,
            title=squash(title_node.text()),
            body=body,
            date_text=date_text,
            department="국방부",
            files=view.css(".view_file a[href], .file a[href], .attach a[href]"),
            extractor="mnd-go-kr",
        )
