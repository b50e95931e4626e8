"""RSS and Atom feeds of posts with a public brief: all, per board, per tag; and the sitemap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_safe

from board.models import Board, Post, Tag
from board.pages import cached_page

FEED_ITEMS = 30


class PostFeed(Feed):
    title = "국방 브리핑룸"
    link = "/"
    description = "ISW 보고서와 국방부 보도자료의 검증된 한국어 요약"
    language = "ko"

    def posts(self, obj: Any) -> Any:
        return Post.objects.with_public_brief()

    def items(self, obj: Any = None) -> list[Post]:
        return list(
            self.posts(obj)
            .select_related("brief")
            .prefetch_related("tags")
            .order_by("-created_at", "-number")[:FEED_ITEMS]
        )

    def item_title(self, item: Post) -> str:
        return item.title_ko

    def item_description(self, item: Post) -> str:
        brief = item.brief
        if brief is None:
            return ""
        points = format_html_join(
            "", "<li>{}</li>", ((p.get("text", ""),) for p in brief.key_points or [])
        )
        countries = ", ".join(
            f"{c.get('name_ko', '')} ({c['role']})" if c.get("role") else c.get("name_ko", "")
            for c in brief.countries or []
        )
        return format_html(
            "<h3>주요 내용</h3><ul>{}</ul><h3>분류</h3><p>{}</p><h3>관련 주요 국가</h3><p>{}</p>"
            "<h3>향후 전망 ({}의 평가)</h3><p>{}</p>",
            points,
            brief.category,
            countries,
            item.source_tag,
            brief.outlook,
        )

    def item_pubdate(self, item: Post) -> Any:
        return item.created_at

    def item_updateddate(self, item: Post) -> Any:
        return item.updated_at

    def item_author_name(self, item: Post) -> str:
        return item.author

    def item_categories(self, item: Post) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class AtomPostFeed(PostFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description


class BoardFeed(PostFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Board:  # type: ignore[override]
        return get_object_or_404(Board, slug=slug)

    def title(self, obj: Board) -> str:  # type: ignore[override]
        return f"국방 브리핑룸 · {obj.name}"

    def link(self, obj: Board) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def posts(self, obj: Board) -> Any:
        return Post.objects.with_public_brief().in_board(obj)


class AtomBoardFeed(BoardFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description


class TagFeed(PostFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:  # type: ignore[override]
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj: Tag) -> str:  # type: ignore[override]
        return f"국방 브리핑룸 · 태그 {obj.name}"

    def link(self, obj: Tag) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def posts(self, obj: Tag) -> Any:
        return Post.objects.with_public_brief().filter(tags=obj)


class AtomTagFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description


def cached_feed(feed: Feed) -> Callable[..., HttpResponse]:
    @require_safe
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return cached_page(request, lambda: feed(request, **kwargs))

    return view


class PostSitemap(Sitemap):
    changefreq = "daily"
    limit = 10_000

    def items(self) -> Any:
        return Post.objects.only("number", "updated_at").order_by("number")

    def lastmod(self, item: Post) -> Any:
        return item.updated_at


class BoardSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self) -> Any:
        return Board.objects.all()


SITEMAPS = {"boards": BoardSitemap, "posts": PostSitemap}
