"""Highlighted snippets: the stretch of a field around its first match, matches marked.

Matches are found with the index's own tokens and phrase rules (so what is marked is what was
found) in the NFKC-normalised text; the snippet shows that text. A snippet is a list of
``(text, is_match)`` segments; ``html`` escapes every segment, so the source text can never
inject markup, and wraps matches in ``<mark>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.tokens import Phrase, Token, iter_tokens, normalize

SNIPPET_CHARS = 160
# Context kept before the first match.
LEAD_CHARS = 40
# How far into a long body to look for a first match before showing its beginning instead.
SCAN_CHARS = 30_000
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
# Letters whose search tokens drop an accent or fold case beyond str.lower().
_FOLDED_LETTERS = re.compile(r"[\u00c0-\u024f\u0370-\u052f\u1e00-\u1eff\ufb00-\ufb06]")
_MAX_CANDIDATES = 50
_MAX_TOKEN_SPAN = 80


@dataclass(frozen=True, slots=True)
class Snippet:
    """Text in segments, each marked as a match or not."""

    segments: tuple[tuple[str, bool], ...]

    def __str__(self) -> str:
        return "".join(text for text, _ in self.segments)

    @property
    def has_match(self) -> bool:
        return any(is_match for _, is_match in self.segments)

    @property
    def html(self) -> SafeString:
        return mark_safe(  # noqa: S308 - every piece of text is escaped just here
            "".join(
                f"<mark>{escape(text)}</mark>" if is_match else str(escape(text))
                for text, is_match in self.segments
            )
        )

    def __html__(self) -> str:
        return str(self.html)


def _spans(tokens: Sequence[Token], phrases: Iterable[Phrase]) -> list[tuple[int, int]]:
    """Character spans of every phrase match in ``tokens`` (one text, so no gaps)."""
    texts = [token.text for token in tokens]
    spans = []
    for phrase in phrases:
        size = len(phrase.tokens)
        first = phrase.tokens[0]
        for i in range(len(texts) - size + 1):
            if phrase.prefix:
                if texts[i].startswith(first):
                    spans.append((tokens[i].start, tokens[i].start + len(first)))
            elif texts[i] == first and texts[i : i + size] == list(phrase.tokens):
                spans.append((tokens[i].start, tokens[i + size - 1].end))
    return sorted(spans)


def _scan(text: str, phrases: Sequence[Phrase]) -> int | None:
    """Where the first match starts, reading tokens only as far as needed."""
    longest = max(len(phrase.tokens) for phrase in phrases)
    recent: list[Token] = []
    for token in iter_tokens(text):
        if token.start > SCAN_CHARS:
            return None
        recent.append(token)
        if len(recent) > longest:
            del recent[0]
        for phrase in phrases:
            size = len(phrase.tokens)
            if len(recent) < size:
                continue
            tail = recent[-size:]
            if phrase.prefix:
                if tail[0].text.startswith(phrase.tokens[0]):
                    return tail[0].start
            elif all(t.text == p for t, p in zip(tail, phrase.tokens, strict=True)):
                return tail[0].start
    return None


def _first_match(text: str, phrases: Sequence[Phrase]) -> int | None:
    """Where the first match starts: the first token of a phrase is looked for as a substring,
    and only the text around each candidate is tokenized to confirm the whole phrase.

    Text with accented or non-Latin letters, whose tokens are folded further than lower(), is
    scanned token by token instead.
    """
    lowered = text.lower()
    if len(lowered) != len(text) or _FOLDED_LETTERS.search(text):
        return _scan(text, phrases)
    best: int | None = None
    for phrase in phrases:
        found = _confirmed(text, lowered, phrase)
        if found is not None and (best is None or found < best):
            best = found
    return best


def _confirmed(text: str, lowered: str, phrase: Phrase) -> int | None:
    anchor = phrase.tokens[0]
    at = lowered.find(anchor)
    for _ in range(_MAX_CANDIDATES):
        if at == -1 or at > SCAN_CHARS:
            return None
        start = max(at - _MAX_TOKEN_SPAN, lowered.rfind(" ", 0, at) + 1)
        end = at + _MAX_TOKEN_SPAN * len(phrase.tokens)
        spans = _spans(list(iter_tokens(text[start:end])), [phrase])
        if spans:
            return start + spans[0][0]
        at = lowered.find(anchor, at + 1)
    return _scan(text, [phrase])


def _segments(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    segments: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        start = max(start, at)
        if end <= start:
            continue
        if start > at:
            segments.append((text[at:start], False))
        segments.append((text[start:end], True))
        at = end
    if at < len(text):
        segments.append((text[at:], False))
    return [(_SPACE.sub(" ", piece), is_match) for piece, is_match in segments]


def highlight(text: str, phrases: Sequence[Phrase]) -> Snippet:
    """All of ``text`` (a title), every match marked."""
    normalized = normalize(text)
    spans = _spans(list(iter_tokens(normalized)), phrases) if phrases else []
    return Snippet(tuple(_segments(normalized, spans)))


def excerpt(text: str, phrases: Sequence[Phrase], *, width: int = SNIPPET_CHARS) -> Snippet:
    """About ``width`` characters of ``text`` around its first match (or from its start)."""
    normalized = normalize(text)
    first = _first_match(normalized, phrases) if phrases else None
    start = 0
    if first is not None and first > LEAD_CHARS:
        start = first - LEAD_CHARS
        space = normalized.find(" ", start, first)
        if space != -1:
            start = space + 1
    end = min(len(normalized), start + width)
    if end < len(normalized):
        space = normalized.rfind(" ", start + width // 2, end)
        if space != -1:
            end = space
    window = normalized[start:end]
    spans = _spans(list(iter_tokens(window)), phrases) if first is not None else []
    segments = _segments(window, spans)
    if start > 0:
        segments.insert(0, (ELLIPSIS, False))
    if end < len(normalized):
        segments.append((ELLIPSIS, False))
    return Snippet(tuple(segments))
