"""The board in a real browser: Debian's chromium driven by Playwright against a live server.

One journey through what a reader and an editor do: list -> page 2 -> post -> previous/next ->
font size (kept after a reload) -> print view -> Korean search -> comment -> approve a brief.
Screenshots of the list, a post and the search page go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect, sync_playwright

from board.demo import IRAN, isw_article, store, write_brief
from board.models import Notice, Post
from briefs.models import Brief

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DAY = dt.date(2025, 6, 2)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def board_data() -> dict[str, Any]:
    """22 daily assessments (two pages), an Iran Update waiting for review, a notice, users."""
    cache.clear()
    for offset in range(22):
        report = store(isw_article(DAY + dt.timedelta(days=offset)))
        write_brief(report)
    iran = store(isw_article(DAY + dt.timedelta(days=21), IRAN))
    failure = {"kind": "number", "detail": "원문에 없는 수치: 3,000", "field": "key_points"}
    review = write_brief(iran, Brief.Status.NEEDS_REVIEW, failures=[failure])
    Notice.objects.create(title="참조 사이트 안내", body="ISW와 국방부 보도자료를 요약합니다.")
    User.objects.create_user("reader", "reader@example.org", "Reader-pass-1")
    User.objects.create_superuser("editor", "editor@example.org", "Editor-pass-1")
    return {"review": review, "iran": Post.objects.get(report=iran)}


def _csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def _log_in(page: Page, base: str, username: str, password: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("section.account-form button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def test_reader_and_editor_journey(
    live_server: Any, board_data: dict[str, Any], browser: Browser
) -> None:
    # board_data comes before browser: Playwright's loop makes this thread "async" to Django.
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ko-KR")
    page = context.new_page()
    csp_errors = _csp_errors(page)

    # The list: 20 posts, the notice pinned on top, ten page links at most.
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    rows = page.locator("table.posts tbody tr:not(.notice)")
    expect(rows).to_have_count(20)
    expect(page.locator("tr.notice")).to_contain_text("참조 사이트 안내")
    expect(page.locator("tr", has_text="이란 업데이트")).to_contain_text("검토 중")
    page.screenshot(path=str(ARTIFACTS / "board-list.png"), full_page=True)

    # Page 2 keeps the notice on top.
    page.click(".pagination a.page >> text=2")
    page.wait_for_url(re.compile(r"\?page=2$"))
    expect(page.locator("tr.notice")).to_contain_text("참조 사이트 안내")
    expect(page.locator("table.posts tbody tr:not(.notice)")).to_have_count(3)

    # A post, then its older and newer neighbours in the same board.
    page.click("table.posts tbody tr:not(.notice) td.title a >> nth=0")
    expect(page.locator("h1#post-title")).to_contain_text("[ISW] 러시아의 공세 캠페인 평가")
    page.goto(base + "/")
    page.click("td.title a:has-text('2025년 6월 12일')")
    post_url = page.url
    expect(page.locator("section.brief h3").first).to_have_text("주요 내용")
    page.screenshot(path=str(ARTIFACTS / "board-post.png"), full_page=True)
    page.click("a.older")
    expect(page.locator("h1#post-title")).to_contain_text("2025년 6월 11일")
    page.click("a.newer")
    expect(page.locator("h1#post-title")).to_contain_text("2025년 6월 12일")
    assert page.url == post_url

    # A bullet of 주요 내용 jumps to the passage it renders.
    page.click("section.brief ul.points a.ref >> nth=0")
    assert page.url.endswith("#kt-1")
    expect(page.locator("#kt-1")).to_be_in_viewport()

    # 크게 twice: the text grows, and stays grown after a reload.
    body = page.locator("#post-body")
    before = float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    page.click("button[data-font=up]")
    page.click("button[data-font=up]")
    bigger = float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert bigger > before
    page.reload()
    page.wait_for_function(
        "s => parseFloat(getComputedStyle(document.querySelector('#post-body')).fontSize) === s",
        arg=bigger,
    )
    page.click("button[data-font=down]")
    page.click("button[data-font=down]")
    expect(body).to_have_css("font-size", f"{before:g}px")

    # The print view: brief and original, no chrome, the source address printed.
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("nav.tools")).to_be_hidden()
    expect(page.locator("#comments")).to_be_hidden()
    expect(page.locator("section.brief")).to_be_visible()
    expect(page.locator("section.original")).to_be_visible()
    expect(page.locator("p.print-only")).to_be_visible()
    expect(page.locator("p.print-only")).to_contain_text("understandingwar.org")
    page.emulate_media(media="screen")
    expect(page.locator("p.print-only")).to_be_hidden()

    # Korean search from the header.
    page.select_option("#search-field", "all")
    page.fill("#search-q", "포크로우스크")
    page.press("#search-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    expect(page.locator("ol.results > li")).to_have_count(20)
    expect(page.locator("ol.results mark").first).to_have_text("포크로우스크")
    page.screenshot(path=str(ARTIFACTS / "board-search.png"), full_page=True)

    # A phone: fewer columns.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/")
    expect(page.locator("table.posts th.author")).to_be_hidden()
    expect(page.locator("table.posts th.title")).to_be_visible()
    page.set_viewport_size({"width": 1200, "height": 900})

    # A reader logs in and comments.
    path = post_url.removeprefix(base)
    _log_in(page, base, "reader", "Reader-pass-1", path)
    page.fill("textarea[name=body]", "좋은 요약 감사합니다. <b>굵게</b>")
    page.click("form.comment-form button[type=submit]")
    page.wait_for_url(re.compile(r"#comments$"))
    comment = page.locator("#comments li").first
    expect(comment).to_contain_text("좋은 요약 감사합니다. <b>굵게</b>")
    expect(comment.locator("b")).to_have_count(0)
    assert csp_errors == []
    context.close()

    # An editor approves the brief waiting for review in the admin.
    editor = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ko-KR")
    admin = editor.new_page()
    review: Brief = board_data["review"]
    admin.goto(base + "/admin/login/?next=/admin/briefs/brief/%3Fstatus__exact%3Dneeds_review")
    admin.fill("#id_username", "editor")
    admin.fill("#id_password", "Editor-pass-1")
    admin.click("input[type=submit]")
    admin.wait_for_url(re.compile(r"/admin/briefs/brief/"))
    expect(admin.locator("#result_list tbody tr")).to_have_count(1)
    expect(admin.locator("#result_list")).to_contain_text("검토 필요")
    admin.check(f"input[name=_selected_action][value='{review.pk}']")
    admin.select_option("select[name=action]", "approve_briefs")
    admin.click("button[name=index]")
    expect(admin.locator("ul.messagelist")).to_contain_text("승인했습니다")
    iran: Post = board_data["iran"]
    reader_view = browser.new_page()
    reader_view.goto(base + iran.get_absolute_url())
    expect(reader_view.locator("section.brief")).to_contain_text("편집자가 검토하고 승인한")
    expect(reader_view.locator("section.brief")).not_to_contain_text("검토 중")
    editor.close()
