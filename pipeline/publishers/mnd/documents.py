"""The text of a press release's attached files: PDF (pypdf) and HWPX (a zip of XML).

korea.kr serves the release text in a document viewer's frame; when that cannot be had, the
attached files hold the same text. Both readers take bytes already fetched (extractors never
fetch) and return paragraphs; a file they cannot read gives [] and a reason, never an
exception, so the caller can fall back to the next source.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

from pipeline.extract.common import squash

# An HWPX holds a few hundred kB of XML; 50 MiB uncompressed is far beyond any real release
# and well below what a zip bomb (a few kB inflating to gigabytes) would need.
HWPX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
HWPX_MAX_MEMBERS = 2000
PDF_MAX_PAGES = 200
_SECTION_RE = re.compile(r"^Contents/section(\d+)\.xml$")
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# A PDF line that starts a new paragraph: the markers of Korean official documents (□ ○ ◦ -
# ※ ▲ ·), a numbered item, or the line after a sentence end.
_PARAGRAPH_START_RE = re.compile(r"^(?:[□■○●◦ㅇ\-–※▲△▶·*]|\d{1,2}[.)]|[가-하][.)]|\(\d{1,2}\))")
_SENTENCE_END_RE = re.compile(r"(?:[.!?。]|다|요|음|함|됨|임)[\"'”’)]?$")


class DocumentError(ValueError):
    """An attachment that cannot be read (corrupt, not the format it claims, too large)."""


def pdf_paragraphs(data: bytes) -> list[str]:
    """The text of a PDF as paragraphs (lines re-joined where the layout wrapped them)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:  # a declared dependency; missing only in a broken install
        raise DocumentError(f"pypdf is not installed: {exc}") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > PDF_MAX_PAGES:
            raise DocumentError(f"{len(reader.pages)} pages, more than {PDF_MAX_PAGES}")
        lines: list[str] = []
        for page in reader.pages:
            lines += (page.extract_text() or "").splitlines()
            lines.append("")  # a page break ends a paragraph
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"not a readable PDF: {type(exc).__name__}: {exc}") from exc
    return rejoin_lines(lines)


def rejoin_lines(lines: list[str]) -> list[str]:
    """Paragraphs from layout lines: a blank line, a list marker or a sentence end starts one."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in lines:
        line = squash(raw)
        if not line or (current and _PARAGRAPH_START_RE.match(line)):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            if not line:
                continue
        current.append(line)
        if _SENTENCE_END_RE.search(line):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def hwpx_paragraphs(data: bytes) -> list[str]:
    """The paragraphs of an HWPX file: every ``Contents/section<n>.xml`` in order.

    A paragraph is an ``hp:p`` element's own ``hp:t`` runs; paragraphs nested in a table cell
    come after the paragraph holding the table, each on its own. Zip bombs are refused by
    the members' declared sizes and by reading no more than the bound.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"not an HWPX (zip) file: {exc}") from exc
    with archive:
        members = archive.infolist()
        if len(members) > HWPX_MAX_MEMBERS:
            raise DocumentError(f"{len(members)} members in the archive, more than allowed")
        sections = sorted(
            (int(m.group(1)), info)
            for info in members
            if (m := _SECTION_RE.match(info.filename)) is not None
        )
        if not sections:
            raise DocumentError("no Contents/section*.xml: not an HWPX document")
        declared = sum(info.file_size for _, info in sections)
        if declared > HWPX_MAX_UNCOMPRESSED:
            raise DocumentError(f"{declared:,} bytes uncompressed, more than allowed")
        paragraphs: list[str] = []
        budget = HWPX_MAX_UNCOMPRESSED
        for _, info in sections:
            try:
                with archive.open(info) as member:
                    xml = member.read(budget + 1)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
                raise DocumentError(f"{info.filename}: {exc}") from exc
            budget -= len(xml)
            if budget < 0:
                raise DocumentError("more data uncompressed than the archive declares")
            paragraphs += section_paragraphs(xml, info.filename)
    return paragraphs


def section_paragraphs(xml: bytes, name: str = "section") -> list[str]:
    """The paragraphs of one HWPX section document (no DTD allowed: no entity tricks)."""
    if _DOCTYPE_RE.search(xml):
        raise DocumentError(f"{name}: a document type declaration, refused")
    try:
        root = ET.fromstring(xml)  # noqa: S314 - no DTD (checked above), expat's own limits
    except ET.ParseError as exc:
        raise DocumentError(f"{name}: not well-formed XML: {exc}") from exc
    # An explicit stack: (element, index of the paragraph its text belongs to or -1).
    stack: list[tuple[ET.Element, int]] = [(root, -1)]
    texts: dict[int, list[str]] = {}
    counter = 0
    while stack:
        element, owner = stack.pop()
        local = element.tag.rsplit("}", 1)[-1]
        if local == "p":
            owner = counter
            counter += 1
            texts[owner] = []
        elif local == "t" and owner >= 0:
            texts[owner].append("".join(element.itertext()))
            continue
        stack.extend((child, owner) for child in reversed(element))
    paragraphs = (squash("".join(texts[index])) for index in range(counter))
    return [text for text in paragraphs if text]
