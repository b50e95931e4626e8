"""ISW's real WordPress template, field by field, on the two fixture pages built from the
skeletons in ``shared/reference/markup/isw-wordpress-*.skeleton.txt``:

- the Russian Offensive Campaign Assessment of April 14, 2026 (browser-saved DOM shape: ``id``
  beside ``data-id``, two links in a map block, lists and split bold leads in the toplines),
  posted at 22:51 ET, i.e. ``2026-04-15T02:51:21+00:00``;
- the Iran Update Special Report of April 9, 2026 (raw server shape: section slugs with a
  trailing space and a typo, a "See topline section." section, an endnote continued in the
  next paragraph, a card naming three researchers).

No Django needed: ``pytest tests/test_extract_isw_wordpress.py -p no:django``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.publishers.registry import extract
from pipeline.types import Article

PAGES = Path(__file__).parent / "fixtures" / "pages"
ROCA_PAGE = PAGES / "isw-wp-russian-offensive-campaign-assessment-april-14-2026.html"
IRAN_PAGE = PAGES / "isw-wp-iran-update-special-report-april-9-2026.html"
ROCA_URL = (
    "https://understandingwar.org/research/russia-ukraine/"
    "russian-offensive-campaign-assessment-april-14-2026/"
)
IRAN_URL = (
    "https://understandingwar.org/research/middle-east/iran-update-special-report-april-9-2026/"
)
ROCA_TITLE = "Russian Offensive Campaign Assessment, April 14, 2026"
IRAN_TITLE = "Iran Update Special Report, April 9, 2026"


def _html(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _roca(html: str | None = None) -> Article:
    return extract(html if html is not None else _html(ROCA_PAGE), ROCA_URL)


def _iran(html: str | None = None) -> Article:
    return extract(html if html is not None else _html(IRAN_PAGE), IRAN_URL)


# --------------------------------------------------------------------------- the ROCA page


def test_roca_identity_and_times() -> None:
    html = _html(ROCA_PAGE)
    assert 'content="2026-04-15T02:51:21+00:00"' in html  # the UTC date is the next day
    article = _roca(html)
    assert (article.source, article.extractor, article.warnings) == ("isw", "isw", [])
    assert article.url == ROCA_URL
    assert article.title == ROCA_TITLE
    assert article.series == "russian-offensive-campaign-assessment"
    assert article.published == dt.date(2026, 4, 14)
    assert article.published_time == "22:51"
    assert article.time_zone == "America/New_York"
    assert article.data_cutoff == "12:15"


def test_roca_authors_come_from_the_sidebar_cards() -> None:
    assert _roca().authors == [
        "Jonah Feld",
        "Ruth Akande",
        "Caleb Moreno",
        "Mara Delgado",
        "Pavlo Hrytsenko",
        "Ines Whitcombe",
    ]


def test_roca_toplines_keep_lists_and_split_bold_leads() -> None:
    article = _roca()
    assert [t.headline for t in article.toplines] == [
        "The Kremlin Dispatch amplified a Russian Security Council statement on April 14 that "
        "rejected a European proposal for a moratorium on strikes against energy infrastructure.",
        "Ukrainian drone units struck the Unecha oil pumping station in Bryansk Oblast on the "
        "night of April 13 to 14.",
        "Russian forces intensified assaults on Kostyantynivka from the south and east on "
        "April 14.",
    ]
    first = article.toplines[0].body
    assert "\n- Russian officials tied the moratorium to territory." in first
    assert "\n- European officials signaled further support." in first
    assert first.endswith("ISW has observed no evidence that supports this claim.")
    assert len(article.key_takeaways) == 6
    assert article.key_takeaways[-1] == (
        "Russian forces recently advanced near Siversk, Kostyantynivka and Pokrovsk."
    )


def test_roca_axis_sections_and_their_fields() -> None:
    article = _roca()
    assert [(s.id, s.title) for s in article.sections] == [
        (
            "ukrainian-operations-in-the-russian-federation",
            "Ukrainian Operations in the Russian Federation",
        ),
        ("russian-supporting-effort-northern-axis", "Russian Supporting Effort: Northern Axis"),
        ("russian-main-effort-eastern-ukraine", "Russian Main Effort: Eastern Ukraine"),
        ("russian-supporting-effort-southern-axis", "Russian Supporting Effort: Southern Axis"),
        ("russian-air-missile-and-drone-campaign", "Russian Air, Missile, and Drone Campaign"),
        ("significant-activity-in-belarus", "Significant Activity in Belarus"),
    ]
    main = article.sections[2].fields
    assert main["Russian objective"] == "Capture the remainder of Donetsk Oblast."
    assert main["Assessed Russian advances"].splitlines()[1] == (
        "Kostyantynivka direction — Geolocated footage published on April 13 indicates that "
        "Russian forces recently advanced along the Toretsk–Kostyantynivka highway."
    )
    assert len(main["Order of Battle"].splitlines()) == 3
    assert main["Unconfirmed claims"].startswith("Kostyantynivka direction — A Russian milblogger")
    assert set(article.sections[1].fields) == {
        "Russian objective",
        "Assessed Ukrainian advances",
        "Unconfirmed claims",
        "Order of Battle",
    }


def test_roca_maps_have_titles_and_map_pages() -> None:
    maps = _roca().maps
    assert len(maps) == 5
    assert maps[2].url == (
        "https://understandingwar.org/wp-content/uploads/2026/04/"
        "Kostyantynivka-Direction-April-14-2026.webp"
    )
    assert maps[2].title == (
        "Assessed Control of Terrain in the Kostyantynivka Direction as of April 14, 2026"
    )
    assert (
        maps[2].link == "https://understandingwar.org/map/kostyantynivka-direction-april-14-2026/"
    )
    for image in maps:
        assert re.fullmatch(r"https://understandingwar\.org/map/[a-z0-9-]+/", image.link)
        assert image.url.endswith(".webp") and image.title.startswith("Assessed Control")


def test_roca_endnotes_are_numbered_by_their_marks() -> None:
    notes = _roca().endnotes
    assert len(notes) == 24
    assert (
        notes[0]
        == "http://kremlin.ru/events/security-council/80112 ; https://tass.ru/politika/26401122"
    )
    # [13] continues in the next paragraph, which has no number of its own.
    assert notes[12] == (
        "https://suspilne.media/kharkiv/1010155-oskil-crossings/ ; "
        "https://www.ukrinform.net/rubric-ato/4001122-fog-crossings.html"
    )
    assert notes[13] == "https://t.me/mod_russia/61001"
    assert notes[23] == "https://t.me/modmilby/52011 ; https://www.mil.by/news/250001/"


def test_roca_hints_are_the_previous_report_once() -> None:
    # Two #nav-posts (above and below the article) with the same link; no next report yet.
    assert _roca().hints == [
        "https://understandingwar.org/research/russia-ukraine/"
        "russian-offensive-campaign-assessment-april-13-2026/"
    ]


# --------------------------------------------------------------------------- the Iran page


def test_iran_identity_and_times() -> None:
    article = _iran()
    assert (article.source, article.extractor, article.warnings) == ("isw", "isw", [])
    assert article.title == IRAN_TITLE
    assert (article.series, article.edition) == ("iran-update", "")
    assert article.published == dt.date(2026, 4, 9)
    assert (article.published_time, article.data_cutoff) == ("19:48", "14:00")
    assert article.time_zone == "America/New_York"


def test_iran_card_with_three_names_is_split() -> None:
    assert _iran().authors == [
        "Nadia Sorensen",
        "Omar Haddad",
        "Priya Venkataraman",
        "Ava Kerrigan",
        "Tobias Renner",
        "Leila Farzan",
    ]


def test_iran_blocks() -> None:
    article = _iran()
    assert len(article.toplines) == 2 and len(article.key_takeaways) == 4
    assert article.toplines[0].body.endswith("without conceding that the process failed.")
    assert article.key_takeaways[0].startswith("Muscat talks. Iranian and US delegations")
    sections = {s.id: s for s in article.sections}
    assert list(sections) == [
        "martitime-developments",  # the page's own spelling
        "us-and-israeli-air-campaign",
        "intra-regime-dynamics",
        "israeli-campaign-against-hezbollah-and-hezbollah-response",  # "… " on the page
        "other-axis-of-resistance-response",
    ]
    assert all(key == key.strip() for key in sections)
    assert sections["us-and-israeli-air-campaign"].text == "See topline section."
    assert sections["israeli-campaign-against-hezbollah-and-hezbollah-response"].title == (
        "Israeli Campaign Against Hezbollah and Hezbollah Response"
    )
    assert sections["other-axis-of-resistance-response"].title == (
        "Other Axis of Resistance Response"
    )
    assert [m.link for m in article.maps] == [
        "https://understandingwar.org/map/iranian-naval-activity-near-the-strait-of-hormuz-"
        "april-9-2026/",
        "https://understandingwar.org/map/israeli-strikes-on-hezbollah-in-the-bekaa-valley-"
        "and-southern-lebanon-april-9-2026/",
    ]


def test_iran_endnote_continuation_is_joined() -> None:
    notes = _iran().endnotes
    assert len(notes) == 16
    assert notes[4] == (
        "https://www.irna.ir/news/86012345 ; https://www.irna.ir/news/86012377 ; "
        "https://www.presstv.ir/Detail/2026/04/09/764401/ ; "
        "https://www.presstv.ir/Detail/2026/04/09/764420/"
    )
    assert notes[5] == "https://www.leader.ir/en/content/29001/statement-april-9"
    assert notes[6].endswith("https://farsnews.ir/en/news/14050120000412")


def test_iran_hints_are_absolute_and_deduplicated() -> None:
    # Four links on the page (two nav blocks), one of them relative.
    assert _iran().hints == [
        "https://understandingwar.org/research/middle-east/iran-update-special-report-april-8-2026/",
        "https://understandingwar.org/research/middle-east/iran-update-special-report-april-10-2026/",
    ]


# --------------------------------------------------------------------------- chrome


def _chrome_strings(html: str) -> list[str]:
    """Text of the page's furniture, read from the page itself: related research titles and
    dates (other reports'), the uploader, sidebar labels and roles, tag cloud, footer."""
    tree = LexborHTMLParser(html)
    meta_author = tree.css_first("meta[name=author]")
    assert meta_author is not None
    found = [meta_author.attrs.get("content") or ""]
    for node in tree.css("time.entry-date"):
        found += [node.text(strip=True), (node.attrs.get("datetime") or "")[:10]]
    for selector in (
        ".gb-loop-item h4 a",
        ".research-card-title a",
        ".researcher-info span",
        ".analysts-note p",
        "#right-sidebar h6",
        "p.tag-cloud-in-header span",
        ".jump-menu__title",
        ".nav-posts a",
        ".site-footer p",
        ".more-reports-link",
    ):
        found += [node.text(strip=True) for node in tree.css(selector)]
    return [s for s in found if s]


@pytest.mark.parametrize(("page", "url"), [(ROCA_PAGE, ROCA_URL), (IRAN_PAGE, IRAN_URL)])
def test_no_chrome_reaches_text_or_html(page: Path, url: str) -> None:
    html = _html(page)
    chrome = _chrome_strings(html)
    assert len(chrome) >= 15
    article = extract(html, url)
    for unwanted in (*chrome, "Babel Street", "Powered by", "Endnotes\n"):
        assert unwanted not in article.text, unwanted
    plain_html = re.sub(r"<[^>]+>", " ", article.html)
    for unwanted in (*chrome, "Babel Street", "Powered by"):
        assert unwanted not in article.html and unwanted not in plain_html, unwanted
    assert "<img" in article.html and "/map/" in article.html  # the maps stay, linked
    assert article.title not in article.text  # shown apart from the body


def test_uploader_is_never_an_author() -> None:
    html = _html(IRAN_PAGE).replace("researcher-info", "researcher-bio")
    article = _iran(html)
    assert article.authors == []
    assert "Dana Whitlock" not in article.text


# --------------------------------------------------------------------------- dates and titles


def test_report_date_never_comes_from_the_utc_posting_time() -> None:
    html = _html(ROCA_PAGE)
    undated = html.replace(ROCA_TITLE, "Russian Offensive Campaign Assessment").replace(
        "russian-offensive-campaign-assessment-april-14-2026", "roca-latest"
    )
    url = "https://understandingwar.org/research/russia-ukraine/roca-latest/"
    # No date in the URL or the title: the header's date text.
    assert extract(undated, url).published == dt.date(2026, 4, 14)
    # No header date either: the posting time in ET, still April 14 (it is the 15th in UTC).
    bare = undated.replace('<h6 class="gb-text">April 14, 2026</h6>', "")
    article = extract(bare, url)
    assert article.published == dt.date(2026, 4, 14)
    assert article.published_time == "22:51"


def test_title_falls_back_to_the_article_heading_then_og_title() -> None:
    html = _html(IRAN_PAGE).replace(" h1-interior-page", "")
    assert _iran(html).title == IRAN_TITLE
    html = html.replace(f">{IRAN_TITLE}</h1>", "></h1>")
    assert _iran(html).title == IRAN_TITLE  # og:title


# --------------------------------------------------------------------------- endnotes


ACCORDION_RE = re.compile(
    r'(<div class="gb-container gb-container-7bda4188 endnote-accordion-content">).*?(</div>)',
    re.DOTALL,
)


def test_page_saved_before_the_endnotes_still_extracts() -> None:
    html = ACCORDION_RE.sub(r"\1<p></p>\2", _html(ROCA_PAGE), count=1)
    assert "[24] https://t.me/modmilby" not in html
    article = _roca(html)
    assert article.extractor == "isw" and article.warnings == []
    assert article.endnotes == []
    assert len(article.toplines) == 3 and len(article.sections) == 6


def test_skipped_endnote_number_keeps_the_others_in_place() -> None:
    html = _html(IRAN_PAGE).replace(
        "<p>[2] https://www.tehrancourier.example/en/news/2026/04/09/enrichment-halls ; "
        "https://www.tehrancourier.example/en/news/2026/04/09/delegation-returns</p>",
        "",
    )
    article = _iran(html)
    assert len(article.endnotes) == 16
    assert article.endnotes[1] == ""
    assert (
        article.endnotes[2] == "https://www.gulfledger.example/world/2026/04/09/frozen-funds-offer"
    )
    assert article.warnings == ["isw: endnotes without text: [2]"]


def test_hints_stay_on_isw_hosts() -> None:
    html = _html(IRAN_PAGE).replace(
        'href="/research/middle-east/iran-update-special-report-april-10-2026/"',
        'href="https://mirror.example.net/research/iran-update-special-report-april-10-2026/"',
    )
    assert all("understandingwar.org" in hint for hint in _iran(html).hints)
    assert len(_iran(html).hints) == 2  # the lower nav block still links to April 10 on ISW
