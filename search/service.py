"""The search service: index, remove and search documents; the board calls only these.

The same tokens go to whichever database is in use (see :mod:`search.tokens`), so SQLite and
PostgreSQL find the same documents; only the ranking formula differs (bm25 / ts_rank_cd).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from search.backends import FIELD_COLUMNS, Field, Order, get_backend
from search.models import SearchDocument
from search.snippets import Snippet, excerpt, highlight
from search.tokens import (
    Layout,
    Phrase,
    Synonyms,
    build_layout,
    find_phrase,
    parse_query,
    tokenize,
)

# A query ranks at most the MAX_TOTAL most recently indexed documents it matches, and counts
# no further ("1,000+ results"): ranking or counting every post that mentions 러시아 would cost
# far more than the search. A rarer query is ranked in full.
MAX_TOTAL = 1000
MAX_LIMIT = 100

__all__ = [
    "MAX_TOTAL",
    "Hit",
    "SearchPage",
    "Snippet",
    "Synonyms",
    "index_document",
    "rebuild_index",
    "remove_document",
    "search",
]


@dataclass(frozen=True, slots=True)
class Hit:
    doc_type: str
    doc_id: int
    title_snippet: Snippet
    body_snippet: Snippet
    score: float
    published_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results; ``total`` stops at :data:`MAX_TOTAL`, then ``total_capped`` is set."""

    total: int
    hits: list[Hit] = field(default_factory=list)
    total_capped: bool = False


def _expansions(
    synonyms: Synonyms, *, title: str, body: str, tags: Sequence[str]
) -> dict[str, list[list[str]]]:
    found = {
        "title": synonyms.expansions(title),
        "body": synonyms.expansions(body),
        "tags": sorted({pair for tag in tags for pair in synonyms.expansions(tag)}),
    }
    return {name: [list(pair) for pair in pairs] for name, pairs in found.items() if pairs}


def _layout(document: SearchDocument) -> Layout:
    return build_layout(
        title=document.title,
        body=document.body,
        tags=document.tags,
        expansions={
            name: [added for _, added in pairs] for name, pairs in document.expansions.items()
        },
    )


def index_document(
    doc_type: str,
    doc_id: int,
    *,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    published_at: dt.datetime | None = None,
    synonyms: Mapping[str, str] | Synonyms | None = None,
) -> None:
    """Create or replace the searchable copy of a document, keyed on ``(doc_type, doc_id)``.

    Idempotent: indexing the same document again replaces its row and index entry, so the
    board can call it on every save. ``synonyms`` maps English to Korean glossary terms
    (``{"Kupyansk": "쿠퍈스크"}``; pass a :class:`Synonyms` when indexing many documents): a
    field that contains either side is also indexed with the other.
    """
    tag_list = [str(tag) for tag in tags]
    expansions = _expansions(Synonyms.of(synonyms), title=title, body=body, tags=tag_list)
    with transaction.atomic():
        document, _ = SearchDocument.objects.update_or_create(
            doc_type=doc_type,
            doc_id=doc_id,
            defaults={
                "title": title,
                "body": body,
                "tags": tag_list,
                "expansions": expansions,
                "published_at": published_at,
                "indexed_at": timezone.now(),
            },
        )
        with connection.cursor() as cursor:
            get_backend(connection.vendor).index(cursor, document.pk, _layout(document))


def remove_document(doc_type: str, doc_id: int) -> None:
    """Drop a document from search; removing one that is not indexed does nothing."""
    with transaction.atomic():
        pks = list(
            SearchDocument.objects.filter(doc_type=doc_type, doc_id=doc_id).values_list(
                "pk", flat=True
            )
        )
        if not pks:
            return
        with connection.cursor() as cursor:
            get_backend(connection.vendor).remove(cursor, pks)
        SearchDocument.objects.filter(pk__in=pks).delete()


def rebuild_index() -> int:
    """Rebuild every index entry from the stored documents (after a tokenizer change, or after
    loading documents into a new database, which copies rows but not the vendor index)."""
    backend = get_backend(connection.vendor)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for document in SearchDocument.objects.order_by("pk").iterator(chunk_size=500):
            backend.index(cursor, document.pk, _layout(document))
            count += 1
    return count


def _highlight_phrases(
    document: SearchDocument, name: str, phrases: Sequence[Phrase]
) -> list[Phrase]:
    """The query phrases, plus the original words of any glossary term a phrase matched in
    this field's expansions (쿠퍈스크 marks "Kupyansk" in an English body)."""
    extra = []
    for found, added in document.expansions.get(name, ()):
        added_tokens = tokenize(added)
        if any(next(find_phrase(added_tokens, phrase), None) is not None for phrase in phrases):
            found_tokens = tuple(tokenize(found))
            if found_tokens:
                extra.append(Phrase(found_tokens))
    return [*phrases, *extra]


def search(
    query: str,
    *,
    field: Field = "all",
    doc_type: str | None = None,
    limit: int = 20,
    offset: int = 0,
    order: Order = "relevance",
) -> SearchPage:
    """Documents matching every word of ``query`` in ``field``, best first, with snippets.

    ``field`` is "all" (제목+내용), "title", "body" or "tags"; ``order`` is "relevance" or
    "recent". A query matching more than :data:`MAX_TOTAL` documents ranks the most recently
    indexed :data:`MAX_TOTAL` of them. Any string is a safe query: one with no letters or digits
    returns an empty page.
    """
    if field not in FIELD_COLUMNS:
        raise ValueError(f"unknown search field {field!r}; expected one of {sorted(FIELD_COLUMNS)}")
    if order not in ("relevance", "recent"):
        raise ValueError(f"unknown search order {order!r}")
    phrases = parse_query(query)
    limit = min(max(limit, 0), MAX_LIMIT)
    offset = max(offset, 0)
    if not phrases or limit == 0:
        return SearchPage(total=0)

    backend = get_backend(connection.vendor)
    with connection.cursor() as cursor:
        # One more than MAX_TOTAL is ranked, to tell "exactly 1,000" from "more than 1,000".
        ranked = backend.ranked(
            cursor,
            phrases,
            field=field,
            doc_type=doc_type,
            order=order,
            window=MAX_TOTAL + 1,
            limit=limit,
            offset=offset,
        )
        matched = ranked.matched
        if not ranked.rows and offset > 0:
            matched = backend.count(
                cursor, phrases, field=field, doc_type=doc_type, cap=MAX_TOTAL + 1
            )
    capped = matched > MAX_TOTAL
    total = min(matched, MAX_TOTAL)
    rows = ranked.rows[: max(MAX_TOTAL - offset, 0)]

    documents = SearchDocument.objects.in_bulk([pk for pk, _ in rows])
    hits = []
    for pk, score in rows:
        document = documents.get(pk)
        if document is None:  # removed between the two queries
            continue
        hits.append(
            Hit(
                doc_type=document.doc_type,
                doc_id=document.doc_id,
                title_snippet=highlight(
                    document.title, _highlight_phrases(document, "title", phrases)
                ),
                body_snippet=excerpt(document.body, _highlight_phrases(document, "body", phrases)),
                score=score,
                published_at=document.published_at,
            )
        )
    return SearchPage(total=total, hits=hits, total_capped=capped)
