"""The old Drupal site's adapter (``isw-drupal``) on pages built from the real skeletons.

The truth below is written by hand from the fixture pages, not copied from the stored JSON.
No Django needed: ``pytest tests/test_extract_isw_drupal.py -p no:django``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline.publishers.isw.drupal import endnote_text, parse_time_line, split_objective
from pipeline.publishers.registry import extract
from pipeline.types import Article

PAGES = Path(__file__).parent / "fixtures" / "pages"
SITE = "https://www.understandingwar.org/backgrounder/"
SLUG_2022 = "russian-offensive-campaign-assessment-august-15-2022"
SLUG_2023 = "russian-offensive-campaign-assessment-january-25-2023"
ET = "America/New_York"
MAX_SECTION = 2_000  # the fixtures' longest section is about 900 characters


def _html(slug: str) -> str:
    return (PAGES / f"isw-drupal-{slug}.html").read_text(encoding="utf-8")


def _extract(slug: str) -> Article:
    return extract(_html(slug), SITE + slug)


@pytest.fixture(scope="module")
def a2022() -> Article:
    return _extract(SLUG_2022)


@pytest.fixture(scope="module")
def a2023() -> Article:
    return _extract(SLUG_2023)


# --------------------------------------------------------------------------- 2022 layout


def test_2022_head(a2022: Article) -> None:
    assert a2022.extractor == "isw-drupal"
    assert a2022.title == "Russian Offensive Campaign Assessment, August 15"
    assert a2022.published == dt.date(2022, 8, 15)
    # The time line "August 15, 8:00 pm ET", not dc:created's 22:41.
    assert (a2022.published_time, a2022.time_zone) == ("20:00", ET)
    assert a2022.authors == [
        "Mirela Hanssen",
        "Tobias Arkwright",
        "Daria Loomis",
        "Caspian Reyes",
        "Henrik A. Vollmer",
    ]


def test_2022_toplines_take_the_whole_bold_lead(a2022: Article) -> None:
    assert [t.headline for t in a2022.toplines] == [
        "Ukrainian forces struck a Russian ammunition depot and a command post near Nova "
        "Kakhovka on August 14 and 15, continuing a campaign to isolate Russian troops on the "
        "right bank of the Dnipro River.",
        # Split over two <strong> runs.
        "Russian forces are likely redeploying elements of the Eastern Military District from "
        "Kharkiv Oblast toward the Southern Axis.",
        "The Kremlin is expanding covert recruitment through regional volunteer battalions.",
    ]
    assert a2022.toplines[1].body.startswith("Ukrainian military intelligence reported")
    assert a2022.toplines[2].body.endswith("will likely limit their combat effectiveness.")
    assert "[" not in " ".join(t.body for t in a2022.toplines)


def test_2022_takeaways_stop_before_the_section_names(a2022: Article) -> None:
    assert len(a2022.key_takeaways) == 8
    assert a2022.key_takeaways[0].startswith("Ukrainian strikes near Nova Kakhovka")
    assert a2022.key_takeaways[-1] == (
        "Occupation officials in Zaporizhia Oblast set a provisional date for an annexation "
        "referendum."
    )
    joined = "\n".join(a2022.key_takeaways)
    for name in ("Ukrainian Counteroffensives", "comprised of", "Activities in Russian-occupied"):
        assert name not in joined
    assert "comprised of one subordinate and two supporting efforts);" not in a2022.text


def test_2022_sections_split_at_every_heading(a2022: Article) -> None:
    assert [s.title for s in a2022.sections] == [
        "Ukrainian Counteroffensives",  # nested <strong><span><strong><span>
        "Russian Subordinate Main Effort—Donetsk Oblast",  # two runs, longer than 140
        "Russian Supporting Effort—Kharkiv City",  # one run, longer than 140
        "Russian Supporting Effort—Southern Axis",  # <strong><u>…</u></strong><strong> (…)
        "Mobilization and Force Generation Efforts",
        "Activities in Russian-occupied Areas",
    ]
    by_title = {s.title: s for s in a2022.sections}
    assert by_title["Russian Supporting Effort—Southern Axis"].fields == {
        "Russian objective": "Hold frontline positions and defend rear areas"
    }
    donetsk = by_title["Russian Subordinate Main Effort—Donetsk Oblast"]
    assert donetsk.fields["Russian objective"].startswith("Capture the entirety of Donetsk")
    assert donetsk.fields["Assessed Russian advances"] == (
        "Russian forces advanced roughly one kilometer along the railway east of Soledar."
    )
    # A bold sentence is section text, not a heading.
    assert by_title["Ukrainian Counteroffensives"].text.startswith(
        "Ukrainian officials maintained strict operational silence"
    )
    # The parent heading with nothing under it stays in the text only.
    assert "Russian Main Effort—Eastern Ukraine (comprised of" in a2022.text
    assert all(len(s.text) < MAX_SECTION for s in a2022.sections)


def test_2022_endnotes_hold_full_urls(a2022: Article) -> None:
    notes = a2022.endnotes
    assert len(notes) == 16
    assert notes[0] == (
        "https://twitter.com/kherson_watch/status/1559201845563912193 ; "
        "https://t.me/south_ops_ua/4521 ; "
        "https://www.unian.net/war/zsu-znyshchyly-dvi-paromni-perepravy-11938421.html ; "
        "https://www.facebook.com/pivden.ua/posts/pfbid0Zq4rT8mWn2KcVx7LbE3sYh9PdGf1AoJu6Ni"
    )
    assert notes[6] == (
        "https://www.facebook.com/GeneralStaff.ua/posts/pfbid02vKd7rGq9Xn3mLpW8sT1yZbQe5uHj6kCw4Ra"
    )
    assert notes[7].startswith("http://mil.ru/special_operation/news/more.htm?id=12433190")
    assert notes[15] == "https://ria.ru/20220815/zaporozhe-1809912345.html"
    for note in notes:
        assert "\u2026" not in note and " dot " not in note and not note.startswith("[")


def test_2022_maps(a2022: Article) -> None:
    assert [m.title for m in a2022.maps] == [
        "Assessed Control of Terrain in Ukraine, August 15, 2022",
        "",
        "Southern Axis, August 15, 2022",
    ]
    assert all(m.url.startswith("https://www.understandingwar.org/sites/") for m in a2022.maps)


# --------------------------------------------------------------------------- 2023 layout


def test_2023_head(a2023: Article) -> None:
    assert a2023.title == "Russian Offensive Campaign Assessment, January 25, 2023"
    assert a2023.published == dt.date(2023, 1, 25)
    assert (a2023.published_time, a2023.time_zone) == ("21:45", ET)
    assert a2023.authors[0] == "Aurelia Brandt" and a2023.authors[-1] == "Henrik A. Vollmer"
    assert len(a2023.authors) == 6


def test_2023_toplines_and_takeaways(a2023: Article) -> None:
    assert [t.headline for t in a2023.toplines] == [
        "Germany and the United States announced on January 25 that they will send modern main "
        "battle tanks to Ukraine, reversing months of reluctance.",
        "Russian forces launched another large-scale missile and drone strike against Ukrainian "
        "energy infrastructure on January 25.",
        "Russian forces are preparing a renewed offensive in Luhansk Oblast.",
    ]
    assert a2023.toplines[0].body.endswith("to justify strikes against Ukrainian infrastructure.")
    assert len(a2023.key_takeaways) == 9
    assert not any("Significant Activity in Belarus" in t for t in a2023.key_takeaways)


def test_2023_sections(a2023: Article) -> None:
    assert [s.title for s in a2023.sections] == [
        "Eastern Ukraine: (Oskil River-Kreminna-Svatove line)",
        "Russian Subordinate Main Effort—Bakhmut",
        "Russian Subordinate Main Effort—Avdiivka-Donetsk City",
        "Russian Supporting Effort—Southern Axis",
        "Mobilization and Force Generation Efforts",
        "Activities in Russian-occupied Areas",
    ]
    by_title = {s.title: s for s in a2023.sections}
    mobilization = by_title["Mobilization and Force Generation Efforts"]
    assert mobilization.fields == {
        "Russian objective": "Expand combat power without general mobilization"
    }
    # <ul> under a heading, with an ordinal in <sup>.
    assert "- The Russian Ministry of Defense is forming new training grounds" in mobilization.text
    assert "144th Motorized Rifle Division" in mobilization.text
    assert all(len(s.text) < MAX_SECTION for s in a2023.sections)


def test_2023_endnotes_split_two_urls_in_one_href(a2023: Article) -> None:
    notes = a2023.endnotes
    assert len(notes) == 17
    assert notes[0] == (
        "https://isw.pub/UkrWar012423 ; "
        "https://www.bundesregierung.example.de/breg-en/news/tanks-2159813 ; "
        "https://tass.ru/politika/16879321 ; "
        "https://www.facebook.com/GeneralStaff.ua/posts/pfbid0A7pQs2wErTy5uIo9pLkJh3gFdSa4zXcVb"
    )
    assert notes[1].startswith("https://armyinform.com.ua/2023/01/25/tanky-dlya-ukrayiny")
    assert notes[2].count("https://understandingwar.org/backgrounder/") == 2
    assert " ; " in notes[2]
    assert notes[16] == (
        "http://kremlin.ru/events/president/news/70412 ; https://t.me/kherson_exile/877"
    )
    for note in notes:
        assert "\u2026" not in note and " dot " not in note


# --------------------------------------------------------------------------- both


@pytest.mark.parametrize("slug", [SLUG_2022, SLUG_2023])
def test_boilerplate_and_head_lines_are_dropped(slug: str) -> None:
    article = _extract(slug)
    for unwanted in (
        "classified material",
        "do not report in detail",
        "Click here",
        "interactive map",
        " pm ET",
        "pm ET",
    ):
        assert unwanted not in article.text
        assert unwanted not in article.html
    assert article.authors[0] not in article.html
    # Endnote links show and point at full addresses.
    hrefs = re.findall(r'href="([^"]*)"', article.html)
    assert all(h.startswith(("https://", "http://")) and ";" not in h for h in hrefs)
    assert "\u2026" not in article.html


@pytest.mark.parametrize("slug", [SLUG_2022, SLUG_2023])
def test_url_is_the_fetched_address_never_og_url(slug: str) -> None:
    html = _html(slug)
    assert 'content="http://dev-isw.bivings.com/"' in html
    article = extract(html, f"http://www.understandingwar.org/backgrounder/{slug}?utm_source=x")
    assert article.url == SITE + slug
    assert not article.claimed_url
    assert "dev-isw" not in repr(article.to_json())
    assert article.title != "Institute for the Study of War"
    # Without its canonical link the page still keeps where it was fetched from.
    bare = re.sub(r'<link rel="canonical"[^>]*>', "", html)
    article = extract(bare, SITE + slug)
    assert article.url == SITE + slug
    assert article.extractor == "isw-drupal"


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize(
    ("line", "near", "expected"),
    [
        ("August 15, 8:00 pm ET", dt.date(2022, 8, 15), (dt.date(2022, 8, 15), "20:00")),
        ("January 25, 9:45pm ET", dt.date(2023, 1, 25), (dt.date(2023, 1, 25), "21:45")),
        ("March 3, 9 pm ET", dt.date(2022, 3, 3), (dt.date(2022, 3, 3), "21:00")),
        ("December 5, 7:30 PM EST", dt.date(2022, 12, 5), (dt.date(2022, 12, 5), "19:30")),
        ("Dec. 31, 11:15 pm ET", dt.date(2023, 1, 1), (dt.date(2022, 12, 31), "23:15")),
        ("February 24, 2022, 6:00 pm ET", None, (dt.date(2022, 2, 24), "18:00")),
        ("November 11, 2022 5:30 p.m. EST", dt.date(2030, 1, 1), (dt.date(2022, 11, 11), "17:30")),
        ("August 15, 8:00 pm ET", None, (None, "20:00")),
        ("6:15 pm EDT", None, (None, "18:15")),
    ],
)
def test_time_line_variants(
    line: str, near: dt.date | None, expected: tuple[dt.date | None, str]
) -> None:
    found = parse_time_line(line, near)
    assert found is not None
    assert (found.day, found.clock, found.zone) == (*expected, ET)


@pytest.mark.parametrize(
    "line",
    [
        "Russian forces attacked at 8:00 pm ET near Bakhmut on August 15.",
        "August 15, 13:00 pm ET",
        "Smarch 15, 8:00 pm ET",
        "Key Takeaways",
        "",
    ],
)
def test_not_time_lines(line: str) -> None:
    assert parse_time_line(line, dt.date(2022, 8, 15)) is None


def test_objective_headings() -> None:
    assert split_objective("Supporting Effort—Southern Axis (Russian objective: Hold lines)") == (
        "Supporting Effort—Southern Axis",
        "Russian objective",
        "Hold lines",
    )
    assert split_objective("Ukrainian Counteroffensives (Ukrainian efforts to liberate x)") == (
        "Ukrainian Counteroffensives (Ukrainian efforts to liberate x)",
        "",
        "",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[2] https://t.me/a/1 https://t.me/b/2", "https://t.me/a/1 ; https://t.me/b/2"),
        ("[3] https://x.org/ahttps://y.org/b", "https://x.org/a ; https://y.org/b"),
        (
            "[4] https://web.archive.org/web/2022/https://mil.ru/x",
            "https://web.archive.org/web/2022/https://mil.ru/x",
        ),
        (
            "[5] http://kremlin dot ru/events/1; tass dot ru/2",
            "http://kremlin.ru/events/1 ; https://tass.ru/2",
        ),
        (
            "[6] Interview with a Ukrainian officer, January 2023",
            "Interview with a Ukrainian officer, January 2023",
        ),
    ],
)
def test_endnote_text(raw: str, expected: str) -> None:
    assert endnote_text(raw) == expected
