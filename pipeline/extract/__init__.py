"""Extraction: HTML text and its URL in, one :class:`~pipeline.types.Article` out.

:func:`extract` parses the page once and hands it to the first adapter in :data:`ADAPTERS` that
claims the page (by its canonical URL, ``og:url``, fetched address or ``og:site_name``) and
recognises its structure. A page claimed by an adapter whose structure it does not recognise
goes to the generic extractor with a warning saying so; so does every unclaimed page, silently.
"""

from __future__ import annotations

from typing import Protocol

from pipeline.extract.common import ExtractionError, Page, canonical_url
from pipeline.extract.ctp import CriticalThreats
from pipeline.extract.generic import extract_generic
from pipeline.extract.isw import IswDrupal, IswWordPress
from pipeline.extract.mnd import KoreaKrPressRelease, MndNewsDetail
from pipeline.types import Article

__all__ = ["ADAPTERS", "Adapter", "ExtractionError", "canonical_url", "extract"]


class Adapter(Protocol):
    """A site adapter: ``claims`` says the page is its publisher's, ``extract`` reads it."""

    name: str  # Article.extractor
    publisher: str  # Article.source, and the prefix of the fallback warning

    def claims(self, page: Page) -> bool: ...

    def extract(self, page: Page) -> Article | None:
        """The article, or None when the page does not have the structure this adapter knows."""
        ...


ADAPTERS: list[Adapter] = [
    IswWordPress(),
    IswDrupal(),
    CriticalThreats(),
    KoreaKrPressRelease(),
    MndNewsDetail(),
]


def extract(html: str, url: str) -> Article:
    """The article in ``html``, fetched from ``url`` (an address, a file path or a file:// URL).

    Raises :class:`ExtractionError` when the input is empty or holds no article text.
    """
    if not html or not html.strip():
        raise ExtractionError(f"empty HTML for {url or '(no URL)'}: nothing to extract")
    page = Page.parse(html, url)
    claimed_by: Adapter | None = None
    article: Article | None = None
    for adapter in ADAPTERS:
        if adapter.claims(page):
            claimed_by = claimed_by or adapter
            article = adapter.extract(page)
            if article is not None:
                break
    if article is None:
        article = extract_generic(page, claimed_by.publisher if claimed_by else "")
        if claimed_by is not None:
            article.warnings.insert(
                0, f"{claimed_by.publisher}: page structure not recognised, used generic extractor"
            )
    if not article.text.strip():
        raise ExtractionError(
            f"no article text in {url or '(no URL)'} ({len(html):,} characters of input, "
            f"extractor {article.extractor!r}): not an HTML article page?"
        )
    return article
