"""Small helpers for Korean text: Hangul detection, jamo decomposition and jamo edit distance.

Hangul syllables decompose under NFD into conjoining jamo (포 -> ᄑ + ᅩ), so an edit distance over
jamo tells a one-letter slip (포크로우스크 / 포크로프스크) from a different word.
"""

from __future__ import annotations

import re
import unicodedata

HANGUL_SYLLABLE_RE = re.compile(r"[가-힣]")
# Syllables, conjoining jamo and compatibility jamo: everything a reader sees as Korean letters.
_HANGUL_CHAR_RE = re.compile(r"[가-힣ᄀ-ᇿ㄰-㆏]")
HANGUL_RUN_RE = re.compile(r"[가-힣]+")


def is_hangul(char: str) -> bool:
    """True for a Hangul syllable or jamo."""
    return bool(_HANGUL_CHAR_RE.match(char))


def hangul_only(text: str) -> str:
    """The Hangul syllables of ``text`` with everything else (spaces, Latin, brackets) removed."""
    return "".join(HANGUL_RUN_RE.findall(text))


def jamo(text: str) -> str:
    """``text`` with every Hangul syllable decomposed into its conjoining jamo."""
    return unicodedata.normalize("NFD", text)


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance of two strings; stops early and returns ``limit + 1`` past ``limit``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def jamo_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance between two Korean strings counted in jamo, ignoring spaces."""
    return edit_distance(jamo(_no_space(a)), jamo(_no_space(b)), limit)


def jamo_length(text: str) -> int:
    return len(jamo(_no_space(text)))


def letter_counts(text: str) -> tuple[int, int]:
    """(Hangul letters, all letters) in ``text``; digits, punctuation and spaces do not count."""
    hangul = letters = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if is_hangul(char):
                hangul += 1
    return hangul, letters


def _no_space(text: str) -> str:
    return "".join(text.split())
