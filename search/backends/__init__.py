"""The search backend registry: one small interface, one implementation per database vendor.

A backend only turns a :class:`~search.tokens.Layout` into its index and a list of
:class:`~search.tokens.Phrase` into ranked document ids; tokenizing, snippets and the
``SearchDocument`` rows are the service's job, shared by every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from search.tokens import Layout, Phrase

Field = Literal["all", "title", "body", "tags"]
Order = Literal["relevance", "recent"]

# Which indexed fields each search field looks in; "all" is 제목+내용, as on Korean boards.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "all": ("title", "body"),
    "title": ("title",),
    "body": ("body",),
    "tags": ("tags",),
}


@dataclass(frozen=True, slots=True)
class Ranked:
    """One page of ``(pk, score)``, best first (higher is better), and how many documents
    matched within the ranking window (so at most the window size)."""

    rows: list[tuple[int, float]]
    matched: int


class SearchBackend(Protocol):
    """What the service needs from a database; ``cursor`` is a Django cursor."""

    def index(self, cursor: Any, pk: int, layout: Layout) -> None:
        """Create or replace the index entry of ``SearchDocument`` ``pk``."""

    def remove(self, cursor: Any, pks: Sequence[int]) -> None:
        """Drop the index entries of these documents (their rows may already be gone)."""

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
        """A page of matching documents, best first.

        Only the ``window`` most recently indexed matches (highest pk) are ranked, so a word
        found in most documents costs no more than a rare one. ``matched`` is not known (0)
        when the page is empty.
        """

    def count(
        self,
        cursor: Any,
        phrases: Sequence[Phrase],
        *,
        field: Field,
        doc_type: str | None,
        cap: int,
    ) -> int:
        """How many documents match, counting no further than ``cap``."""


_BACKENDS: dict[str, SearchBackend] = {}


def register(vendor: str, backend: SearchBackend) -> None:
    _BACKENDS[vendor] = backend


def get_backend(vendor: str) -> SearchBackend:
    """The backend for a Django ``connection.vendor`` ("sqlite", "postgresql")."""
    try:
        return _BACKENDS[vendor]
    except KeyError:
        raise LookupError(f"no search backend for database vendor {vendor!r}") from None


def _register_builtins() -> None:
    from search.backends.postgres import PostgresBackend
    from search.backends.sqlite import SqliteBackend

    register("sqlite", SqliteBackend())
    register("postgresql", PostgresBackend())


_register_builtins()
