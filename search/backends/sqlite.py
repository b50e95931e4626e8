"""SQLite FTS5 backend: Python tokens in an ``ascii``-tokenized FTS5 table, ranked by bm25.

Each field is one FTS5 column holding space-separated tokens; a gap is a filler token that no
query can produce, so it takes a position and phrases cannot match across it. A query phrase
is an FTS5 phrase (``"포로 로를"``) behind a column filter, phrases joined by AND. Only token
text, which is letters and digits, is ever put between the quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.backends import FIELD_COLUMNS, Field, Order, Ranked
from search.tokens import Layout, Phrase

# A private-use character: FTS5's ascii tokenizer keeps it as a token, and the query tokenizer
# never yields one (it is neither a letter nor a digit).
GAP = "\ue000"


def _column_text(tokens: Sequence[str | None]) -> str:
    return " ".join(GAP if token is None else token for token in tokens)


def match_expression(phrases: Sequence[Phrase], field: Field) -> str:
    columns = "{" + " ".join(FIELD_COLUMNS[field]) + "}"
    parts = []
    for phrase in phrases:
        quoted = '"' + " ".join(phrase.tokens).replace('"', '""') + '"'
        parts.append(f"{columns} : {quoted}{' *' if phrase.prefix else ''}")
    return " AND ".join(parts)


class SqliteBackend:
    def index(self, cursor: Any, pk: int, layout: Layout) -> None:
        cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [pk])
        cursor.execute(
            "INSERT INTO search_fts (rowid, title, body, tags) VALUES (%s, %s, %s, %s)",
            [pk, _column_text(layout.title), _column_text(layout.body), _column_text(layout.tags)],
        )

    def remove(self, cursor: Any, pks: Sequence[int]) -> None:
        for pk in pks:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [pk])

    def ranked(
        self,
        cursor: Any,
        phrases: Sequence[Phrase],
        *,
        field: Field,
        doc_type: str | None,
        order: Order,
        window: int,
        limit: int,
        offset: int,
    ) -> Ranked:
        params: list[object] = [match_expression(phrases, field)]
        where = ""
        if doc_type is not None:
            where = "AND d.doc_type = %s"
            params.append(doc_type)
        if order == "recent":
            order_by = "published_at IS NULL, published_at DESC, id DESC"
        else:
            order_by = "rank, published_at IS NULL, published_at DESC, id DESC"
        params += [window, limit, offset]
        # The inner query walks FTS5's doclist newest rowid first and stops at the window, so
        # bm25 is computed for at most `window` rows however common the word.
        cursor.execute(
            # Only fixed SQL fragments are formatted in; every value is a parameter.
            "SELECT id, rank, count(*) OVER () FROM (SELECT d.id AS id, search_fts.rank AS rank,"  # noqa: S608
            " d.published_at AS published_at FROM search_fts"
            " JOIN search_searchdocument d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s {where} ORDER BY search_fts.rowid DESC LIMIT %s)"
            f" ORDER BY {order_by} LIMIT %s OFFSET %s",
            params,
        )
        rows = cursor.fetchall()
        # bm25 is lower-is-better; the service's scores are higher-is-better.
        return Ranked([(pk, -rank) for pk, rank, _ in rows], rows[0][2] if rows else 0)

    def count(
        self,
        cursor: Any,
        phrases: Sequence[Phrase],
        *,
        field: Field,
        doc_type: str | None,
        cap: int,
    ) -> int:
        params: list[object] = [match_expression(phrases, field)]
        where = ""
        if doc_type is not None:
            where = "AND d.doc_type = %s"
            params.append(doc_type)
        params.append(cap)
        cursor.execute(
            # Only fixed SQL fragments are formatted in; every value is a parameter.
            "SELECT count(*) FROM (SELECT 1 FROM search_fts"  # noqa: S608
            " JOIN search_searchdocument d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s {where} LIMIT %s)",
            params,
        )
        return int(cursor.fetchone()[0])
