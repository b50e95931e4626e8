"""The board's pages: lists, posts, comments, search, tags, countries and places.

Reading pages answer GET and HEAD only (405 otherwise); the only writes a reader can make are
comments; moderating them is for editors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import nh3
from babel import Locale
from babel.dates import get_timezone_name
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.cache import cache
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from board import throttle
from board.counting import views
from board.forms import CommentForm, SignupForm, ThrottledAuthenticationForm
from board.models import Board, Comment, CountryMention, Notice, PlaceMention, Post, Tag
from board.original import build_original, safe_url
from board.pages import (
    CACHE_SECONDS,
    PAGE_SIZE,
    cacheable,
    cached_count,
    cached_page,
    page_number,
    paginate,
    weekly_chart,
)
from board.services import (
    SEARCH_DOC_TYPE,
    latest_brief,
    page_version,
    pinned_notices,
    record_view,
    search_service,
)
from briefs.models import Brief
from pipeline.brief.countries import is_country_code
from pipeline.brief.titles import korean_date

COMMENT_LIMIT = 5  # comments per user per COMMENT_WINDOW
COMMENT_WINDOW = dt.timedelta(minutes=1)
SEARCH_FIELDS = {"all": "제목+내용", "title": "제목", "body": "내용", "tags": "태그"}
# Lists show view counts too: they are re-rendered at least this often, publish or not.
LIST_CACHE_SECONDS = 60
# Stands in for the view count in a cached page; the count is put in on every request.
VIEWS_MARKER = "<!--views-->"
LIST_FIELDS = (
    "number",
    "title_ko",
    "author",
    "created_at",
    "view_count",
    "state",
    "is_demo",
    "board__slug",
    "board__name",
    "board__lists_all",
    "board__order",
)


def _list_page(
    request: HttpRequest,
    template: str,
    posts: Any,
    count_name: str,
    context: dict[str, Any],
) -> HttpResponse:
    pagination = paginate(cached_count(count_name, posts.count), page_number(request))
    if pagination is None:
        raise Http404("그런 쪽은 없습니다.")
    rows = list(posts.only(*LIST_FIELDS)[pagination.offset : pagination.offset + PAGE_SIZE])
    context.update({"posts": rows, "pagination": pagination})
    return render(request, template, context)


# --- lists --------------------------------------------------------------------------------------


@require_safe
def board_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    def page() -> HttpResponse:
        boards = list(Board.objects.all())
        if slug is None:
            board = next((b for b in boards if b.lists_all), None)
        else:
            board = next((b for b in boards if b.slug == slug and not b.lists_all), None)
        if board is None:
            raise Http404("그런 게시판은 없습니다.")
        return _list_page(
            request,
            "board/list.html",
            Post.objects.listed().in_board(board),
            f"board:{board.slug}",
            {"boards": boards, "board": board, "notices": pinned_notices()},
        )

    return cached_page(request, page, LIST_CACHE_SECONDS)


@require_safe
def tag_posts(request: HttpRequest, slug: str) -> HttpResponse:
    def page() -> HttpResponse:
        tag = get_object_or_404(Tag, slug=slug)
        return _list_page(
            request,
            "board/tag.html",
            Post.objects.listed().filter(tags=tag),
            f"tag:{tag.pk}",
            {"tag": tag},
        )

    return cached_page(request, page, LIST_CACHE_SECONDS)


def _country_name(iso2: str) -> str:
    """The CLDR Korean name of a real country code (not CLDR's regions such as ZZ or EU)."""
    if not is_country_code(iso2):
        raise Http404("그런 국가 코드는 없습니다.")
    return str(Locale("ko").territories[iso2])


@require_safe
def country_posts(request: HttpRequest, iso2: str) -> HttpResponse:
    code = iso2.upper()
    if iso2 != iso2.lower():
        return redirect("board:country", iso2=iso2.lower(), permanent=True)

    def page() -> HttpResponse:
        name = _country_name(code)
        mentions = CountryMention.objects.filter(iso2=code)
        rows = mentions.values_list("week").annotate(total=Sum("count")).order_by("week")
        return _list_page(
            request,
            "board/mentions.html",
            Post.objects.listed().filter(country_mentions__iso2=code),
            f"country:{code}",
            {
                "kind": "국가",
                "name": name,
                "code": code,
                "chart": weekly_chart(rows),
            },
        )

    return cached_page(request, page, LIST_CACHE_SECONDS)


@require_safe
def place_posts(request: HttpRequest, slug: str) -> HttpResponse:
    def page() -> HttpResponse:
        mentions = PlaceMention.objects.filter(slug=slug)
        first = mentions.order_by("-week").first()
        if first is None:
            raise Http404("그런 지명은 없습니다.")
        rows = mentions.values_list("week").annotate(total=Sum("count")).order_by("week")
        return _list_page(
            request,
            "board/mentions.html",
            Post.objects.listed().filter(place_mentions__slug=slug),
            f"place:{slug}",
            {
                "kind": "지명",
                "name": first.name_ko,
                "code": first.english,
                "chart": weekly_chart(rows),
            },
        )

    return cached_page(request, page, LIST_CACHE_SECONDS)


@require_safe
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    def page() -> HttpResponse:
        notice = get_object_or_404(Notice, pk=pk)
        return render(request, "board/notice.html", {"notice": notice})

    return cached_page(request, page)


# --- a post -------------------------------------------------------------------------------------


def _neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The older and the newer post of the same board (or of every board, for an unfiled one)."""
    siblings = Post.objects.filter(board=post.board) if post.board_id else Post.objects.all()
    siblings = siblings.only("number", "title_ko")
    older = (
        siblings.filter(created_at__lte=post.created_at)
        .exclude(created_at=post.created_at, number__gte=post.number)
        .order_by("-created_at", "-number")
        .first()
    )
    newer = (
        siblings.filter(created_at__gte=post.created_at)
        .exclude(created_at=post.created_at, number__lte=post.number)
        .order_by("created_at", "number")
        .first()
    )
    return older, newer


def _time_line(post: Post) -> str:
    report = post.report
    if report.published is None:
        return ""
    line = korean_date(report.published)
    if report.published_time:
        line += f" {report.published_time}"
        if report.time_zone:
            try:
                line += f" ({get_timezone_name(report.time_zone, locale='ko')})"
            except LookupError:
                line += f" ({report.time_zone})"
    return line


def _country_url(iso2: str) -> str:
    return reverse("board:country", args=[iso2.lower()]) if is_country_code(iso2) else ""


def _brief_view(brief: Brief, anchors: set[str]) -> dict[str, Any]:
    """What the page shows of a brief; a bullet links to its passage only if that is on the page."""
    points = []
    for point in brief.key_points or []:
        ref = str(point.get("source_ref", ""))
        points.append({"text": point.get("text", ""), "ref": ref if ref in anchors else ""})
    countries = []
    for country in brief.countries or []:
        iso2 = str(country.get("iso2", "")).upper()
        countries.append(
            {
                "iso2": iso2,
                "name": country.get("name_ko") or iso2,
                "role": country.get("role", ""),
                "url": _country_url(iso2),
            }
        )
    return {
        "brief": brief,
        "points": points,
        "countries": countries,
        "stale": brief.revision_id != brief.report.current_revision_id,
    }


def _post_context(request: HttpRequest, post: Post, view_count: Any) -> dict[str, Any]:
    report = post.report
    article = report.article()
    original = build_original(article) if article is not None else None
    anchors = set(original.anchors) if original else set()
    staff = request.user.is_staff
    comments = post.comments.select_related("user")
    if not staff:
        comments = comments.filter(hidden=False)
    older, newer = _neighbours(post)
    context: dict[str, Any] = {
        "post": post,
        "report": report,
        "article": article,
        "original": original,
        "source_url": safe_url(report.canonical_url),
        "time_line": _time_line(post),
        "views": view_count,
        "older": older,
        "newer": newer,
        "tags": list(post.tags.all()),
        "comments": list(comments),
        "public": _brief_view(post.brief, anchors) if post.brief else None,
        "draft": None,
    }
    if staff:
        # The editor also sees a newer revision's brief that is not public yet.
        draft = latest_brief(report)
        if draft is not None and draft.pk != post.brief_id:
            context["draft"] = _brief_view(draft, anchors)
    return context


def _post_queryset() -> Any:
    return Post.objects.select_related(
        "board", "report", "report__current_revision", "brief", "brief__report"
    )


def _render_post(
    request: HttpRequest, post: Post, view_count: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _post_context(request, post, view_count)
    context.update(extra)
    if request.user.is_authenticated and "form" not in context:
        context["form"] = CommentForm()
    return render(request, "board/post.html", context, status=status)


@require_safe
def post_detail(request: HttpRequest, number: int) -> HttpResponse:
    """A post; anonymous readers get it from the page cache, with a fresh view count put in."""
    if not cacheable(request):
        post = get_object_or_404(_post_queryset(), number=number)
        views.seen(post.pk, post.view_count)
        return _render_post(request, post, record_view(post.pk))
    # Keyed on the number alone: a query string must not make another copy of the page.
    key = f"board:post:{page_version()}:{number}"
    hit = cache.get(key)
    if hit is None:
        post = get_object_or_404(_post_queryset(), number=number)
        views.seen(post.pk, post.view_count)
        response = _render_post(request, post, mark_safe(VIEWS_MARKER))  # noqa: S308
        hit = (post.pk, response.content.decode(), response["Content-Type"])
        cache.set(key, hit, CACHE_SECONDS)
    pk, html, content_type = hit
    return HttpResponse(html.replace(VIEWS_MARKER, str(record_view(pk)), 1), content_type)


def _rate_limited(user: Any) -> bool:
    since = timezone.now() - COMMENT_WINDOW
    return Comment.objects.filter(user=user, created_at__gte=since).count() >= COMMENT_LIMIT


@login_required
@require_POST
def add_comment(request: HttpRequest, number: int) -> HttpResponse:
    post = get_object_or_404(_post_queryset(), number=number)
    form = CommentForm(request.POST)
    if _rate_limited(request.user):
        error = f"댓글은 1분에 {COMMENT_LIMIT}개까지 쓸 수 있습니다. 잠시 뒤에 다시 써 주세요."
        return _render_post(request, post, post.view_count, 429, form=form, comment_error=error)
    if not form.is_valid():
        return _render_post(request, post, post.view_count, 400, form=form)
    Comment.objects.create(post=post, user=request.user, body=form.cleaned_data["body"])
    messages.success(request, "댓글을 등록했습니다.")
    return redirect(post.get_absolute_url() + "#comments")


def _is_staff(user: Any) -> bool:
    return bool(user.is_active and user.is_staff)


@require_POST
@user_passes_test(_is_staff)
def moderate_comment(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    url = comment.post.get_absolute_url() + "#comments"
    if action == "delete":
        comment.delete()
        messages.success(request, "댓글을 삭제했습니다.")
    elif action in {"hide", "show"}:
        comment.hidden = action == "hide"
        comment.save(update_fields=["hidden"])
        messages.success(
            request, "댓글을 숨겼습니다." if comment.hidden else "댓글을 보이게 했습니다."
        )
    else:
        raise Http404
    return redirect(url)


# --- search -------------------------------------------------------------------------------------

SNIPPET_TAGS = {"mark"}


def _snippet(snippet: Any) -> str:
    """A search snippet as HTML: the service escapes it already; nh3 keeps only <mark> anyway."""
    html = getattr(snippet, "html", None)
    return nh3.clean(
        str(html if html is not None else snippet or ""),
        tags=SNIPPET_TAGS,
        attributes={"mark": set()},
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:100]
    field = request.GET.get("field", "all")
    if field not in SEARCH_FIELDS:
        field = "all"
    context: dict[str, Any] = {
        "query": query,
        "field": field,
        "field_label": SEARCH_FIELDS[field],
        "fields": SEARCH_FIELDS,
        "results": [],
        "pagination": None,
        "unavailable": False,
    }
    service = search_service()
    if query and service is None:
        context["unavailable"] = True
    elif query:
        page = max(1, page_number(request))
        found = service.search(
            query,
            field=field,
            doc_type=SEARCH_DOC_TYPE,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        posts = Post.objects.in_bulk([int(hit.doc_id) for hit in found.hits])
        context["results"] = [
            {
                "post": posts[int(hit.doc_id)],
                "title": mark_safe(_snippet(hit.title_snippet)),  # noqa: S308  (nh3: <mark> only)
                "body": mark_safe(_snippet(hit.body_snippet)),  # noqa: S308
            }
            for hit in found.hits
            if int(hit.doc_id) in posts
        ]
        context["total"] = found.total
        context["total_capped"] = getattr(found, "total_capped", False)
        context["pagination"] = paginate(found.total, page) if found.total else None
    return render(request, "board/search.html", context)


# --- accounts -----------------------------------------------------------------------------------


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("board:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "가입을 환영합니다.")
        return redirect("board:list")
    return render(request, "registration/signup.html", {"form": form})


def _too_many_attempts(response: HttpResponse, form: Any) -> HttpResponse:
    """Answer 429 when the sign-in form was refused by the throttle (the page is the same)."""
    if getattr(form, "throttled", False):
        response.status_code = 429
        response["Retry-After"] = str(int(throttle.WINDOW.total_seconds()))
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in page with :mod:`board.throttle`: too many failures answer 429."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form: Any) -> HttpResponse:
        return _too_many_attempts(super().form_invalid(form), form)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in page (``admin.site.login`` with its throttled ``login_form``, set in
    :mod:`board.admin`), answering 429 like :class:`LoginView` when the throttle refuses."""
    response = admin.site.login(request)
    context = getattr(response, "context_data", None) or {}
    return _too_many_attempts(response, context.get("form"))
