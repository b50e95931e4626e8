"""ISW's old Drupal site (2022–2025): ``understandingwar.org/backgrounder/…``.

The body is text pasted from Word: ``p.MsoNormal`` paragraphs of ``<span>`` runs, bold split
over several runs, ``<br>`` spacer paragraphs. The shared flat reader of
:mod:`pipeline.publishers.isw.report` sees only a block's first bold run, so this module reads
the body itself, in the site's order:

1. centred head lines: a bold repeat of the title, the author line, the time line (usually
   without a year: "August 15, 8:00 pm ET"), the interactive-map line;
2. toplines: paragraphs with a bold lead, up to "Key Takeaways" (or "Key Inflections");
3. the takeaways: the ``li`` of the first list after that marker; a later list (the report's
   section names) and the war-crimes disclaimer are not takeaways;
4. sections: one per bold heading, including two-run headings and "(Russian objective: …)"
   headings longer than a sentence-sized limit;
5. endnotes after the ``hr``: "[n]" paragraphs whose link *text* is shortened with "…"; the
   ``href`` holds the URL (or two, joined by "; "), and some URLs are written "kremlin dot ru".

Nothing here reads ``og:url`` or ``og:title``: on this site they name a development host and
the site. The page's URL is where it was fetched from (see :class:`~pipeline.extract.common.Page`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from pipeline.extract.common import (
    ET_ZONE,
    HEADING_TAGS,
    ZONES,
    Block,
    Page,
    deobfuscate_urls,
    is_web_url,
    looks_like_author_line,
    parse_iso_datetime,
    remove_nodes,
    slugify,
    split_authors,
    squash,
    strip_marks,
    walk_blocks,
)
from pipeline.publishers.isw.report import (
    BODY_JUNK,
    ENDNOTE_LINE_RE,
    ENDNOTE_MARK_AT_START_RE,
    ISW_HOSTS,
    ReportDraft,
    body_images,
    finish_html,
    is_boilerplate,
    isw_article,
)
from pipeline.series import MONTHS
from pipeline.types import Article

# --------------------------------------------------------------------------- time lines

# "August 15, 8:00 pm ET", "January 25, 9:45pm ET", "March 3, 9 pm ET", "Dec. 5, 7:30 PM EST",
# "February 24, 2022, 6:00 pm ET", or the clock alone.
TIME_LINE_RE = re.compile(
    r"(?:(?P<month>[a-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)"
    r"(?:(?P<year>\d{4})(?:\s*,\s*|\s+))?)?(?:at\s+)?"
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap])\.?\s*m\.?\s*"
    r"(?P<zone>E[SD]?T)\.?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TimeLine:
    """What a report's time line says: its day (None when it cannot be known) and clock."""

    day: dt.date | None
    clock: str  # "HH:MM"
    zone: str  # IANA name


def _month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if len(word) < 3:
        return None
    return next((n for name, n in MONTHS.items() if name.startswith(word)), None)


def _day_near(month: int, day: int, near: dt.date) -> dt.date | None:
    """The date of "month day" closest to ``near`` (a line of December 31 on a page of
    January 1 belongs to the year before)."""
    try:
        candidates = [dt.date(near.year + delta, month, day) for delta in (-1, 0, 1)]
    except ValueError:
        return None
    return min(candidates, key=lambda d: abs((d - near).days))


def parse_time_line(text: str, near: dt.date | None = None) -> TimeLine | None:
    """Read a whole line as a time line; a line without a year takes the year of ``near``."""
    match = TIME_LINE_RE.fullmatch(squash(text))
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hours = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    day: dt.date | None = None
    if match["month"]:
        month = _month_number(match["month"])
        if month is None:
            return None
        if match["year"]:
            try:
                day = dt.date(int(match["year"]), month, int(match["day"]))
            except ValueError:
                return None
        elif near is not None:
            day = _day_near(month, int(match["day"]), near)
    return TimeLine(day, f"{hours:02d}:{minute:02d}", ZONES[match["zone"].upper()])


# --------------------------------------------------------------------------- bold runs

BOLD_TAGS = frozenset({"strong", "b"})
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)


def _in_bold(text_node: LexborNode, root: LexborNode) -> bool:
    node = text_node.parent
    while node is not None:
        tag = node.tag or ""
        if tag in BOLD_TAGS or _BOLD_STYLE_RE.search(node.attrs.get("style") or ""):
            return True
        if node.mem_id == root.mem_id:
            return False
        node = node.parent
    return False


def bold_lead(node: LexborNode) -> str:
    """The bold text a block starts with, across every run it is split over
    (``<strong>A </strong><strong>B.</strong>``, ``<strong><span>A</span><span>B</span>``)."""
    pieces: list[str] = []
    for child in node.traverse(include_text=True):
        if not child.is_text_node:
            continue
        text = child.text_content or ""
        if text.strip() and not _in_bold(child, node):
            break
        pieces.append(text)
    return squash("".join(pieces))


def with_bold_leads(blocks: list[Block]) -> list[Block]:
    """The blocks with their whole bold lead (a block that is only part of its element keeps
    the lead :func:`~pipeline.extract.common.walk_blocks` found)."""
    out: list[Block] = []
    for block in blocks:
        if squash(block.node.text()) == block.text:
            block = block._replace(lead=bold_lead(block.node))
        out.append(block)
    return out


def is_centred(block: Block) -> bool:
    node = block.node
    style = (node.attrs.get("style") or "").replace(" ", "").lower()
    return (node.attrs.get("align") or "").lower() == "center" or "text-align:center" in style


# --------------------------------------------------------------------------- headings

HEADING_MAX = 140  # a bold line longer than this is a heading only if it ends in "(…)"
HEADING_HARD_MAX = 400
OBJECTIVE_RE = re.compile(
    r"^(?P<name>.+?)\s*[:,]?\s*\((?P<side>Russian|Ukrainian) objectives?\s*:\s*(?P<goal>.+)\)$",
    re.IGNORECASE | re.DOTALL,
)
TAKEAWAYS_MARKERS = frozenset({"key takeaways", "key inflections"})
# Boilerplate of this site that the shared test does not know.
DRUPAL_BOILERPLATE = ("does not receive any classified material",)


def is_takeaways_marker(text: str) -> bool:
    return text.rstrip(":").strip().lower() in TAKEAWAYS_MARKERS


def is_drupal_heading(block: Block) -> bool:
    """A heading element, or a paragraph set entirely in bold that is not a sentence."""
    if block.tag in HEADING_TAGS:
        return True
    text = block.text
    if block.tag not in ("p", "div") or not block.lead or block.lead != text:
        return False
    if text.endswith((".", ":", "?", "!", ";", ",")):
        return False
    return len(text) <= HEADING_MAX or (len(text) <= HEADING_HARD_MAX and text.endswith(")"))


def split_objective(heading: str) -> tuple[str, str, str]:
    """("Supporting Effort—Southern Axis", "Russian objective", "Hold …") from a heading with
    an objective; (heading, "", "") from any other."""
    match = OBJECTIVE_RE.match(heading)
    if match is None:
        return heading, "", ""
    label = f"{match['side'].capitalize()} objective"
    return match["name"].strip(), label, match["goal"].strip()


# --------------------------------------------------------------------------- endnotes

_URL_TOKEN_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_NOTE_NUMBER_RE = re.compile(r"^\[(\d{1,3})\]")
_GLUED_URL_RE = re.compile(r"(?<=[^\s/=;])(?=https?://)", re.IGNORECASE)


def endnote_text(text: str) -> str:
    """One endnote's URLs, full and joined by " ; " (other text kept as written)."""
    body = deobfuscate_urls(ENDNOTE_MARK_AT_START_RE.sub("", text))
    # Two links written edge to edge ("…2023https://…"); not "…/web/2022/https://…".
    body = _GLUED_URL_RE.sub(" ", body)
    pieces: list[str] = []
    for chunk in re.split(r"\s*;\s*", body):
        tokens = chunk.split()
        if tokens and all(_URL_TOKEN_RE.match(t) for t in tokens):
            pieces.extend(tokens)
        elif chunk.strip():
            pieces.append(squash(chunk))
    return " ; ".join(pieces)


def _looks_like_url_text(text: str) -> bool:
    return text.lower().startswith(("http", "www.")) or "\u2026" in text or text.endswith("...")


def restore_endnote_links(body: LexborNode) -> None:
    """Put each endnote link's address in place of its shortened text ("…"), so text and
    display show the full URL; a link holding two URLs points at the first one."""
    for paragraph in body.css("p"):
        if not ENDNOTE_LINE_RE.match(squash(paragraph.text())):
            continue
        for link in paragraph.css("a[href]"):
            href = squash((link.attrs.get("href") or "").replace("%20", " "))
            if not is_web_url(href) or not _looks_like_url_text(squash(link.text())):
                continue
            for child in list(link.iter(include_text=True)):
                child.decompose()
            link.insert_child(href)
            if link.prev is not None and link.prev.is_element_node:
                link.insert_before(" ")  # two links edge to edge stay two URLs
            first = re.split(r"\s*;\s*|\s+", href, maxsplit=1)[0]
            if first != href:
                link.attrs["href"] = first


# --------------------------------------------------------------------------- the walk


def _same_line(text: str, title: str) -> bool:
    """True for the bold repeat of the title some bodies start with (with or without year)."""
    line, name = text.lower().rstrip(" .:"), title.lower().rstrip(" .:")
    return bool(name) and len(line) >= 20 and (name.startswith(line) or line.startswith(name))


@dataclass
class DrupalReader:
    """One walk over a Drupal body's blocks, filling a :class:`ReportDraft`."""

    title: str
    near: dt.date | None  # the page's date: the year of a time line without one
    draft: ReportDraft = field(default_factory=ReportDraft)
    time_line: TimeLine | None = None
    notes: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stage: str = "head"
    section: str = ""
    takeaways_list: int | None = None  # mem_id of the list the takeaways come from

    def read(self, blocks: list[Block]) -> ReportDraft:
        for block in blocks:
            if ENDNOTE_LINE_RE.match(block.text):
                self.add_endnote(block.text)
                continue
            if self.drop_boilerplate(block):
                continue
            if self.stage == "head":
                if self.take_head_line(block):
                    continue
                self.stage = "toplines"
            self.take(block)
        self.draft.endnotes = self.numbered_notes()
        return self.draft

    def drop(self, block: Block) -> None:
        if block.node.tag in ("p", "li", "div", "h2", "h3", "h4"):
            self.draft.dropped.append(block.node)

    def drop_boilerplate(self, block: Block) -> bool:
        lower = block.text.lower()
        if is_boilerplate(block.text) or any(p in lower for p in DRUPAL_BOILERPLATE):
            self.drop(block)
            return True
        return False

    def take_head_line(self, block: Block) -> bool:
        """A centred line before the report starts: time, title repeat, authors."""
        text = block.text
        found = parse_time_line(text, self.near) if len(text) < 80 else None
        if found is not None:
            self.time_line = self.time_line or found
        elif _same_line(text, self.title):
            pass
        elif not self.draft.authors and looks_like_author_line(text):
            self.draft.authors = split_authors(text)
        elif is_centred(block) and block.tag != "li":
            self.draft.parts.append(strip_marks(text))
            return True
        else:
            return False
        self.drop(block)
        return True

    def take(self, block: Block) -> None:
        draft, text = self.draft, block.text
        if self.stage in ("toplines", "takeaways", "contents") and is_takeaways_marker(text):
            self.stage = "takeaways"
            draft.parts.append(text.rstrip(":").strip())
            return
        if self.stage == "toplines" and block.tag == "li" and block.lead == text:
            # A list of bold items where no marker said so: the takeaways all the same.
            self.stage = "takeaways"
            draft.parts.append("Key Takeaways")
        if self.stage == "takeaways":
            parent = block.node.parent
            list_id = parent.mem_id if parent is not None else None
            if block.tag == "li" and self.takeaways_list in (None, list_id):
                self.takeaways_list = list_id
                draft.add_takeaway(block)
                return
            self.stage = "contents"
        if is_drupal_heading(block) and text.lower() != "toplines":
            self.start_section(block)
        elif self.stage == "toplines":
            draft.add_topline(block)
        elif self.stage == "sections":
            draft.add_to_section(self.section, block)
        elif block.tag != "li":
            draft.parts.append(strip_marks(text))
        # else: between the takeaways and the first section, the list of the report's section
        # names, which the sections themselves repeat: kept in the HTML, not in the text.

    def start_section(self, block: Block) -> None:
        self.stage = "sections"
        heading = strip_marks(block.text)
        title, label, goal = split_objective(heading)
        key = base = slugify(title) or f"section-{len(self.draft.sections) + 1}"
        n = 1
        while key in self.draft.sections:
            n += 1
            key = f"{base}-{n}"
        self.section = key
        self.draft.add_to_section(key, Block("h3", title, title, block.node, ""))
        if label:
            line = f"{label}: {goal}"
            self.draft.add_to_section(key, Block("p", line, f"{label}:", block.node, ""))

    def add_endnote(self, text: str) -> None:
        number = _NOTE_NUMBER_RE.match(text)
        note = endnote_text(text)
        if number is None:  # "[iv]": in the order given
            self.notes[len(self.notes) + 1] = note
            return
        n = int(number.group(1))
        self.notes[n] = f"{self.notes[n]} ; {note}" if n in self.notes else note

    def numbered_notes(self) -> list[str]:
        """Endnote n at index n - 1; a missing number keeps its place, empty, with a warning."""
        if not self.notes:
            return []
        last = max(self.notes)
        missing = [n for n in range(1, last + 1) if n not in self.notes]
        if missing:
            self.warnings.append(f"isw-drupal: endnotes {missing[:10]} missing")
        return [self.notes.get(n, "") for n in range(1, last + 1)]


class IswDrupal:
    """Reports on the old Drupal site: ``h1#page-title`` and ``.field-name-body``."""

    name = "isw-drupal"
    publisher = "isw"
    hosts = ISW_HOSTS
    rank = 90

    def extract(self, page: Page) -> Article | None:
        tree = page.tree
        title_node = tree.css_first("h1#page-title")
        body = tree.css_first(".field-name-body .field-items .field-item") or tree.css_first(
            ".field-name-body"
        )
        if title_node is None or body is None:
            return None
        title = squash(title_node.text())
        article = isw_article(page, title, "isw-drupal")
        created_day, _ = self.created(page)
        near = article.published or created_day

        remove_nodes(body.css(BODY_JUNK))
        restore_endnote_links(body)
        reader = DrupalReader(title=title, near=near)
        draft = reader.read(with_bold_leads(walk_blocks(body)))
        if not draft.found_report:
            return None

        article.published = article.published or created_day
        line = reader.time_line
        if line is not None:
            article.published_time, article.time_zone = line.clock, line.zone
            article.published = article.published or line.day
            if line.day and article.published and line.day != article.published:
                article.warnings.append(
                    f"isw-drupal: the time line says {line.day}, the page {article.published}"
                )
        draft.fill(article)
        article.maps = body_images(body, page.url)
        article.html = finish_html(draft, body, page.url)
        article.warnings.extend(reader.warnings)
        return article

    @staticmethod
    def created(page: Page) -> tuple[dt.date | None, str | None]:
        """The node's ``dc:date dc:created`` (the day; its clock is when the node was made)."""
        node = page.tree.css_first('[property="dc:date dc:created"]')
        if node is None:
            return None, None
        return parse_iso_datetime(node.attrs.get("content") or "", ET_ZONE)
