"""What both press-release adapters share: dates, attachments, the Article of one release.

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
    join_parts,
    remove_nodes,
    squash,
    walk_blocks,
)
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
# File types by name ("….hwpx"), else by the link's class (korea.kr marks links class="pdf").
FILE_KINDS = ("hwpx", "hwp", "pdf", "docx", "doc", "xlsx", "xls", "pptx", "ppt", "zip", "txt")
FILE_KIND_RE = re.compile(r"\.(" + "|".join(FILE_KINDS) + r")\b", re.IGNORECASE)
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
        found.append(Attachment(url=url, title=name, kind=file_kind(name, link)))
    return found


def file_kind(name: str, link: LexborNode) -> str:
    """The file's type ("pdf", "hwpx" …): its name's last extension, else its link's class."""
    kinds = FILE_KIND_RE.findall(name)
    if kinds:
        return str(kinds[-1]).lower()
    classes = (link.attrs.get("class") or "").lower().split()
    return next((c for c in classes if c in FILE_KINDS), "")


def press_release(
    page: Page,
    *,
    title: str,
    body: LexborNode,
    date_text: str,
    department: str,
    files: list[LexborNode],
    extractor: str,
    body_url: str = "",
) -> Article:
    """The Article of one press release, whichever site shows it.

    ``body_url`` is where ``body`` came from when it is not the page itself (a document
    viewer's frame): its relative links resolve against it.
    """
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
        html=clean_html(body.inner_html or "", body_url or page.url),
        attachments=attachments(files, page.url),
        extractor=extractor,
    )
    if published is None:
        article.warnings.append(f"{extractor}: no date found")
    return article
