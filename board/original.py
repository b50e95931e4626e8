"""The original report as the post page shows it: anchored blocks, and sanitised source HTML.

Blocks carry the ids the brief's ``source_ref`` values name (``kt-3``, ``top-1``, ``sec-2``,
``p-14``), numbered exactly as :func:`pipeline.brief.select.article_blocks` numbers them, so
every bullet of 주요 내용 links to the passage it renders. Structured parts are plain text and
are escaped by the template; the one piece of source HTML (``Article.html``, shown when an
extractor found no structure) goes through :func:`sanitize_html`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3

from pipeline.brief.select import MAX_REF_NUMBER, _is_heading_like, clean_paragraph
from pipeline.types import Article

ALLOWED_TAGS = frozenset(
    {
        "p", "h2", "h3", "h4", "ol", "ul", "li", "strong", "em", "b", "i", "a", "img", "figure",
        "figcaption", "blockquote", "table", "caption", "thead", "tbody", "tfoot", "tr", "th",
        "td", "br", "sup", "sub",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Removed with everything inside them, not just unwrapped.
DROPPED_CONTENT_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
        "form", "button", "select", "textarea", "title", "head",
    }
)  # fmt: skip
LINK_REL = "nofollow noopener noreferrer"
_URL_RE = re.compile(r"https?://[^\s;,<>\"']+")


def sanitize_html(fragment: str) -> str:
    """Source HTML reduced to a safe set of tags and attributes; only http(s) links survive."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https"},
        url_relative="deny",
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": {"loading": "lazy", "referrerpolicy": "no-referrer"}},
        strip_comments=True,
    )


def safe_url(url: str) -> str:
    """``url`` when it is an absolute http(s) URL, else "" (so no javascript: ever renders)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return url
    return ""


@dataclass(frozen=True, slots=True)
class Passage:
    anchor: str  # "" for text no ref names (subheadings)
    text: str
    heading: bool = False


@dataclass(slots=True)
class OriginalSection:
    anchor: str
    title: str
    passages: list[Passage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Endnote:
    number: int
    links: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class MapView:
    url: str
    title: str


@dataclass(slots=True)
class Original:
    toplines: list[tuple[str, str, str]]  # (anchor, headline, body)
    key_takeaways: list[Passage]
    sections: list[OriginalSection]
    maps: list[MapView]
    endnotes: list[Endnote]
    html: str  # sanitised body, used only when there is no structure

    @property
    def anchors(self) -> list[str]:
        found = [anchor for anchor, _, _ in self.toplines]
        found += [p.anchor for p in self.key_takeaways]
        for section in self.sections:
            if section.anchor:
                found.append(section.anchor)
            found += [p.anchor for p in section.passages if p.anchor]
        return found


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def build_original(article: Article) -> Original:
    """The display model of ``article``'s original text, anchored like ``article_blocks``."""
    toplines = []
    for i, topline in enumerate(article.toplines[:MAX_REF_NUMBER], start=1):
        if clean_paragraph(f"{topline.headline}\n{topline.body}".strip()):
            toplines.append((f"top-{i}", topline.headline.strip(), topline.body.strip()))
    takeaways = [
        Passage(f"kt-{i}", raw.strip())
        for i, raw in enumerate(article.key_takeaways[:MAX_REF_NUMBER], start=1)
        if clean_paragraph(raw)
    ]
    sections = []
    paragraph = 0
    for i, section in enumerate(article.sections, start=1):
        title = section.title.strip()
        numbered = i <= MAX_REF_NUMBER
        view = OriginalSection(anchor=f"sec-{i}" if numbered and title else "", title=title)
        for raw in _paragraphs(section.text):
            text = clean_paragraph(raw)
            if not text or text == title:
                continue
            if _is_heading_like(text):
                view.passages.append(Passage("", raw, heading=True))
                continue
            anchor = ""
            if numbered:
                paragraph += 1
                if paragraph <= MAX_REF_NUMBER:
                    anchor = f"p-{paragraph}"
            view.passages.append(Passage(anchor, raw))
        sections.append(view)
    maps = [MapView(url, m.title) for m in article.maps if (url := safe_url(m.url))]
    endnotes = []
    for number, note in enumerate(article.endnotes, start=1):
        links = tuple(url for url in _URL_RE.findall(note) if safe_url(url))
        rest = _URL_RE.sub(" ", note)
        rest = re.sub(r"^\s*\[\d+\]\s*|[\s;,]+", " ", rest).strip()
        endnotes.append(Endnote(number, links, rest))
    structured = bool(toplines or takeaways or sections)
    html = "" if structured else sanitize_html(article.html)
    if not structured and not html and article.text:
        # No HTML either: plain paragraphs, escaped by the template.
        sections.append(
            OriginalSection("", "", [Passage("", text) for text in _paragraphs(article.text)])
        )
    return Original(toplines, takeaways, sections, maps, endnotes, html)


def plain_text(article: Article) -> str:
    """The original's readable text, for the search index."""
    parts = [article.title]
    for topline in article.toplines:
        parts += [topline.headline, topline.body]
    parts += article.key_takeaways
    for section in article.sections:
        parts += [section.title, section.text]
    if len(parts) == 1:
        parts.append(article.text)
    return "\n\n".join(part for part in parts if part)
