"""The one thing discovery needs from the network: something that GETs a page."""

from __future__ import annotations

from typing import Protocol

from pipeline.types import FetchedPage


class PageGetter(Protocol):
    """What :class:`pipeline.fetch.Fetcher` offers; ``get`` raises ``FetchError`` on failure."""

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedPage: ...
