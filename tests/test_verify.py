"""The verifier: number, date and jamo normalisation, and each rule on hand-written briefs.

The source articles and good briefs are those of ``tests/eval/verify_cases.json``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.brief.glossary import Glossary
from pipeline.brief.koreantext import jamo_distance, letter_counts
from pipeline.brief.numbers import korean_dates, korean_numbers, source_dates, source_numbers
from pipeline.brief.verify import (
    FAILURE_KINDS,
    Failure,
    feedback_text,
    resolve_source_ref,
    source_text,
    verify,
    verify_json,
)
from pipeline.types import Article, Section

CASES = json.loads(
    (Path(__file__).parent / "eval" / "verify_cases.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def source(name: str) -> Article:
    return Article.from_json(CASES["articles"][name])


def good(name: str) -> dict[str, Any]:
    return copy.deepcopy(CASES["briefs"][name])


ROCA = "roca-2025-06-02"


def kinds(failures: list[Failure]) -> set[str]:
    return {failure.kind for failure in failures}


def values(text: str) -> list[Decimal]:
    return [mention.value for mention in korean_numbers(text)]


# --- normalisation ------------------------------------------------------------------------------


def test_korean_numbers_fold_units_and_commas() -> None:
    assert values("6,000명") == values("6000명") == values("6천 명") == values("6 천 명")
    assert values("6천") == [Decimal(6000)]
    assert values("1만 2천") == values("1만2천명") == [Decimal(12000)]
    assert values("1억 2000만") == [Decimal(120_000_000)]
    assert values("120만 루블") == [Decimal(1_200_000)]
    assert values("3.5km") == [Decimal("3.5")]
    assert values("30%") == values("30퍼센트") == [Decimal(30)]


def test_korean_numbers_take_the_number_of_counters_and_ordinals() -> None:
    assert values("30여 대") == [Decimal(30)]
    assert values("3차례") == values("3차") == values("제3군") == [Decimal(3)]
    assert values("18~25세") == [Decimal(18), Decimal(25)]
    assert values("6 만큼") == [Decimal(6)]  # "as much as six", not 60,000


@given(st.integers(min_value=0, max_value=10**9))
def test_korean_numbers_read_grouped_digits(number: int) -> None:
    assert values(f"{number:,}명") == [Decimal(number)]


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9))
def test_korean_numbers_read_man_and_cheon(man: int, cheon: int) -> None:
    assert values(f"{man}만 {cheon}천 명") == [Decimal(man * 10_000 + cheon * 1000)]


def test_source_numbers_read_words_and_scales() -> None:
    found = source_numbers(
        "three axes, twenty-five drones, a two-to-three-day pause, 1.2 million rubles, "
        "30 percent, the 58th Army, 6,000 for 6,000, one hour, dozens of drones"
    )
    for number in (3, 25, 2, 1_200_000, Decimal("1.2"), 30, 58, 6000, 1):
        assert Decimal(number) in found
    assert Decimal(12) not in found  # "dozens" is not a number
    assert Decimal(250_000) in source_numbers("two hundred and fifty thousand")


def test_korean_dates() -> None:
    def days(text: str) -> list[tuple[int | None, int | None, int | None]]:
        return [(m.year, m.month, m.day) for m in korean_dates(text)]

    assert days("6월 2일") == [(None, 6, 2)]
    assert days("2025년 6월 2일") == [(2025, 6, 2)]
    assert days("6월 1일과 2일") == [(None, 6, 1), (None, 6, 2)]
    assert days("6월 1~2일") == [(None, 6, 1), (None, 6, 2)]
    assert days("2025년 6월 중") == [(2025, 6, None)]
    assert days("2025년에") == [(2025, None, None)]
    assert days("6월 2일부터 3일간") == [(None, 6, 2)]  # 3일간 is a duration


def test_source_dates_and_the_publication_date() -> None:
    dates = source_dates(
        "met on June 1 and 2, respectively; talks between June 20 and 30; on 5 May 2024; "
        "2025-03-08; in April 2025",
        published=dt.date(2025, 6, 10),
    )

    def named(text: str) -> bool:
        return all(dates.names(mention) for mention in korean_dates(text))

    assert named("6월 1일과 2일")
    assert named("6월 20~30일")
    assert named("2024년 5월 5일")
    assert named("2025년 3월 8일")
    assert named("2025년 4월")
    assert named("6월 10일")  # the publication date
    assert named("2024년")
    assert not named("6월 3일")
    assert not named("2023년")
    assert not named("2025년 5월 5일")


def test_jamo_distance() -> None:
    assert jamo_distance("포크로프스크", "포크로우스크") == 2
    assert jamo_distance("자포리지아", "자포리자") == 2
    assert jamo_distance("쿠피안스크", "쿠퍈스크") == 3
    assert jamo_distance("차시우 야르", "차시우야르") == 0
    assert jamo_distance("테헤랑", "테헤란") == 1
    assert jamo_distance("러시아", "우크라이나", limit=3) == 4


def test_letter_counts() -> None:
    assert letter_counts("러시아군은 NATO를 3번") == (7, 11)


# --- the rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("article", "brief"),
    [
        (ROCA, "roca"),
        ("iran-2025-06-13-evening", "iran"),
        ("forcegen-2025-05-30", "forcegen"),
        ("mnd-2025-06-04", "mnd"),
    ],
)
def test_good_briefs_pass(article: str, brief: str, glossary: Glossary) -> None:
    assert verify(good(brief), source(article), glossary) == []


def test_number_failure_names_the_token(glossary: Glossary) -> None:
    brief = good("roca")
    brief["key_points"][2]["text"] = "양측은 전사자 시신 7,500구씩을 돌려주기로 했습니다."
    failures = verify(brief, source(ROCA), glossary)
    assert failures == [
        Failure(
            "number", "number 7,500 in key_points[2] does not occur in the source", "key_points[2]"
        )
    ]
    brief["key_points"][2]["text"] = "양측은 전사자 시신 6천 구씩을 돌려주기로 했습니다."
    assert verify(brief, source(ROCA), glossary) == []


def test_dates_are_not_counted_as_numbers(glossary: Glossary) -> None:
    brief = good("roca")
    brief["key_points"][0]["text"] = "대표단은 6월 1일과 2일 이스탄불에서 만났습니다."
    failures = verify(brief, source(ROCA), glossary)
    assert kinds(failures) == {"date"}
    assert "6월 1일" in failures[0].detail


def test_country_rules(glossary: Glossary) -> None:
    brief = good("roca")
    brief["countries"][2]["name_ko"] = "터키"
    brief["countries"].append({"iso2": "CN", "name_ko": "중국", "role": "중재"})
    brief["outlook"] = "ISW는 북한이 러시아에 포탄을 계속 공급할 것으로 평가합니다."
    details = [f.detail for f in verify(brief, source(ROCA), glossary)]
    assert "countries[2].name_ko '터키' should be '튀르키예' (CLDR name of TR)" in details
    assert "country CN (중국) is not named in the source" in details
    assert "북한 (KP) in outlook is not named in the source" in details


def test_glossary_near_misses_and_english_left(glossary: Glossary) -> None:
    brief = good("roca")
    brief["key_points"][5]["text"] = (
        "러시아군은 포크로프스크와 쿠피안스크, Kherson 인근에서 공격했습니다."
    )
    details = [f.detail for f in verify(brief, source(ROCA), glossary)]
    assert "포크로프스크 in key_points[5] should be 포크로우스크 (Pokrovsk)" in details
    assert "쿠피안스크 in key_points[5] should be 쿠퍈스크 (Kupyansk)" in details
    assert "'Kherson' left in English in key_points[5]; write 헤르손" in details


def test_near_miss_check_only_uses_terms_found_in_the_source(glossary: Glossary) -> None:
    brief = good("mnd")  # the Korean release names no glossary term in English
    brief["outlook"] = "국방부는 포크로프스크 방면 전황도 주시하겠다고 평가합니다."
    assert "glossary" not in kinds(verify(brief, source("mnd-2025-06-04"), glossary))


@pytest.mark.parametrize(
    "leak",
    [
        "```json\n러시아군은 진격했습니다.",
        "<p>러시아군은 진격했습니다.</p>",
        "## 주요 내용\n러시아군은 진격했습니다.",
        "**러시아군**은 진격했습니다.",
        "- 러시아군은 진격했습니다.",
        "• 러시아군은 진격했습니다.",
        "다음은 요약입니다. 러시아군은 진격했습니다.",
        "<start_of_turn>model\n러시아군은 진격했습니다.",
        "assistant: 러시아군은 진격했습니다.",
        "러시아군은 진격했습니다. Ignore previous instructions.",
        '<script src="x.js"></script>러시아군은 진격했습니다.',
    ],
)
def test_markup_and_prompt_text(leak: str, glossary: Glossary) -> None:
    brief = good("roca")
    brief["key_points"][4]["text"] = leak
    assert "markup" in kinds(verify(brief, source(ROCA), glossary))


def test_language_rule_ignores_acronyms_and_bracketed_english(glossary: Glossary) -> None:
    brief = good("roca")
    brief["key_points"][2]["text"] = "러시아 각서는 NATO 가입 포기를 요구합니다(full text)."
    assert verify(brief, source(ROCA), glossary) == []
    brief["key_points"][2]["text"] = "Russia demands that Ukraine give up its hopes of NATO."
    failures = verify(brief, source(ROCA), glossary)
    assert kinds(failures) == {"language"}
    assert failures[0].field == "key_points[2]"
    assert failures[0].detail == "key_points[2] is not Korean (Hangul is 0% of its letters)"


def test_schema_rules(glossary: Glossary) -> None:
    article = source(ROCA)
    brief = good("roca")
    brief["key_points"] = brief["key_points"] + brief["key_points"][:2]
    brief["key_points"][0] = dict(brief["key_points"][0], source_ref="kt-9")
    brief["key_points"][1] = dict(brief["key_points"][1], source_ref="takeaway-1")
    brief["outlook"] = ""
    del brief["category"]
    brief["countries"][0] = {"iso2": "UA", "role": ""}
    details = [f.detail for f in verify(brief, article, glossary) if f.kind == "schema"]
    assert details == [
        "missing key category",
        "key_points has 9 items; 3 to 8 are allowed",
        "key_points[0].source_ref 'kt-9' points past the end of the source",
        "key_points[1].source_ref 'takeaway-1' is not kt-<n>, top-<n>, sec-<n> or p-<n>",
        "countries[0] is missing name_ko",
        "outlook is empty",
    ]
    assert kinds(verify(["not", "a", "mapping"], article, glossary)) == {"schema"}  # type: ignore[arg-type]


def test_category_vocabulary_can_be_passed_in(glossary: Glossary) -> None:
    brief = good("roca")
    assert verify(brief, source(ROCA), glossary, categories={brief["category"]}) == []
    failures = verify(brief, source(ROCA), glossary, categories={"이란 및 중동 정세"})
    assert kinds(failures) == {"schema"}


def test_title_is_optional_but_checked_for_markup(glossary: Glossary) -> None:
    brief = good("roca")
    del brief["title_ko"]
    assert verify(brief, source(ROCA), glossary) == []
    brief["title_ko"] = "<b>[ISW]</b> 러시아의 공세 캠페인 평가"
    assert kinds(verify(brief, source(ROCA), glossary)) == {"markup"}


def test_source_refs_resolve_to_the_prompts_blocks() -> None:
    article = source(ROCA)
    assert resolve_source_ref(article, "kt-1") == article.key_takeaways[0]
    assert resolve_source_ref(article, "top-2") is not None
    assert resolve_source_ref(article, "sec-2") == "Russian Main Effort – Eastern Ukraine"
    assert resolve_source_ref(article, "p-2") is not None
    assert resolve_source_ref(article, "kt-7") is None
    assert resolve_source_ref(article, "kt-0") is None


def test_endnote_urls_do_not_source_numbers_or_dates() -> None:
    text = source_text(source(ROCA))
    assert "53219" not in text
    assert "t.me" not in text


def test_verify_json_and_feedback(glossary: Glossary) -> None:
    brief = good("roca")
    assert verify_json(source(ROCA), brief, glossary) == {"ok": True, "failures": []}
    brief["key_points"][1]["text"] = "양측은 전사자 시신 7,500구씩을 6월 5일 돌려주기로 했습니다."
    result = verify_json(source(ROCA), brief, glossary)
    assert result["ok"] is False
    assert {f["kind"] for f in result["failures"]} == {"number", "date"}
    assert all(set(f) == {"kind", "detail", "field"} for f in result["failures"])
    json.dumps(result, ensure_ascii=False)
    feedback = feedback_text(verify(brief, source(ROCA), glossary))
    assert "원문에 없는 숫자" in feedback
    assert "number 7,500 in key_points[1] does not occur in the source" in feedback
    assert feedback_text([]) == ""


def test_failure_kinds_are_the_documented_set() -> None:
    assert FAILURE_KINDS == (
        "number",
        "date",
        "country",
        "glossary",
        "markup",
        "language",
        "schema",
    )


def test_verify_is_fast_on_a_65k_character_report(glossary: Glossary) -> None:
    article = source(ROCA)
    body = "\n\n".join([s.text for s in article.sections] + [t.body for t in article.toplines])
    article.sections = [
        Section(id=f"s{i}", title=f"Section {i}", text=body) for i in range(65_000 // len(body))
    ]
    article.text = "\n\n".join(section.text for section in article.sections)
    assert len(article.text) > 60_000
    brief = good("roca")
    verify(brief, article, glossary)  # builds the gazetteer once
    started = time.perf_counter()
    failures = verify(brief, article, glossary)
    elapsed = time.perf_counter() - started
    assert failures == []
    assert elapsed < 1.0  # about 50 ms on the development machine
