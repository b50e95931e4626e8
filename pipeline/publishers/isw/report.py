"""The report reader shared by ISW's adapters (WordPress, Drupal) and CTP's copy.

Each adapter parses the page once with selectolax (Lexbor) and reads it in one walk. A report
body comes in one of two shapes, and :class:`ReportDraft` reads either:

- grouped: blocks marked with ``data-id`` (``toplines``, ``key-takeaways``, one per section,
  ``endnotes``), as on the WordPress site;
- flat: bold-lead paragraphs, a "Key Takeaways:" list, bold or ``<h2>`` section headings and
  ``[1]`` endnote paragraphs, as on the Drupal site, on old reports moved to the WordPress
  site, and on CTP's copy of the Iran Update (:mod:`pipeline.publishers.isw.ctp`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from pipeline.extract.common import (
    ASSESSMENT_TIME_RE,
    CUTOFF_TIME_RE,
    DATED_TIME_LINE_RE,
    HEADING_TAGS,
    Block,
    Page,
    canonical_url,
    clean_html,
    clock_time,
    deobfuscate_urls,
    is_heading,
    join_parts,
    label_of,
    looks_like_author_line,
    remove_nodes,
    slugify,
    split_authors,
    split_lead,
    squash,
    strip_marks,
)
from pipeline.series import identify
from pipeline.types import Article, MapImage, Section, Topline

# ISW's own hosts (with their subdomains): the site and its short-link domain.
ISW_HOSTS = frozenset({"understandingwar.org", "isw.pub"})

# Page furniture that can sit inside a report body; removed before reading it.
BODY_JUNK = (
    "script, style, noscript, template, iframe, form, button, svg, nav, "
    "[class*=tooltip], [role=tooltip], [class*=disclaimer], [class*=share], [class*=social], "
    "[class*=jump], [class*=breadcrumb], [class*=researcher], [class*=related], [class*=donat], "
    "[class*=newsletter], .screen-reader-text, .post-navigation"
)

# Paragraphs that are never part of a report, whatever the page: by how they start …
BOILERPLATE_START_RE = re.compile(
    r"click here\b"
    r"|the critical threats project \(ctp\)"
    r"|follow (?:isw|ctp|us) on social media"
    r"|donate (?:online|now|to)\b"
    r"|(?:facebook|x|twitter|youtube|linkedin)\s*\|"
    r"|website\s*\|"
    r"|©|copyright\b",
    re.IGNORECASE,
)
# … or by a phrase they hold (plain substring tests: this runs on every paragraph).
BOILERPLATE_PHRASES = (
    ("do not report in detail on", "war crimes"),  # the standard war-crimes disclaimer
    ("utterly condemn", "laws of armed conflict"),
    ("tax-exempt organization",),
    ("non-partisan, non-profit",),
)


def is_boilerplate(text: str) -> bool:
    if BOILERPLATE_START_RE.match(text):
        return True
    lower = text.lower()
    return any(all(phrase in lower for phrase in phrases) for phrases in BOILERPLATE_PHRASES)


TIME_ZONE_MARKS = ("ET", "EST", "EDT", "KST")
ENDNOTE_LINE_RE = re.compile(r"^\[(?:\d{1,3}|[ivxlc]{1,7})\]\s*\S", re.IGNORECASE)
ENDNOTE_MARK_AT_START_RE = re.compile(r"^\[(?:\d{1,3}|[ivxlc]{1,7})\]\s*", re.IGNORECASE)
ENDNOTES_HEADINGS = frozenset({"endnotes", "sources", "notes", "footnotes"})
TOPLINES_KEY, TAKEAWAYS_KEY, ENDNOTES_KEY = "toplines", "key-takeaways", "endnotes"
IMAGE_EXTENSIONS = (".webp", ".png", ".jpg", ".jpeg", ".gif")


def is_takeaways_marker(text: str) -> bool:
    return text.rstrip(":").strip().lower() == "key takeaways"


def _as_part(block: Block, text: str) -> str:
    return f"- {text}" if block.tag == "li" else text


@dataclass
class _SectionDraft:
    id: str
    title: str
    parts: list[str] = field(default_factory=list)
    # label -> [(subheading, texts)]: a label recurs under each subheading (each direction).
    fields: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    subheading: str = ""
    # A "Label:" paragraph with nothing after it labels the paragraph or the list that follows.
    open_label: str = ""
    open_label_used: bool = False

    def add_field(self, label: str, value: str, *, new: bool) -> None:
        entries = self.fields.setdefault(label, [])
        if new or not entries:
            entries.append((self.subheading, [value]))
        else:
            entries[-1][1].append(value)

    def add(self, block: Block) -> str:
        """Take one block; return its text for the article's plain text ("" to leave it out)."""
        text = strip_marks(block.text)
        if is_heading(block):
            if not self.title:
                self.title = text
                return text
            if text == self.title:
                return ""
            self.subheading = text
            self.open_label = ""
            self.parts.append(text)
            return text
        labelled = label_of(block)
        if labelled:
            label, value = labelled
            self.open_label, self.open_label_used = ("", False) if value else (label, False)
            if value:
                self.add_field(label, strip_marks(value), new=True)
        elif self.open_label:
            if block.tag == "li":
                self.add_field(self.open_label, text, new=not self.open_label_used)
                self.open_label_used = True
            else:
                if not self.open_label_used:
                    self.add_field(self.open_label, text, new=True)
                self.open_label = ""
        part = _as_part(block, text)
        self.parts.append(part)
        return part

    def build(self) -> Section:
        fields = {
            label: "\n".join(
                f"{sub} — {' '.join(values)}" if sub else " ".join(values)
                for sub, values in entries
            )
            for label, entries in self.fields.items()
        }
        return Section(id=self.id, title=self.title, text=join_parts(self.parts), fields=fields)


@dataclass
class ReportDraft:
    """What one walk over a report body finds, before it becomes an :class:`Article`."""

    authors: list[str] = field(default_factory=list)
    published_time: str | None = None
    time_zone: str | None = None
    toplines: list[tuple[str, list[str]]] = field(default_factory=list)
    key_takeaways: list[str] = field(default_factory=list)
    sections: dict[str, _SectionDraft] = field(default_factory=dict)
    endnotes: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # the article's plain text, in order
    dropped: list[LexborNode] = field(default_factory=list)  # boilerplate left in the HTML

    # -- lines any report may hold anywhere

    def take_time_line(self, text: str) -> bool:
        """Read "Assessment as of: 7:45 PM ET", "June 2, 2025, 7:15pm ET" or a cutoff line."""
        if not any(zone in text for zone in TIME_ZONE_MARKS):
            return False  # the cheap test first: this runs on every paragraph
        match = (
            ASSESSMENT_TIME_RE.search(text)
            or DATED_TIME_LINE_RE.match(text)
            or (CUTOFF_TIME_RE.search(text) if len(text) < 200 else None)
        )
        if match is None:
            return False
        if self.published_time is None or match.re is ASSESSMENT_TIME_RE:
            self.published_time, self.time_zone = clock_time(match)
        return True

    def take_boilerplate(self, block: Block) -> bool:
        if not is_boilerplate(block.text):
            return False
        if block.node.tag in ("p", "li", "h2", "h3", "h4", "blockquote"):
            self.dropped.append(block.node)
        return True

    # -- the parts of a report

    def add_topline(self, block: Block) -> None:
        if block.tag in HEADING_TAGS and block.text.lower().rstrip(":") == TOPLINES_KEY:
            return
        lead, rest = split_lead(block)
        text = strip_marks(block.text)
        if block.tag == "p" and len(lead) >= 15 and not lead.endswith(":"):
            self.toplines.append((strip_marks(lead), [strip_marks(rest)] if rest else []))
        elif self.toplines:
            self.toplines[-1][1].append(_as_part(block, text))
        self.parts.append(_as_part(block, text))

    def add_takeaway(self, block: Block) -> None:
        if block.tag in HEADING_TAGS or is_takeaways_marker(block.text):
            if not self.key_takeaways:
                self.parts.append("Key Takeaways")
            return
        text = strip_marks(block.text)
        self.key_takeaways.append(text)
        self.parts.append(f"- {text}")

    def add_endnote(self, block: Block) -> None:
        """Endnote n goes to ``endnotes[n - 1]``, without its "[n]" and with full URLs."""
        if block.text.rstrip(":").lower() not in ENDNOTES_HEADINGS:
            self.endnotes.append(deobfuscate_urls(ENDNOTE_MARK_AT_START_RE.sub("", block.text)))

    def add_to_section(self, key: str, block: Block, title: str = "") -> None:
        draft = self.sections.get(key)
        if draft is None:
            draft = self.sections[key] = _SectionDraft(id=key, title=title)
            if title:
                self.parts.append(title)
        part = draft.add(block)
        if part:
            self.parts.append(part)

    # -- the two shapes

    def read_grouped(self, blocks: list[Block], titles: dict[str, str]) -> None:
        """Blocks carrying the ``data-id`` of their report block (see :func:`group_keys`)."""
        seen_group = False
        for block in blocks:
            group = block.group
            if group == ENDNOTES_KEY:
                self.add_endnote(block)
            elif self.take_time_line(block.text) or self.take_boilerplate(block):
                continue
            elif group == TOPLINES_KEY:
                self.add_topline(block)
            elif group == TAKEAWAYS_KEY:
                self.add_takeaway(block)
            elif group:
                self.add_to_section(group, block, titles.get(group, ""))
            elif not seen_group and not self.authors and looks_like_author_line(block.text):
                self.authors = split_authors(block.text)
            else:
                self.parts.append(_as_part(block, strip_marks(block.text)))
            seen_group = seen_group or bool(group)

    def read_flat(self, blocks: list[Block]) -> None:
        """Blocks of a body with no markup for its parts: read them in the publisher's order."""
        stage = "head"
        section = ""
        for block in blocks:
            text = block.text
            if ENDNOTE_LINE_RE.match(text):
                self.add_endnote(block)
                continue
            if text.lower().rstrip(":") in ENDNOTES_HEADINGS and (
                self.endnotes or is_heading(block)
            ):
                continue
            if self.take_time_line(text) or self.take_boilerplate(block):
                continue
            if stage == "head":
                if not self.authors and looks_like_author_line(text):
                    self.authors = split_authors(text)
                    continue
                stage = "toplines"
            if is_takeaways_marker(text):
                stage = "takeaways"
                self.add_takeaway(block)
                continue
            if stage == "takeaways":
                if block.tag == "li":
                    self.add_takeaway(block)
                    continue
                if self.key_takeaways:
                    stage = "sections"
            if stage == "toplines" and is_heading(block) and text.lower() != TOPLINES_KEY:
                stage = "sections"
            if stage in ("toplines", "takeaways"):
                self.add_topline(block)
            elif is_heading(block):
                section = slugify(text) or f"section-{len(self.sections) + 1}"
                self.add_to_section(section, block)
            elif section:
                self.add_to_section(section, block)
            else:
                self.parts.append(_as_part(block, strip_marks(text)))

    def fill(self, article: Article) -> Article:
        article.authors = article.authors or self.authors
        article.published_time = article.published_time or self.published_time
        article.time_zone = article.time_zone or self.time_zone
        article.toplines = [Topline(h, join_parts(body)) for h, body in self.toplines]
        article.key_takeaways = self.key_takeaways
        # A heading with nothing under it (a parent of the next headings) is only kept in text.
        built = (s.build() for s in self.sections.values())
        article.sections = [s for s in built if s.text or s.fields]
        article.endnotes = self.endnotes
        article.text = join_parts(self.parts)
        return article

    @property
    def found_report(self) -> bool:
        return bool(self.toplines or self.key_takeaways or self.sections)


# --------------------------------------------------------------------------- shared steps


def image_src(img: LexborNode) -> str:
    """The real image address of a possibly lazy-loaded ``<img>``."""
    attrs = img.attrs
    src = attrs.get("src") or ""
    if not src or src.startswith("data:"):
        src = attrs.get("data-src") or attrs.get("data-lazy-src") or ""
    return src.strip()


def body_images(body: LexborNode, base_url: str) -> list[MapImage]:
    """Content images (the reports' maps), skipping logos and icons."""
    maps: list[MapImage] = []
    seen: set[str] = set()
    for img in body.css("img"):
        src = image_src(img)
        if not src or src.startswith("data:") or "logo" in src.lower() or "icon" in src.lower():
            continue
        url = canonical_url(urljoin(base_url, src))
        if url not in seen:
            seen.add(url)
            title = squash(img.attrs.get("alt") or img.attrs.get("title") or "")
            maps.append(MapImage(url=url, title=title))
    return maps


def finish_html(draft: ReportDraft, body: LexborNode, base_url: str) -> str:
    remove_nodes(draft.dropped)
    return clean_html(body.inner_html or "", base_url)


def isw_article(page: Page, title: str, extractor: str) -> Article:
    """An ISW article with what its URL and title say: series, date and edition."""
    found = identify(page.url, title)
    return Article(
        url=page.url,
        source="isw",
        title=title,
        series=found.series,
        published=found.published,
        edition=found.edition,
        extractor=extractor,
    )
