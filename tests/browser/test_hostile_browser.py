"""Hostile posts in a real browser: Debian's chromium (Playwright) against a live server.

The 12 hostile fixture pages of ``tests/test_bad_input.py`` are stored as reports (its way:
``store(mnd_article(..., html=hostile(name)))``), each "armed" first: every ``alert(`` also sets
``window.__pwned``, logs ``PWNED <name>`` and requests ``http://evil.example/pwned/<name>``, so a
payload that runs is seen by every detector, not only by the dialog one. One more post carries
the same kind of payload in its title, its (verified) brief, a comment and a pinned notice.

Each page that shows them (every post, the list, the search results, the notice) is loaded in
Chromium with these detectors, and then every element of the page's content gets synthetic
``click``/``mouseover``/``focus``/``load``/``error``… events, so inline handlers would fire:

* ``dialog``: no alert/confirm/prompt opened;
* ``console``: no console message at all (a script that ran, or a resource that failed);
* ``request``: nothing requested outside the live server, except the one publisher map image
  the fixtures legitimately contain (answered with a tiny PNG); nothing ever to evil.example;
  every request is intercepted, so the test never touches the network;
* ``window.__pwned`` undefined, the page still at its own URL (no ``<meta refresh>``), one frame;
* ``securitypolicyviolation`` events (listened for from an init script): none, i.e. the
  sanitiser removed everything and the Content-Security-Policy had nothing left to block;
* the rendered DOM: no ``on*`` attribute and no ``javascript:``/``data:`` URL in it.

The control tests run the same detectors on the raw (unsanitised) fixture pages served without
and with the site's Content-Security-Policy, proving each detector does catch what it is for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils.csp import build_policy
from playwright.sync_api import Browser, BrowserContext, Route

from board.demo import brief_fields, mnd_article, store, write_brief
from board.models import Comment, Notice, Post
from tests.browser import test_board_browser as board_browser
from tests.test_bad_input import HOSTILE_PAGES, hostile

DAY = dt.date(2025, 6, 2)
EVIL = "evil.example"
# The only image outside the board the fixtures legitimately show (a publisher's map): the
# CSP allows https images because the originals' maps live on the publishers' servers.
PUBLISHER_IMAGES = {"https://example.org/map.png"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000005000156d2c6df0000000049454e44ae426082"
)
SEARCH = "설명회"  # in every hostile post's title and text

CHROMIUM = board_browser.CHROMIUM
browser = board_browser.browser  # the same fixture: Debian's chromium, launched per test

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]

# Registered before any page script: collects Content-Security-Policy violations.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
}, true);
"""

# Fires every event an inline handler of the fixtures listens to on every element of the page's
# content. Plain Events (not MouseEvents) do not follow links or submit forms, and do not bubble
# to the page's own script.
POKE = """
() => {
  const types = ["click", "dblclick", "mouseover", "mouseenter", "mousedown", "focus", "focusin",
                 "load", "error", "animationstart", "toggle", "input", "change", "submit"];
  const elements = (document.querySelector("main") || document.body).querySelectorAll("*");
  for (const element of elements) {
    for (const type of types) element.dispatchEvent(new Event(type));
  }
  return elements.length;
}
"""

# What the browser parsed: scripts not from the site, inline handlers and styles, URLs that are
# not http(s), forms that post elsewhere, and elements that load or redirect (base, meta
# refresh, frames, plugins).
INSPECT = """
() => {
  const found = [];
  const urls = ["href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcset"];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    if (["base", "iframe", "frame", "object", "embed", "style", "applet"].includes(tag)
        || (tag === "meta" && element.hasAttribute("http-equiv"))) found.push(`<${tag}>`);
    if (tag === "script" && !(element.src && new URL(element.src).origin === location.origin)) {
      found.push(`<script src=${element.getAttribute("src")}>`);
    }
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      // (board.js sets the font scale on <html> through the CSSOM, which the policy allows.)
      if (name.startsWith("on") || (name === "style" && tag !== "html")) {
        found.push(`${tag} ${name}`);
      }
      if (!urls.includes(name)) continue;
      let url;
      try { url = new URL(attribute.value, document.baseURI); } catch (e) { url = null; }
      if (!url || !["http:", "https:"].includes(url.protocol)) {
        found.push(`${tag} ${name}=${attribute.value}`);
      } else if (["action", "formaction"].includes(name) && url.origin !== location.origin) {
        found.push(`${tag} ${name}=${attribute.value}`);
      }
    }
  }
  return found;
}
"""


def armed(html: str, name: str) -> str:
    """Every ``alert(`` also marks the window, logs and sends a beacon (no double quotes, so it
    stays valid inside the fixtures' attributes)."""
    payload = (
        f"(window.__pwned=1,console.log('PWNED {name}'),"
        f"new Image().src='http://{EVIL}/pwned/{name}',alert)("
    )
    return html.replace("alert(", payload)


# Short enough for a post title (300 characters).
HOSTILE_TITLE = armed("<script>alert('title')</script>", "title") + "<img src=x onerror=alert(9)>"
HOSTILE_TEXT = armed(
    "<script>alert('text')</script><img src=x onerror=alert('img')>"
    '<a href="javascript:alert(1)">링크</a><svg onload=alert(2)></svg>',
    "text",
)


@dataclass
class Visit:
    """What one page load (and the poke) showed; ``problems()`` is empty for an inert page."""

    url: str
    origin: str
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    status: int = 0
    csp_header: str = ""
    final_url: str = ""
    frames: int = 0
    pwned: str = ""
    violations: list[str] = field(default_factory=list)
    dom: list[str] = field(default_factory=list)
    poked: int = 0

    def foreign_requests(self) -> list[str]:
        return [
            f"{kind} {url}"
            for url, kind in self.requests
            if not url.startswith(self.origin + "/")
            and not (kind == "image" and url in PUBLISHER_IMAGES)
        ]

    def problems(self) -> list[str]:
        found = [f"dialog: {d}" for d in self.dialogs]
        found += [f"console: {c}" for c in self.console]
        found += [f"request: {r}" for r in self.foreign_requests()]
        found += [f"csp violation: {v}" for v in self.violations]
        found += [f"in the DOM: {d}" for d in self.dom]
        if self.pwned != "undefined":
            found.append(f"window.__pwned is {self.pwned}")
        if self.final_url != self.url:
            found.append(f"navigated to {self.final_url}")
        if self.frames != 1:
            found.append(f"{self.frames} frames")
        return found


def _route(route: Route) -> None:
    """Let the page reach nothing but the live server; serve publisher maps as a tiny PNG."""
    url = route.request.url
    if urlsplit(url).hostname == "control.test":
        route.fallback()  # the controls' own handler
    elif urlsplit(url).hostname in {"127.0.0.1", "localhost"}:
        route.continue_()
    elif route.request.resource_type == "image" and url in PUBLISHER_IMAGES:
        route.fulfill(status=200, content_type="image/png", body=PNG)
    else:
        route.abort()


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1200, "height": 900})
    context.add_init_script(LISTEN)
    context.route("**/*", _route)
    return context


def visit(context: BrowserContext, url: str, origin: str) -> Visit:
    seen = Visit(url=url, origin=origin)
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: seen.requests.append((request.url, request.resource_type)))
    page.on("popup", lambda popup: seen.dialogs.append(f"popup: {popup.url}"))
    response = page.goto(url, wait_until="load")
    assert response is not None
    seen.status = response.status
    seen.csp_header = response.headers.get("content-security-policy", "")
    page.wait_for_timeout(250)  # late handlers: image errors, timers, frames, refreshes
    seen.dom = page.evaluate(INSPECT)
    seen.poked = page.evaluate(POKE)
    page.wait_for_timeout(250)
    seen.final_url = page.url
    seen.frames = len(page.frames)
    seen.pwned = page.evaluate("typeof window.__pwned")
    seen.violations = page.evaluate("window.__cspViolations")
    page.close()
    return seen


@pytest.fixture
def hostile_board(fresh_board: None) -> Iterator[dict[str, Any]]:
    """The 12 armed hostile posts, and one with hostile text in title, brief, comment, notice."""
    numbers = {}
    for number, name in enumerate(HOSTILE_PAGES, start=1):
        report = store(mnd_article(DAY, number, html=armed(hostile(name), name)))
        numbers[name] = Post.objects.get(report=report).number
    article = mnd_article(DAY, 99, title=f"국방부 설명회 {HOSTILE_TITLE}")
    report = store(article)
    fields = brief_fields(article)
    fields["key_points"][0]["text"] += HOSTILE_TEXT
    fields["outlook"] += HOSTILE_TEXT
    fields["countries"][0]["role"] += HOSTILE_TEXT
    write_brief(report, fields=fields)
    post = Post.objects.get(report=report)
    assert post.brief is not None and HOSTILE_TITLE in post.title_ko
    reader = User.objects.create_user("reader", "reader@example.org", "Reader-pass-1")
    Comment.objects.create(post=post, user=reader, body=HOSTILE_TEXT)
    notice = Notice.objects.create(title=f"공지 {HOSTILE_TITLE}", body=HOSTILE_TEXT)
    # fresh_board forgets the counts of this test's views: their database is flushed after it.
    yield {"numbers": numbers, "text_post": post.number, "notice": notice.pk}


def test_hostile_posts_run_nothing_and_load_nothing_foreign(
    live_server: Any, hostile_board: dict[str, Any], browser: Browser
) -> None:
    # hostile_board comes before browser: Playwright's loop makes this thread "async" to Django.
    base = live_server.url
    pages = {name: f"{base}/posts/{number}/" for name, number in hostile_board["numbers"].items()}
    pages["title, brief and comment"] = f"{base}/posts/{hostile_board['text_post']}/"
    pages["list"] = f"{base}/"
    pages["search"] = f"{base}/search/?q={quote(SEARCH)}"
    pages["notice"] = f"{base}/notices/{hostile_board['notice']}/"
    context = new_context(browser)
    visits = {label: visit(context, url, base) for label, url in pages.items()}
    context.close()

    problems = {label: seen.problems() for label, seen in visits.items() if seen.problems()}
    assert problems == {}
    for label, seen in visits.items():
        assert seen.status == 200, label
        assert "script-src 'self'" in seen.csp_header, label
        assert seen.poked >= 10, label  # the content was there to be poked
    # The sanitiser kept the publisher's map of onerror.html (and dropped its handler).
    requested = {url for seen in visits.values() for url, _ in seen.requests}
    assert requested >= PUBLISHER_IMAGES  # the map of onerror.html, without its handler


def test_hostile_text_is_shown_as_text(
    live_server: Any, hostile_board: dict[str, Any], browser: Browser
) -> None:
    base = live_server.url
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{base}/posts/{hostile_board['text_post']}/")
    title = page.locator("h1#post-title").inner_text()
    assert "<script>" in title and "onerror=" in title
    assert "<svg onload=" in page.locator("section.brief").inner_text()
    assert "<img src=x" in page.locator("#comments").inner_text()
    page.goto(f"{base}/posts/{hostile_board['numbers']['script.html']}/")
    assert "Russian forces advanced near Pokrovsk" in page.locator(".source-html").inner_text()
    page.goto(f"{base}/search/?q={quote(SEARCH)}")
    results = page.locator("ol.results > li")
    assert results.count() == len(HOSTILE_PAGES) + 1
    assert "<script>" in page.locator("ol.results").inner_text()
    context.close()


# --- controls: the detectors catch what they are for ------------------------------------------


CONTROL = "http://control.test"


def _serve_raw(context: BrowserContext, csp: str | None) -> None:
    """``http://control.test/<name>`` answers the armed raw fixture page, optionally with a CSP."""

    def fulfill(route: Route) -> None:
        name = urlsplit(route.request.url).path.strip("/")
        headers = {"Content-Security-Policy": csp} if csp else {}
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers=headers,
            body=armed(hostile(name), name),
        )

    context.route(re.compile(r"^http://control\.test/.*"), fulfill)


def test_the_detectors_catch_raw_hostile_pages_without_a_policy(browser: Browser) -> None:
    context = new_context(browser)
    _serve_raw(context, csp=None)
    visits = {name: visit(context, f"{CONTROL}/{name}", CONTROL) for name in HOSTILE_PAGES}
    context.close()

    # Scripts run: every detector fires.
    script = visits["script.html"]
    assert "alert: xss-script" in script.dialogs
    assert "log: PWNED script.html" in script.console
    assert script.pwned == "number"
    assert f"script https://{EVIL}/x.js" in script.foreign_requests()
    assert f"image http://{EVIL}/pwned/script.html" in script.foreign_requests()
    assert "<script src=null>" in script.dom  # the inline one
    # Inline handlers fire on load or on the poke (as a reader's click or hover would).
    assert "alert: 1" in visits["svg_math.html"].dialogs  # <svg onload>
    assert "alert: 2" in visits["svg_math.html"].dialogs  # <script> inside <svg>
    assert "alert: 1" in visits["event_handlers.html"].dialogs  # onclick
    assert "alert: 3" in visits["event_handlers.html"].dialogs  # onfocus
    assert "alert: xss-onerror" in visits["onerror.html"].dialogs
    # Foreign loads are requests; frames are counted.
    iframe = visits["iframe.html"]
    assert f"document https://{EVIL}/frame" in iframe.foreign_requests()
    assert iframe.frames == 2 and "alert: 1" in iframe.dialogs
    assert f"stylesheet https://{EVIL}/evil.css" in visits["style_block.html"].foreign_requests()
    # What Chromium does not act on by itself is still found in the DOM.
    assert {"<object>", "<embed>"} <= set(visits["object_embed.html"].dom)  # no plugins
    assert {"<meta>", "<base>"} <= set(visits["meta_refresh.html"].dom)
    assert "p style" in visits["css_expression.html"].dom  # expression() is dead in Chromium
    assert f"form action=https://{EVIL}/steal" in visits["form.html"].dom
    assert any(d.startswith("a href=data:") for d in visits["data_url.html"].dom)
    assert len(visits["javascript_url.html"].dom) == 3  # all three spellings of javascript:
    caught = {name for name, seen in visits.items() if seen.problems()}
    assert caught == set(HOSTILE_PAGES), set(HOSTILE_PAGES) - caught


def test_the_site_policy_blocks_raw_scripts_and_the_detector_reports_it(
    browser: Browser,
) -> None:
    context = new_context(browser)
    _serve_raw(context, csp=build_policy(settings.SECURE_CSP))
    seen = visit(context, f"{CONTROL}/script.html", CONTROL)
    handlers = visit(context, f"{CONTROL}/event_handlers.html", CONTROL)
    context.close()

    assert seen.dialogs == [] and seen.pwned == "undefined"
    assert any(v.startswith("script-src-elem blocked inline") for v in seen.violations)
    assert f"script-src-elem blocked https://{EVIL}/x.js" in seen.violations
    assert handlers.dialogs == []
    assert any(v.startswith("script-src-attr blocked inline") for v in handlers.violations)
    assert seen.problems() and handlers.problems()
