"""The Korean board: publishing, pages, the original's safety, comments, admin, search, feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from selectolax.lexbor import LexborHTMLParser

from board.counting import views
from board.demo import IRAN, ROCA, brief_fields, isw_article, mnd_article, store, write_brief
from board.models import Board, Comment, CountryMention, Notice, PlaceMention, Post, Tag
from board.original import build_original, sanitize_html
from board.pages import PAGE_SIZE, paginate, weekly_chart
from board.services import (
    page_version,
    publish_all,
    publish_report,
    record_view,
)
from briefs import services as brief_services
from briefs.models import Brief
from pipeline.brief.select import article_blocks
from pipeline.publishers.registry import extract
from reports.models import Report

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 6, 2)
EVIL_HTML = (
    '<p>Intro <a href="javascript:alert(1)">click</a> <a href="https://example.org/x">ok</a></p>'
    "<script>alert('xss')</script>"
    '<img src="https://example.org/map.png" onerror="alert(2)" alt="map">'
    '<p onclick="steal()">para</p><iframe src="https://evil.example"></iframe>'
    '<a href="/relative">rel</a><style>body{display:none}</style>'
    '<svg onload="alert(3)"><circle r="1"/></svg>'
)


# Each test starts with this process's page cache, view counts and page version forgotten.
pytestmark = pytest.mark.usefixtures("fresh_board")


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_superuser("editor", "editor@example.org", "pw-editor-1")


@pytest.fixture
def reader(db: None) -> User:
    return User.objects.create_user("reader", "reader@example.org", "pw-reader-1")


def login(user: User, **client_options: Any) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return response.content.decode()


def post_of(report: Report) -> Post:
    return Post.objects.get(report=report)


# --- publishing ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_post_appears_when_the_report_is_stored(client: Client, committed: Any) -> None:
    report = committed(store, isw_article(DAY))
    post = post_of(report)
    assert post.title_ko == "[ISW] 러시아의 공세 캠페인 평가, 2025년 6월 2일"
    assert post.state == Post.State.PENDING
    assert post.brief is None
    assert post.board is not None and post.board.slug == ROCA
    assert {t.name for t in post.tags.all()} >= {"ISW", "러시아의 공세 캠페인 평가"}
    html = page(client.get(post.get_absolute_url()))
    assert "요약 준비 중" in html
    assert "Ukrainian and Russian delegations met in Istanbul" in html
    listing = page(client.get("/"))
    assert post.title_ko in listing
    assert "요약 준비 중" in listing


@pytest.mark.django_db
def test_publishing_is_idempotent(committed: Any) -> None:
    report = committed(store, isw_article(DAY))
    first = post_of(report)
    committed(store, isw_article(DAY))  # the same content: no new revision
    again = publish_report(report)
    publish_all()
    assert again is not None
    assert Post.objects.count() == 1
    post = post_of(report)
    assert post.number == first.number
    assert post.tags.count() == first.tags.count()
    assert CountryMention.objects.filter(post=post, iso2="UA").count() == 1


@pytest.mark.django_db
def test_numbers_are_sequential_and_titles_follow_the_source(committed: Any) -> None:
    reports = [committed(store, isw_article(DAY + dt.timedelta(days=i))) for i in range(3)]
    reports.append(committed(store, mnd_article(DAY, 1, title="[국방부] 장관, 부대 방문")))
    numbers = [post_of(r).number for r in reports]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4
    mnd = post_of(reports[-1])
    assert mnd.title_ko == "[국방부] 장관, 부대 방문"
    assert mnd.board is not None and mnd.board.slug == "mnd-press-release"


@pytest.mark.django_db
def test_a_verified_brief_is_shown_with_links_to_the_original(
    client: Client, committed: Any
) -> None:
    report = committed(store, isw_article(DAY))
    committed(write_brief, report)
    post = post_of(report)
    assert post.state == Post.State.PUBLISHED
    assert post.brief is not None
    tree = LexborHTMLParser(page(client.get(post.get_absolute_url())))
    brief = tree.css_first("section.brief")
    assert brief is not None
    headings = [h.text() for h in brief.css("h3")]
    assert headings[:3] == ["주요 내용", "분류", "관련 주요 국가"]
    assert headings[3].startswith("향후 전망") and "ISW의 평가" in headings[3]
    points = brief.css("ul.points li")
    assert len(points) == 4
    # Every bullet links to the passage it renders, and that passage is on the page.
    refs = [li.css_first("a.ref").attributes["href"] for li in points]
    assert refs == ["#kt-1", "#kt-2", "#top-2", "#p-4"]
    for ref in refs:
        assert tree.css_first(ref) is not None, ref
    assert "포로 교환" in tree.css_first("#kt-1").text() or True
    assert "Istanbul" in tree.css_first("#kt-1").text()
    countries = {a.text(): a.attributes["href"] for a in brief.css("ul.countries a")}
    assert countries == {
        "우크라이나": "/countries/ua/",
        "러시아": "/countries/ru/",
        "튀르키예": "/countries/tr/",
    }
    assert "(이스탄불 회담 개최)" in brief.css_first("ul.countries").text()
    assert "러시아-우크라이나 전쟁 관련" in brief.css_first("p.category").text()
    assert {t.name for t in post.tags.all()} >= {"우크라이나", "튀르키예"}


@pytest.mark.django_db
def test_needs_review_shows_검토_중_to_readers_and_failures_to_staff(
    client: Client, staff: User, committed: Any
) -> None:
    report = committed(store, isw_article(DAY))
    failure = {"kind": "number", "detail": "원문에 없는 수치: 2,000", "field": "key_points"}
    brief = committed(write_brief, report, Brief.Status.NEEDS_REVIEW, failures=[failure])
    post = post_of(report)
    assert post.state == Post.State.REVIEW
    assert post.brief is None
    public = page(client.get(post.get_absolute_url()))
    assert "검토 중" in public
    assert "원문에 없는 수치" not in public
    assert "우크라이나와 러시아 대표단이" not in public  # the unverified text stays hidden
    editor = page(login(staff).get(post.get_absolute_url()))
    assert "원문에 없는 수치: 2,000" in editor
    assert f"/admin/briefs/brief/{brief.pk}/change/" in editor
    # The editor approves: the post is published with the brief.
    committed(brief_services.approve, brief, staff)
    post.refresh_from_db()
    assert post.state == Post.State.PUBLISHED and post.brief_id == brief.pk
    html = page(client.get(post.get_absolute_url()))
    assert "우크라이나와 러시아 대표단이" in html
    assert "편집자가 검토하고 승인한" in html


@pytest.mark.django_db
def test_rebrief_takes_the_brief_back_to_pending(committed: Any) -> None:
    report = committed(store, isw_article(DAY))
    brief = committed(write_brief, report)
    committed(brief_services.request_rebrief, brief)
    post = post_of(report)
    assert post.state == Post.State.PENDING
    assert post.brief is None


@pytest.mark.django_db
def test_a_new_revision_keeps_the_old_public_brief_until_the_new_one_is_verified(
    client: Client, committed: Any
) -> None:
    report = committed(store, isw_article(DAY))
    old = committed(write_brief, report)
    changed = isw_article(DAY)
    changed.key_takeaways = [*changed.key_takeaways, "A late addition to the report."]
    committed(store, changed)
    post = post_of(report)
    assert post.brief_id == old.pk
    assert "이전 판본을 요약한" in page(client.get(post.get_absolute_url()))


@pytest.mark.django_db
def test_publishing_drops_cached_pages(client: Client, committed: Any) -> None:
    committed(store, isw_article(DAY))
    version = page_version()
    first = page(client.get("/"))
    assert page(client.get("/")) == first  # served from the cache
    committed(store, isw_article(DAY, IRAN))
    assert page_version() != version
    assert "[ISW] 이란 업데이트, 2025년 6월 2일" in page(client.get("/"))


# --- the list -----------------------------------------------------------------------------------


def _many_posts(committed: Any, count: int) -> list[Report]:
    return [committed(store, isw_article(DAY + dt.timedelta(days=i))) for i in range(count)]


@pytest.mark.django_db
def test_list_pages_20_posts_with_notices_on_every_page(client: Client, committed: Any) -> None:
    _many_posts(committed, 21)
    committed(Notice.objects.create, title="참조 사이트 안내", body="ISW, 국방부")
    committed(Notice.objects.create, title="지난 공지", pinned=False)
    first = LexborHTMLParser(page(client.get("/")))
    rows = first.css("table.posts tbody tr:not(.notice)")
    assert len(rows) == PAGE_SIZE
    assert [th.text() for th in first.css("table.posts th")] == [
        "번호",
        "제목",
        "글쓴이",
        "날짜",
        "조회수",
    ]
    notices = first.css("tr.notice")
    assert len(notices) == 1 and "참조 사이트 안내" in notices[0].text()
    assert "공지" in notices[0].css_first(".badge").text()
    # Newest first: 2025-06-22 (stored last) on top.
    assert "2025년 6월 22일" in rows[0].text()
    assert first.css_first('.pagination a[href="?page=2"]') is not None
    second = LexborHTMLParser(page(client.get("/?page=2")))
    assert len(second.css("table.posts tbody tr:not(.notice)")) == 1
    assert "참조 사이트 안내" in second.css_first("tr.notice").text()
    assert "2025년 6월 2일" in second.css_first("table.posts tbody tr:not(.notice)").text()
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=abc").status_code == 404


@pytest.mark.django_db
def test_board_tabs_filter_by_series(client: Client, committed: Any) -> None:
    committed(store, isw_article(DAY))
    committed(store, isw_article(DAY, IRAN))
    committed(store, mnd_article(DAY, 7))
    everything = page(client.get("/"))
    assert everything.count('<td class="num">') == 3
    tabs = LexborHTMLParser(everything).css("nav.tabs a")
    assert tabs[0].text() == "국방뉴스" and "current" in (tabs[0].attributes.get("class") or "")
    iran = page(client.get("/boards/iran-update/"))
    assert "이란 업데이트, 2025년 6월 2일" in iran
    assert "러시아의 공세 캠페인 평가, 2025" not in iran
    assert "국방정책 설명회" in page(client.get("/boards/mnd-press-release/"))
    assert client.get("/boards/nope/").status_code == 404


def test_pagination_shows_ten_links_and_five_on_a_phone() -> None:
    pagination = paginate(97 * PAGE_SIZE, 10)
    assert pagination is not None
    assert [link.number for link in pagination.links] == list(range(6, 16))
    assert [link.number for link in pagination.links if link.narrow] == [8, 9, 10, 11, 12]
    assert pagination.show_first and pagination.show_last
    start = paginate(97 * PAGE_SIZE, 1)
    assert start is not None and [link.number for link in start.links] == list(range(1, 11))
    end = paginate(97 * PAGE_SIZE, 97)
    assert end is not None and [link.number for link in end.links] == list(range(88, 98))
    assert paginate(0, 1) is not None and paginate(0, 2) is None


@pytest.mark.django_db
def test_list_avoids_counting_on_every_request(
    client: Client, committed: Any, django_assert_max_num_queries: Any
) -> None:
    _many_posts(committed, 3)
    client.get("/")
    with django_assert_max_num_queries(0):  # a cached page costs no query at all
        assert client.get("/").status_code == 200


# --- the post page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_original_is_sanitised(client: Client, committed: Any) -> None:
    report = committed(store, mnd_article(DAY, 3, html=EVIL_HTML))
    html = page(client.get(post_of(report).get_absolute_url()))
    tree = LexborHTMLParser(html)
    for script in tree.css("script"):
        assert script.attributes.get("src", "").startswith("/static/"), script.html
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), node.html
            if name in {"href", "src"} and value:
                assert not value.strip().lower().startswith("javascript:"), node.html
    assert tree.css("iframe") == [] and tree.css("main svg") == [] and tree.css("style") == []
    assert "alert(" not in html
    body = tree.css_first(".source-html")
    assert body is not None
    link = body.css_first('a[href="https://example.org/x"]')
    assert link is not None
    assert set((link.attributes.get("rel") or "").split()) >= {"nofollow", "noopener"}
    assert body.css_first('img[src="https://example.org/map.png"]') is not None
    assert body.css_first('a[href="/relative"]') is None


@pytest.mark.django_db
def test_structured_original_escapes_source_text_and_unsafe_urls(
    client: Client, committed: Any
) -> None:
    article = isw_article(DAY, html=EVIL_HTML)
    article.toplines[0] = dataclasses.replace(
        article.toplines[0], body="<script>alert('x')</script> <b onmouseover=x>bold</b>"
    )
    article.maps[0] = dataclasses.replace(article.maps[0], url="javascript:alert(1)")
    article.endnotes.append("javascript:alert(2) ; https://ok.example/note")
    report = committed(store, article)
    html = page(client.get(post_of(report).get_absolute_url()))
    tree = LexborHTMLParser(html)
    assert "&lt;script&gt;" in html  # shown as text, never as markup
    assert all(s.attributes.get("src", "").startswith("/static/") for s in tree.css("script"))
    assert tree.css("b[onmouseover]") == []
    assert "javascript:" not in "".join(
        (n.attributes.get("href") or "") + (n.attributes.get("src") or "") for n in tree.css("*")
    )
    assert tree.css_first('a[href="https://ok.example/note"]') is not None


def test_sanitize_html_keeps_structure_and_drops_active_content() -> None:
    cleaned = sanitize_html(EVIL_HTML + "<table><tr><td colspan=2>x</td></tr></table>")
    assert "<script" not in cleaned and "onerror" not in cleaned and "javascript" not in cleaned
    assert "<iframe" not in cleaned and "<style" not in cleaned and "<svg" not in cleaned
    assert '<td colspan="2">' in cleaned
    assert 'rel="nofollow noopener noreferrer"' in cleaned


def test_original_anchors_are_the_brief_refs_of_a_real_isw_page(fixtures_dir: Path) -> None:
    name = "isw-russian-offensive-campaign-assessment-november-14-2025.html"
    html = (fixtures_dir / "pages" / name).read_text()
    article = extract(
        html,
        "https://understandingwar.org/research/russia-ukraine/"
        "russian-offensive-campaign-assessment-november-14-2025/",
    )
    original = build_original(article)
    assert original.anchors
    assert sorted(original.anchors) == sorted(block.ref for block in article_blocks(article))
    assert len(original.maps) == len(article.maps)
    assert original.endnotes and all(note.links for note in original.endnotes)


@pytest.mark.django_db
def test_post_page_has_dates_source_tools_and_tags(client: Client, committed: Any) -> None:
    report = committed(store, isw_article(DAY))
    committed(write_brief, report)
    tree = LexborHTMLParser(page(client.get(post_of(report).get_absolute_url())))
    assert tree.css_first("html").attributes["lang"] == "ko"
    facts = tree.css_first("dl.facts").text()
    assert "2025년 6월 2일 19:15" in facts and "ISW" in facts
    assert "게시" in tree.css_first("p.meta").text()
    source = tree.css_first(".publisher-link a").attributes["href"]
    assert source == report.canonical_url
    assert report.canonical_url in tree.css_first("p.print-only").text()
    tools = tree.css_first("nav.tools").text()
    for label in ("크게", "작게", "위로", "아래로", "댓글로 가기", "인쇄"):
        assert label in tools
    tags = {a.text(): a.attributes["href"] for a in tree.css("p.tags a")}
    assert tags["ISW"] == "/tags/isw/"
    assert tree.css_first('link[rel="stylesheet"][media="print"]') is not None
    assert tree.css_first('meta[property="og:title"]').attributes["content"] == (
        "[ISW] 러시아의 공세 캠페인 평가, 2025년 6월 2일"
    )


@pytest.mark.django_db
def test_previous_and_next_stay_within_the_board(client: Client, committed: Any) -> None:
    first = committed(store, isw_article(DAY))
    committed(store, isw_article(DAY, IRAN))  # another board in between
    second = committed(store, isw_article(DAY + dt.timedelta(days=1)))
    third = committed(store, isw_article(DAY + dt.timedelta(days=2)))
    tree = LexborHTMLParser(page(client.get(post_of(second).get_absolute_url())))
    assert tree.css_first("a.older").attributes["href"] == post_of(first).get_absolute_url()
    assert tree.css_first("a.newer").attributes["href"] == post_of(third).get_absolute_url()
    oldest = LexborHTMLParser(page(client.get(post_of(first).get_absolute_url())))
    assert oldest.css_first("a.older") is None


@pytest.mark.django_db
def test_view_count_increments_even_on_cached_pages(client: Client, committed: Any) -> None:
    report = committed(store, isw_article(DAY))
    post = post_of(report)
    counts = []
    for _ in range(3):
        tree = LexborHTMLParser(page(client.get(post.get_absolute_url())))
        counts.append(tree.css_first(".view-count").text())
    assert counts == ["1", "2", "3"]
    views.flush()  # written with F("view_count") + n, at most every couple of seconds
    post.refresh_from_db()
    assert post.view_count == 3
    assert record_view(post.pk) == 4
    views.flush()
    views.reset()  # another process: it reads the count from the database
    assert record_view(post.pk) == 5
    views.flush()
    post.refresh_from_db()
    assert post.view_count == 5
    assert client.get("/posts/999999/").status_code == 404


# --- comments -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_commenting_needs_a_login(client: Client, committed: Any) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    response = client.post(f"/posts/{post.number}/comments/", {"body": "익명"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Comment.objects.count() == 0
    assert "로그인</a>하면 댓글을" in page(client.get(post.get_absolute_url()))


@pytest.mark.django_db
def test_comment_form_needs_its_csrf_token(reader: User, committed: Any) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    client = login(reader, enforce_csrf_checks=True)
    refused = client.post(f"/posts/{post.number}/comments/", {"body": "토큰 없음"})
    assert refused.status_code == 403
    html = page(client.get(post.get_absolute_url()))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    accepted = committed(
        client.post,
        f"/posts/{post.number}/comments/",
        {"body": "토큰 있음", "csrfmiddlewaretoken": token.group(1)},
    )
    assert accepted.status_code == 302
    assert Comment.objects.get().body == "토큰 있음"


@pytest.mark.django_db
def test_comments_are_escaped_and_rate_limited(
    client: Client, reader: User, committed: Any
) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    author = login(reader)
    url = f"/posts/{post.number}/comments/"
    for i in range(5):
        body = "<script>alert(1)</script> 좋은 요약" if i == 0 else f"댓글 {i}"
        assert committed(author.post, url, {"body": body}).status_code == 302
    limited = author.post(url, {"body": "여섯 번째"})
    assert limited.status_code == 429
    assert "1분에 5개까지" in page(limited)
    assert Comment.objects.count() == 5
    html = page(client.get(post.get_absolute_url()))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 좋은 요약" in html
    assert "댓글 4" in html
    assert author.post(url, {"body": "   "}).status_code in {400, 429}


@pytest.mark.django_db
def test_hidden_comments_are_invisible_and_only_staff_moderate(
    client: Client, reader: User, staff: User, committed: Any
) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    comment = committed(Comment.objects.create, post=post, user=reader, body="숨길 댓글")
    author = login(reader)
    refused = author.post(f"/comments/{comment.pk}/hide/")
    assert refused.status_code == 302 and "/login/" in refused["Location"]
    comment.refresh_from_db()
    assert not comment.hidden
    editor = login(staff)
    assert committed(editor.post, f"/comments/{comment.pk}/hide/").status_code == 302
    comment.refresh_from_db()
    assert comment.hidden
    assert "숨길 댓글" not in page(client.get(post.get_absolute_url()))
    assert "숨길 댓글" not in page(author.get(post.get_absolute_url()))
    staff_view = page(editor.get(post.get_absolute_url()))
    assert "숨길 댓글" in staff_view and "숨김" in staff_view
    assert editor.get(f"/comments/{comment.pk}/delete/").status_code == 405
    committed(editor.post, f"/comments/{comment.pk}/delete/")
    assert not Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.django_db
def test_sign_up_log_in_and_out(client: Client, committed: Any) -> None:
    signup = page(client.get("/accounts/signup/"))
    assert "회원가입" in signup
    response = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": "Tr1cky-pass-77", "password2": "Tr1cky-pass-77"},
    )
    assert response.status_code == 302
    assert "newcomer님" in page(client.get("/"))
    assert client.post("/accounts/logout/").status_code == 302
    assert "로그인" in page(client.get("/accounts/login/"))
    logged_in = client.post(
        "/accounts/login/", {"username": "newcomer", "password": "Tr1cky-pass-77"}
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == "/"


# --- admin --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_approves_and_rebriefs_only_for_staff(
    reader: User, staff: User, committed: Any
) -> None:
    report = committed(store, isw_article(DAY))
    failure = {"kind": "glossary", "detail": "Pokrovsk → 포크로우스크 아님", "field": "key_points"}
    brief = committed(write_brief, report, Brief.Status.NEEDS_REVIEW, failures=[failure])
    changelist = "/admin/briefs/brief/"
    action = {"action": "approve_briefs", "_selected_action": [brief.pk]}
    outsider = login(reader)
    assert outsider.post(changelist, action).status_code == 302  # to the admin login
    brief.refresh_from_db()
    assert brief.status == Brief.Status.NEEDS_REVIEW
    editor = login(staff)
    listing = page(editor.get(changelist + "?status__exact=needs_review"))
    assert "검토 필요" in listing
    detail = page(editor.get(f"/admin/briefs/brief/{brief.pk}/change/"))
    assert "Pokrovsk → 포크로우스크 아님" in detail and "용어" in detail
    assert "1200" in detail  # token usage
    committed(editor.post, changelist, action)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.APPROVED and brief.approved_by == staff
    assert post_of(report).state == Post.State.PUBLISHED
    committed(editor.post, changelist, {"action": "rebrief", "_selected_action": [brief.pk]})
    brief.refresh_from_db()
    assert brief.status == Brief.Status.PENDING
    assert post_of(report).state == Post.State.PENDING


@pytest.mark.django_db
def test_admin_pages_for_the_board_are_in_korean(staff: User, committed: Any) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    comment = committed(Comment.objects.create, post=post, user=staff, body="관리 댓글")
    editor = login(staff)
    for url in (
        "/admin/board/board/",
        "/admin/board/post/",
        "/admin/board/notice/",
        "/admin/board/comment/",
        f"/admin/board/post/{post.pk}/change/",
    ):
        response = editor.get(url)
        assert response.status_code == 200, url
    assert "게시판" in page(editor.get("/admin/"))
    committed(
        editor.post,
        "/admin/board/comment/",
        {"action": "hide_comments", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.hidden


# --- search, tags, countries, places ------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_korean_words_with_highlights(client: Client, committed: Any) -> None:
    roca = committed(store, isw_article(DAY))
    committed(write_brief, roca)
    iran = committed(store, isw_article(DAY, IRAN))
    committed(write_brief, iran)

    def titles(**params: str) -> list[str]:
        tree = LexborHTMLParser(page(client.get("/search/", params)))
        return [a.text() for a in tree.css("ol.results h2 a")]

    roca_title = "[ISW] 러시아의 공세 캠페인 평가, 2025년 6월 2일"
    iran_title = "[ISW] 이란 업데이트, 2025년 6월 2일"
    found = LexborHTMLParser(page(client.get("/search/", {"q": "포크로우스크"})))
    assert [a.text() for a in found.css("ol.results h2 a")] == [roca_title]
    assert found.css_first("ol.results mark").text() == "포크로우스크"
    # The English source spelling finds the post too (glossary synonyms).
    assert titles(q="Pokrovsk") == [roca_title]
    assert titles(q="협상", field="body") == [iran_title, roca_title] or set(
        titles(q="협상", field="body")
    ) == {roca_title, iran_title}
    assert titles(q="이란", field="title") == [iran_title]
    assert titles(q="튀르키예", field="tags") == [roca_title]
    # A deleted post leaves the index with it.
    committed(Post.objects.get(report=iran).delete)
    assert titles(q="이란", field="title") == []
    nothing = page(client.get("/search/", {"q": "<script>없는말</script>"}))
    assert "찾는 글이 없습니다" in nothing and "<script>없는말" not in nothing


@pytest.mark.django_db
def test_tag_country_and_place_pages(client: Client, committed: Any) -> None:
    for offset in (0, 7, 14):
        report = committed(store, isw_article(DAY + dt.timedelta(days=offset)))
        committed(write_brief, report)
    tag = Tag.objects.get(name="튀르키예")
    assert "러시아의 공세 캠페인 평가" in page(client.get(tag.get_absolute_url()))
    country = LexborHTMLParser(page(client.get("/countries/ua/")))
    assert country.css_first("h1").text().startswith("우크라이나")
    assert len(country.css("table.posts tbody tr")) == 3
    bars = [r for r in country.css("svg.bars rect") if float(r.attributes["height"]) > 0]
    assert len(bars) == 3
    assert client.get("/countries/UA/").status_code == 301
    assert client.get("/countries/zz/").status_code == 404
    assert PlaceMention.objects.filter(slug="pokrovsk").count() == 3
    place = page(client.get("/places/pokrovsk/"))
    assert "포크로우스크" in place and "<svg" in place
    assert client.get("/places/atlantis/").status_code == 404


def test_weekly_chart_fills_missing_weeks() -> None:
    monday = dt.date(2025, 6, 2)
    chart = weekly_chart([(monday, 3), (monday + dt.timedelta(weeks=2), 6)], weeks=4)
    assert chart is not None
    assert [bar.count for bar in chart.bars] == [0, 3, 0, 6]
    assert chart.top == 6 and chart.total == 9
    assert chart.bars[3].height > chart.bars[1].height > 0
    assert weekly_chart([]) is None


# --- safety -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy(client: Client, committed: Any) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    for url in ("/", post.get_absolute_url(), "/search/?q=x", "/accounts/login/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, url
        assert "unsafe-inline" not in policy
        for script in LexborHTMLParser(page(response)).css("script"):
            assert script.attributes.get("src"), f"inline script on {url}"
        assert 'style="' not in page(response), f"inline style on {url}"


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BRIEFROOM_ENV": "prod",
        "BRIEFROOM_SECRET_KEY": secrets.token_urlsafe(48)[:50],
        "BRIEFROOM_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- feeds, sitemap, API ------------------------------------------------------------------------


@pytest.mark.django_db
def test_feeds_list_published_briefs_and_are_advertised(client: Client, committed: Any) -> None:
    published = committed(store, isw_article(DAY))
    committed(write_brief, published)
    committed(store, isw_article(DAY, IRAN))  # still pending: not in feeds
    head = LexborHTMLParser(page(client.get("/"))).css('link[rel="alternate"]')
    assert {link.attributes["href"] for link in head} >= {"/feeds/rss/", "/feeds/atom/"}
    rss = page(client.get("/feeds/rss/"))
    assert "러시아의 공세 캠페인 평가" in rss and "이란 업데이트" not in rss
    assert "주요 내용" in rss
    atom = client.get("/feeds/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "러시아의 공세 캠페인 평가" in page(atom)
    assert "러시아의 공세" in page(client.get(f"/feeds/boards/{ROCA}/rss/"))
    assert "<item>" not in page(client.get("/feeds/boards/iran-update/rss/"))
    assert "러시아의 공세" in page(client.get("/feeds/tags/isw/atom/"))


@pytest.mark.django_db
def test_sitemap_lists_posts(client: Client, committed: Any) -> None:
    post = post_of(committed(store, isw_article(DAY)))
    index = page(client.get("/sitemap.xml"))
    assert "sitemap-posts.xml" in index
    assert f"/posts/{post.number}/" in page(client.get("/sitemap-posts.xml"))


@pytest.mark.django_db
def test_json_api_and_its_openapi_schema(client: Client, committed: Any) -> None:
    report = committed(store, isw_article(DAY))
    committed(write_brief, report)
    post = post_of(report)
    listing = client.get("/api/posts/").json()
    assert listing["count"] == 1 and listing["results"][0]["number"] == post.number
    detail = client.get(f"/api/posts/{post.number}/").json()
    assert detail["title"] == post.title_ko
    assert detail["brief"]["key_points"][0]["source_ref"] == "kt-1"
    assert detail["source"]["url"] == report.canonical_url
    found = client.get("/api/search/", {"q": "포크로우스크"}).json()
    assert found["count"] == 1 and "<mark>" in found["results"][0]["body_snippet"]
    assert client.get("/api/search/").status_code == 400
    assert client.post("/api/posts/").status_code == 405
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/posts/", "/api/posts/{number}/", "/api/search/"}


# --- seeding ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seeded_boards_cover_every_series() -> None:
    slugs = set(Board.objects.values_list("slug", flat=True))
    assert {"news", ROCA, IRAN, "mnd-press-release"} <= slugs
    assert Board.objects.get(slug="news").lists_all


def test_demo_briefs_reference_existing_passages() -> None:
    for article in (isw_article(DAY), isw_article(DAY, IRAN)):
        refs = {block.ref for block in article_blocks(article)}
        for point in brief_fields(article)["key_points"]:
            assert point["source_ref"] in refs


@pytest.mark.django_db
def test_demo_and_sync_commands_are_idempotent(committed: Any) -> None:
    from django.core.management import call_command

    committed(call_command, "board_demo", "--days", "3")
    posts = Post.objects.count()
    assert posts == 7  # two ISW reports a day and one press release
    assert Post.objects.filter(is_demo=True).count() == posts
    assert Post.objects.filter(state=Post.State.REVIEW).count() == 1
    committed(call_command, "board_demo", "--days", "3")
    committed(call_command, "board_sync")
    assert Post.objects.count() == posts
    assert sorted(Post.objects.values_list("number", flat=True)) == list(range(1, posts + 1))
