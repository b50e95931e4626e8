"""The Korean title of a brief, made without a model.

``[ISW] 러시아의 공세 캠페인 평가, 2025년 6월 2일``: the publisher tag comes from the series table,
the series' Korean title and any special-edition label from the glossary, and the date from CLDR
through Babel, so titles of one series never drift.
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date

from pipeline.brief.glossary import Glossary
from pipeline.series import SERIES, SERIES_BY_SLUG, TITLE_DATE_RE, identify
from pipeline.types import Article

MND_SERIES = "mnd-press-release"
_PUBLISHER_BY_SOURCE = {series.publisher.casefold(): series.publisher for series in SERIES}
# The ministry's releases are identified by their source key, not by a slug.
_PUBLISHER_BY_SOURCE["mnd"] = SERIES_BY_SLUG[MND_SERIES].publisher
_LEADING_TAG_RE = re.compile(r"^\s*\[[^\]]{1,20}\]\s*")


def korean_date(day: dt.date) -> str:
    """A date the way the board writes it: CLDR's long Korean form, "2025년 6월 2일"."""
    return str(format_date(day, format="long", locale="ko"))


def publisher_tag(article: Article) -> str:
    """The board tag: the series' publisher ("ISW", "국방부"), else the source key or host."""
    series = SERIES_BY_SLUG.get(article.series or "")
    if series:
        return series.publisher
    source = article.source.strip()
    if source.casefold() in _PUBLISHER_BY_SOURCE:
        return _PUBLISHER_BY_SOURCE[source.casefold()]
    if source.isalpha() and len(source) <= 5:
        return source.upper()  # a publisher key such as "ctp"
    return source.removeprefix("www.")


def edition_of(article: Article) -> str:
    """ "morning" / "evening" for special editions, "" otherwise."""
    edition = getattr(article, "edition", None)
    if isinstance(edition, str) and edition:
        return edition
    return identify(article.url, article.title).edition


def korean_title(article: Article, glossary: Glossary) -> str:
    """The post title of a brief of ``article``."""
    tag = publisher_tag(article)
    if article.series == MND_SERIES or article.source == "mnd":
        # The ministry's releases are in Korean already: keep its own title.
        title = _LEADING_TAG_RE.sub("", article.title).strip()
        return f"[{tag}] {title}"
    name: str | None = None
    if article.series:
        name = glossary.series_title(article.series)
        series = SERIES_BY_SLUG.get(article.series)
        if name is None and series is not None:
            name = series.title_en
    if name is None:
        # An unknown series: the source's own title without its date, which is added below.
        name = TITLE_DATE_RE.sub("", article.title)
        name = re.sub(r"[\s,;:|–—-]+$", "", name).strip() or article.title
    label = glossary.edition_title(edition_of(article))
    if label:
        name = f"{name} {label}"
    if article.published:
        return f"[{tag}] {name}, {korean_date(article.published)}"
    return f"[{tag}] {name}"
