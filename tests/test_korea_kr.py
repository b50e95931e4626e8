"""korea.kr press releases whose text is in a document viewer frame or in attached files.

The release page (``korea-kr-press-release-viewer-156700101.html``) has only its header, files
and an ``iframe#content_press`` pointing at a docViewer page; the text comes from that page
(``korea-kr-docviewer-156700101.html``), else from the attached PDF or HWPX (built here: a real
PDF that pypdf reads, a real HWPX zip), else from the feed item's description. Extraction is
tested on the stored pages; ingest on a real loopback HTTP server.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from pipeline.extract import ExtractionError
from pipeline.publishers.mnd.documents import DocumentError, hwpx_paragraphs, pdf_paragraphs
from pipeline.publishers.registry import extract, wanted
from pipeline.types import Resource
from tests.loopback import LoopbackServer, Route

PAGES = Path(__file__).parent / "fixtures" / "pages"
RELEASE = "korea-kr-press-release-viewer-156700101.html"
VIEWER = "korea-kr-docviewer-156700101.html"
SITE = "https://www.korea.kr"
RELEASE_PATH = "/briefing/pressReleaseView.do?newsId=156700101"
URL = SITE + RELEASE_PATH
VIEWER_PATH = "/docViewer/iframe_skin/doc.html"
VIEWER_URL = SITE + VIEWER_PATH + "?fn=156700101_1&rs=/docViewer/result/2025.06/13/156700101"
HWPX_URL = SITE + "/common/download.do?fileId=198000101&tblKey=GMN"
PDF_URL = SITE + "/common/download.do?fileId=198000102&tblKey=GMN"

VIEWER_SENTENCE = "4주간의 시험평가를 마치고 운용 적합 판정을 받았다고 밝혔다."
PDF_LINES = [
    "□ 국방부는 6월 13일 가상의 해상 무인체계 시험평가 결과를",
    "발표하였다.",
    "○ 평가단은 통신 두절 상황에서의 자율 복귀 기능을 확인하였다.",
]
HWPX_PARAGRAPHS = [
    "□ 국방부는 가상 해상 무인체계의 전력화 일정을 구체화한다고 밝혔다.",
    "○ 운용 부대의 교육 훈련 체계도 함께 마련할 예정이다.",
]
SUMMARY = "국방부는 가상의 해상 무인체계 시험평가 결과를 발표하였다.\n자세한 내용은 첨부 파일 참조."


# --------------------------------------------------------------------------- documents


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text pypdf can read: a Type0 font (Identity-H, two bytes per
    character, the code being the Unicode code point) with a ToUnicode map of those codes."""
    chars = sorted({c for line in lines for c in line})
    cmap = "\n".join(
        [
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        ]
        + [
            f"{len(chunk)} beginbfchar\n"
            + "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chunk)
            + "\nendbfchar"
            for chunk in (chars[i : i + 100] for i in range(0, len(chars), 100))
        ]
        + ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    ).encode()
    content = "\n".join(
        f"BT /F1 11 Tf 50 {800 - 20 * n} Td <{''.join(f'{ord(c):04X}' for c in line)}> Tj ET"
        for n, line in enumerate(lines)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HYSMyeongJo-Medium /Encoding /Identity-H"
        b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /HYSMyeongJo-Medium"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"


def hwpx_paragraph(text: str, inner: str = "") -> str:
    run = f"<hp:t>{escape(text)}</hp:t>" if text else ""
    return f'<hp:p paraPrIDRef="0"><hp:run charPrIDRef="0">{run}{inner}</hp:run></hp:p>'


def make_hwpx(paragraphs: list[str], *, table: tuple[str, ...] = ()) -> bytes:
    """An HWPX zip: mimetype, a manifest and Contents/section0.xml (a table's cells hold
    paragraphs of their own inside the paragraph that holds the table)."""
    cells = "".join(
        f"<hp:tc><hp:subList>{hwpx_paragraph(cell)}</hp:subList></hp:tc>" for cell in table
    )
    body = "".join(hwpx_paragraph(p) for p in paragraphs[:1])
    if table:
        body += hwpx_paragraph("", f"<hp:tbl><hp:tr>{cells}</hp:tr></hp:tbl>")
    body += "".join(hwpx_paragraph(p) for p in paragraphs[1:])
    section = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="{HP}">'
        f"{body}</hs:sec>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/hwp+zip", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("Contents/section0.xml", section)
    return buffer.getvalue()


def release_html() -> str:
    return (PAGES / RELEASE).read_text()


def viewer_resource() -> Resource:
    return Resource(VIEWER_URL, "text/html; charset=utf-8", (PAGES / VIEWER).read_text())


def binary(url: str, data: bytes, content_type: str) -> Resource:
    return Resource(url, content_type, "", data)


def test_the_pdf_and_hwpx_builders_make_files_the_readers_read() -> None:
    assert pdf_paragraphs(make_pdf(PDF_LINES)) == [
        PDF_LINES[0] + " " + PDF_LINES[1],  # the wrapped line is re-joined
        PDF_LINES[2],
    ]
    assert hwpx_paragraphs(make_hwpx(HWPX_PARAGRAPHS, table=("항목", "결과"))) == [
        HWPX_PARAGRAPHS[0],
        "항목",
        "결과",
        HWPX_PARAGRAPHS[1],
    ]


def test_an_hwpx_zip_bomb_is_refused_by_its_declared_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Contents/section0.xml", b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>")
    assert len(buffer.getvalue()) < 200_000  # small on the wire, 60 MiB inflated
    with pytest.raises(DocumentError, match="uncompressed"):
        hwpx_paragraphs(buffer.getvalue())


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip", make_pdf(["x"])],
    ids=["empty", "garbage", "a-pdf"],
)
def test_a_file_that_is_not_hwpx_is_a_document_error(data: bytes) -> None:
    with pytest.raises(DocumentError):
        hwpx_paragraphs(data)


def test_a_corrupt_pdf_is_a_document_error() -> None:
    with pytest.raises(DocumentError):
        pdf_paragraphs(b"%PDF-1.4\n garbage")


def test_an_hwpx_section_with_a_doctype_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "Contents/section0.xml",
            '<!DOCTYPE a [<!ENTITY x "xx">]><hs:sec xmlns:hs="s"><p><t>&x;</t></p></hs:sec>',
        )
    with pytest.raises(DocumentError, match="document type"):
        hwpx_paragraphs(buffer.getvalue())


# --------------------------------------------------------------------------- extraction


def test_the_release_page_wants_its_viewer_then_the_pdf_then_the_hwpx() -> None:
    assert wanted(release_html(), URL) == [VIEWER_URL, PDF_URL, HWPX_URL]


def test_a_page_with_its_text_in_the_page_wants_nothing() -> None:
    html = (PAGES / "korea-kr-press-release-mnd-156691234.html").read_text()
    assert wanted(html, SITE + "/briefing/pressReleaseView.do?newsId=156691234") == []


def test_text_from_the_viewer_resource() -> None:
    article = extract(release_html(), URL, resources={VIEWER_URL: viewer_resource()})
    assert article.extractor == "korea-kr"
    assert article.title == "국방부, 가상 해상 무인체계 시험평가 결과 발표"
    assert article.department == "국방부"
    assert (article.source, article.series, article.language) == ("mnd", "mnd-press-release", "ko")
    assert article.published is not None and article.published.isoformat() == "2025-06-13"
    assert VIEWER_SENTENCE in article.text
    assert "원격 통제 거리 | 기준 초과 달성" in article.text
    for junk in ("전재하여", "document.title", "postMessage", "font-family", "바로보기"):
        assert junk not in article.text and junk not in article.html
    assert "<script" not in article.html and VIEWER_SENTENCE in article.html
    assert "korea-kr: text from the document viewer" in article.warnings
    assert [(a.kind, a.url) for a in article.attachments] == [("hwpx", HWPX_URL), ("pdf", PDF_URL)]
    assert article.attachments[1].title == "250613 해상 무인체계 시험평가 결과(보도자료).pdf"


def test_text_from_the_pdf_when_the_viewer_is_missing() -> None:
    resources = {PDF_URL: binary(PDF_URL, make_pdf(PDF_LINES), "application/pdf")}
    article = extract(release_html(), URL, resources=resources)
    assert article.text.split("\n\n") == [PDF_LINES[0] + " " + PDF_LINES[1], PDF_LINES[2]]
    assert "korea-kr: text from the PDF attachment" in article.warnings
    assert article.title == "국방부, 가상 해상 무인체계 시험평가 결과 발표"


def test_text_from_the_hwpx_when_the_viewer_and_pdf_are_missing() -> None:
    resources = {HWPX_URL: binary(HWPX_URL, make_hwpx(HWPX_PARAGRAPHS), "application/hwp+zip")}
    article = extract(release_html(), URL, resources=resources)
    assert article.text.split("\n\n") == HWPX_PARAGRAPHS
    assert "korea-kr: text from the HWPX attachment" in article.warnings


def test_an_unreadable_pdf_falls_through_to_the_hwpx_with_a_note() -> None:
    resources = {
        PDF_URL: binary(PDF_URL, b"%PDF-1.4 broken", "application/pdf"),
        HWPX_URL: binary(HWPX_URL, make_hwpx(HWPX_PARAGRAPHS), "application/hwp+zip"),
    }
    article = extract(release_html(), URL, resources=resources)
    assert article.text.split("\n\n") == HWPX_PARAGRAPHS
    assert any("PDF attachment" in w and "unreadable" in w for w in article.warnings)


def test_text_from_the_feed_description_when_nothing_else_arrived() -> None:
    article = extract(release_html(), URL, resources={}, summary=SUMMARY)
    assert article.text.split("\n\n") == SUMMARY.split("\n")
    assert (
        "korea-kr: text from the feed description: the release page had no text" in article.warnings
    )
    assert article.series == "mnd-press-release"


def test_no_viewer_no_file_no_description_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract(release_html(), URL)


# --------------------------------------------------------------------------- ingest


def serve_release(
    server: LoopbackServer, *, viewer: bool = True, pdf: bool = True, hwpx: bool = True
) -> None:
    """The release page, its viewer frame and its two files at korea.kr's paths."""
    server.routes[RELEASE_PATH] = Route(body=release_html())
    server.routes[VIEWER_PATH] = (
        Route(body=(PAGES / VIEWER).read_bytes())
        if viewer
        else Route(body="not found", status=404, content_type="text/plain")
    )

    def download(handler: object) -> Route:
        path = handler.path  # type: ignore[attr-defined]
        if "fileId=198000102" in path and pdf:
            return Route(body=make_pdf(PDF_LINES), content_type="application/pdf")
        if "fileId=198000101" in path and hwpx:
            return Route(body=make_hwpx(HWPX_PARAGRAPHS), content_type="application/hwp+zip")
        return Route(body="not found", status=404, content_type="text/plain")

    server.routes["/common/download.do"] = Route(dynamic=download)


def asked(server: LoopbackServer, fragment: str) -> int:
    return sum(fragment in r.path for r in server.requests)


@pytest.mark.django_db
def test_ingest_reads_the_viewer_keeps_it_and_a_second_run_changes_nothing(
    http_server: LoopbackServer,
) -> None:
    from reports.models import FetchedPage, Report, ReportRevision
    from reports.services import Outcome, ingest_url, make_fetcher

    serve_release(http_server)
    with make_fetcher() as fetcher:
        first = ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
        assert first.outcome == Outcome.NEW
        second = ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
    assert second.outcome == Outcome.UNCHANGED
    report = Report.objects.get()
    assert (report.series, report.language, report.canonical_url) == (
        "mnd-press-release",
        "ko",
        URL,
    )
    assert ReportRevision.objects.count() == 1
    article = report.article()
    assert article is not None and VIEWER_SENTENCE in article.text
    assert "korea-kr: text from the document viewer" in article.warnings
    # The viewer frame is kept beside the page; the files were never needed.
    kept = FetchedPage.objects.get(url__contains="/docViewer/")
    assert VIEWER_SENTENCE in kept.html and kept.content_type.startswith("text/html")
    assert asked(http_server, "/docViewer/") == 2
    assert asked(http_server, "/common/download.do") == 0


@pytest.mark.django_db
def test_ingest_falls_back_to_the_pdf_when_the_viewer_answers_404(
    http_server: LoopbackServer,
) -> None:
    from reports.models import FetchedPage, Report
    from reports.services import Outcome, ingest_url, make_fetcher

    serve_release(http_server, viewer=False)
    with make_fetcher() as fetcher:
        result = ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
    assert result.outcome == Outcome.NEW
    article = Report.objects.get().article()
    assert article is not None
    assert article.text.startswith(PDF_LINES[0] + " " + PDF_LINES[1])
    assert "korea-kr: text from the PDF attachment" in article.warnings
    assert any("404" in w and "docViewer" in w for w in article.warnings)
    kept = FetchedPage.objects.get(url__contains="fileId=198000102")
    assert bytes(kept.content) == make_pdf(PDF_LINES)
    assert kept.content_type == "application/pdf" and kept.html == ""
    assert asked(http_server, "fileId=198000101") == 0  # the HWPX was not needed


@pytest.mark.django_db
def test_ingest_reads_the_hwpx_when_viewer_and_pdf_fail(http_server: LoopbackServer) -> None:
    from reports.models import Report
    from reports.services import ingest_url, make_fetcher

    serve_release(http_server, viewer=False, pdf=False)
    with make_fetcher() as fetcher:
        ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
    article = Report.objects.get().article()
    assert article is not None and article.text.split("\n\n") == HWPX_PARAGRAPHS


@pytest.mark.django_db
def test_a_viewer_on_another_host_is_refused(http_server: LoopbackServer) -> None:
    from reports.models import FetchedPage, Report
    from reports.services import ingest_url, make_fetcher
    from tests.loopback import serve

    for other in serve():
        other.routes[VIEWER_PATH] = Route(body=(PAGES / VIEWER).read_bytes())
        serve_release(http_server)
        foreign = other.url(VIEWER_PATH + "?fn=156700101_1")
        http_server.routes[RELEASE_PATH] = Route(
            body=release_html().replace('src="/docViewer/iframe_skin/doc.html', f'src="{foreign}')
        )
        with make_fetcher() as fetcher:
            ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
        assert other.requests == []  # never asked
    article = Report.objects.get().article()
    assert article is not None
    assert any("not on the page's site, refused" in w for w in article.warnings)
    assert "korea-kr: text from the PDF attachment" in article.warnings
    assert not FetchedPage.objects.filter(url__contains="/docViewer/").exists()


@pytest.mark.django_db
def test_an_unchanged_page_is_re_extracted_from_its_kept_viewer(
    http_server: LoopbackServer,
) -> None:
    """A 304 for a page whose last extraction did not store a report: the kept frame is read
    again (the viewer now failing does not matter)."""
    from reports.models import FetchedPage, Report
    from reports.services import Outcome, ingest_url, make_fetcher

    serve_release(http_server)
    http_server.routes[RELEASE_PATH].etag = '"r1"'
    with make_fetcher() as fetcher:
        ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
        Report.objects.all().delete()
        FetchedPage.objects.filter(url__contains="pressReleaseView").update(error="earlier")
        serve_release(http_server, viewer=False, pdf=False, hwpx=False)
        http_server.routes[RELEASE_PATH].etag = '"r1"'
        result = ingest_url(http_server.url(RELEASE_PATH), fetcher, mirror_of=SITE)
    assert result.outcome == Outcome.NEW
    last = [r for r in http_server.requests if r.path == RELEASE_PATH][-1]
    assert last.headers.get("If-None-Match") == '"r1"'
    page = FetchedPage.objects.get(url__contains="pressReleaseView")
    assert (page.status, page.error) == (304, "")
    article = Report.objects.get().article()
    assert article is not None and VIEWER_SENTENCE in article.text
    assert "korea-kr: text from the document viewer" in article.warnings


@pytest.mark.django_db
def test_a_feed_item_whose_page_has_no_text_keeps_its_description(
    http_server: LoopbackServer,
) -> None:
    from pipeline.discover import with_base
    from pipeline.publishers.mnd.sources import MND
    from reports.models import Report
    from reports.services import make_fetcher
    from sources.builtin import source_fields
    from sources.models import DiscoveredItemRecord, Source
    from sources.services import backfill

    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>국방부 (가상 피드)</title><link>{SITE}</link>
<item><title><![CDATA[국방부, 가상 해상 무인체계 시험평가 결과 발표]]></title>
<link>{http_server.url(RELEASE_PATH)}</link>
<description><![CDATA[<p>{SUMMARY.split(chr(10))[0]}</p><p>{SUMMARY.split(chr(10))[1]}</p>]]></description>
<pubDate>Fri, 13 Jun 2025 14:00:00 +0900</pubDate><guid isPermaLink="false">156700101</guid>
</item></channel></rss>"""
    http_server.routes["/rss/dept_mnd.xml"] = Route(body=feed, content_type="application/rss+xml")
    serve_release(http_server, viewer=False, pdf=False, hwpx=False)
    source = Source.objects.get(name="mnd")
    for name, value in source_fields(with_base(MND, http_server.base_url + "/")).items():
        setattr(source, name, value)
    source.mirror_of = SITE
    source.save()
    with make_fetcher() as fetcher:
        summary = backfill(source, fetcher, since=None)
    assert summary.failures == []
    assert DiscoveredItemRecord.objects.get(source=source).summary == SUMMARY
    article = Report.objects.get().article()
    assert article is not None and article.text.split("\n\n") == SUMMARY.split("\n")
    assert (
        "korea-kr: text from the feed description: the release page had no text" in article.warnings
    )
