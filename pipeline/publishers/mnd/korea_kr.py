"""korea.kr, the government briefing site: its copy of the ministry's press releases.

A release page holds its header (title ``h3.tit`` or ``.view_title h2``, department ``.dept``,
date) and attachments (``.file_down`` / ``div.file``, links under ``/common/download.do``), but
usually not its text: ``.view_cont > .docConversion > iframe#content_press`` points at a
``docViewer`` page on the same site that serves the release converted to HTML, beside a
reprint note ("…전재하여 제공…"). The adapter therefore asks for that frame and, failing it, for
the attached PDF and HWPX files (:meth:`KoreaKrPressRelease.wanted`); the caller fetches them.
Last resort: the feed item's description. ``article.warnings`` says which source was used.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable, Mapping
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extract.common import Page, canonical_url, squash, walk_blocks
from pipeline.publishers.mnd.documents import DocumentError, hwpx_paragraphs, pdf_paragraphs
from pipeline.publishers.mnd.press import REPRINT_NOTE_RE, attachments, press_release
from pipeline.types import Article, Attachment, Resource

NAME = "korea-kr"
VIEWER_FRAME = ".docConversion iframe#content_press[src], iframe#content_press[src]"
FILE_LINKS = (
    ".file_down a[href], div.file a[href], .filedown a[href], .file_list a[href], .attach a[href]"
)
# Attached files whose text can be read, in order of preference.
READERS: tuple[tuple[str, str, Callable[[bytes], list[str]]], ...] = (
    ("pdf", "PDF", pdf_paragraphs),
    ("hwpx", "HWPX", hwpx_paragraphs),
)


class KoreaKrPressRelease:
    """``korea.kr/briefing/pressReleaseView.do``: header and files in the page, text in a frame."""

    name = NAME
    publisher = "korea.kr"
    hosts = frozenset({"korea.kr"})
    rank = 100

    def wanted(self, page: Page) -> list[str]:
        """The viewer frame, then the readable attachments; [] when the page has its text."""
        body = _body(page)
        if body is None:
            return []
        viewer = viewer_url(page)
        if viewer is None and has_text(body):
            return []
        files = attachments(page.tree.css(FILE_LINKS), page.url)
        return ([viewer] if viewer else []) + [a.url for a in readable(files)]

    def extract(self, page: Page) -> Article | None:
        return self.extract_with(page, {}, "")

    def extract_with(
        self, page: Page, resources: Mapping[str, Resource], summary: str
    ) -> Article | None:
        tree = page.tree
        head = tree.css_first(".article_head, .view_title")
        body = _body(page)
        if head is None or body is None:
            return None
        title_node = tree.css_first("h3.tit, .view_title h2") or head.css_first(
            "h1, h2, h3, .title"
        )
        title = squash(title_node.text()) if title_node is not None else page.head_title()
        info = head.css_first(".info, .date, .article_info")
        department_node = head.css_first(".dept, .department, .source") or tree.css_first(".dept")
        department = squash(department_node.text()) if department_node is not None else ""
        files = tree.css(FILE_LINKS)
        viewer = viewer_url(page)
        notes: list[str] = []
        body_url = ""
        if viewer is not None or not has_text(body):
            body, body_url, notes = text_elsewhere(page, viewer, resources, summary)
        article = press_release(
            page,
            title=title,
            body=body,
            date_text=squash(info.text()) if info is not None else squash(head.text()),
            department=department,
            files=files,
            extractor=NAME,
            body_url=body_url,
        )
        article.warnings += notes
        return article


def _body(page: Page) -> LexborNode | None:
    return page.tree.css_first(".view_cont, .article_body")


def viewer_url(page: Page) -> str | None:
    """The document viewer's address from the release page's frame, absolute."""
    frame = page.tree.css_first(VIEWER_FRAME)
    src = (frame.attrs.get("src") or "").strip() if frame is not None else ""
    if not src or src.startswith(("javascript:", "about:", "data:")):
        return None
    return canonical_url(urljoin(page.url, src))


def has_text(body: LexborNode) -> bool:
    """Whether the page's own body holds text besides the reprint note (frames don't count)."""
    return any(not REPRINT_NOTE_RE.search(block.text) for block in walk_blocks(body))


def readable(files: list[Attachment]) -> list[Attachment]:
    """The attachments a reader exists for, PDF first."""
    return [a for kind, _, _ in READERS for a in files if a.kind == kind]


def text_elsewhere(
    page: Page, viewer: str | None, resources: Mapping[str, Resource], summary: str
) -> tuple[LexborNode, str, list[str]]:
    """The release text from the first source that has it: the viewer frame, a PDF, an HWPX,
    the feed's description. Returns the body to read, where it came from, and the notes."""
    notes: list[str] = []
    viewer_page = resources.get(viewer) if viewer else None
    if viewer and viewer_page is not None and viewer_page.text.strip():
        frame = LexborHTMLParser(viewer_page.text)
        frame_body = frame.body or frame.root
        if frame_body is not None and has_text(frame_body):
            return frame_body, viewer, [f"{NAME}: text from the document viewer"]
        notes.append(f"{NAME}: the document viewer page had no text")
    files = attachments(page.tree.css(FILE_LINKS), page.url)
    for kind, label, reader in READERS:
        for attachment in files:
            got = resources.get(attachment.url)
            if attachment.kind != kind or got is None or not got.content:
                continue
            try:
                paragraphs = reader(got.content)
            except DocumentError as exc:
                notes.append(f"{NAME}: {label} attachment {attachment.title!r} unreadable: {exc}")
                continue
            if paragraphs:
                notes.append(f"{NAME}: text from the {label} attachment")
                return paragraphs_body(paragraphs), "", notes
    if summary.strip():
        notes.append(f"{NAME}: text from the feed description: the release page had no text")
        return paragraphs_body(summary.splitlines()), "", notes
    notes.append(f"{NAME}: the release page had no text and no viewer, file or description")
    return paragraphs_body([]), "", notes


def paragraphs_body(paragraphs: list[str]) -> LexborNode:
    """A ``<div>`` of one ``<p>`` per paragraph, for text that came without markup."""
    inner = "".join(f"<p>{html_lib.escape(p)}</p>" for p in map(squash, paragraphs) if p)
    node = LexborHTMLParser(f"<div>{inner}</div>").css_first("div")
    assert node is not None  # just built
    return node
