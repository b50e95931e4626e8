"""Korean-aware search tokens, computed in Python so SQLite and PostgreSQL index the same terms.

Text is NFKC-normalised, then split into runs: a run of Hangul (or CJK ideographs or kana)
becomes overlapping character bigrams (a one-syllable run stays one token), so 포로 is found in
포로를 and 전쟁포로; any other run of letters and digits becomes one case-folded word without
diacritics. A query word becomes a *phrase*: its tokens must sit at consecutive positions, so
휴전 does not match 휴…전 scattered over a page.

Both backends receive a :class:`Layout` (one token list per field, ``None`` marking a gap that
no phrase may cross) and render it in their own syntax; the caps below are PostgreSQL's tsvector
limits, applied here so SQLite drops exactly the same positions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

# tsvector positions stop at 16383 and keep at most 256 positions per lexeme; a token beyond
# either limit becomes a gap on both databases.
MAX_POSITIONS = 16383
MAX_OCCURRENCES = 256
# Longer tokens (a pasted hash, a run-on URL) are cut this short, in queries and index alike.
MAX_TOKEN_CHARS = 64
# A query is cut to this many characters and phrases, so a pasted page cannot build a huge query.
MAX_QUERY_CHARS = 200
MAX_QUERY_PHRASES = 8
MAX_PHRASE_TOKENS = 32

_BIGRAM_CHARS = (
    "\uac00-\ud7a3"  # Hangul syllables
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs (Hanja)
    "\u3041-\u3096\u30a1-\u30fa\u30fc"  # kana
)
_RUN = re.compile(rf"(?P<bigram>[{_BIGRAM_CHARS}]+)|(?P<word>[^\W_{_BIGRAM_CHARS}]+)")
_IS_BIGRAM_CHAR = re.compile(rf"[{_BIGRAM_CHARS}]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Token:
    """One search term and the span of normalised text it came from."""

    text: str
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC, so full-width letters, compatibility characters and decomposed Hangul index alike."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def _fold_word(word: str) -> str:
    folded = word.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    return folded[:MAX_TOKEN_CHARS]


def iter_tokens(normalized: str) -> Iterator[Token]:
    """The tokens of already-normalised text, in order, with their spans."""
    for match in _RUN.finditer(normalized):
        start, end = match.span()
        if match.lastgroup == "bigram":
            if end - start == 1:
                yield Token(normalized[start], start, end)
            else:
                for i in range(start, end - 1):
                    yield Token(normalized[i : i + 2], i, i + 2)
        else:
            yield Token(_fold_word(match.group()), start, end)


def tokenize(text: str) -> list[str]:
    """The token texts of ``text``; the same tokens as :func:`iter_tokens`, built faster."""
    out: list[str] = []
    for match in _RUN.finditer(normalize(text)):
        run = match.group()
        if match.lastindex == 1:
            if len(run) == 1:
                out.append(run)
            else:
                out.extend([run[i : i + 2] for i in range(len(run) - 1)])
        else:
            out.append(_fold_word(run))
    return out


# -- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrase:
    """Tokens that must occur at consecutive positions of one field.

    ``prefix`` is set for a lone one-syllable Korean word (북, 핵): it then matches the syllable
    alone or as the first half of a bigram, so 핵 finds 핵무기 as well as 핵.
    """

    tokens: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Phrase]:
    """Whitespace-separated words become phrases, all of which must match (AND).

    Only token text survives, so quotes, ``*``, ``:``, parentheses, NEAR/AND/OR and the like are
    either dropped as punctuation or searched for as plain words; nothing reaches the database
    as syntax. An empty list means there is nothing to search for.
    """
    phrases: list[Phrase] = []
    for word in _SPACE.split(normalize(query[:MAX_QUERY_CHARS])):
        tokens = tuple(token.text for token in iter_tokens(word))[:MAX_PHRASE_TOKENS]
        if not tokens:
            continue
        prefix = len(tokens) == 1 and len(tokens[0]) == 1 and bool(_IS_BIGRAM_CHAR.match(tokens[0]))
        phrase = Phrase(tokens, prefix)
        if phrase not in phrases:
            phrases.append(phrase)
        if len(phrases) == MAX_QUERY_PHRASES:
            break
    return phrases


def find_phrase(tokens: Sequence[str | None], phrase: Phrase) -> Iterator[int]:
    """Start indexes where ``phrase`` occurs in ``tokens``, with the database's semantics."""
    size = len(phrase.tokens)
    first = phrase.tokens[0]
    for i in range(len(tokens) - size + 1):
        token = tokens[i]
        if token is None:
            continue
        if phrase.prefix:
            if token.startswith(first):
                yield i
        elif token == first and all(tokens[i + k] == phrase.tokens[k] for k in range(1, size)):
            yield i


# -- synonyms --------------------------------------------------------------------------------


class Synonyms:
    """Glossary pairs (English, Korean) prepared for matching; build once for a bulk reindex.

    A field that contains one side of a pair is indexed with the other side too, so 쿠퍈스크
    finds a post that only says Kupyansk and the other way round.
    """

    __slots__ = ("_terms",)

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        terms: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for english, korean in pairs:
            english, korean = english.strip(), korean.strip()
            for found, added in ((english, korean), (korean, english)):
                key = tuple(tokenize(found))
                if key and tokenize(added):
                    terms.setdefault(key, []).append((found, added))
        self._terms = terms

    @classmethod
    def of(cls, synonyms: Mapping[str, str] | Synonyms | None) -> Synonyms:
        if isinstance(synonyms, Synonyms):
            return synonyms
        return cls((synonyms or {}).items())

    def expansions(self, text: str) -> list[tuple[str, str]]:
        """``(term found in text, term to add)`` pairs, sorted for a stable index."""
        if not self._terms:
            return []
        tokens = tokenize(text)
        starts: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            starts.setdefault(token, []).append(i)
        found: set[tuple[str, str]] = set()
        for key, pairs in self._terms.items():
            size = len(key)
            if any(tuple(tokens[i : i + size]) == key for i in starts.get(key[0], ())):
                found.update(pairs)
        return sorted(found)


# -- index layout ----------------------------------------------------------------------------

FIELDS = ("title", "tags", "body")


@dataclass(frozen=True, slots=True)
class Layout:
    """The tokens each field is indexed with; ``None`` is a position no phrase can match across.

    PostgreSQL numbers positions through title, tags, body in that order (one gap between
    fields), which is why the body is the field that gets cut at :data:`MAX_POSITIONS`.
    """

    title: tuple[str | None, ...]
    tags: tuple[str | None, ...]
    body: tuple[str | None, ...]

    def fields(self) -> Iterator[tuple[str, tuple[str | None, ...]]]:
        for name in FIELDS:
            yield name, getattr(self, name)


def _segments(texts: Iterable[str]) -> list[str | None]:
    out: list[str | None] = []
    for text in texts:
        tokens = tokenize(text)
        if tokens:
            if out:
                out.append(None)
            out.extend(tokens)
    return out


def build_layout(
    *,
    title: str,
    body: str,
    tags: Sequence[str],
    expansions: Mapping[str, Sequence[str]] | None = None,
) -> Layout:
    """The index tokens of a document; ``expansions`` are extra terms per field (synonyms).

    Each tag and each expansion is its own segment, separated by gaps; expansions go before
    the text so a body cut at the position limit keeps them.
    """
    extra = expansions or {}
    raw = {
        "title": _segments([*extra.get("title", ()), title]),
        "tags": _segments([*extra.get("tags", ()), *tags]),
        "body": _segments([*extra.get("body", ()), body]),
    }
    budget = MAX_POSITIONS - len(FIELDS)  # one gap after each field
    seen: dict[str, int] = {}
    capped: dict[str, tuple[str | None, ...]] = {}
    for name in FIELDS:
        tokens = raw[name][: max(budget, 0)]
        budget -= len(tokens)
        out: list[str | None] = []
        for token in tokens:
            if token is not None:
                count = seen.get(token, 0) + 1
                seen[token] = count
                if count > MAX_OCCURRENCES:
                    token = None
            out.append(token)
        capped[name] = tuple(out)
    return Layout(**capped)
