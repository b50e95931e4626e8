"""URL routes of the board: pages, feeds, sitemap and the read-only JSON API."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.http import require_safe

from board import api, feeds, views

app_name = "board"

urlpatterns = [
    path("", views.board_list, name="list"),
    path("boards/<slug:slug>/", views.board_list, name="board"),
    path("posts/<int:number>/", views.post_detail, name="post"),
    path("posts/<int:number>/comments/", views.add_comment, name="comment"),
    path("comments/<int:pk>/<str:action>/", views.moderate_comment, name="moderate"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("search/", views.search, name="search"),
    path("tags/<str:slug>/", views.tag_posts, name="tag"),
    path("countries/<str:iso2>/", views.country_posts, name="country"),
    path("places/<slug:slug>/", views.place_posts, name="place"),
    # Feeds of posts with a public brief.
    path("feeds/rss/", feeds.cached_feed(feeds.PostFeed()), name="feed_rss"),
    path("feeds/atom/", feeds.cached_feed(feeds.AtomPostFeed()), name="feed_atom"),
    path(
        "feeds/boards/<slug:slug>/rss/",
        feeds.cached_feed(feeds.BoardFeed()),
        name="feed_board_rss",
    ),
    path(
        "feeds/boards/<slug:slug>/atom/",
        feeds.cached_feed(feeds.AtomBoardFeed()),
        name="feed_board_atom",
    ),
    path("feeds/tags/<str:slug>/rss/", feeds.cached_feed(feeds.TagFeed()), name="feed_tag_rss"),
    path(
        "feeds/tags/<str:slug>/atom/",
        feeds.cached_feed(feeds.AtomTagFeed()),
        name="feed_tag_atom",
    ),
    path(
        "sitemap.xml",
        require_safe(sitemap_views.index),
        {
            "sitemaps": feeds.SITEMAPS,
            "template_name": "board/sitemap_index.xml",
            "sitemap_url_name": "board:sitemap",
        },
        name="sitemap_index",
    ),
    path(
        "sitemap-<str:section>.xml",
        require_safe(sitemap_views.sitemap),
        {"sitemaps": feeds.SITEMAPS, "template_name": "board/sitemap.xml"},
        name="sitemap",
    ),
    # The read-only JSON API.
    path("api/posts/", api.post_list, name="api_posts"),
    path("api/posts/<int:number>/", api.post_detail, name="api_post"),
    path("api/search/", api.search, name="api_search"),
    path("api/openapi.json", api.openapi, name="api_openapi"),
]
