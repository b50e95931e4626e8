"""The Korean board: boards (tabs), posts (one per report), tags, notices, comments, mentions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Board(models.Model):
    """A tab of the board: 국방뉴스 lists every post; the others one series or source each."""

    slug = models.SlugField("주소", max_length=80, unique=True)
    name = models.CharField("이름", max_length=80)
    order = models.PositiveSmallIntegerField("순서", default=100)
    # 국방뉴스: the tab of every post; a post never belongs to it directly.
    lists_all = models.BooleanField("전체 글 보기", default=False)
    series = models.JSONField(
        "시리즈", default=list, blank=True, help_text="이 게시판에 올릴 시리즈 slug 목록"
    )
    sources = models.JSONField(
        "발행처", default=list, blank=True, help_text="시리즈가 없을 때 맞춰 볼 발행처 키 목록"
    )

    class Meta:
        verbose_name = "게시판"
        verbose_name_plural = "게시판"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.lists_all:
            return reverse("board:list")
        return reverse("board:board", args=[self.slug])


class Tag(models.Model):
    class Kind(models.TextChoices):
        PUBLISHER = "publisher", "발행처"
        SERIES = "series", "시리즈"
        COUNTRY = "country", "국가"
        OTHER = "other", "기타"

    slug = models.SlugField("주소", max_length=120, unique=True, allow_unicode=True)
    name = models.CharField("이름", max_length=120)
    kind = models.CharField("종류", max_length=16, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = "태그"
        verbose_name_plural = "태그"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("board:tag", args=[self.slug])


class PostQuerySet(models.QuerySet["Post"]):
    def listed(self) -> PostQuerySet:
        """What a list page needs, newest first (the (board, -created_at) index order)."""
        return self.select_related("board").order_by("-created_at", "-number")

    def in_board(self, board: Board) -> PostQuerySet:
        return self if board.lists_all else self.filter(board=board)

    def with_public_brief(self) -> PostQuerySet:
        return self.filter(brief__isnull=False)


class Post(models.Model):
    """The board's post of one report; created as soon as the report is stored.

    ``brief`` is the public (verified or approved) brief shown to readers; while there is none,
    ``state`` says whether the brief is still being written or waits for an editor.
    """

    class State(models.TextChoices):
        PENDING = "pending", "요약 준비 중"
        REVIEW = "review", "검토 중"
        PUBLISHED = "published", "게시됨"

    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE, related_name="post")
    board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name="게시판",
    )
    number = models.PositiveIntegerField("번호", unique=True)
    title_ko = models.CharField("제목", max_length=300)
    source_tag = models.CharField("발행처", max_length=40, blank=True)
    author = models.CharField("글쓴이", max_length=40, default="브리핑룸")
    created_at = models.DateTimeField("게시일", default=timezone.now)
    updated_at = models.DateTimeField("갱신 시각", default=timezone.now)
    published = models.DateField("발행일", null=True, blank=True)
    view_count = models.PositiveIntegerField("조회수", default=0)
    is_demo = models.BooleanField("데모 글", default=False)
    state = models.CharField(
        "상태", max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    brief = models.ForeignKey(
        "briefs.Brief",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="공개 요약",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts", verbose_name="태그")

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = "글"
        verbose_name_plural = "글"
        ordering = ["-created_at", "-number"]
        indexes = [
            models.Index(fields=["board", "-created_at", "-number"], name="post_board_recent"),
            models.Index(fields=["-created_at", "-number"], name="post_recent"),
        ]

    def __str__(self) -> str:
        return self.title_ko

    def get_absolute_url(self) -> str:
        return reverse("board:post", args=[self.number])


class Notice(models.Model):
    """공지: pinned on top of every list page while ``pinned``."""

    title = models.CharField("제목", max_length=200)
    body = models.TextField("내용", blank=True)
    pinned = models.BooleanField("상단 고정", default=True)
    author = models.CharField("글쓴이", max_length=40, default="브리핑룸")
    created_at = models.DateTimeField("게시일", default=timezone.now)

    class Meta:
        verbose_name = "공지"
        verbose_name_plural = "공지"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("board:notice", args=[self.pk])


class Comment(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name="글"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="board_comments",
        verbose_name="작성자",
    )
    body = models.TextField("내용", max_length=2000)
    created_at = models.DateTimeField("작성 시각", default=timezone.now, db_index=True)
    hidden = models.BooleanField("숨김", default=False)

    class Meta:
        verbose_name = "댓글"
        verbose_name_plural = "댓글"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


class CountryMention(models.Model):
    """How often a post's source names a country; ``week`` is the Monday of the report's week."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="country_mentions")
    iso2 = models.CharField("국가 코드", max_length=2)
    count = models.PositiveIntegerField("언급 수", default=0)
    week = models.DateField("주")

    class Meta:
        verbose_name = "국가 언급"
        verbose_name_plural = "국가 언급"
        constraints = [
            models.UniqueConstraint(fields=["post", "iso2"], name="unique_country_mention")
        ]
        indexes = [models.Index(fields=["iso2", "week"], name="country_mention_week")]


class PlaceMention(models.Model):
    """How often a post's source names a glossary place (``slug`` from its English name)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="place_mentions")
    slug = models.SlugField("주소", max_length=120)
    english = models.CharField("영어", max_length=200)
    name_ko = models.CharField("한국어", max_length=200)
    count = models.PositiveIntegerField("언급 수", default=0)
    week = models.DateField("주")

    class Meta:
        verbose_name = "지명 언급"
        verbose_name_plural = "지명 언급"
        constraints = [
            models.UniqueConstraint(fields=["post", "slug"], name="unique_place_mention")
        ]
        indexes = [models.Index(fields=["slug", "week"], name="place_mention_week")]


class BoardState(models.Model):
    """One row: the page-cache version, bumped on every publish, and the last post number.

    The version is a random token, not a counter, so a database rolled back or recreated under
    a running process (tests) can never meet pages cached for an older one.
    """

    key = models.CharField(max_length=20, primary_key=True)
    version = models.CharField(max_length=32)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "게시판 상태"
        verbose_name_plural = "게시판 상태"


class LoginFailure(models.Model):
    """One failed sign-in, kept for :data:`board.throttle.WINDOW` (see :mod:`board.throttle`).

    In the database rather than the cache: the web server runs several processes, each with its
    own in-memory cache, and every one of them must see the same count.
    """

    username = models.CharField("아이디", max_length=150, db_index=True)
    ip = models.GenericIPAddressField("IP 주소", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("시각", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "로그인 실패"
        verbose_name_plural = "로그인 실패"

    def __str__(self) -> str:
        return f"{self.username} ({self.ip or '-'})"
