"""Korean-aware search: the same documents found on SQLite and PostgreSQL (the suite runs on both).

Database tests assert exact ids, so a run on each database is the cross-database comparison.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from search.backends import get_backend
from search.models import SearchDocument
from search.service import (
    MAX_TOTAL,
    SearchPage,
    Synonyms,
    index_document,
    rebuild_index,
    remove_document,
    search,
)
from search.snippets import excerpt
from search.tokens import (
    MAX_OCCURRENCES,
    MAX_POSITIONS,
    Phrase,
    build_layout,
    parse_query,
    tokenize,
)

GLOSSARY = {"Kupyansk": "쿠퍈스크", "Pokrovsk": "포크로우스크", "Donetsk Oblast": "도네츠크주"}

HOSTILE_QUERIES = [
    '"',
    '""',
    '"포로',
    "포로\"'",
    "*",
    "포로*",
    "*포로",
    "title:포로",
    "{title body}: 포로",
    "-포로",
    "포로 -전쟁",
    "(포로",
    "포로)",
    "((((",
    "NEAR(포로 전쟁, 2)",
    "포로 AND 전쟁",
    "포로 OR 전쟁",
    "NOT 포로",
    "AND",
    "OR OR",
    "^포로",
    "포로 & 전쟁 | 휴전 !",
    "포로 <-> 전쟁",
    "'포로':*A",
    "포로:AB",
    "\\",
    "\x00포로",
    "; DROP TABLE search_searchdocument; --",
    "'); DELETE FROM search_fts; --",
    "포로" * 200,
    " ".join(["포로"] * 50),
    "😀 🇰🇷",
    "\u200b",
    "ﾌﾟﾛ",
]


def when(day: int) -> dt.datetime:
    return dt.datetime(2025, 6, day, 9, 0, tzinfo=dt.UTC)


def ids(page: SearchPage) -> list[int]:
    return [hit.doc_id for hit in page.hits]


def id_set(query: str, **kwargs: object) -> set[int]:
    """The ids of posts (not notices) matching ``query``."""
    kwargs.setdefault("doc_type", "post")
    return set(ids(search(query, limit=100, **kwargs)))  # type: ignore[arg-type]


@pytest.fixture
def corpus() -> None:
    """A small board; the ids are what the tests (on each database) expect."""
    docs: list[tuple[int, str, str, list[str]]] = [
        (1, "포로 교환 합의", "양측은 포로를 교환하기로 합의했습니다.", ["포로", "외교"]),
        (2, "전쟁 동향", "전쟁포로 처우 문제가 다시 제기되었습니다.", ["러시아"]),
        (3, "휴전 협상", "휴전은 아직 멀었다고 평가했습니다.", []),
        (4, "휴일 전날", "휴가철 전에 병력이 이동했습니다.", []),
        (5, "ISW 평가", "Russian forces attacked near Kupyansk on June 2.", ["우크라이나"]),
        (6, "쿠퍈스크 방면 공세", "러시아군이 쿠퍈스크를 향해 진격했습니다.", []),
        (7, "국방부 보도자료", "F-16 전투기와 K2전차 도입 계획을 발표했습니다.", ["국방부"]),
        (8, "핵무기 정책", "북한의 핵 위협에 대응합니다.", ["북한"]),
        (9, "주간 정리", "이번 주에는 포로 관련 소식이 없었습니다.", []),
        (10, "교환 일정", "공식 발표는 다음 주 포로", ["휴전"]),
    ]
    for doc_id, title, body, tags in docs:
        index_document(
            "post",
            doc_id,
            title=title,
            body=body,
            tags=tags,
            published_at=when(doc_id),
            synonyms=GLOSSARY,
        )
    index_document(
        "notice", 1, title="공지: 포로 게시판 안내", body="안내입니다.", published_at=when(1)
    )


# -- tokens (no database) --------------------------------------------------------------------


def test_hangul_runs_become_bigrams_and_latin_words_fold() -> None:
    assert tokenize("전쟁포로를") == ["전쟁", "쟁포", "포로", "로를"]
    assert tokenize("핵 F-16 Zaporízhzhia ＡＢＣ 2025년") == [
        "핵",
        "f",
        "16",
        "zaporizhzhia",
        "abc",
        "2025",
        "년",
    ]


def test_query_keeps_only_token_text() -> None:
    assert parse_query('"포로" AND (NEAR) *:') == [
        Phrase(("포로",)),
        Phrase(("and",)),
        Phrase(("near",)),
    ]
    assert parse_query("핵") == [Phrase(("핵",), prefix=True)]
    assert parse_query("F-16") == [Phrase(("f", "16"))]
    for query in ["", "   ", "?!", "*:()\"'", "-- ;", "\u200b"]:
        assert parse_query(query) == []


def test_layout_caps_positions_and_occurrences_like_postgresql() -> None:
    layout = build_layout(title="제목", body="전쟁 " * 400 + "가나다라 " * 10_000, tags=["태그"])
    total = sum(len(tokens) for _, tokens in layout.fields()) + 3
    assert total <= MAX_POSITIONS
    assert layout.body.count("전쟁") == MAX_OCCURRENCES
    assert None in layout.body


def test_snippet_escapes_and_marks() -> None:
    snippet = excerpt("<b>포로</b>를 & <script>alert(1)</script>", parse_query("포로"))
    assert snippet.html == (
        "&lt;b&gt;<mark>포로</mark>&lt;/b&gt;를 &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert ("포로", True) in snippet.segments


def test_synonyms_match_whole_terms_both_ways() -> None:
    synonyms = Synonyms.of(GLOSSARY)
    assert synonyms.expansions("near Kupyansk, in Donetsk Oblast") == [
        ("Donetsk Oblast", "도네츠크주"),
        ("Kupyansk", "쿠퍈스크"),
    ]
    assert synonyms.expansions("쿠퍈스크를 향해") == [("쿠퍈스크", "Kupyansk")]
    assert synonyms.expansions("Kupyanskyi district, Donetsk") == []


# -- searching -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_syllable_word_finds_words_with_particles_and_compounds(corpus: None) -> None:
    assert id_set("포로") == {1, 2, 9, 10}
    assert id_set("휴전") == {3}  # 휴일 전날 / 휴가철 전에 are not 휴전
    assert id_set("휴전은") == {3}
    assert id_set("전쟁포로") == {2}


@pytest.mark.django_db
def test_glossary_makes_search_bilingual(corpus: None) -> None:
    assert id_set("쿠퍈스크") == {5, 6}
    assert id_set("Kupyansk") == {5, 6}
    assert id_set("kupyansk") == {5, 6}
    page = search("쿠퍈스크", field="body")
    hit = next(hit for hit in page.hits if hit.doc_id == 5)
    assert ("Kupyansk", True) in hit.body_snippet.segments


@pytest.mark.django_db
def test_fields(corpus: None) -> None:
    assert id_set("포로", field="title") == {1}
    assert id_set("포로", field="body") == {1, 2, 9, 10}
    assert id_set("포로", field="tags") == {1}
    assert id_set("휴전", field="tags") == {10}
    assert id_set("휴전", field="all") == {3}  # 제목+내용, not tags
    assert id_set("교환", field="title") == {1, 10}
    assert id_set("교환", field="body") == {1}
    with pytest.raises(ValueError, match="field"):
        search("포로", field="everything")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_words_are_anded_and_phrases_stay_adjacent(corpus: None) -> None:
    assert id_set("포로 교환") == {1, 10}  # each word in the title or the body
    assert id_set("포로 교환", field="body") == {1}
    assert id_set("F-16") == {7}
    assert id_set("f16") == set()
    assert id_set("K2전차") == {7}
    assert id_set("전투기 k2") == {7}
    # The last word of a title and the first of the body are not adjacent.
    assert id_set("합의양측") == set()


@pytest.mark.django_db
def test_one_syllable_word_matches_as_a_prefix(corpus: None) -> None:
    assert id_set("핵") == {8}  # 핵무기 and 핵 alone


@pytest.mark.django_db
def test_doc_type_filter(corpus: None) -> None:
    assert id_set("포로", doc_type="notice") == {1}
    assert id_set("포로", doc_type="post") == {1, 2, 9, 10}
    assert [hit.doc_type for hit in search("게시판").hits] == ["notice"]


@pytest.mark.django_db
def test_title_matches_rank_first(corpus: None) -> None:
    assert ids(search("포로", doc_type="post"))[0] == 1
    index_document(
        "post", 20, title="일일 정리", body="포로 포로 포로 포로 교환", published_at=when(20)
    )
    ranked = ids(search("교환", doc_type="post"))
    assert set(ranked[:2]) == {1, 10}
    assert ranked[2] == 20
    assert ids(search("교환", order="recent"))[0] == 20


@pytest.mark.django_db
def test_pagination_and_totals(corpus: None) -> None:
    first = search("포로", limit=2)
    second = search("포로", limit=2, offset=2)
    rest = search("포로", limit=2, offset=4)
    assert first.total == second.total == 5
    assert len(first.hits) == len(second.hits) == 2
    assert len(rest.hits) == 1
    everything = [*ids(first), *ids(second), *ids(rest)]
    assert sorted(everything) == sorted(ids(search("포로", limit=10)))
    assert search("포로", offset=100).hits == []


@pytest.mark.django_db
def test_a_common_word_counts_to_the_cap_and_ranks_the_newest_matches() -> None:
    # The oldest document would rank first (title match) but is outside the newest MAX_TOTAL.
    index_document("post", 0, title="반복", body="반복되는 내용")
    for doc_id in range(1, MAX_TOTAL + 5):
        index_document("post", doc_id, title=f"제목 {doc_id}", body="반복되는 내용")
    index_document("post", MAX_TOTAL + 5, title="반복 정리", body="반복되는 내용")
    page = search("반복")
    assert page.total == MAX_TOTAL
    assert page.total_capped
    assert len(page.hits) == 20
    assert page.hits[0].doc_id == MAX_TOTAL + 5
    assert min(ids(page)) > 5
    last_page = search("반복", offset=MAX_TOTAL - 10)
    assert len(last_page.hits) == 10
    assert last_page.hits[-1].doc_id == 6
    assert search("반복", offset=MAX_TOTAL).hits == []
    assert search("반복", offset=MAX_TOTAL).total == MAX_TOTAL
    assert search("정리").total == 1
    assert not search("정리").total_capped


@pytest.mark.django_db
def test_backend_ranks_exactly_the_newest_matches_in_its_window(corpus: None) -> None:
    backend = get_backend(connection.vendor)
    with connection.cursor() as cursor:
        ranked = backend.ranked(
            cursor,
            parse_query("포로"),
            field="all",
            doc_type="post",
            order="relevance",
            window=3,
            limit=10,
            offset=0,
        )
    doc_ids = dict(SearchDocument.objects.values_list("pk", "doc_id"))
    assert ranked.matched == 3
    assert {doc_ids[pk] for pk, _ in ranked.rows} == {2, 9, 10}


@pytest.mark.django_db
def test_backend_window_over_dense_matches() -> None:
    # 드론 in every third post: on PostgreSQL the newest ids are read in two widening ranges.
    for doc_id in range(1, 41):
        index_document(
            "post", doc_id, title=f"{'드론' if doc_id % 3 == 0 else '전차'} 소식", body=""
        )
    backend = get_backend(connection.vendor)
    with connection.cursor() as cursor:
        ranked = backend.ranked(
            cursor,
            parse_query("드론"),
            field="title",
            doc_type=None,
            order="recent",
            window=4,
            limit=10,
            offset=0,
        )
    doc_ids = dict(SearchDocument.objects.values_list("pk", "doc_id"))
    assert ranked.matched == 4
    assert [doc_ids[pk] for pk, _ in ranked.rows] == [39, 36, 33, 30]


@pytest.mark.django_db
def test_rebuild_command(corpus: None) -> None:
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().strip() == "reindexed 11 documents"


@pytest.mark.django_db
def test_snippets_highlight_and_escape() -> None:
    body = "서론 " * 100 + "<script>alert('x')</script> 포로를 교환했습니다. " + "결론 " * 100
    index_document("post", 1, title="<b>포로</b> 소식", body=body)
    (hit,) = search("포로").hits
    assert hit.title_snippet.html == "&lt;b&gt;<mark>포로</mark>&lt;/b&gt; 소식"
    html = hit.body_snippet.html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<mark>포로</mark>를" in html
    assert html.startswith("…")
    assert html.endswith("…")
    assert len(str(hit.body_snippet)) <= 170


@pytest.mark.django_db
def test_title_only_match_shows_the_start_of_the_body() -> None:
    index_document("post", 1, title="포로 교환", body="본문은 다른 이야기입니다.")
    (hit,) = search("포로").hits
    assert str(hit.body_snippet) == "본문은 다른 이야기입니다."
    assert not hit.body_snippet.has_match


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_are_plain_words(corpus: None, query: str) -> None:
    page = search(query)
    assert isinstance(page, SearchPage)
    assert SearchDocument.objects.count() == 11
    assert id_set("포로") == {1, 2, 9, 10}


@pytest.mark.django_db
def test_syntax_characters_around_words_are_ignored(corpus: None) -> None:
    assert id_set('"포로"') == id_set("(포로)") == id_set("포로*") == {1, 2, 9, 10}
    assert id_set("포로 AND 교환") == set()  # "and" is a word to find, not an operator
    assert id_set("title:포로") == set()  # "title" is a word too


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   ", "\t\n", "?!.,", "*", '"', "()", "-"])
def test_empty_queries_return_an_empty_page(corpus: None, query: str) -> None:
    page = search(query)
    assert page.total == 0
    assert page.hits == []


@pytest.mark.django_db
def test_reindexing_is_idempotent_and_replaces_the_text() -> None:
    for _ in range(3):
        index_document("post", 1, title="휴전 협상", body="휴전은 멀었다.", tags=["외교"])
    assert SearchDocument.objects.count() == 1
    assert id_set("휴전") == {1}
    index_document("post", 1, title="포로 교환", body="포로를 교환했다.", tags=[])
    assert SearchDocument.objects.count() == 1
    assert id_set("휴전") == set()
    assert id_set("외교", field="tags") == set()
    assert id_set("포로") == {1}


@pytest.mark.django_db
def test_remove_document() -> None:
    index_document("post", 1, title="포로 교환", body="")
    index_document("post", 2, title="포로 송환", body="")
    remove_document("post", 1)
    remove_document("post", 1)
    remove_document("post", 999)
    assert id_set("포로") == {2}
    assert list(SearchDocument.objects.values_list("doc_id", flat=True)) == [2]
    index_document("post", 1, title="포로 교환", body="")
    assert id_set("포로") == {1, 2}


@pytest.mark.django_db
def test_orm_delete_drops_the_index_entry() -> None:
    index_document("post", 1, title="포로 교환", body="")
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            assert cursor.fetchone()[0] == 0
    assert id_set("포로") == set()


@pytest.mark.django_db
def test_rebuild_index_restores_search_without_the_glossary(corpus: None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM search_fts")
        else:
            cursor.execute("UPDATE search_searchdocument SET search_vector = ''")
    assert id_set("포로") == set()
    assert rebuild_index() == 11
    assert id_set("포로") == {1, 2, 9, 10}
    assert id_set("쿠퍈스크") == {5, 6}


@pytest.mark.django_db
def test_long_documents_index_to_the_position_limit() -> None:
    body = "앞부분 Kupyansk " + "러시아군이 공세를 이어갔습니다. " * 3000 + "맨끝단어"
    index_document("post", 1, title="긴 문서", body=body, synonyms=GLOSSARY)
    assert id_set("앞부분") == {1}
    assert id_set("쿠퍈스크") == {1}
    assert id_set("공세") == {1}
    assert id_set("맨끝단어") == set()  # beyond 16,383 positions, on both databases


# The cross-database check: fixed queries and the ids each must return, on either database.
EXPECTED = [
    ("포로", "all", {1, 2, 9, 10}),
    ("포로를", "all", {1}),
    ("휴전", "all", {3}),
    ("휴전", "tags", {10}),
    ("쿠퍈스크", "all", {5, 6}),
    ("Kupyansk", "title", {6}),
    ("쿠퍈스크", "body", {5, 6}),
    ("러시아", "all", {6}),  # 러시아군이
    ("러시아", "tags", {2}),
    ("러시아군", "body", {6}),
    ("russian forces", "body", {5}),
    ("forces russian", "all", {5}),
    ("near Kupyansk", "all", {5}),
    ("June 2", "all", {5}),
    ("2 June", "all", {5}),  # words are ANDed, in any order
    ("교환", "all", {1, 10}),
    ("교환하기로", "body", {1}),
    ("다음 주", "all", {10}),
    ("다음주", "all", set()),
    ("주", "all", {9, 10}),
    ("핵", "all", {8}),
    ("북", "all", {8}),
    ("국방부", "tags", {7}),
    ("f 16", "all", {7}),
    ("16", "all", {7}),
    ("f16", "all", set()),
]


@pytest.mark.django_db
def test_the_same_ids_on_every_database(corpus: None) -> None:
    got = {(query, field): id_set(query, field=field) for query, field, _ in EXPECTED}
    assert got == {(query, field): expected for query, field, expected in EXPECTED}
