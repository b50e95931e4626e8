"""The one list of publishers, and extraction through it.

:func:`extract` decides whose page a document is from the host it was fetched from (a saved
file: its canonical link), never from what the page claims; hands it to that host's adapters in
order, and to the generic fallback when none recognises its structure. The store ranks copies of
one report with :func:`rank`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.blocked import block_reason
from pipeline.discover.chain import SourceSpec
from pipeline.extract.common import BlockedPage, ExtractionError, Page, canonical_url, host_of
from pipeline.publishers import generic
from pipeline.publishers.base import Adapter, Publisher, WantsResources, host_in
from pipeline.publishers.isw.publisher import PUBLISHER as ISW
from pipeline.publishers.mnd.publisher import PUBLISHER as MND
from pipeline.types import Article, Resource

__all__ = [
    "ADAPTERS",
    "BUILTIN_SOURCES",
    "GENERIC_RANK",
    "PUBLISHERS",
    "adapters_for",
    "extract",
    "publisher_of_host",
    "rank",
    "wanted",
]

# One line per publisher folder.
PUBLISHERS: tuple[Publisher, ...] = (ISW, MND)

ADAPTERS: tuple[Adapter, ...] = tuple(a for p in PUBLISHERS for a in p.adapters)
GENERIC_RANK = generic.RANK
_RANKS = {a.name: a.rank for a in ADAPTERS} | {generic.NAME: generic.RANK}
BUILTIN_SOURCES: dict[str, SourceSpec] = {s.name: s for p in PUBLISHERS for s in p.sources}


def rank(extractor: str) -> int:
    """The rank of an adapter's copy of a report (0 for a name no adapter has)."""
    return _RANKS.get(extractor, 0)


def adapters_for(host: str) -> list[Adapter]:
    """The adapters that serve ``host``, in registry order."""
    return [a for a in ADAPTERS if host and host_in(host, a.hosts)]


def publisher_of_host(host: str) -> Publisher | None:
    return next((p for p in PUBLISHERS if host and host_in(host, p.hosts)), None)


def extract(
    html: str,
    url: str,
    *,
    base_url: str = "",
    resources: Mapping[str, Resource] | None = None,
    summary: str = "",
) -> Article:
    """The article in ``html``, fetched from ``url`` (an address, a file path or a file:// URL).

    ``base_url`` is the site a saved file came from (a relative canonical link is resolved
    against it). ``resources`` are the documents :func:`wanted` asked for, as fetched (keyed by
    the wanted URL), and ``summary`` the feed item's description: adapters that implement
    :class:`~pipeline.publishers.base.WantsResources` read their text from them when the page
    has none. Raises :class:`ExtractionError` when the input is empty or holds no article
    text.
    """
    if not html or not html.strip():
        raise ExtractionError(f"empty HTML for {url or '(no URL)'}: nothing to extract")
    blocked = block_reason(html)
    if blocked is not None:
        # A saved or fetched block page would otherwise become a "report" of its URL's series.
        raise BlockedPage(f"{url or '(no URL)'} is a block page, not a report: {blocked}")
    page = Page.parse(html, url, base_url=base_url)
    adapters = adapters_for(page.host)
    claim = _settle_claim(page, adapters)
    article: Article | None = None
    for adapter in adapters:
        if isinstance(adapter, WantsResources):
            article = adapter.extract_with(page, resources or {}, summary)
        else:
            article = adapter.extract(page)
        if article is not None:
            break
    if article is None:
        article = generic.extract_generic(page, adapters[0].publisher if adapters else "")
        if adapters:
            article.warnings.insert(
                0, f"{adapters[0].publisher}: page structure not recognised, used generic extractor"
            )
        elif publisher_of_host(page.host) is None:
            # Not a publisher's page: its title may name a series, but it is not that report.
            article.series, article.edition = None, ""
    if claim:
        article.claimed_url = claim
        article.warnings.append(
            f"the page names {claim} as its address; kept as {page.url}, "
            f"where it was fetched from ({page.host or 'a file'})"
        )
    article.warnings.extend(page.notes)
    if not article.text.strip():
        raise ExtractionError(
            f"no article text in {url or '(no URL)'} ({len(html):,} characters of input, "
            f"extractor {article.extractor!r}): not an HTML article page?"
        )
    return article


def wanted(html: str, url: str, *, base_url: str = "") -> list[str]:
    """The other documents the page's adapters want to read it (see ``WantsResources``).

    Absolute URLs, best first, each once; [] for a page whose text is in the page. The caller
    fetches them (same site only) and passes them to :func:`extract` as ``resources``.
    """
    if not html or not html.strip():
        return []
    page = Page.parse(html, url, base_url=base_url)
    adapters = adapters_for(page.host)
    _settle_claim(page, adapters)
    urls: list[str] = []
    for adapter in adapters:
        if isinstance(adapter, WantsResources):
            urls += [u for u in adapter.wanted(page) if u not in urls]
    return urls


def _settle_claim(page: Page, adapters: list[Adapter]) -> str:
    """Let the page's canonical link become its URL when it stays on the same publisher's
    hosts (a cleaner path, ``www.`` dropped); return it when it points anywhere else."""
    claimed = page.claimed_url
    if not claimed:
        return ""
    claimed_host = host_of(claimed)
    own = page.host
    same_site = claimed_host.removeprefix("www.") == own.removeprefix("www.")
    if adapters and not same_site:
        same_site = any(host_in(claimed_host, a.hosts) for a in adapters)
    if same_site and own:
        page.url = canonical_url(claimed)
        return ""
    return claimed
