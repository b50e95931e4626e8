"""The read-only JSON API: post list, post detail, search, and its OpenAPI document."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from board.models import Board, Post
from board.pages import PAGE_SIZE, cached_count, page_number, paginate
from board.services import SEARCH_DOC_TYPE, search_service

JSON_OPTIONS = {"ensure_ascii": False}


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params=JSON_OPTIONS)


def _summary(request: HttpRequest, post: Post) -> dict[str, Any]:
    return {
        "number": post.number,
        "title": post.title_ko,
        "url": request.build_absolute_uri(post.get_absolute_url()),
        "board": post.board.slug if post.board else None,
        "author": post.author,
        "created_at": post.created_at.isoformat(),
        "published": post.published.isoformat() if post.published else None,
        "state": post.state,
        "view_count": post.view_count,
    }


@require_GET
def post_list(request: HttpRequest) -> JsonResponse:
    posts = Post.objects.listed()
    slug = request.GET.get("board")
    if slug:
        board = Board.objects.filter(slug=slug).first()
        if board is None:
            return _json({"error": "unknown board"}, 404)
        posts = posts.in_board(board)
    total = cached_count(f"board:{slug or 'news'}", posts.count)
    pagination = paginate(total, page_number(request))
    if pagination is None:
        return _json({"error": "no such page"}, 404)
    rows = posts[pagination.offset : pagination.offset + PAGE_SIZE]
    return _json(
        {
            "count": total,
            "page": pagination.page,
            "pages": pagination.pages,
            "results": [_summary(request, post) for post in rows],
        }
    )


@require_GET
def post_detail(request: HttpRequest, number: int) -> JsonResponse:
    post = get_object_or_404(
        Post.objects.select_related("board", "report", "brief").prefetch_related("tags"),
        number=number,
    )
    data = _summary(request, post)
    brief = post.brief
    data.update(
        {
            "tags": [tag.name for tag in post.tags.all()],
            "source": {
                "publisher": post.source_tag,
                "title": post.report.title,
                "url": post.report.canonical_url,
                "published": post.report.published.isoformat() if post.report.published else None,
            },
            "brief": None
            if brief is None
            else {
                "status": brief.status,
                "key_points": brief.key_points,
                "category": brief.category,
                "countries": brief.countries,
                "outlook": brief.outlook,
            },
        }
    )
    return _json(data)


@require_GET
def search(request: HttpRequest) -> JsonResponse:
    query = " ".join(request.GET.get("q", "").split())[:100]
    field = request.GET.get("field", "all")
    if field not in {"all", "title", "body", "tags"}:
        return _json({"error": "field must be all, title, body or tags"}, 400)
    if not query:
        return _json({"error": "q is required"}, 400)
    service = search_service()
    if service is None:
        raise Http404("search is not installed")
    page = max(1, page_number(request))
    found = service.search(
        query, field=field, doc_type=SEARCH_DOC_TYPE, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    posts = Post.objects.select_related("board").in_bulk([int(h.doc_id) for h in found.hits])
    return _json(
        {
            "count": found.total,
            "page": page,
            "results": [
                {
                    **_summary(request, posts[int(hit.doc_id)]),
                    "title_snippet": str(getattr(hit.title_snippet, "html", hit.title_snippet)),
                    "body_snippet": str(getattr(hit.body_snippet, "html", hit.body_snippet)),
                    "score": hit.score,
                }
                for hit in found.hits
                if int(hit.doc_id) in posts
            ],
        }
    )


def _page_params() -> list[dict[str, Any]]:
    return [
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
            "description": f"{PAGE_SIZE} results a page",
        }
    ]


_SUMMARY_SCHEMA = {
    "type": "object",
    "required": ["number", "title", "url", "created_at", "state", "view_count"],
    "properties": {
        "number": {"type": "integer", "description": "번호"},
        "title": {"type": "string", "description": "제목"},
        "url": {"type": "string", "format": "uri"},
        "board": {"type": ["string", "null"]},
        "author": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "published": {"type": ["string", "null"], "format": "date"},
        "state": {"type": "string", "enum": [s.value for s in Post.State]},
        "view_count": {"type": "integer"},
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "국방 브리핑룸 API",
        "version": "1",
        "description": "Read-only: posts, their verified Korean briefs, and search.",
    },
    "paths": {
        "/api/posts/": {
            "get": {
                "summary": "Posts, newest first",
                "parameters": [
                    {"name": "board", "in": "query", "schema": {"type": "string"}},
                    *_page_params(),
                ],
                "responses": {
                    "200": {
                        "description": "A page of posts",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "count": {"type": "integer"},
                                        "page": {"type": "integer"},
                                        "pages": {"type": "integer"},
                                        "results": {"type": "array", "items": _SUMMARY_SCHEMA},
                                    },
                                }
                            }
                        },
                    },
                    "404": {"description": "Unknown board or page"},
                },
            }
        },
        "/api/posts/{number}/": {
            "get": {
                "summary": "One post with its public brief (null while none is verified)",
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The post",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "allOf": [
                                        _SUMMARY_SCHEMA,
                                        {
                                            "type": "object",
                                            "properties": {
                                                "tags": {
                                                    "type": "array",
                                                    "items": {"type": "string"},
                                                },
                                                "source": {"type": "object"},
                                                "brief": {"type": ["object", "null"]},
                                            },
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    "404": {"description": "No such post"},
                },
            }
        },
        "/api/search/": {
            "get": {
                "summary": "Search posts (Korean and English)",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "field",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": ["all", "title", "body", "tags"],
                            "default": "all",
                        },
                    },
                    *_page_params(),
                ],
                "responses": {
                    "200": {"description": "Matching posts with highlighted snippets"},
                    "400": {"description": "Missing q or a bad field"},
                },
            }
        },
    },
}


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return _json(OPENAPI)
