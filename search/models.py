"""What is searchable: one row per indexed document, plus a vendor-specific index beside it.

The index itself lives outside the ORM, created by migration 0001: on SQLite an FTS5 table
``search_fts`` keyed by this model's id, on PostgreSQL a ``search_vector`` tsvector column on
this model's own table. Only :mod:`search.backends` reads or writes it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchDocument(models.Model):
    """A searchable document, keyed on ``(doc_type, doc_id)`` (e.g. ``("post", 42)``).

    The text is kept as indexed so snippets come from the same text the index saw, and
    ``expansions`` keeps the glossary terms added per field (``{"body": [[found, added], …]}``)
    so the index can be rebuilt, and synonyms highlighted, without the glossary at hand.
    """

    doc_type = models.CharField("종류", max_length=40)
    doc_id = models.BigIntegerField("문서 ID")
    title = models.TextField("제목")
    body = models.TextField("내용", blank=True)
    tags = models.JSONField("태그", default=list, blank=True)
    expansions = models.JSONField("동의어 확장", default=dict, blank=True)
    published_at = models.DateTimeField("게시 시각", null=True, blank=True)
    indexed_at = models.DateTimeField("색인 시각", default=timezone.now)

    class Meta:
        verbose_name = "검색 문서"
        verbose_name_plural = "검색 문서"
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "doc_id"], name="search_unique_document"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id} {self.title}"
