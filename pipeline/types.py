"""Plain data types shared by every pipeline stage (no behaviour beyond (de)serialisation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DiscoveredItem:
    """One report URL found by discovery, before it is fetched."""

    url: str
    source: str
    title: str = ""
    published: dt.date | None = None
    series: str | None = None
    guid: str = ""
    method: str = ""  # "feed" | "listing" | "sitemap" | "hint"
    # The feed item's description (plain text): a press release's last-resort text.
    summary: str = ""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """The result of one HTTP GET made by :mod:`pipeline.fetch`."""

    url: str  # final URL after redirects
    requested_url: str
    status: int
    text: str
    content: bytes
    encoding: str
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # True when the server answered 304 to a conditional GET
    elapsed: float = 0.0


@dataclass(frozen=True, slots=True)
class Resource:
    """Another document an adapter asked for to read a page (its ``wanted`` URLs), as fetched.

    A press release's text may live in a document viewer's frame or an attached PDF; the
    caller fetches those and hands them to the extractor, which never fetches.
    """

    url: str  # the address the adapter asked for
    content_type: str = ""
    text: str = ""  # the decoded body of a textual (HTML, XML, text) response, else ""
    content: bytes = b""  # the raw body of a binary (PDF, HWPX) response, else b""


@dataclass(frozen=True, slots=True)
class Topline:
    headline: str
    body: str


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    text: str
    # Labelled fields such as "Assessed Russian advances:" -> their text.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MapImage:
    url: str
    title: str
    link: str = ""  # the publisher's page for the map (ISW: /map/<slug>/), "" when none


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    title: str
    kind: str = ""  # the file's type by its name: "hwpx", "hwp", "pdf" …, "" when unknown


@dataclass(slots=True)
class Article:
    """One extracted report, whatever site it came from."""

    url: str  # canonical URL, on the host the page was fetched from
    source: str  # publisher key: "isw", "ctp", "mnd", or a host name for generic pages
    title: str
    series: str | None = None
    edition: str = ""  # "" for a regular edition, "morning" / "evening" for special reports
    published: dt.date | None = None
    published_time: str | None = None  # "HH:MM" local to ``time_zone``
    data_cutoff: str | None = None  # "HH:MM" local to ``time_zone``: what the report covers
    time_zone: str | None = None  # IANA name, e.g. "America/New_York" for ISW's "ET"
    authors: list[str] = field(default_factory=list)
    toplines: list[Topline] = field(default_factory=list)
    key_takeaways: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    maps: list[MapImage] = field(default_factory=list)
    endnotes: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    department: str | None = None
    language: str = "en"
    text: str = ""
    html: str = ""  # clean body HTML for display (sanitised again before rendering)
    extractor: str = ""  # which adapter produced this article
    # The page's own canonical link (or og:url) when it names another site: recorded, never
    # believed (see pipeline.publishers.registry.extract).
    claimed_url: str = ""
    # Other reports' addresses the page links to as neighbours (previous / next report):
    # discovery hints, never part of the report.
    hints: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape printed by ``briefroom extract --json`` and stored with revisions."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        published = data.get("published")
        return cls(
            url=data["url"],
            source=data["source"],
            title=data["title"],
            series=data.get("series"),
            edition=data.get("edition", ""),
            published=dt.date.fromisoformat(published) if published else None,
            published_time=data.get("published_time"),
            data_cutoff=data.get("data_cutoff"),
            time_zone=data.get("time_zone"),
            authors=list(data.get("authors", [])),
            toplines=[Topline(**t) for t in data.get("toplines", [])],
            key_takeaways=list(data.get("key_takeaways", [])),
            sections=[Section(**s) for s in data.get("sections", [])],
            maps=[MapImage(**m) for m in data.get("maps", [])],
            endnotes=list(data.get("endnotes", [])),
            attachments=[Attachment(**a) for a in data.get("attachments", [])],
            department=data.get("department"),
            language=data.get("language", "en"),
            text=data.get("text", ""),
            html=data.get("html", ""),
            extractor=data.get("extractor", ""),
            claimed_url=data.get("claimed_url", ""),
            hints=list(data.get("hints", [])),
            warnings=list(data.get("warnings", [])),
        )
