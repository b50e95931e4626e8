"""Storing extracted articles idempotently, and ingesting a report from a file or a URL."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pipeline.extract import ExtractionError
from pipeline.extract.common import canonical_url, on_origin
from pipeline.fetch import FetchConfig, Fetcher, FetchError
from pipeline.publishers.registry import extract, rank, wanted
from pipeline.series import SERIES_BY_SLUG
from pipeline.types import Article, Resource
from reports.models import FetchedPage, Report, ReportLocation, ReportRevision
from reports.signals import revision_stored

logger = logging.getLogger(__name__)


class Outcome:
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"  # a lower-priority copy of a report already stored


@dataclass(frozen=True)
class StoreResult:
    report: Report
    revision: ReportRevision | None
    outcome: str


def identity_for(article: Article) -> str:
    edition = article.edition
    if article.series and article.published and article.series != "mnd-press-release":
        return f"series:{article.series}:{article.published.isoformat()}:{edition}"
    return f"url:{article.url}"


def serialise(article: Article) -> tuple[str, str]:
    """The Article's JSON and its content hash, from one serialisation.

    The hash covers what the reader sees, so the address the page was reached at (``url``),
    the extractor's ``warnings`` and the neighbours' links (``hints``) are left out of it; they
    are spliced onto the front of the hashed JSON object for storage (a full report is ~230 kB
    of JSON, and serialising it twice was a measurable share of the store's time).
    """
    data = article.to_json()
    # The neighbours' links change when the next report comes out; that is not a new text.
    head = {"url": data.pop("url"), "warnings": data.pop("warnings"), "hints": data.pop("hints")}
    # ASCII-escaped JSON: the C encoder's fast path, 2x quicker on these mostly English texts.
    body = json.dumps(data, default=str)
    digest = hashlib.sha256(body.encode("ascii")).hexdigest()
    return json.dumps(head)[:-1] + ", " + body[1:], digest


def content_hash(article: Article) -> str:
    return serialise(article)[1]


def store_article(article: Article, *, raw_html: str = "", location_url: str = "") -> StoreResult:
    """Create or update the report for ``article``; safe to call any number of times.

    The report is found by any of its known addresses first, then by its identity (series,
    date, edition), so a copy reached through a second source becomes a second location of
    the same report. A content change adds a revision; the same content adds nothing. A
    concurrent writer that wins the race on the unique identity is handled by retrying the
    lookup once.
    """
    for attempt in range(2):
        try:
            return _store_once(article, raw_html, location_url or article.url)
        except IntegrityError:
            if attempt:
                raise
            logger.info("store race on %s, retrying", article.url)
    raise AssertionError("unreachable")


def _store_once(article: Article, raw_html: str, location_url: str) -> StoreResult:
    article_json, digest = serialise(article)
    fetched_at = canonical_url(location_url)
    urls = {fetched_at, article.url}
    with transaction.atomic():
        known = {
            loc.url: loc
            for loc in ReportLocation.objects.select_for_update(of=("self",))
            .filter(url__in=urls)
            .select_related("report", "report__current_revision")
        }
        report = next(iter(known.values())).report if known else None
        if report is None:
            report = (
                Report.objects.select_for_update(of=("self",))
                .select_related("current_revision")
                .filter(identity=identity_for(article))
                .first()
            )
        created = report is None
        if report is None:
            report = Report.objects.create(
                identity=identity_for(article),
                canonical_url=article.url,
                source=article.source,
                series=article.series or "",
                edition=article.edition,
                title=article.title[:500],
                published=article.published,
                published_time=article.published_time or "",
                time_zone=article.time_zone or "",
                language=article.language,
            )
        for url in sorted(urls - set(known)):
            known[url] = ReportLocation.objects.create(
                url=url, report=report, source=article.source, extractor=article.extractor
            )
        location = known[fetched_at]
        current = report.current_revision
        if current is not None and current.content_hash == digest:
            return StoreResult(report, current, Outcome.UNCHANGED)
        if current is not None and rank(article.extractor) < rank(current.extractor):
            return StoreResult(report, current, Outcome.DUPLICATE)
        existing = None if created else report.revisions.filter(content_hash=digest).first()
        if existing is not None:
            # The page went back to an earlier content: point at it again, keep history.
            revision = existing
        else:
            number = 1
            if not created:
                number = (report.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
            revision = ReportRevision(
                report=report,
                number=number,
                content_hash=digest,
                location=location,
                extractor=article.extractor,
            )
            revision.article_json = article_json
            revision.raw_html = raw_html
            revision.save(force_insert=True)
        report.current_revision = revision
        report.canonical_url = article.url
        report.source = article.source
        report.title = article.title[:500]
        report.series = article.series or ""
        report.edition = article.edition
        report.published = article.published
        report.published_time = article.published_time or ""
        report.time_zone = article.time_zone or ""
        report.language = article.language
        report.updated_at = timezone.now()
        report.save()
        if created:
            _mark_superseded(report)
        outcome = Outcome.NEW if created else Outcome.UPDATED
        # Inside the transaction: receivers that write to the database (the board's post, a
        # database task queue) commit with the report or not at all.
        revision_stored.send(sender=Report, report=report, revision=revision, outcome=outcome)
    return StoreResult(report, revision, outcome)


# A later edition of the same day replaces earlier ones: evening special report > morning.
EDITION_ORDER = {"morning": 0, "": 1, "evening": 2}


def _mark_superseded(report: Report) -> None:
    """Link same-day editions of a series so the older one points at its replacement."""
    if not (report.series and report.published):
        return
    series = SERIES_BY_SLUG.get(report.series)
    if series is None or not series.special_editions:
        return  # only series with morning/evening special reports have same-day editions
    rank = EDITION_ORDER.get(report.edition, 1)
    siblings = Report.objects.filter(series=report.series, published=report.published).exclude(
        pk=report.pk
    )
    for sibling in siblings:
        other = EDITION_ORDER.get(sibling.edition, 1)
        if other < rank and sibling.superseded_by_id is None:
            sibling.superseded_by = report
            sibling.save(update_fields=["superseded_by"])
        elif other > rank and report.superseded_by_id is None:
            report.superseded_by = sibling
            report.save(update_fields=["superseded_by"])


def make_fetcher(**overrides: Any) -> Fetcher:
    """The project's one HTTP client, configured from settings (``overrides`` replace fields)."""
    config = FetchConfig.from_mapping(settings.BRIEFROOM_FETCH)
    return Fetcher(replace(config, **overrides) if overrides else config)


@dataclass(frozen=True)
class IngestResult:
    url: str
    outcome: str
    report: Report | None
    detail: str = ""


def ingest_url(
    url: str, fetcher: Fetcher, *, mirror_of: str = "", summary: str = ""
) -> IngestResult:
    """Fetch (conditionally), keep the raw page, extract and store one report.

    The page is the report of the host it was fetched from (after redirects). ``mirror_of`` is
    a source's declared original site (``Source.mirror_of``): the page is then read as that
    site's page at the same path, as the demo publisher needs. ``summary`` is the feed item's
    description, a press release's last-resort text. Documents the page's adapter wants (a
    viewer frame, attachments: :func:`fetch_resources`) are fetched and kept within this call.
    """
    key = canonical_url(url)
    previous = FetchedPage.objects.filter(url=key).first()
    page = fetcher.get(
        url,
        etag=previous.etag if previous and previous.etag and previous.html else None,
        last_modified=previous.last_modified if previous and previous.html else None,
    )
    if page.not_modified and previous is not None:
        previous.fetched_at = timezone.now()
        previous.status = 304
        previous.save(update_fields=["fetched_at", "status"])
        location = ReportLocation.objects.filter(url=key).select_related("report").first()
        if location is not None and not previous.error:
            return IngestResult(url, Outcome.UNCHANGED, location.report)
        # The page is unchanged but was never stored (its extraction failed last time): try
        # again from the kept copy, e.g. after an adapter was fixed.
        return _extract_and_store(
            previous,
            previous.html,
            previous.final_url or url,
            url,
            mirror_of,
            fetcher=fetcher,
            summary=summary,
        )
    fetched, _ = FetchedPage.objects.update_or_create(
        url=key,
        defaults={
            "final_url": page.url,
            "status": page.status,
            "etag": page.etag or "",
            "last_modified": page.last_modified or "",
            "encoding": page.encoding,
            "content_hash": hashlib.sha256(page.content).hexdigest(),
            "html": page.text,
            "fetched_at": timezone.now(),
            "error": "",
        },
    )
    return _extract_and_store(
        fetched, page.text, page.url, url, mirror_of, fetcher=fetcher, summary=summary
    )


def _extract_and_store(
    fetched: FetchedPage,
    html: str,
    page_url: str,
    url: str,
    mirror_of: str,
    *,
    fetcher: Fetcher | None = None,
    summary: str = "",
) -> IngestResult:
    """Extract and store a kept page; a failure is written on the page, then raised.

    With a ``fetcher``, the documents the page's adapter wants are fetched (or their kept
    copies used) first; without one, only their kept copies.
    """
    try:
        article_url = on_origin(page_url, mirror_of) if mirror_of else page_url
        resources, notes = fetch_resources(html, article_url, page_url, fetcher)
        article = extract(html, article_url, resources=resources, summary=summary)
        article.warnings += notes
        result = store_article(article, raw_html=html, location_url=page_url)
    except (ExtractionError, ValueError) as exc:
        fetched.error = str(exc)[:2000]
        fetched.save(update_fields=["error"])
        raise
    if fetched.error:
        fetched.error = ""
        fetched.save(update_fields=["error"])
    return IngestResult(url, result.outcome, result.report)


def fetch_resources(
    html: str, article_url: str, page_url: str, fetcher: Fetcher | None
) -> tuple[dict[str, Resource], list[str]]:
    """The documents the page's adapter wants (:func:`pipeline.publishers.registry.wanted`).

    They are alternatives, best first: fetched in order until one arrives. Only documents on
    the page's own site are fetched (anything else is refused and noted). Each is kept as a
    :class:`FetchedPage` before it is used, so the page can be re-extracted later; a failed
    fetch falls back to the kept copy, else to the next document. ``article_url`` is the
    page's address as the adapter sees it (a mirror's page is read as the original site's),
    ``page_url`` where it was fetched from; wanted URLs are fetched at ``page_url``'s site.
    Returns the resources keyed by the wanted URL, and notes for the article's warnings.
    """
    resources: dict[str, Resource] = {}
    notes: list[str] = []
    for want in wanted(html, article_url):
        if _origin(want) != _origin(article_url):
            notes.append(f"{want}: not on the page's site, refused")
            continue
        target = on_origin(want, page_url) if _origin(page_url) != _origin(article_url) else want
        resource, problem = _fetch_resource(target, want, fetcher)
        if problem:
            notes.append(problem)
        if resource is not None:
            resources[want] = resource
            break
    return resources, notes


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").rstrip("."),
        parts.port or {"http": 80, "https": 443}.get(scheme),
    )


def _fetch_resource(target: str, want: str, fetcher: Fetcher | None) -> tuple[Resource | None, str]:
    """One wanted document: fetched (conditionally) and kept, else its kept copy.

    Returns the resource (None when there is none) and what went wrong ("" when nothing).
    """
    key = canonical_url(target)
    kept = FetchedPage.objects.filter(url=key).first()
    if kept is not None and not (kept.html or kept.content):
        kept = None
    if fetcher is None:
        return (_kept_resource(kept, want), "") if kept else (None, "")
    try:
        got = fetcher.get(
            target,
            etag=(kept.etag or None) if kept else None,
            last_modified=(kept.last_modified or None) if kept else None,
        )
    except FetchError as exc:
        logger.info("resource %s not fetched: %s", target, exc)
        return (_kept_resource(kept, want) if kept else None), f"{want}: {exc}"
    if got.not_modified:
        if kept is None:
            return None, f"{want}: 304 Not Modified without a kept copy"
        kept.fetched_at = timezone.now()
        kept.status = 304
        kept.save(update_fields=["fetched_at", "status"])
        return _kept_resource(kept, want), ""
    if _origin(got.url) != _origin(target):
        return None, f"{want}: redirected off the site to {got.url}, refused"
    if not (got.text.strip() or got.content):
        return None, f"{want}: empty response"
    binary = b"" if got.text else got.content
    FetchedPage.objects.update_or_create(
        url=key,
        defaults={
            "final_url": got.url,
            "status": got.status,
            "etag": got.etag or "",
            "last_modified": got.last_modified or "",
            "encoding": got.encoding,
            "content_type": got.content_type[:200],
            "content_hash": hashlib.sha256(got.content).hexdigest(),
            "html": got.text,
            "content": binary,
            "fetched_at": timezone.now(),
            "error": "",
        },
    )
    return Resource(url=want, content_type=got.content_type, text=got.text, content=binary), ""


def _kept_resource(kept: FetchedPage, want: str) -> Resource:
    return Resource(
        url=want, content_type=kept.content_type, text=kept.html, content=bytes(kept.content)
    )


def ingest_file(path: Path) -> IngestResult:
    """Store one report from a saved page; its canonical link says where it came from."""
    raw = path.read_bytes()
    html = decode_file(raw)
    article = extract(html, str(path.resolve()))
    result = store_article(article, raw_html=html, location_url=article.url)
    return IngestResult(str(path), result.outcome, result.report)


def decode_file(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            raise ValueError("cannot determine the file's character encoding") from None
        return str(best)


def load_article(
    target: str, fetcher: Fetcher | None = None, *, url: str = "", base_url: str = ""
) -> Article:
    """Extract one report from a saved page or a URL without storing it.

    A saved file is the operator's own input: ``url`` says where it was fetched from; without
    it the file's canonical link may say so (resolved against ``base_url`` when relative).
    Raises FetchError, ExtractionError or ValueError (missing file, undecodable bytes).
    """
    if target.startswith(("http://", "https://")):
        if fetcher is None:
            with make_fetcher() as own:
                page = own.get(target)
        else:
            page = fetcher.get(target)
        return extract(page.text, page.url)
    path = Path(target)
    if not path.is_file():
        raise ValueError(f"no such file: {target}")
    html = decode_file(path.read_bytes())
    return extract(html, url or str(path.resolve()), base_url=base_url)
