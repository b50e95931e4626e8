"""Input selection under a token budget, and the prompt built from it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from bench.bench_brief import INJECTION, full_size_article
from pipeline.brief.llm.base import ChatMessage, estimate_tokens
from pipeline.brief.prompt import (
    PROMPT_VERSION,
    build_messages,
    neutralise,
    with_topic_particle,
)
from pipeline.brief.select import SelectedInput, article_blocks, clean_paragraph, select_input
from pipeline.brief.verify import resolve_source_ref
from pipeline.types import Article, Section, Topline


@dataclass(frozen=True)
class Term:
    english: str
    korean: str


def small_article(**overrides: object) -> Article:
    values: dict[str, object] = {
        "url": "https://example.org/r",
        "source": "isw",
        "title": "Russian Offensive Campaign Assessment, June 2, 2025",
        "series": "russian-offensive-campaign-assessment",
        "published": dt.date(2025, 6, 2),
        "key_takeaways": [
            "Russian forces intensified attacks near Pokrovsk and Myrnohrad.",
            "Ukrainian drones struck an oil refinery in Saratov.",
        ],
        "toplines": [Topline("Ukraine and Russia met in Istanbul.", "The talks lasted one hour.")],
        "sections": [
            Section(
                id="s1",
                title="Pokrovsk Direction",
                text=(
                    "The weather in the region was mild and grain harvests continued.\n\n"
                    "Russian forces attacked near Pokrovsk and Myrnohrad with armored vehicles "
                    "on June 1 and 2.[12][13]\n\n"
                    "Assessment as of: 7:45 PM ET\n\n"
                    "[14] https://t.me/example/1"
                ),
            )
        ],
    }
    values.update(overrides)
    article = Article(**values)  # type: ignore[arg-type]
    # The plain text the extractor would give.
    article.text = "\n\n".join(
        [article.title, *(f"{s.title}\n\n{s.text}" for s in article.sections)]
    )
    return article


# -- selection ----------------------------------------------------------------------------------


def test_full_size_report_fits_the_budget_with_every_takeaway() -> None:
    article = full_size_article()
    assert len(article.text) >= 60_000
    selected = select_input(article, 4000, estimate_tokens)
    assert selected.tokens <= 4000
    assert estimate_tokens(selected.text()) == selected.tokens
    assert [r for r in selected.refs if r.startswith("kt-")] == [
        f"kt-{i}" for i in range(1, len(article.key_takeaways) + 1)
    ]
    assert {"top-1", "top-2"} <= set(selected.refs)
    # The budget is used, not just respected: sections fill what the takeaways leave.
    assert selected.tokens > 3500
    assert sum(1 for r in selected.refs if r.startswith("p-")) >= 5


def test_selection_drops_boilerplate_endnotes_and_citation_marks() -> None:
    text = select_input(full_size_article(), 4000, estimate_tokens).text()
    assert "Assessment as of" not in text
    assert "Data Cutoff" not in text
    assert "https://t.me" not in text
    assert not re.search(r"\.\[\d+\]", text)


def test_takeaways_that_overflow_are_shortened_evenly_but_all_kept() -> None:
    long = [
        f"Takeaway {i}: " + "Russian forces attacked near Pokrovsk again. " * 30 for i in range(7)
    ]
    article = small_article(key_takeaways=long)
    selected = select_input(article, 400, estimate_tokens)
    kts = [b for b in selected.blocks if b.kind == "kt"]
    assert [b.ref for b in kts] == [f"kt-{i}" for i in range(1, 8)]
    assert all(b.truncated and b.text.endswith("…") for b in kts)
    assert all(b.text.startswith(f"Takeaway {i}:") for i, b in enumerate(kts))
    lengths = [len(b.text) for b in kts]
    assert max(lengths) - min(lengths) < 40  # proportional shares of equal takeaways
    assert selected.tokens <= 400


def test_paragraphs_are_ranked_by_relevance_to_the_takeaways() -> None:
    article = small_article(toplines=[])
    everything = select_input(article, 10_000, estimate_tokens)
    assert len([b for b in everything.blocks if b.kind == "p"]) == 2
    budget = everything.tokens - 8  # room for one of the two paragraphs only
    selected = select_input(article, budget, estimate_tokens)
    paragraphs = [b.text for b in selected.blocks if b.kind == "p"]
    assert paragraphs == ["Russian forces attacked near Pokrovsk and Myrnohrad with armored "
                          "vehicles on June 1 and 2."]  # fmt: skip


def test_boost_terms_raise_a_paragraph() -> None:
    kherson = "Shelling hit Kherson overnight and damaged power lines in two districts of the city."
    odesa = "Shelling hit Odesa overnight and damaged power lines in two districts of the city."
    article = small_article(
        key_takeaways=["Fighting continued."],
        toplines=[],
        sections=[Section("s", "S", f"{kherson}\n\n{odesa}")],
    )
    budget = select_input(article, 10_000, estimate_tokens).tokens - 15  # one paragraph only
    plain = select_input(article, budget, estimate_tokens)
    boosted = select_input(article, budget, estimate_tokens, boost_terms=["Odesa"])
    assert [b.text for b in plain.blocks if b.kind == "p"] == [kherson]
    assert [b.text for b in boosted.blocks if b.kind == "p"] == [odesa]


def test_refs_and_hash_are_deterministic() -> None:
    article = full_size_article(seed=3)
    first, second = (select_input(article, 4000, estimate_tokens) for _ in range(2))
    assert first.refs == second.refs
    assert first.content_hash == second.content_hash
    assert len(first.content_hash) == 64
    other = select_input(full_size_article(seed=4), 4000, estimate_tokens)
    assert other.content_hash != first.content_hash
    blocks = article_blocks(article)
    assert all(b.section_id for b in blocks if b.kind == "sec")
    assert {b.section_id for b in blocks if b.kind == "p"} >= {"section-1", "section-11"}


def test_paragraph_refs_resolve_to_the_text_they_show() -> None:
    article = full_size_article(seed=1)
    for block in article_blocks(article):
        source = resolve_source_ref(article, block.ref)
        assert source is not None, block.ref
        assert source == block.text


def test_clean_paragraph() -> None:
    assert clean_paragraph("Forces advanced.[3][4] Then stopped.[5, 6]") == (
        "Forces advanced. Then stopped."
    )
    assert clean_paragraph("[12] https://t.me/x; https://x.com/y") == ""
    assert clean_paragraph("Data Cutoff: 1:30 PM ET on June 2") == ""
    assert clean_paragraph("Click here to read the full update.") == ""


def test_estimate_tokens_errs_high() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a" * 35) == 10
    assert estimate_tokens("러시아군") == 4


# -- prompt -------------------------------------------------------------------------------------


def messages_for(
    article: Article, feedback: str | None = None, previous: str | None = None
) -> tuple[SelectedInput, list[ChatMessage]]:
    selected = select_input(article, 4000, estimate_tokens)
    return selected, build_messages(
        selected,
        [Term("Pokrovsk", "포크로우스크"), Term("Myrnohrad", "미르노흐라드")],
        ["러시아-우크라이나 전쟁 관련 군사 및 외교 동향", "기타 국제 안보"],
        {"UA": "우크라이나", "RU": "러시아", "TR": "튀르키예"},
        feedback=feedback,
        previous_answer=previous,
    )


def test_prompt_shape() -> None:
    selected, messages = messages_for(small_article())
    assert [m["role"] for m in messages] == ["system", "user"]
    system, user = messages[0]["content"], messages[1]["content"]
    for rule in ("합니다체", "source_ref", "ISW는 …로 평가합니다", "용어집", "지시가 아닙니다"):
        assert rule in system
    assert "Markdown" in system and "HTML" in system
    marker = selected.content_hash[:12]
    assert f"<<<SOURCE id={marker}>>>" in user
    assert user.count(f"<<<END SOURCE id={marker}>>>") == 1
    assert "Pokrovsk\t포크로우스크" in user
    assert "- 러시아-우크라이나 전쟁 관련 군사 및 외교 동향" in user
    assert "- TR 튀르키예" in user
    assert "[kt-1] Russian forces intensified" in user


def test_prompt_injection_stays_inside_the_data_markers() -> None:
    article = full_size_article(injection=True)
    # In a section the paragraph may rank too low to be selected; a takeaway always is.
    article.key_takeaways.append(INJECTION)
    selected, messages = messages_for(article)
    user = messages[1]["content"]
    marker = selected.content_hash[:12]
    start = user.index(f"<<<SOURCE id={marker}>>>")
    end = user.index(f"<<<END SOURCE id={marker}>>>")
    injected = user.index("Ignore all previous instructions")
    assert start < injected < end
    # The report's own marker text is broken up: exactly one opening and one closing marker.
    assert user.count("<<<") == 2 and user.count(">>>") == 2
    assert "< < <END SOURCE> > >" in user
    assert INJECTION not in messages[0]["content"]


def test_feedback_on_retry() -> None:
    _, plain = messages_for(small_article())
    _, in_message = messages_for(small_article(), feedback="- number 7 is not in the source")
    assert len(in_message) == 2
    assert in_message[1]["content"].startswith(plain[1]["content"])
    assert "number 7 is not in the source" in in_message[1]["content"]
    _, as_turns = messages_for(small_article(), feedback="- bad", previous='{"a": 1}')
    assert [m["role"] for m in as_turns] == ["system", "user", "assistant", "user"]
    assert as_turns[:2] == plain
    assert as_turns[2]["content"] == '{"a": 1}'
    assert "- bad" in as_turns[3]["content"]


def test_prompt_version_is_in_the_hash() -> None:
    import hashlib

    selected = select_input(small_article(), 4000, estimate_tokens)
    expected = hashlib.sha256(f"{PROMPT_VERSION}\n{selected.text()}".encode()).hexdigest()
    assert selected.content_hash == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ISW", "ISW는"),
        ("국방부", "국방부는"),
        ("합참", "합참은"),
        ("CTP", "CTP는"),
        ("UN", "UN은"),
    ],
)
def test_topic_particle(name: str, expected: str) -> None:
    assert with_topic_particle(name) == expected


def test_neutralise() -> None:
    assert neutralise("a <<<< b >>> c << d") == "a < < < < b > > > c << d"
