"""Choose what of a report the model reads, under a token budget.

Order of precedence: title and date; every Key Takeaway (shortened evenly if they alone overflow,
never dropped); the toplines; then section paragraphs ranked by how much they share with the
takeaways (BM25 over their words, plus glossary and place-name hits), until the budget is full.
Every block carries a ref (``kt-1``, ``top-2``, ``sec-3``, ``p-14``) that the model cites and the
page links; :func:`article_blocks` numbers them the same way every time.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.brief.llm.base import estimate_tokens
from pipeline.brief.prompt import PROMPT_VERSION
from pipeline.brief.titles import publisher_tag
from pipeline.types import Article

TokenCounter = Callable[[str], int]

MAX_REF_NUMBER = 999  # refs are kt|top|sec|p-1..999 (the schema's pattern)

# Lines that are never report content: time stamps, cutoffs, calls to click, endnote lines.
_BOILERPLATE_RE = re.compile(
    r"^\s*(?:assessment\s+as\s+of\b|data\s+cut-?\s?off\b|note:\s.*\bdata\s+cut-?\s?off\b"
    r"|click\s+here\b|follow\s+isw\b|donate\b|website\s*\|)",
    re.IGNORECASE,
)
_ENDNOTE_LINE_RE = re.compile(r"^\s*\[\d{1,4}\]\s*(?:\S+://\S+\s*;?\s*)*$|^\s*\[\d{1,4}\]\s+\S+://")
_URL_ONLY_RE = re.compile(r"^\s*(?:\S+://\S+[\s;,]*)+$")
_CITATION_RE = re.compile(r"\s*\[\d{1,4}(?:\s*[,–-]\s*\d{1,4})*\]")
_SPACE_RE = re.compile(r"[ \t\u00a0]+")
_WORD_RE = re.compile(r"[a-z][a-z'’-]*[a-z]|[가-힣]{2,}|\d[\d,.]*\d|\d")
_CAPITALISED_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*")
_STOPWORDS = frozenset(
    (
        "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by",
        "with", "as", "is", "are", "was", "were", "be", "been", "being", "that", "this", "these",
        "those", "it", "its", "their", "his", "her", "they", "them", "he", "she", "we", "our", "us",
        "you", "your", "not", "no", "which", "who", "whom", "whose", "what", "when", "where",
        "while", "after", "before", "during", "into", "onto", "over", "under", "about", "against",
        "between", "through", "than", "then", "also", "has", "have", "had", "do", "does", "did",
        "will", "would", "can", "could", "may", "might", "should", "must", "such", "other", "some",
        "any", "all", "each", "both", "more", "most", "many", "much", "very", "near", "recently",
        "likely", "reportedly", "stated", "claimed", "reported",
    )
)  # fmt: skip
_SHINGLE = 3  # words per shingle in the near-duplicate test
_GROUPS = {"kt": "Key Takeaways", "top": "Toplines", "p": "Sections"}  # headings in the data


@dataclass(frozen=True, slots=True)
class SourceBlock:
    """One citable piece of a report."""

    ref: str  # "kt-1", "top-2", "sec-3", "p-14"
    text: str
    section_id: str = ""  # the Section.id a "sec-"/"p-" block belongs to
    truncated: bool = False

    @property
    def kind(self) -> str:
        return self.ref.split("-", 1)[0]

    def line(self) -> str:
        return f"[{self.ref}] {self.text}"


@dataclass(frozen=True, slots=True)
class SelectedInput:
    """The part of a report the model reads, ready to be put between the prompt's data markers."""

    title: str
    date: str  # ISO date, or "" when unknown
    publisher: str  # "ISW", "국방부" …: who the outlook is attributed to
    blocks: tuple[SourceBlock, ...]
    tokens: int  # of :meth:`text`, by the counter given to :func:`select_input`
    budget_tokens: int
    content_hash: str  # sha256 of :meth:`text` and the prompt version: the cache key's base

    def text(self) -> str:
        return render(self.title, self.date, self.publisher, self.blocks)

    @property
    def refs(self) -> list[str]:
        return [block.ref for block in self.blocks]


def render(title: str, date: str, publisher: str, blocks: Sequence[SourceBlock]) -> str:
    lines = [f"Title: {title}"]
    if date:
        lines.append(f"Date: {date}")
    lines.append(f"Publisher: {publisher}")
    heading = ""
    for block in blocks:
        group = _GROUPS.get(block.kind, _GROUPS["p"])
        if group != heading:
            lines.extend(("", group))
            heading = group
        lines.append(block.line())
    return "\n".join(lines)


def clean_paragraph(text: str) -> str:
    """A paragraph without endnote markers, endnote-only lines or boilerplate lines."""
    kept = []
    for line in text.splitlines():
        if _BOILERPLATE_RE.match(line) or _ENDNOTE_LINE_RE.match(line) or _URL_ONLY_RE.match(line):
            continue
        line = _SPACE_RE.sub(" ", _CITATION_RE.sub("", line)).strip()
        if line:
            kept.append(line)
    return "\n".join(kept)


def _is_heading_like(text: str) -> bool:
    # Subheadings inside a section's text: short, one line, no sentence end.
    return "\n" not in text and len(text) < 80 and not text.rstrip().endswith((".", ":", "?", "!"))


def article_blocks(article: Article) -> list[SourceBlock]:
    """Every citable block of ``article`` with its ref, in document order.

    This is the one numbering of refs: the prompt shows it, the verifier resolves refs with it
    and the page links with it. ``sec-N`` is the N-th section (its title); ``p-N`` the N-th
    paragraph of the sections' text counted across sections, after boilerplate, endnote lines
    and subheadings are left out.
    """
    blocks = [
        SourceBlock(f"kt-{i}", text)
        for i, raw in enumerate(article.key_takeaways[:MAX_REF_NUMBER], start=1)
        if (text := clean_paragraph(raw))
    ]
    for i, topline in enumerate(article.toplines[:MAX_REF_NUMBER], start=1):
        text = clean_paragraph(f"{topline.headline}\n{topline.body}".strip())
        if text:
            blocks.append(SourceBlock(f"top-{i}", text))
    paragraph = 0
    for i, section in enumerate(article.sections[:MAX_REF_NUMBER], start=1):
        if section.title.strip():
            blocks.append(SourceBlock(f"sec-{i}", section.title.strip(), section.id))
        for raw in re.split(r"\n\s*\n", section.text):
            text = clean_paragraph(raw)
            if not text or text == section.title.strip() or _is_heading_like(text):
                continue
            paragraph += 1
            if paragraph > MAX_REF_NUMBER:
                break
            blocks.append(SourceBlock(f"p-{paragraph}", text, section.id))
    return blocks


def select_input(
    article: Article,
    budget_tokens: int = 4000,
    count_tokens: TokenCounter = estimate_tokens,
    *,
    boost_terms: Iterable[str] = (),
) -> SelectedInput:
    """The blocks of ``article`` the model reads, within ``budget_tokens`` of ``count_tokens``.

    ``boost_terms`` (glossary terms, place names) raise the rank of paragraphs that name them.
    """
    title = article.title.strip()
    date = article.published.isoformat() if article.published else ""
    publisher = publisher_tag(article)
    blocks = article_blocks(article)
    remaining = budget_tokens - count_tokens(render(title, date, publisher, []))
    # What a group's heading line costs, paid when the group's first block goes in.
    heading = {kind: count_tokens(f"\n\n{name}") for kind, name in _GROUPS.items()}

    chosen: list[SourceBlock] = []
    takeaways = [b for b in blocks if b.kind == "kt"]
    if takeaways:
        remaining -= heading["kt"]
        chosen = _fit_takeaways(takeaways, remaining, count_tokens)
        remaining -= sum(count_tokens(b.line()) + 1 for b in chosen)

    toplines = [b for b in blocks if b.kind == "top"]
    if toplines and remaining > heading["top"] + 60:
        remaining -= heading["top"]
        for block in toplines:
            cost = count_tokens(block.line()) + 1
            if cost > remaining:
                if remaining >= 60:  # room for a useful part of it
                    shortened = _truncate(block, remaining - 1, count_tokens)
                    chosen.append(shortened)
                    remaining -= count_tokens(shortened.line()) + 1
                break
            chosen.append(block)
            remaining -= cost

    remaining -= heading["p"]
    chosen += _rank_paragraphs(blocks, chosen, remaining, count_tokens, list(boost_terms))
    order = {block.ref: index for index, block in enumerate(blocks)}
    chosen.sort(key=lambda block: order[block.ref])
    selected = _finish(title, date, publisher, chosen, budget_tokens, count_tokens)
    while selected.tokens > budget_tokens and chosen[-1].kind in ("p", "sec"):
        # Joined lines can cost a token or two more than their parts: give back the last one.
        chosen.pop()
        selected = _finish(title, date, publisher, chosen, budget_tokens, count_tokens)
    return selected


def _finish(
    title: str,
    date: str,
    publisher: str,
    blocks: list[SourceBlock],
    budget_tokens: int,
    count_tokens: TokenCounter,
) -> SelectedInput:
    text = render(title, date, publisher, blocks)
    digest = hashlib.sha256(f"{PROMPT_VERSION}\n{text}".encode()).hexdigest()
    return SelectedInput(
        title=title,
        date=date,
        publisher=publisher,
        blocks=tuple(blocks),
        tokens=count_tokens(text),
        budget_tokens=budget_tokens,
        content_hash=digest,
    )


def _fit_takeaways(
    takeaways: list[SourceBlock], available: int, count_tokens: TokenCounter
) -> list[SourceBlock]:
    """All takeaways; if they overflow ``available``, each cut to its share of it."""
    costs = [count_tokens(b.line()) + 1 for b in takeaways]
    if sum(costs) <= available:
        return list(takeaways)
    total = sum(costs)
    floor = 12  # a takeaway keeps at least its first few words
    return [
        _truncate(block, max(floor, available * cost // total) - 1, count_tokens)
        for block, cost in zip(takeaways, costs, strict=True)
    ]


def _truncate(block: SourceBlock, max_tokens: int, count_tokens: TokenCounter) -> SourceBlock:
    """``block`` cut at a word boundary so that its line costs at most ``max_tokens``."""
    if count_tokens(block.line()) <= max_tokens:
        return block
    words = block.text.split(" ")
    low, high = 1, len(words)  # binary search on the number of words kept
    while low < high:
        middle = (low + high + 1) // 2
        candidate = replace(block, text=" ".join(words[:middle]) + " …")
        if count_tokens(candidate.line()) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return replace(block, text=" ".join(words[:low]) + " …", truncated=True)


def _words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD_RE.findall(text.lower())
    return {tuple(words[i : i + _SHINGLE]) for i in range(max(1, len(words) - _SHINGLE + 1))}


def _rank_paragraphs(
    blocks: list[SourceBlock],
    chosen: list[SourceBlock],
    budget: int,
    count_tokens: TokenCounter,
    boost_terms: list[str],
) -> list[SourceBlock]:
    """Section paragraphs by relevance to the takeaways, greedily into ``budget``."""
    paragraphs = [b for b in blocks if b.kind == "p"]
    if not paragraphs or budget <= 0:
        return []
    query = _query(blocks)
    documents = [Counter(_words(p.text)) for p in paragraphs]
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(document.keys())
    mean_length = sum(sum(d.values()) for d in documents) / len(documents) or 1.0
    boosts = [
        re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        for term in dict.fromkeys(boost_terms)
        if term.strip()
    ]

    def score(index: int) -> float:
        document, length = documents[index], sum(documents[index].values())
        total = 0.0
        for term, weight in query.items():
            tf = document.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (len(documents) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            total += weight * idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / mean_length))
        total += sum(1.5 for term in boosts if term.search(paragraphs[index].text))
        return total

    ranked = sorted(range(len(paragraphs)), key=lambda i: (-score(i), i))
    seen: set[tuple[str, ...]] = set()
    for block in chosen:
        seen |= _shingles(block.text)
    headers = {b.section_id: b for b in blocks if b.kind == "sec"}
    picked: list[SourceBlock] = []
    for index in ranked:
        if budget <= 0:
            break
        block = paragraphs[index]
        shingles = _shingles(block.text)
        if len(shingles & seen) >= 0.8 * len(shingles):
            continue  # says again what a takeaway, topline or chosen paragraph says
        header = headers.get(block.section_id)
        extra = [header] if header is not None and header not in picked else []
        cost = sum(count_tokens(b.line()) + 1 for b in [*extra, block])
        if cost > budget:
            continue
        picked += [*extra, block]
        seen |= shingles
        budget -= cost
    return picked


def _query(blocks: list[SourceBlock]) -> dict[str, float]:
    """Query words and their weights: takeaways count double, proper names half again."""
    query: dict[str, float] = defaultdict(float)
    sources = [b for b in blocks if b.kind == "kt"] or [b for b in blocks if b.kind == "top"]
    if not sources:  # no takeaways or toplines (a press release): its first paragraphs lead
        sources = [b for b in blocks if b.kind == "p"][:2]
    for block in sources:
        weight = 2.0 if block.kind == "kt" else 1.0
        for word in set(_words(block.text)):
            query[word] += weight
        for name in _CAPITALISED_RE.findall(block.text):
            for word in _words(name):
                query[word] += weight / 2
    for block in (b for b in blocks if b.kind == "top"):
        for word in set(_words(block.text.split("\n", 1)[0])):
            query[word] += 1.0
    return query
