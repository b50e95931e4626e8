"""Adapters for Ministry of National Defense (국방부) press releases.

Two places carry them: the government briefing site's copy (korea.kr ``pressReleaseView.do``,
the practical source, fed by ``dept_mnd.xml``) and the ministry's own board (mnd.go.kr
``newsInUserRecord.action``). Both give a title, a date, a body and attached HWPX/PDF files.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from pipeline.extract.common import (
    Page,
    canonical_url,
    clean_html,
    remove_nodes,
    squash,
    walk_blocks,
)
from pipeline.extract.isw import join_parts
from pipeline.types import Article, Attachment

SEOUL = "Asia/Seoul"
# Departments whose releases korea.kr carries and the board knows by a source key.
DEPARTMENT_SOURCES = {"국방부": "mnd", "방위사업청": "dapa", "병무청": "mma", "합동참모본부": "jcs"}
SERIES_BY_SOURCE = {"mnd": "mnd-press-release"}
# "2025.06.02", "2025-06-02 14:30", "2025년 6월 2일 (월) 14:30"
KOREAN_DATE_RE = re.compile(
    r"(20\d{2})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})\s*일?\.?"
    r"(?:\s*\(\w\))?(?:\s*(\d{1,2}):(\d{2}))?"
)
ATTACHMENT_HREF_RE = re.compile(r"download|filedown|atchfile", re.IGNORECASE)
ATTACHMENT_NOISE_RE = re.compile(r"\s*(?:다운로드|내려받기|바로보기|미리보기|뷰어)\s*")
BODY_JUNK = "script, style, noscript, iframe, form, button, .btn_area, .sns_share, .share"
# The briefing site's note that the text is the ministry's, repeated on every release.
REPRINT_NOTE_RE = re.compile(r"전재하여 제공|저작권|무단 (?:전재|복제)")


def korean_date(text: str) -> tuple[dt.date | None, str | None]:
    match = KOREAN_DATE_RE.search(text)
    if match is None:
        return None, None
    year, month, day, hour, minute = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None, None
    clock = f"{int(hour):02d}:{minute}" if hour is not None and int(hour) < 24 else None
    return date, clock


def attachments(links: list[LexborNode], base_url: str) -> list[Attachment]:
    """Download links with their file names; preview links and duplicates left out."""
    found: list[Attachment] = []
    seen: set[str] = set()
    for link in links:
        href = (link.attrs.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")) or not ATTACHMENT_HREF_RE.search(href):
            continue
        url = canonical_url(urljoin(base_url, href))
        if url in seen:
            continue
        seen.add(url)
        label = link.text() or link.attrs.get("title") or link.attrs.get("data-name") or ""
        name = squash(ATTACHMENT_NOISE_RE.sub(" ", label))
        found.append(Attachment(url=url, title=name))
    return found


def press_release(
    page: Page,
    *,
    title: str,
    body: LexborNode,
    date_text: str,
    department: str,
    files: list[LexborNode],
    extractor: str,
) -> Article:
    """The Article of one press release, whichever site shows it."""
    remove_nodes(body.css(BODY_JUNK))
    kept: list[str] = []
    for block in walk_blocks(body):
        if REPRINT_NOTE_RE.search(block.text) and len(block.text) < 200:
            if block.node.tag == "p":
                block.node.decompose()
            continue
        kept.append(f"- {block.text}" if block.tag == "li" else block.text)
    published, clock = korean_date(date_text)
    source = DEPARTMENT_SOURCES.get(department, "mnd" if page.on_site("mnd.go.kr") else "korea.kr")
    article = Article(
        url=page.url,
        source=source,
        title=title,
        series=SERIES_BY_SOURCE.get(source),
        published=published,
        published_time=clock,
        time_zone=SEOUL if published else None,
        department=department or None,
        language="ko",
        text=join_parts(kept),
        html=clean_html(body.inner_html or "", page.url),
        attachments=attachments(files, page.url),
        extractor=extractor,
    )
    if published is None:
        article.warnings.append(f"{extractor}: no date found")
    return article


class KoreaKrPressRelease:
    """``korea.kr/briefing/pressReleaseView.do``: ``.article_head`` header, ``.view_cont`` body."""

    name = "korea-kr"
    publisher = "korea.kr"

    def claims(self, page: Page) -> bool:
        return page.on_site("korea.kr") or "정책브리핑" in page.site_name

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


class MndNewsDetail:
    """``mnd.go.kr/user/newsInUserRecord.action``: the ministry's own board post."""

    name = "mnd-go-kr"
    publisher = "mnd"

    def claims(self, page: Page) -> bool:
        return page.on_site("mnd.go.kr")

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
