"""Publishing reports on the board: one post per report, kept in step with its public brief.

:func:`publish_report` is the one writer of posts. The store calls it (through the
``revision_stored`` signal) as soon as a report or revision is stored, and the briefs app
(through ``post_save`` of a Brief) whenever a brief changes state. It recomputes the post from
the database each time, so running it twice, or out of order, leaves the same post.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections import Counter
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from board.models import Board, BoardState, CountryMention, Notice, PlaceMention, Post, Tag
from board.original import plain_text
from briefs.models import Brief
from pipeline.brief.countries import find_countries, korean_country_name
from pipeline.brief.glossary import Glossary, packaged_glossary
from pipeline.brief.titles import korean_title, publisher_tag
from pipeline.series import SERIES
from pipeline.types import Article
from reports.models import Report

logger = logging.getLogger(__name__)

STATE_KEY = "pages"
SEARCH_DOC_TYPE = "post"
ALL_BOARD_SLUG = "news"


# --- boards -------------------------------------------------------------------------------------


def ensure_boards() -> None:
    """Seed 국방뉴스 and one tab per known series; editors' changes to existing rows are kept."""
    glossary = packaged_glossary()
    Board.objects.get_or_create(
        slug=ALL_BOARD_SLUG, defaults={"name": "국방뉴스", "order": 0, "lists_all": True}
    )
    for order, series in enumerate(SERIES, start=1):
        if series.slug == "mnd-press-release":
            name, sources = "국방부 보도자료", ["mnd"]
        else:
            name, sources = glossary.series_title(series.slug) or series.title_en, []
        Board.objects.get_or_create(
            slug=series.slug,
            defaults={"name": name, "order": order, "series": [series.slug], "sources": sources},
        )


def board_for(report: Report) -> Board | None:
    """The first board (by order) that takes the report's series, else its source."""
    boards = [b for b in Board.objects.filter(lists_all=False) if isinstance(b.series, list)]
    for board in boards:
        if report.series and report.series in board.series:
            return board
    for board in boards:
        if report.source and report.source in (board.sources or []):
            return board
    return None


# --- the page-cache version ---------------------------------------------------------------------


def _state(lock: bool = False) -> BoardState:
    queryset = BoardState.objects.select_for_update() if lock else BoardState.objects
    state = queryset.filter(key=STATE_KEY).first()
    if state is None:
        top = Post.objects.aggregate(top=Max("number"))["top"] or 0
        state, _ = BoardState.objects.get_or_create(
            key=STATE_KEY, defaults={"version": secrets.token_hex(8), "last_number": top}
        )
    return state


# Every request asks for the version; reading it at most once a VERSION_SECONDS per process
# keeps cached pages free of database work. A publish in this process is seen at once, one in
# another process within VERSION_SECONDS.
VERSION_SECONDS = 1.0
_version_memo: tuple[float, str] | None = None


def page_version() -> str:
    """The current page-cache version; every cached page's key contains it."""
    global _version_memo
    now = time.monotonic()
    if _version_memo is not None and now - _version_memo[0] < VERSION_SECONDS:
        return _version_memo[1]
    version = BoardState.objects.filter(key=STATE_KEY).values_list("version", flat=True).first()
    if version is None:
        version = _state().version
    _version_memo = (now, version)
    return version


def forget_version() -> None:
    global _version_memo
    _version_memo = None


def bump_version() -> None:
    """Invalidate every cached page (after the commit that changed what they show)."""

    def bump() -> None:
        token = secrets.token_hex(8)
        if not BoardState.objects.filter(key=STATE_KEY).update(version=token):
            _state()
            BoardState.objects.filter(key=STATE_KEY).update(version=token)
        forget_version()

    transaction.on_commit(bump)


def _next_number() -> int:
    """The next 번호; the state row's lock serialises concurrent publishers."""
    state = _state(lock=True)
    BoardState.objects.filter(key=STATE_KEY).update(last_number=F("last_number") + 1)
    return state.last_number + 1


# --- publishing ---------------------------------------------------------------------------------


def current_glossary() -> Glossary:
    from briefs.services import current_glossary as briefs_glossary

    return briefs_glossary()


def public_brief(report: Report) -> Brief | None:
    """The newest verified or approved brief of the report, whatever revision it belongs to."""
    return (
        Brief.objects.filter(
            report=report, status__in=[Brief.Status.VERIFIED, Brief.Status.APPROVED]
        )
        .order_by("-revision__number", "-updated_at")
        .first()
    )


def latest_brief(report: Report) -> Brief | None:
    """The brief of the report's current revision, whatever its state."""
    if report.current_revision_id is None:
        return None
    return Brief.objects.filter(revision_id=report.current_revision_id).first()


def state_for(public: Brief | None, latest: Brief | None) -> str:
    if public is not None:
        return Post.State.PUBLISHED
    if latest is not None and latest.status == Brief.Status.NEEDS_REVIEW:
        return Post.State.REVIEW
    return Post.State.PENDING


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def tag_for(name: str, kind: str) -> Tag:
    slug = slugify(name, allow_unicode=True)[:120] or "tag"
    tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
    return tag


def publish_report(report: Report) -> Post | None:
    """Create or update the post of ``report``; idempotent (see the module docstring).

    Returns None for a report with no stored revision yet.
    """
    article = report.article()
    if article is None:
        return None
    glossary = current_glossary()
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(report=report).first()
        if post is None:
            post = Post(report=report, number=_next_number())
        public = public_brief(report)
        post.title_ko = korean_title(article, glossary)[:300]
        post.source_tag = publisher_tag(article)[:40]
        post.board = board_for(report)
        post.published = report.published
        post.brief = public
        post.state = state_for(public, latest_brief(report))
        post.updated_at = timezone.now()
        post.save()
        _set_tags(post, article, public)
        _set_mentions(post, article, glossary)
        _index(post, article, public, glossary)
        bump_version()
    return post


def publish_brief(brief: Brief) -> Post | None:
    """Re-publish the post of a brief's report after the brief changed state."""
    return publish_report(Report.objects.get(pk=brief.report_id))


def _set_tags(post: Post, article: Article, public: Brief | None) -> None:
    tags = [tag_for(post.source_tag, Tag.Kind.PUBLISHER)] if post.source_tag else []
    if post.board is not None and not post.board.lists_all:
        tags.append(tag_for(post.board.name, Tag.Kind.SERIES))
    if public is not None:
        for country in public.countries or []:
            name = country.get("name_ko") or _country_name(country.get("iso2", ""))
            if name:
                tags.append(tag_for(name, Tag.Kind.COUNTRY))
    post.tags.set(tags)


def _country_name(iso2: str) -> str:
    try:
        return korean_country_name(iso2)
    except KeyError:
        return ""


def _set_mentions(post: Post, article: Article, glossary: Glossary) -> None:
    text = plain_text(article)
    week = week_of(article.published or timezone.localdate(post.created_at))
    countries = [
        CountryMention(post=post, iso2=m.iso2, count=m.count, week=week)
        for m in find_countries(text).values()
        if not m.ambiguous
    ]
    places: Counter[str] = Counter()
    names: dict[str, tuple[str, str]] = {}
    for occurrence in glossary.occurrences(text):
        entry = occurrence.entry
        if entry.kind != "place":
            continue
        slug = slugify(entry.english)[:120]
        places[slug] += 1
        names[slug] = (entry.english, entry.korean)
    CountryMention.objects.filter(post=post).delete()
    PlaceMention.objects.filter(post=post).delete()
    CountryMention.objects.bulk_create(countries)
    PlaceMention.objects.bulk_create(
        PlaceMention(
            post=post,
            slug=slug,
            english=names[slug][0],
            name_ko=names[slug][1],
            count=count,
            week=week,
        )
        for slug, count in places.items()
    )


# --- search -------------------------------------------------------------------------------------


def search_service() -> Any | None:
    """The search app's service module, or None while the app is not installed."""
    if not apps.is_installed("search"):
        return None
    from search import service

    return service


def search_body(post: Post, article: Article, public: Brief | None) -> str:
    parts = []
    if public is not None:
        parts += [point.get("text", "") for point in public.key_points or []]
        parts.append(public.category)
        parts += [
            f"{c.get('name_ko', '')} {c.get('role', '')}".strip() for c in public.countries or []
        ]
        parts.append(public.outlook)
    parts.append(plain_text(article))
    return "\n\n".join(part for part in parts if part)


def _index(post: Post, article: Article, public: Brief | None, glossary: Glossary) -> None:
    service = search_service()
    if service is None:
        return
    # The whole glossary: a Korean brief may name a place in Korean that the English source
    # spells out, and either spelling must find the post.
    synonyms = {entry.english: entry.korean for entry in glossary}
    service.index_document(
        SEARCH_DOC_TYPE,
        post.pk,
        title=post.title_ko,
        body=search_body(post, article, public),
        tags=[tag.name for tag in post.tags.all()],
        published_at=post.created_at,
        synonyms=synonyms,
    )


# --- reading ------------------------------------------------------------------------------------


def record_view(post_pk: int) -> int:
    """Count one view of a post and return the count to show (see :mod:`board.counting`)."""
    from board.counting import views

    return views.record(post_pk)


def pinned_notices() -> list[Notice]:
    return list(Notice.objects.filter(pinned=True).order_by("-created_at"))


def publish_all() -> int:
    """Publish every report that has a revision; returns how many posts were written."""
    count = 0
    reports = Report.objects.filter(current_revision__isnull=False).select_related(
        "current_revision"
    )
    for report in reports.iterator(chunk_size=200):
        if publish_report(report) is not None:
            count += 1
    return count
