"""The fallback extractor: trafilatura for any page no site adapter recognises."""

from __future__ import annotations

import datetime as dt
import re
from html import escape

import trafilatura
from trafilatura.htmlprocessing import build_html_output
from trafilatura.settings import Document

from pipeline.extract.common import (
    ExtractionError,
    Page,
    clean_html,
    html_to_text,
    split_authors,
)
from pipeline.series import identify
from pipeline.types import Article

NAME = "generic"
# Any site adapter's copy of a report beats this one.
RANK = 10


def extract_generic(page: Page, source: str = "") -> Article:
    """An Article from trafilatura's reading of the page; ``source`` defaults to the host name.

    An empty Article (no text) comes back when trafilatura finds nothing; the caller decides
    whether that is an error.
    """
    try:
        found = trafilatura.bare_extraction(
            page.html,
            url=page.url if page.host else None,
            with_metadata=True,
            include_formatting=True,
            include_links=True,
            include_images=True,
            include_tables=True,
        )
    except (AssertionError, RecursionError, ValueError) as exc:
        # Malformed markup can trip assertions deep inside lxml/htmldate (found by bench/fuzz.py).
        raise ExtractionError(
            f"generic extractor could not read {page.url or '(no URL)'}: "
            f"{type(exc).__name__} {exc}".strip()
        ) from exc
    host = page.host.removeprefix("www.")
    article = Article(url=page.url, source=source or host or "local", title="", extractor=NAME)
    if not isinstance(found, Document):
        return article
    article.title = found.title or page.head_title()
    body = build_html_output(found)
    if article.title:
        # trafilatura keeps the page title as a leading heading; it is shown apart from the body.
        title = re.escape(escape(article.title, quote=False))
        body = re.sub(
            rf"^\s*(?:<html>\s*<body>\s*)?<h[12]>\s*{title}\s*</h[12]>", "", body, count=1
        )
    article.html = clean_html(body, page.url)
    article.text = html_to_text(article.html)
    article.authors = split_authors(found.author.replace(";", ",")) if found.author else []
    if found.date:
        try:
            article.published = dt.date.fromisoformat(found.date[:10])
        except ValueError:
            article.warnings.append(f"generic: unreadable date {found.date!r}")
    article.language = page.language or found.language or article.language
    identified = identify(page.url, article.title)
    article.series, article.edition = identified.series, identified.edition
    article.published = article.published or identified.published
    return article
