"""The deterministic half of the brief: Korean titles, the country gazetteer, the glossary."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.brief.categories import category_labels, default_category, load_categories
from pipeline.brief.countries import (
    find_countries,
    find_countries_ko,
    is_country_code,
    korean_country_name,
)
from pipeline.brief.glossary import Glossary, GlossaryEntry, trie_pattern
from pipeline.brief.titles import korean_date, korean_title, publisher_tag
from pipeline.types import Article


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def article(**fields: object) -> Article:
    defaults: dict[str, object] = {"url": "", "source": "isw", "title": ""}
    defaults.update(fields)
    return Article(**defaults)  # type: ignore[arg-type]


# --- titles -------------------------------------------------------------------------------------


def test_babel_long_korean_date() -> None:
    assert korean_date(dt.date(2025, 6, 2)) == "2025년 6월 2일"
    assert korean_date(dt.date(2025, 12, 25)) == "2025년 12월 25일"


def test_title_of_the_offensive_campaign_assessment(glossary: Glossary) -> None:
    roca = article(
        url="https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-june-2-2025/",
        title="Russian Offensive Campaign Assessment, June 2, 2025",
        series="russian-offensive-campaign-assessment",
        published=dt.date(2025, 6, 2),
    )
    assert korean_title(roca, glossary) == "[ISW] 러시아의 공세 캠페인 평가, 2025년 6월 2일"


def test_title_of_the_force_generation_update(glossary: Glossary) -> None:
    update = article(
        title="Russian Force Generation and Technological Adaptations Update, May 30, 2025",
        series="russian-force-generation-update",
        published=dt.date(2025, 5, 30),
    )
    assert korean_title(update, glossary) == (
        "[ISW] 러시아군 생성 및 기술 적응 업데이트, 2025년 5월 30일"
    )


def test_title_of_iran_update_special_editions(glossary: Glossary) -> None:
    evening = article(
        url="https://understandingwar.org/research/middle-east/iran-update-special-report-june-13-2025-evening-edition/",
        title="Iran Update Special Report, June 13, 2025, Evening Edition",
        series="iran-update",
        published=dt.date(2025, 6, 13),
    )
    assert korean_title(evening, glossary) == (
        "[ISW] 이란 업데이트 저녁 특별 보고서, 2025년 6월 13일"
    )
    morning = article(
        title="Iran Update Morning Special Report, June 17, 2025",
        series="iran-update",
        published=dt.date(2025, 6, 17),
    )
    assert korean_title(morning, glossary) == (
        "[ISW] 이란 업데이트 오전 특별 보고서, 2025년 6월 17일"
    )
    regular = article(title="Iran Update, June 5, 2025", series="iran-update")
    regular.published = dt.date(2025, 6, 5)
    assert korean_title(regular, glossary) == "[ISW] 이란 업데이트, 2025년 6월 5일"


def test_edition_labels_are_glossary_rows_not_code(glossary: Glossary) -> None:
    assert glossary.edition_title("evening") == "저녁 특별 보고서"
    assert glossary.edition_title("morning") == "오전 특별 보고서"
    assert glossary.edition_title("") is None
    renamed = glossary.with_entries([("Evening Special Report", "저녁 특집", "edition")])
    evening = article(
        title="Iran Update Evening Special Report, June 17, 2025",
        series="iran-update",
        published=dt.date(2025, 6, 17),
    )
    assert korean_title(evening, renamed) == "[ISW] 이란 업데이트 저녁 특집, 2025년 6월 17일"


def test_title_of_an_mnd_release_keeps_the_ministry_title(glossary: Glossary) -> None:
    release = article(
        source="mnd",
        title="국방부 차관, 방한한 캐나다 국방차관과 회담",
        series="mnd-press-release",
        published=dt.date(2025, 6, 4),
        language="ko",
    )
    assert korean_title(release, glossary) == "[국방부] 국방부 차관, 방한한 캐나다 국방차관과 회담"
    tagged = article(source="mnd", title="[국방부] 「제4회 국방 경진대회」 개최")
    assert korean_title(tagged, glossary) == "[국방부] 「제4회 국방 경진대회」 개최"


def test_title_of_an_unknown_series(glossary: Glossary) -> None:
    page = article(
        source="www.example.org",
        title="Weekly Arctic Security Brief, June 3, 2025",
        published=dt.date(2025, 6, 3),
    )
    assert korean_title(page, glossary) == (
        "[example.org] Weekly Arctic Security Brief, 2025년 6월 3일"
    )
    ctp = article(source="ctp", title="China-Taiwan Update", published=dt.date(2025, 6, 3))
    assert korean_title(ctp, glossary) == "[CTP] China-Taiwan Update, 2025년 6월 3일"
    assert publisher_tag(article(source="isw", title="x")) == "ISW"
    undated = article(source="isw", title="Special Edition: Black Sea")
    assert korean_title(undated, glossary) == "[ISW] Special Edition: Black Sea"


# --- glossary -----------------------------------------------------------------------------------


def test_glossary_is_seeded_from_the_shared_glossary(glossary: Glossary) -> None:
    shared = Path(__file__).parents[2] / "shared" / "glossary" / "ko-defense.tsv"
    if shared.exists():
        seeded = Glossary.load(shared)
        for entry in seeded:
            assert glossary.korean(entry.english) == entry.korean, entry
    assert glossary.korean("Pokrovsk") == "포크로우스크"
    assert len(glossary) >= 80


def test_find_in_longest_match_and_case_rules(glossary: Glossary) -> None:
    text = (
        "Russian forces attacked in Donetsk Oblast and near Donetsk City. A CEASEFIRE; two "
        "memorandums; prisoners of war (POWs); Sumy City and Sumy Oblast; Kyivan media; pokrovsk."
    )
    found = [entry.english for entry in glossary.find_in(text)]
    assert found == [
        "Donetsk Oblast",
        "Donetsk",
        "ceasefire",
        "memorandum",
        "prisoner of war",
        "Sumy City",
        "Sumy Oblast",
    ]
    # A particle right after an English name in Korean text does not hide it.
    assert [e.english for e in glossary.find_in("러시아군은 Pokrovsk와")] == ["Pokrovsk"]


def test_series_title_by_slug_or_english(glossary: Glossary) -> None:
    assert (
        glossary.series_title("russian-offensive-campaign-assessment")
        == "러시아의 공세 캠페인 평가"
    )
    assert glossary.series_title("Iran Update") == "이란 업데이트"
    assert glossary.series_title("russian occupation update") == "러시아 점령 업데이트"
    assert glossary.series_title("mnd-press-release") is None


def test_glossary_from_rows_and_overrides() -> None:
    base = Glossary.from_rows(
        [
            GlossaryEntry("Pokrovsk", "포크로우스크", "place", "press-2025"),
            {"english": "ceasefire", "korean": "휴전", "kind": "term"},
            ("Kupyansk", "쿠퍈스크", "place"),
        ]
    )
    assert len(base) == 3
    edited = base.with_entries([{"english": "Kupyansk", "korean": "쿠피얀스크", "kind": "place"}])
    assert edited.korean("Kupyansk") == "쿠피얀스크"
    assert base.korean("Kupyansk") == "쿠퍈스크"
    with pytest.raises(ValueError, match="unknown glossary kind"):
        Glossary.from_rows([("Kyiv", "키이우", "city")])
    with pytest.raises(ValueError):
        Glossary.from_rows([("Kyiv", "", "place")])


def test_glossary_tsv_errors_name_the_line(tmp_path: Path) -> None:
    bad_header = tmp_path / "a.tsv"
    bad_header.write_text("en\tko\nKyiv\t키이우\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        Glossary.load(bad_header)
    bad_row = tmp_path / "b.tsv"
    bad_row.write_text(
        "english\tkorean\tkind\tbasis\nKyiv\t키이우\tplace\tgov\nLviv\t르비우\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"b\.tsv:3"):
        Glossary.load(bad_row)


def test_find_in_is_one_pass_over_a_long_report(glossary: Glossary) -> None:
    paragraph = (
        "Russian forces continued offensive operations near Pokrovsk, Kupyansk and Chasiv Yar "
        "on June 2, and milbloggers claimed advances in Zaporizhia Oblast. "
    )
    text = paragraph * (65_000 // len(paragraph))
    started = time.perf_counter()
    found = glossary.find_in(text)
    elapsed = time.perf_counter() - started
    assert {e.english for e in found} >= {"Pokrovsk", "Kupyansk", "Zaporizhia Oblast"}
    assert elapsed < 0.25  # about 5 ms on the development machine


@given(st.sets(st.text(alphabet="abc D-", min_size=1, max_size=6), min_size=1, max_size=12))
def test_trie_pattern_matches_exactly_its_words(words: set[str]) -> None:
    regex = re.compile(trie_pattern(words))
    for word in words:
        assert regex.fullmatch(word)
    for other in {w + "x" for w in words} | {"x"}:
        assert not regex.fullmatch(other)


# --- countries ----------------------------------------------------------------------------------


def test_city_demonym_and_capital_name_their_country() -> None:
    assert set(find_countries("The delegations met in Istanbul on June 2.")) == {"TR"}
    assert set(find_countries("Russian forces advanced near Pokrovsk.")) == {"RU"}
    assert set(find_countries("Strikes hit air defenses near Tehran.")) == {"IR"}
    mentions = find_countries("Ukrainian and Russian officials met in Istanbul; Türkiye hosted.")
    assert mentions["TR"].count == 2
    assert mentions["TR"].names == ("Istanbul", "Türkiye")
    assert set(find_countries("The U.S. and the UK; North Korean troops; South Korea")) == {
        "US",
        "GB",
        "KP",
        "KR",
    }


def test_names_that_are_not_the_country() -> None:
    assert find_countries("New Mexico, New Jersey, the Indian Ocean and Latin American") == {}
    assert find_countries("Vladimir Putin spoke to Lloyd Austin in a van.") == {}
    assert find_countries("Russia's forces").keys() == {"RU"}
    assert "UA" not in find_countries("Kyivan")  # whole words only


def test_ambiguous_names_are_found_but_marked() -> None:
    alone = find_countries("Georgia")["GE"]
    assert alone.ambiguous
    assert not find_countries("Georgia and Georgian officials")["GE"].ambiguous
    assert find_countries("Jordan intercepted drones")["JO"].ambiguous
    assert not find_countries("Jordanian forces intercepted drones")["JO"].ambiguous


def test_korean_names_come_from_cldr() -> None:
    assert korean_country_name("TR") == "튀르키예"
    assert korean_country_name("UA") == "우크라이나"
    assert korean_country_name("KP") == "북한"
    assert korean_country_name("KR") == "대한민국"
    assert korean_country_name("US") == "미국"
    assert is_country_code("IR")
    assert not is_country_code("XX")
    with pytest.raises(KeyError):
        korean_country_name("XX")


def test_find_countries_ko() -> None:
    text = "우크라이나와 러시아 대표단은 튀르키예 이스탄불에서 만났으며, 북한군과 대한민국은"
    assert find_countries_ko(text) == {"UA", "RU", "TR", "KP", "KR"}
    assert find_countries_ko("대이란 제재와 친러시아 성향") == {"IR", "RU"}
    assert find_countries_ko("한국과 팔레스타인") == {"KR", "PS"}  # house short forms
    # Everyday words that are also country names, and words that start with one.
    assert find_countries_ko("외교적 수단을 동원하고, 인도적 지원과 인도양") == set()
    assert find_countries_ko("평가이란 무엇인가; 조지아주") == set()
    assert find_countries_ko("수단 정부와 인도 정부") == {"SD", "IN"}


def test_gazetteer_lookup_is_fast_on_a_long_report() -> None:
    paragraph = (
        "Ukrainian and Russian delegations met in Istanbul, and Iranian officials in Tehran "
        "denied that the IRGC supplied drones to Russian forces near Kupyansk. "
    )
    text = paragraph * (65_000 // len(paragraph))
    find_countries("warm up the index")
    started = time.perf_counter()
    mentions = find_countries(text)
    elapsed = time.perf_counter() - started
    assert set(mentions) == {"UA", "RU", "TR", "IR"}
    assert elapsed < 0.25  # about 10 ms on the development machine


# --- categories ---------------------------------------------------------------------------------


def test_category_vocabulary() -> None:
    labels = category_labels()
    assert "러시아-우크라이나 전쟁 관련 군사 및 외교 동향" in labels
    assert "이란 및 중동 정세" in labels
    assert len(load_categories()) == len(labels) >= 7
    usual = default_category("iran-update")
    assert usual is not None and usual.label == "이란 및 중동 정세"
    assert default_category(None) is None


def test_a_language_name_is_not_a_country_mention() -> None:
    from pipeline.brief.countries import find_countries_ko

    assert find_countries_ko("한국어 번역과 러시아어 방송") == set()
    assert find_countries_ko("한국 어선과 러시아는") == {"KR", "RU"}
