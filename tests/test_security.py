"""Issue 6, "security": passwords, the sign-in throttle, CSRF on every form, and that only
editors write anything but comments.

Every test here uses the database (``django_db``), so ``make test-postgres`` runs them on
PostgreSQL as well. The production cookie flags are tested in ``tests/test_settings.py`` and
hostile posts in a real browser in ``tests/browser/test_hostile_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from board import throttle
from board.demo import isw_article, store
from board.models import Board, Comment, LoginFailure, Notice, PlaceMention, Post, Tag
from briefs.models import Brief
from reports.models import Report

DAY = dt.date(2025, 6, 2)
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
STRONG = "Tr1cky-pass-77"
TOO_MANY = "로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요."
CSRF_FAILED = "보안 확인(CSRF)에 실패했습니다"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Each test starts with this process's page cache, view counts and page version forgotten.
pytestmark = pytest.mark.usefixtures("fresh_board")


@pytest.fixture
def reader(db: None) -> User:
    return User.objects.create_user("reader", "reader@example.org", STRONG)


@pytest.fixture
def editor(db: None) -> User:
    return User.objects.create_superuser("editor", "editor@example.org", STRONG)


@pytest.fixture
def post(committed: Callable[..., Any]) -> Post:
    return Post.objects.get(report=committed(store, isw_article(DAY)))


def text(response: Any) -> str:
    return str(response.content.decode())


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def token_of(client: Client, url: str) -> str:
    found = TOKEN.search(text(client.get(url)))
    assert found is not None, f"no CSRF token on {url}"
    return found.group(1)


# --- 1. passwords -------------------------------------------------------------------------------


def signup(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/accounts/signup/", {"username": username, "password1": password, "password2": password}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password", "messages"),
    [
        (
            "newcomer",
            "12345678",
            ["너무 흔히 사용되는 비밀번호입니다", "전부 숫자로 되어 있습니다"],
        ),
        ("kimminsu", "kimminsu2025", ["너무 유사합니다"]),
        ("newcomer", "qwerty123", ["너무 흔히 사용되는 비밀번호입니다"]),
        ("newcomer", "Xy7!q", ["너무 짧습니다. 최소 8자 이상"]),
    ],
    ids=["numeric-and-common", "like-the-username", "common", "short"],
)
def test_signup_refuses_weak_passwords_in_korean(
    client: Client, username: str, password: str, messages: list[str]
) -> None:
    response = signup(client, username, password)

    assert response.status_code == 200
    html = text(response)
    for message in messages:
        assert message in html
    assert "This password" not in html  # no untranslated message
    assert not User.objects.filter(username=username).exists()
    assert not logged_in(client)


@pytest.mark.django_db
def test_signup_shows_the_password_rules_and_accepts_a_strong_password(client: Client) -> None:
    form = text(client.get("/accounts/signup/"))
    assert "숫자로만 이루어진 비밀번호는 사용할 수 없습니다" in form  # the validators' help

    response = signup(client, "newcomer", STRONG)

    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(username="newcomer").check_password(STRONG)
    assert logged_in(client)


# --- 2. the sign-in throttle --------------------------------------------------------------------


def attempt(client: Client, username: str, password: str, url: str = LOGIN) -> Any:
    return client.post(url, {"username": username, "password": password})


def fail(client: Client, username: str, times: int, url: str = LOGIN) -> None:
    for _ in range(times):
        response = attempt(client, username, "wrong-password-0", url)
        assert response.status_code == 200
        assert "비밀번호를 입력하세요" in text(response)  # Django's Korean "wrong password" error
        assert TOO_MANY not in text(response)


def assert_refused(response: Any, client: Client) -> None:
    assert response.status_code == 429
    assert TOO_MANY in text(response)
    assert int(response["Retry-After"]) == int(throttle.WINDOW.total_seconds())
    assert not logged_in(client)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(
    reader: User,
) -> None:
    client = Client()
    fail(client, "reader", throttle.USERNAME_LIMIT)
    assert LoginFailure.objects.filter(username="reader", ip="127.0.0.1").count() == 5
    cache.clear()  # the count lives in the database, shared by every web process

    assert_refused(attempt(client, "reader", STRONG), client)
    # Refused before the password is checked, and not counted again.
    assert LoginFailure.objects.count() == 5
    # The lock is on the username, whatever its case or the address it comes from.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert_refused(attempt(elsewhere, " READER", STRONG), elsewhere)
    reader.refresh_from_db()
    assert reader.last_login is None


@pytest.mark.django_db
def test_other_usernames_from_the_same_address_work_until_the_address_limit(
    reader: User, editor: User
) -> None:
    client = Client()
    fail(client, "reader", throttle.USERNAME_LIMIT)
    assert_refused(attempt(client, "reader", STRONG), client)

    response = attempt(client, "editor", STRONG)
    assert response.status_code == 302 and logged_in(client)

    # 20 failures from one address: four usernames (none reaching its own limit) make up the
    # rest; then every username is refused from that address, and still works from another.
    client = Client()
    for name in ("kim", "lee", "park"):
        fail(client, name, throttle.USERNAME_LIMIT - 1)
    fail(client, "jung", 2)
    assert LoginFailure.objects.filter(ip="127.0.0.1").count() == throttle.IP_LIMIT - 1
    assert attempt(client, "editor", STRONG).status_code == 302  # 19: not yet
    client = Client()
    fail(client, "jung", 1)
    assert_refused(attempt(client, "editor", STRONG), client)

    other = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(other, "editor", STRONG).status_code == 302 and logged_in(other)


@pytest.mark.django_db
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    reader: User, editor: User, settings: Any
) -> None:
    """Behind a proxy the address limit counts the client, not the proxy; a client that is not
    a proxy cannot choose its address with the header."""
    settings.BRIEFROOM_TRUSTED_PROXIES = ["10.0.0.2"]
    via_proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.2")
    fail(via_proxy, "kim", 1)
    direct = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="5.6.7.8")
    fail(direct, "lee", 1)
    bad = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-address")
    fail(bad, "park", 1)
    assert dict(LoginFailure.objects.values_list("username", "ip")) == {
        "kim": "1.2.3.4",  # right-most address that is not a trusted proxy
        "lee": "198.51.100.7",  # the header of a direct client is ignored
        "park": "10.0.0.2",  # a malformed chain counts against the proxy
    }
    # The address limit locks 1.2.3.4 behind the proxy, not the proxy's other clients.
    for name in ("a1", "a2", "a3", "a4"):
        fail(via_proxy, name, throttle.USERNAME_LIMIT - 1)
    fail(via_proxy, "a5", throttle.IP_LIMIT - 1 - 4 * (throttle.USERNAME_LIMIT - 1))
    assert LoginFailure.objects.filter(ip="1.2.3.4").count() == throttle.IP_LIMIT
    locked = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert_refused(attempt(locked, "editor", STRONG), locked)
    neighbour = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.5")
    assert attempt(neighbour, "editor", STRONG).status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_when_the_failures_leave_the_window(reader: User) -> None:
    client = Client()
    fail(client, "reader", throttle.USERNAME_LIMIT)
    assert_refused(attempt(client, "reader", STRONG), client)

    # Fourteen minutes later: still locked.
    LoginFailure.objects.update(created_at=F("created_at") - dt.timedelta(minutes=14))
    assert_refused(attempt(client, "reader", STRONG), client)

    # Sixteen minutes after the failures (the rows moved in the database, not the clock).
    LoginFailure.objects.update(created_at=F("created_at") - dt.timedelta(minutes=2))
    response = attempt(client, "reader", STRONG)
    assert response.status_code == 302 and logged_in(client)
    assert not LoginFailure.objects.filter(username="reader").exists()  # cleared on success


@pytest.mark.django_db
def test_old_failures_are_pruned_when_a_failure_is_written(db: None) -> None:
    client = Client()
    fail(client, "nobody", 3)
    LoginFailure.objects.update(created_at=F("created_at") - throttle.WINDOW)

    fail(client, "someone", 1)

    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone"]


@pytest.mark.django_db
def test_a_successful_login_clears_its_usernames_failures(reader: User) -> None:
    client = Client()
    fail(client, "reader", throttle.USERNAME_LIMIT - 1)
    fail(client, "stranger", 2)

    assert attempt(client, "reader", STRONG).status_code == 302

    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["stranger"] * 2
    client = Client()
    fail(client, "reader", throttle.USERNAME_LIMIT - 1)
    assert attempt(client, "reader", STRONG).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_and_shares_the_count(editor: User, reader: User) -> None:
    client = Client()
    fail(client, "editor", 3, ADMIN_LOGIN)
    fail(client, "editor", 2, LOGIN)

    assert_refused(attempt(client, "editor", STRONG, ADMIN_LOGIN), client)
    assert_refused(attempt(client, "editor", STRONG, LOGIN), client)
    assert client.get("/admin/").status_code == 302  # still sent to the admin's login

    # A right password refused only because the account is not staff is not a failure.
    attempt(client, "reader", STRONG, ADMIN_LOGIN)
    assert not LoginFailure.objects.filter(username="reader").exists()

    LoginFailure.objects.update(created_at=F("created_at") - throttle.WINDOW)
    response = attempt(client, "editor", STRONG, ADMIN_LOGIN)
    assert response.status_code == 302 and logged_in(client)
    assert client.get("/admin/").status_code == 200


# --- 3. CSRF on every form ----------------------------------------------------------------------


def csrf_client(user: User | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def assert_csrf_refused(response: Any) -> None:
    assert response.status_code == 403
    assert CSRF_FAILED in text(response)


@pytest.mark.django_db
def test_every_form_refuses_a_post_without_its_csrf_token(
    post: Post, reader: User, editor: User
) -> None:
    comment = Comment.objects.create(post=post, user=reader, body="첫 댓글")

    assert_csrf_refused(csrf_client(reader).post(f"/posts/{post.number}/comments/", {"body": "x"}))
    assert list(Comment.objects.all()) == [comment]

    for action in ("hide", "delete"):
        assert_csrf_refused(csrf_client(editor).post(f"/comments/{comment.pk}/{action}/"))
    comment.refresh_from_db()
    assert comment.hidden is False

    anonymous = csrf_client()
    assert_csrf_refused(
        anonymous.post(
            "/accounts/signup/", {"username": "x1", "password1": STRONG, "password2": STRONG}
        )
    )
    assert not User.objects.filter(username="x1").exists()
    assert_csrf_refused(anonymous.post(LOGIN, {"username": "reader", "password": STRONG}))
    assert_csrf_refused(anonymous.post(ADMIN_LOGIN, {"username": "editor", "password": STRONG}))
    assert not logged_in(anonymous)

    signed_in = csrf_client(reader)
    assert_csrf_refused(signed_in.post("/accounts/logout/"))
    assert logged_in(signed_in)

    staff = csrf_client(editor)
    action = {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"}
    assert_csrf_refused(staff.post("/admin/board/comment/", action))
    assert_csrf_refused(staff.post(f"/admin/board/comment/{comment.pk}/delete/", {"post": "yes"}))
    assert Comment.objects.filter(pk=comment.pk).exists()

    # The same requests with the token go through: the 403s above were the token's doing.
    token = token_of(staff, "/admin/board/comment/")
    done = staff.post("/admin/board/comment/", {**action, "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()


def _url_patterns() -> Iterator[tuple[str, URLPattern]]:
    """Every route of config.urls but the admin's, with its namespaced name."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, Any]]:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, route, inner)
            else:
                assert pattern.name, f"unnamed route {route}"
                yield f"{namespace}{pattern.name}", pattern

    yield from walk(get_resolver("config.urls"), "", "")


# What a signed-in reader's POST may do; every other route must answer 405 and write nothing.
ALLOWED_POSTS = {
    "board:comment": "writes a comment",
    "board:moderate": "login",  # editors only: sent to the login page
    "login": "home",  # already signed in: sent to the list
    "signup": "home",
    "logout": "home",  # signs the reader out (a session row, nothing else)
}


def _snapshot() -> dict[str, Any]:
    return {
        "posts": list(Post.objects.values_list("pk", "title_ko", "state", "brief_id", "board_id")),
        "comments": list(Comment.objects.values_list("pk", "body", "hidden")),
        "reports": Report.objects.count(),
        "briefs": list(Brief.objects.values_list("pk", "status")),
        "users": list(User.objects.values_list("pk", "is_staff", "is_superuser", "password")),
        "notices": Notice.objects.count(),
        "boards": Board.objects.count(),
        "tags": Tag.objects.count(),
    }


@pytest.mark.django_db
def test_a_signed_in_reader_can_post_nothing_but_comments(
    post: Post, reader: User, editor: User
) -> None:
    comment = Comment.objects.create(post=post, user=editor, body="편집자 댓글")
    notice = Notice.objects.create(title="공지", body="내용")
    board = Board.objects.exclude(lists_all=True).first()
    tag = post.tags.first()
    place = PlaceMention.objects.filter(post=post).first()
    assert board is not None and tag is not None and place is not None
    slugs = {"board": board.slug, "tag": tag.slug, "place": place.slug}
    values: dict[str, list[Any]] = {
        "number": [post.number],
        "iso2": ["ua"],
        "section": ["posts"],
        "action": ["hide", "show", "delete"],
    }

    def kwargs_of(name: str, pattern: URLPattern) -> list[dict[str, Any]]:
        params = list(pattern.pattern.converters)  # type: ignore[union-attr]
        choices: list[dict[str, Any]] = [{}]
        for param in params:
            if param == "slug":  # board:board, board:feed_board_rss, board:tag, board:place, …
                kind = "tag" if "tag" in name else "place" if "place" in name else "board"
                options = [slugs[kind]]
            elif param == "pk":
                options = [comment.pk if name == "board:moderate" else notice.pk]
            else:
                assert param in values, f"{name}: no test value for <{param}>"
                options = values[param]
            choices = [{**c, param: option} for c in choices for option in options]
        return choices

    seen = set()
    for name, pattern in _url_patterns():
        seen.add(name)
        for kwargs in kwargs_of(name, pattern):
            url = reverse(name, kwargs=kwargs)
            client = csrf_client(reader)
            token = token_of(client, post.get_absolute_url())
            before = _snapshot()
            data = {"csrfmiddlewaretoken": token, "body": f"{url}에 보낸 글"}
            response = client.post(url, data)
            after = _snapshot()
            expected = ALLOWED_POSTS.get(name, "405")
            where = f"POST {url} ({name})"
            if expected == "writes a comment":
                assert response.status_code == 302, where
                new = after.pop("comments")
                assert len(new) == len(before.pop("comments")) + 1, where
                assert new[-1][1] == data["body"], where
            elif expected == "405":
                assert response.status_code == 405, f"{where}: {response.status_code}"
            else:
                assert response.status_code == 302, f"{where}: {response.status_code}"
                if expected == "login":
                    assert response["Location"].startswith(f"{LOGIN}?next="), where
                else:
                    assert response["Location"] == "/", where
            assert after == before, f"{where} changed the database"
    assert {"board:api_posts", "board:api_post", "board:api_search", "healthz"} <= seen
    assert set(ALLOWED_POSTS) <= seen
    comment.refresh_from_db()
    assert comment.hidden is False


@pytest.mark.django_db
def test_the_json_api_refuses_every_writing_method(post: Post) -> None:
    client = Client()
    urls = ["/api/posts/", f"/api/posts/{post.number}/", "/api/search/?q=x", "/api/openapi.json"]
    for url in urls:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, {"title": "x"}, content_type="application/json")
            assert response.status_code == 405, f"{method.upper()} {url}"
            assert response["Allow"] == "GET", url
    assert Post.objects.get(pk=post.pk).title_ko == post.title_ko


@pytest.mark.django_db
def test_a_reader_gets_no_admin_and_cannot_run_admin_actions(post: Post, reader: User) -> None:
    comment = Comment.objects.create(post=post, user=reader, body="남길 댓글")
    client = csrf_client(reader)
    token = token_of(client, post.get_absolute_url())
    action = {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"}

    response = client.post("/admin/board/comment/", {**action, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{ADMIN_LOGIN}?next=")
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert client.get("/admin/board/post/").status_code == 302
