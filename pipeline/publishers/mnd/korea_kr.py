"""korea.kr, the government briefing site: its copy of the ministry's press releases."""

from __future__ import annotations

from pipeline.extract.common import Page, squash
from pipeline.publishers.mnd.press import press_release
from pipeline.types import Article


class KoreaKrPressRelease:
    """``korea.kr/briefing/pressReleaseView.do``: ``.article_head`` header, ``.view_cont`` body."""

    name = "korea-kr"
    publisher = "korea.kr"
    hosts = frozenset({"korea.kr"})
    rank = 100

    def extract(self, page: Page) -> Article | None:
        tree = page.tree
        head = tree.css_first(".article_head, .view_title")
        body = tree.css_first(".view_cont, .article_body")
        if head is None or body is None:
            return None
        title_node = head.css_first("h1, h2, h3, .title")
        title = squash(title_node.text()) if title_node is not None else page.head_title()
        info = head.css_first(".info, .date, .article_info")
        department_node = head.css_first(".dept, .department, .source")
        department = squash(department_node.text()) if department_node is not None else ""
        files = tree.css(".filedown a[href], .file_list a[href], .attach a[href]")
        return press_release(
            page,
            title=title,
            body=body,
            date_text=squash(info.text()) if info is not None else squash(head.text()),
            department=department,
            files=files,
            extractor="korea-kr",
        )
