"""Extractors on stored pages: ``tests/testdata/extract/<name>.html`` gives ``<name>.json``.

The JSON is ``Article.to_json()`` without ``text`` and ``html``, which are checked by content
instead (key sentences present; footer, navigation, disclaimer and tooltip text absent).
Regenerate the JSON after a deliberate change with ``UPDATE=1`` and read the diff.
No Django needed: ``pytest tests/test_extract.py -p no:django``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.extract import ExtractionError, canonical_url
from pipeline.extract.common import deobfuscate_urls, split_authors
from pipeline.publishers.registry import ADAPTERS, extract, rank
from pipeline.types import Article

TESTDATA = Path(__file__).parent / "testdata" / "extract"
PAGES = Path(__file__).parent / "fixtures" / "pages"
UPDATE = os.environ.get("UPDATE") == "1"

# Never in any article's text: page chrome, boilerplate, tooltips, template placeholders.
ABSENT_FROM_TEXT = (
    "cookie",
    "Accept all",
    "Skip to",
    "Jump to",
    "Previous",
    "DOWNLOAD PAGE",
    "PRINT PAGE",
    "Share on",
    "Researchers",
    "Related Research",
    "Donate",
    "Fair Use",
    "All rights reserved",
    "non-partisan",
    "do not report in detail",
    "Click here",
    "{{",
    "}}",
    " dot ru",  # tooltip copies of endnotes
    "[1]",
    "[i]",
)
# Never in any article's display HTML.
ABSENT_FROM_HTML = (
    "<script",
    "<style",
    "<iframe",
    "<form",
    "<nav",
    "onerror",
    "onclick",
    "javascript:",
    "tooltip",
    "cookie",
    "Donate",
    "Fair Use",
    "Jump to",
    "do not report in detail",
    "{{",
    'class="',
    'style="',
)


@dataclass(frozen=True)
class Case:
    url: str  # the address the page was fetched from (or a path, for a saved page)
    contains: tuple[str, ...]  # sentences the text must hold
    absent: tuple[str, ...] = field(default=())  # case-specific strings the text must not hold


ISW_ROCA_URL = (
    "https://understandingwar.org/research/russia-ukraine/"
    "russian-offensive-campaign-assessment-november-14-2025/"
)
CASES = {
    "isw-new-roca": Case(
        url=ISW_ROCA_URL + "?utm_source=feed&utm_medium=rss&fbclid=abc",
        contains=(
            "The Kremlin rejected a European proposal for a reciprocal moratorium",
            "- and rotating units that have held positions for more than thirty days.",
            "Key Takeaways",
            "Russian Main Effort: Eastern Ukraine",
            "Order of Battle: Elements of the Russian 27th Motorized Rifle Division",
            "Belarusian and Russian forces began a joint command-post exercise",
        ),
        absent=(
            "Assessment as of",
            "Mara Delgado is a Russia analyst",
            "Assessed Control of Terrain",  # map captions are not report text
            "Endnotes",
            "Share this",
        ),
    ),
    "isw-new-iran-evening-special-report": Case(
        url=str(TESTDATA / "isw-new-iran-evening-special-report.html"),
        contains=(
            "Israeli aircraft conducted a second wave of strikes",
            "- Iranian retaliation. Iran launched roughly 100 ballistic missiles",
            "Kataib Hezbollah issued a statement",
        ),
        absent=("Talia Brennan is an Iran analyst",),
    ),
    "isw-new-force-generation": Case(
        url=(
            "https://understandingwar.org/research/russia-ukraine/russian-force-generation-and-"
            "technological-adaptations-update-april-23-2025/"
        ),
        contains=(
            "The Russian Ministry of Defense is expanding a program that pays regional bonuses",
            "Russian Technological Adaptations",
        ),
        absent=("Konrad Vasquez", "5:30pm ET", "tass"),
    ),
    "isw-old-roca": Case(
        url=(
            "http://www.understandingwar.org/backgrounder/"
            "russian-offensive-campaign-assessment-june-2-2025#main-content"
        ),
        contains=(
            "Russian and Ukrainian officials exchanged draft agendas",
            "- Local authorities stated that about 1,800 residents, including 210 children",
            "Ukrainian Strike Campaign",
        ),
        absent=("7:15pm ET", "Recent Backgrounders", "Lydia Marchetti", "mfa.gov.ua"),
    ),
    # The old Drupal site as it was (skeletons in shared/reference/markup/isw-drupal-*).
    "isw-drupal-2022": Case(
        url=(
            "https://www.understandingwar.org/backgrounder/"
            "russian-offensive-campaign-assessment-august-15-2022"
        ),
        contains=(
            "Russian forces are likely redeploying elements of the Eastern Military District "
            "from Kharkiv Oblast toward the Southern Axis.",
            "Russian objective: Hold frontline positions and defend rear areas",
            "Another local outlet, Kurier, stated that recruiters now accept men up to 55",
        ),
        absent=("8:00 pm ET", "Mirela Hanssen", "classified material", "dev-isw"),
    ),
    "isw-drupal-2023": Case(
        url=(
            "https://www.understandingwar.org/backgrounder/"
            "russian-offensive-campaign-assessment-january-25-2023"
        ),
        contains=(
            "Russian forces launched another large-scale missile and drone strike against "
            "Ukrainian energy infrastructure on January 25.",
            "personnel of the 144th Motorized Rifle Division arrived",
        ),
        absent=("9:45pm ET", "Aurelia Brandt", "classified material", "dev-isw"),
    ),
    "ctp-iran-update": Case(
        url="https://www.criticalthreats.org/analysis/iran-update-june-5-2025?utm_campaign=x",
        contains=(
            "Iranian Foreign Minister Abbas Araghchi stated on June 4",
            "- Iraqi militias. An Iranian-backed Iraqi militia threatened",
        ),
        absent=("Information Cutoff", "The Critical Threats Project (CTP)", "vm.analysis"),
    ),
    "korea-kr-press-release": Case(
        url="https://www.korea.kr/briefing/pressReleaseView.do?newsId=156691234&pWise=sub",
        contains=(
            "국방부는 6월 2일 한미 양국이 2025년 하반기 연합 지휘소연습을",
            "1부 연습 | 8. 18.(월) ~ 8. 22.(금) | 위기관리",
        ),
        absent=("전재하여", "본문 바로가기", "COPYRIGHT", "관련 보도자료", "바로보기"),
    ),
    "mnd-go-kr-news-detail": Case(
        url=(
            "http://www.MND.go.kr/user/newsInUserRecord.action?"
            "siteId=mnd&newsId=I_669&newsSeq=I_12345&page=1"
        ),
        contains=("국방부는 6월 5일 올해 6·25전쟁 전사자 유해 발굴 사업을",),
        absent=("이전글", "조회수", "이태원로"),
    ),
    "generic-article": Case(
        url="https://fieldnotes.example.org/2025/06/03/drone-production-bottlenecks/?utm_medium=rss",
        contains=(
            "The first bottleneck is the flight controller",
            "Motors and batteries",
            "Whoever controls the supply of motors and cells",
        ),
        absent=("No comments yet", "Built with a static site generator", "Archive"),
    ),
    "isw-changed-structure": Case(
        url=(
            "https://understandingwar.org/research/russia-ukraine/"
            "russian-occupation-update-december-4-2025/"
        ),
        contains=("Russian occupation authorities announced new rules on December 3",),
    ),
    # The real WordPress template (skeletons in shared/reference/markup/isw-wordpress-*).
    "isw-wp-roca": Case(
        url=(
            "https://understandingwar.org/research/russia-ukraine/"
            "russian-offensive-campaign-assessment-april-14-2026/?utm_source=feed"
        ),
        contains=(
            "Russian forces intensified assaults on Kostyantynivka from the south and east",
            "- Russian officials tied the moratorium to territory.",
            "Order of Battle: Elements of the Russian 8th Combined Arms Army",
            "Significant Activity in Belarus",
        ),
        absent=("Marcus Ellery", "Babel Street", "Data Cutoff", "Apr 13, 2026", "More Reports"),
    ),
    "isw-wp-iran-special-report": Case(
        url=str(TESTDATA / "isw-wp-iran-special-report.html"),
        contains=(
            "Iranian and US delegations concluded a third round of indirect talks in Muscat",
            "See topline section.",
            "Israeli Campaign Against Hezbollah and Hezbollah Response",
        ),
        absent=("Dana Whitlock", "Babel Street", "Apr 08, 2026", "Subscribe", "Iran & Proxies"),
    ),
}


def _case_names() -> list[str]:
    names = sorted(p.stem for p in TESTDATA.glob("*.html"))
    assert names == sorted(CASES), "every stored page needs a Case, and every Case a page"
    return names


def _extract_case(name: str) -> Article:
    html = (TESTDATA / f"{name}.html").read_text(encoding="utf-8")
    return extract(html, CASES[name].url)


@pytest.mark.parametrize("name", _case_names())
def test_stored_page_gives_expected_article(name: str) -> None:
    article = _extract_case(name)
    data = article.to_json()
    text, html = data.pop("text"), data.pop("html")
    expected_path = TESTDATA / f"{name}.json"
    if UPDATE:
        expected_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert data == expected

    case = CASES[name]
    for sentence in case.contains:
        assert sentence in text, f"{name}: text lacks {sentence!r}"
    for unwanted in (*ABSENT_FROM_TEXT, *case.absent):
        assert unwanted not in text, f"{name}: text holds {unwanted!r}"
    for unwanted in ABSENT_FROM_HTML:
        assert unwanted not in html, f"{name}: html holds {unwanted!r}"
    assert case.contains[0] in re.sub(r"<[^>]+>", "", html)
    # Every link and image in the display HTML is absolute.
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert url.startswith(("https://", "http://", "mailto:")), url


def test_text_is_the_report_not_the_page() -> None:
    """The ISW report's text is its toplines, takeaways and sections, in the page's order."""
    article = _extract_case("isw-new-roca")
    text = article.text
    positions = [
        text.index(article.toplines[0].headline),
        text.index("Key Takeaways"),
        *(text.index(section.title) for section in article.sections),
    ]
    assert positions == sorted(positions)
    assert len(article.endnotes) == 14
    assert all(note.startswith("https://") and " dot " not in note for note in article.endnotes)
    assert article.endnotes[0] == (
        "https://kremlin.ru/events/president/news/78541 ; https://tass.ru/politika/25611234"
    )


def test_saved_page_is_recognised_by_its_canonical_link(tmp_path: Path) -> None:
    saved = tmp_path / "report (1).html"
    shutil.copy(PAGES / "isw-russian-offensive-campaign-assessment-november-14-2025.html", saved)
    html = saved.read_text(encoding="utf-8")
    for given in (str(saved), saved.as_uri(), "report (1).html"):
        article = extract(html, given)
        assert article.url == ISW_ROCA_URL
        assert (article.source, article.extractor) == ("isw", "isw")
        assert article.series == "russian-offensive-campaign-assessment"


def test_page_served_from_another_host_is_that_hosts_page() -> None:
    """Identity comes from where a page was fetched: a copy of an ISW report served by any
    other host is that host's page, whatever its canonical link says (the link is recorded)."""
    html = (TESTDATA / "isw-new-roca.html").read_text(encoding="utf-8")
    article = extract(html, "http://127.0.0.1:8765/research/roca.html")
    assert article.url == "https://127.0.0.1:8765/research/roca.html"
    assert (article.source, article.extractor) == ("127.0.0.1", "generic")
    assert article.series is None and article.edition == ""
    assert article.claimed_url == ISW_ROCA_URL
    assert any(ISW_ROCA_URL in w and "where it was fetched from" in w for w in article.warnings)


def test_relative_canonical_link_resolves_against_the_fetched_address() -> None:
    html = (TESTDATA / "isw-old-roca.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="/backgrounder/' in html
    article = extract(html, "http://www.understandingwar.org/backgrounder/roca-copy?utm_source=x")
    assert article.url == (
        "https://www.understandingwar.org/backgrounder/"
        "russian-offensive-campaign-assessment-june-2-2025"
    )
    assert article.extractor == "isw-drupal" and not article.claimed_url


def test_saved_page_with_a_relative_canonical_link_needs_its_site(tmp_path: Path) -> None:
    html = (TESTDATA / "isw-old-roca.html").read_text(encoding="utf-8")
    saved = tmp_path / "page.html"
    article = extract(html, str(saved))
    assert article.url == saved.as_uri()
    assert article.extractor == "generic"  # its og:url names a site, but is never believed
    assert any("--base" in w for w in article.warnings)
    article = extract(html, str(saved), base_url="https://www.understandingwar.org/")
    assert article.url == (
        "https://www.understandingwar.org/backgrounder/"
        "russian-offensive-campaign-assessment-june-2-2025"
    )
    assert article.extractor == "isw-drupal"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "http://Example.COM/a/b/?utm_source=x&id=3&fbclid=y#frag",
            "https://example.com/a/b/?id=3",
        ),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/path", "https://example.com/path"),
        ("http://example.com:8080/path", "https://example.com:8080/path"),
        ("//cdn.example.com/x.webp", "https://cdn.example.com/x.webp"),
        (
            "  https://www.korea.kr/briefing/pressReleaseView.do?newsId=1&gclid=z  ",
            "https://www.korea.kr/briefing/pressReleaseView.do?newsId=1",
        ),
        (
            "https://example.com/a?UTM_Medium=x&q=%ED%95%9C&utm_content=",
            "https://example.com/a?q=%ED%95%9C",
        ),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://understandingwar.org/research/x/", "https://understandingwar.org/research/x/"),
        ("https://understandingwar.org/research/x", "https://understandingwar.org/research/x"),
        ("https://example.com./a", "https://example.com/a"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("file:///tmp/page.html", "file:///tmp/page.html"),
        ("/srv/pages/saved page.html", "file:///srv/pages/saved%20page.html"),
        ("", ""),
    ],
)
def test_canonical_url(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("", "empty HTML"),
        ("   \n\t ", "empty HTML"),
        ("<html><head><title>x</title></head><body></body></html>", "no article text"),
        ("\x00\x01\x02 binary \xff\xfe junk", "no article text"),
        ("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj", "no article text"),
    ],
)
def test_unusable_input_raises_a_clear_error(html: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract(html, "https://example.com/x")


HOSTILE = """
<p>Opening paragraph of the report with enough words in it to count as text for anyone.</p>
<script>alert('body script')</script>
<p onclick="steal()">Clickable paragraph <a href="javascript:alert(1)">bad link</a>
<a href="JaVaScRiPt:alert(2)">worse link</a> <a href="/ok">good link</a></p>
<img src="x.webp" onerror="alert('img')" alt="picture">
<iframe src="https://evil.example/"></iframe>
<style>p{color:red}</style>
<form action="/steal"><input name="q"></form>
<p><svg onload="alert(3)"><circle r="1"/></svg>After the svg.</p>
"""


def _isw_page(body: str) -> str:
    return (
        '<html><head><link rel="canonical" href="https://understandingwar.org/research/'
        'russia-ukraine/russian-offensive-campaign-assessment-june-3-2025/"></head><body>'
        '<h1 class="entry-title">Russian Offensive Campaign Assessment, June 3, 2025</h1>'
        '<div class="entry-content"><div data-id="toplines"><p><strong>A long enough headline '
        f"sentence for a topline.</strong> Body.</p>{body}</div></div></body></html>"
    )


@pytest.mark.parametrize(
    ("html", "url"),
    [
        (_isw_page(HOSTILE), "https://understandingwar.org/x"),
        (
            f"<html><body><article><h1>T</h1>{HOSTILE * 3}</article></body></html>",
            "https://e.com/a",
        ),
        (
            '<html><head><meta property="og:site_name" content="대한민국 정책브리핑"></head><body>'
            f'<div class="article_head"><h1>제목</h1></div><div class="view_cont">{HOSTILE}</div>'
            "</body></html>",
            "https://www.korea.kr/briefing/pressReleaseView.do?newsId=1",
        ),
    ],
    ids=["isw", "generic", "korea-kr"],
)
def test_scripts_and_event_handlers_never_reach_the_html(html: str, url: str) -> None:
    article = extract(html, url)
    lowered = article.html.lower()
    for unwanted in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<style",
        "<form",
        "<svg",
        "<input",
    ):
        assert unwanted not in lowered
    assert "good link" in article.html
    assert "alert" not in article.text


def test_isw_page_missing_its_blocks_falls_back_with_a_warning() -> None:
    html = _isw_page("").replace('data-id="toplines"', 'class="lede"')
    html = html.replace("<strong>A long enough headline sentence for a topline.</strong>", "")
    html = html.replace("Body.", "A paragraph of plain text long enough to be an article. " * 5)
    article = extract(html, "https://understandingwar.org/x")
    assert article.extractor == "generic"
    assert article.source == "isw"
    assert article.warnings == ["isw: page structure not recognised, used generic extractor"]
    assert article.series == "russian-offensive-campaign-assessment"


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "[1] kremlin dot ru/events/president/news/78541",
            "[1] https://kremlin.ru/events/president/news/78541",
        ),
        (
            "[2] http://kremlin dot ru/events/president/news/1 ; tass dot ru/politika/2",
            "[2] http://kremlin.ru/events/president/news/1 ; https://tass.ru/politika/2",
        ),
        ("[3] www dot mil dot by/news/5/.", "[3] https://www.mil.by/news/5/."),
        ("[4] t.me/rybar/70123", "[4] https://t.me/rybar/70123"),
        ("[5] https://t.me/rybar/70123", "[5] https://t.me/rybar/70123"),
        (
            "[6] https://www.kommersant dot ru/doc/7761234",
            "[6] https://www.kommersant.ru/doc/7761234",
        ),
        (
            "[7] Interview with U.S. officials, e.g. on May 3",
            "[7] Interview with U.S. officials, e.g. on May 3",
        ),
        ("[8] ria dot ru", "[8] https://ria.ru"),
        ("[9] mailto someone@example.com", "[9] mailto someone@example.com"),
    ],
)
def test_endnote_urls_are_deobfuscated(note: str, expected: str) -> None:
    assert deobfuscate_urls(note) == expected


def test_author_lines_split_into_names() -> None:
    assert split_authors("By Jane Doe, Ann Roe, and Bo Li with Cy Ng") == [
        "Jane Doe",
        "Ann Roe",
        "Bo Li",
        "Cy Ng",
    ]
    assert split_authors("Authors: Jane Doe & John Roe") == ["Jane Doe", "John Roe"]


def test_registry_is_an_ordered_list_of_adapters() -> None:
    names = [adapter.name for adapter in ADAPTERS]
    assert names == ["isw", "isw-drupal", "ctp", "korea-kr", "mnd-go-kr"]
    for adapter in ADAPTERS:
        assert adapter.hosts and callable(adapter.extract)
    # The publisher's own page outranks a mirror; every adapter outranks the generic fallback.
    assert rank("isw") > rank("isw-drupal") > rank("ctp") > rank("generic") > rank("nonsense")
    assert rank("korea-kr") > rank("mnd-go-kr") > rank("generic")


def test_benchmark_corpus_is_a_full_size_report() -> None:
    from bench.corpus import make_isw_report

    html, url = make_isw_report(7)
    assert (html, url) == make_isw_report(7)
    article = extract(html, url)
    assert article.extractor == "isw" and not article.warnings
    assert 60_000 <= len(article.text) <= 75_000
    assert len(article.endnotes) >= 95
    assert len(article.toplines) == 6 and len(article.key_takeaways) == 7
    assert len(article.maps) >= 5
    assert "Order of Battle" in article.sections[2].fields
    assert not any(s in article.text for s in ABSENT_FROM_TEXT)
