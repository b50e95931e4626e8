"""PostgreSQL backend: a weighted tsvector of Python tokens, phrase tsqueries, ts_rank_cd.

The tsvector is written as a literal (``'포로':3B '로를':4B``), not through ``to_tsvector``,
whose parser would split and classify the tokens again (hyphens, numbers, URLs) and could not
leave the gaps between fields. Positions run through title (weight A), tags (C) and body (B)
with one gap between fields, so a phrase never spans two fields. A query phrase is
``'포로':AB <-> '로를':AB``; the weight letters restrict it to the searched fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.backends import FIELD_COLUMNS, Field, Order, Ranked
from search.tokens import Layout, Phrase

WEIGHTS = {"title": "A", "body": "B", "tags": "C"}
# ts_rank_cd weights in {D, C, B, A} order: title counts ten times the body.
RANK_WEIGHTS = "{0.05, 0.3, 0.1, 1.0}"


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(layout: Layout) -> str:
    positions: dict[str, list[str]] = {}
    position = 0
    for name, tokens in layout.fields():
        weight = WEIGHTS[name]
        for token in tokens:
            position += 1
            if token is not None:
                positions.setdefault(token, []).append(f"{position}{weight}")
        position += 1
    return " ".join(f"{_quote(token)}:{','.join(at)}" for token, at in positions.items())


def tsquery_literal(phrases: Sequence[Phrase], field: Field) -> str:
    weights = "".join(WEIGHTS[column] for column in FIELD_COLUMNS[field])
    parts = []
    for phrase in phrases:
        star = "*" if phrase.prefix else ""
        parts.append(
            "(" + " <-> ".join(f"{_quote(t)}:{star}{weights}" for t in phrase.tokens) + ")"
        )
    return " & ".join(parts)


class PostgresBackend:
    def index(self, cursor: Any, pk: int, layout: Layout) -> None:
        cursor.execute(
            "UPDATE search_searchdocument SET search_vector = %s::tsvector WHERE id = %s",
            [tsvector_literal(layout), pk],
        )

    def remove(self, cursor: Any, pks: Sequence[int]) -> None:
        # The vector is a column of the document row, gone with it.
        return None

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
        query = tsquery_literal(phrases, field)
        where = ""
        filters: list[object] = []
        if doc_type is not None:
            where = "AND d.doc_type = %s"
            filters.append(doc_type)
        if order == "recent":
            order_by = "w.published_at DESC NULLS LAST, w.id DESC"
        else:
            order_by = "score DESC, w.published_at DESC NULLS LAST, w.id DESC"
        cursor.execute("SELECT min(id), max(id) FROM search_searchdocument")
        oldest, newest = cursor.fetchone()
        if newest is None:
            return Ranked([], 0)
        ids = newest - oldest + 1

        def page(lowest: int) -> tuple[list[tuple[int, float, int]], int]:
            cursor.execute(
                # Only fixed SQL fragments are formatted in; every value is a parameter.
                "SELECT w.id, w.score, count(*) OVER () FROM (SELECT d.id, d.published_at,"  # noqa: S608
                " ts_rank_cd(%s::float4[], d.search_vector, %s::tsquery) AS score"
                " FROM search_searchdocument d"
                f" WHERE d.id > %s AND d.search_vector @@ %s::tsquery {where}"
                " ORDER BY d.id DESC LIMIT %s) w"
                f" ORDER BY {order_by} LIMIT %s OFFSET %s",
                [RANK_WEIGHTS, query, lowest, query, *filters, window, limit, offset],
            )
            rows = cursor.fetchall()
            return rows, (rows[0][2] if rows else 0)

        # GIN rechecks (and detoasts) every candidate before it can sort by id: for a word in
        # most posts, most of the table. Reading the newest ids instead costs one recheck per
        # row read, so it wins while matches are dense: first the newest 2 × window ids, then,
        # if the density seen there says a range of about window / density ids beats GIN over
        # density × all rows, that range. A range that yields a full window holds exactly the
        # newest `window` matches; anything short of it falls back to GIN over everything.
        span = 2 * window
        while span < ids:
            rows, matched = page(newest - span)
            if matched >= window:
                break
            density = max(matched, 1) / span
            if span > 2 * window or density * density * ids < window:
                rows, matched = page(0)
                break
            span = int(1.5 * window / density)
        else:
            rows, matched = page(0)
        return Ranked([(pk, float(score)) for pk, score, _ in rows], matched)

    def count(
        self,
        cursor: Any,
        phrases: Sequence[Phrase],
        *,
        field: Field,
        doc_type: str | None,
        cap: int,
    ) -> int:
        params: list[object] = [tsquery_literal(phrases, field)]
        where = ""
        if doc_type is not None:
            where = "AND doc_type = %s"
            params.append(doc_type)
        params.append(cap)
        cursor.execute(
            # Only fixed SQL fragments are formatted in; every value is a parameter.
            "SELECT count(*) FROM (SELECT 1 FROM search_searchdocument"  # noqa: S608
            f" WHERE search_vector @@ %s::tsquery {where} LIMIT %s) s",
            params,
        )
        return int(cursor.fetchone()[0])
