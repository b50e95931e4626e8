"""The house glossary: fixed Korean renderings of English names and terms, and series titles.

Terms found in a source are put into the prompt and checked in the brief, so the same place is
spelled the same way every day (포크로우스크, never 포크로프스크). The packaged TSV is the seed;
editors add rows in the database, which :meth:`Glossary.with_entries` lays over it.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.series import SERIES_BY_SLUG

DATA_DIR = Path(__file__).parent / "data"
GLOSSARY_PATH = DATA_DIR / "glossary.tsv"

# place/person/org: proper names, matched case-sensitively; term: common nouns, matched
# case-insensitively and in the plural; series: report series titles; edition: labels of special
# editions ("Evening Special Report"); country: a house spelling of a country name.
KINDS = frozenset({"place", "person", "org", "term", "series", "edition", "country"})
CASE_INSENSITIVE_KINDS = frozenset({"term"})
_FIELDS = ("english", "korean", "kind", "basis")


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One English name or term and its fixed Korean form; ``basis`` says who decided it."""

    english: str
    korean: str
    kind: str
    basis: str = ""

    def __post_init__(self) -> None:
        if not self.english.strip() or not self.korean.strip():
            raise ValueError(f"glossary entry needs both English and Korean: {self!r}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown glossary kind {self.kind!r} for {self.english!r}")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a glossary term occurs in a text."""

    entry: GlossaryEntry
    start: int
    end: int


GlossaryRow = GlossaryEntry | Mapping[str, str] | Sequence[str]
_Trie = dict[str, "_Trie"]


def _entry_from_row(row: GlossaryRow) -> GlossaryEntry:
    if isinstance(row, GlossaryEntry):
        return row
    if isinstance(row, Mapping):
        return GlossaryEntry(
            english=str(row["english"]).strip(),
            korean=str(row["korean"]).strip(),
            kind=str(row.get("kind") or "place").strip(),
            basis=str(row.get("basis") or "").strip(),
        )
    values = [str(v).strip() for v in row]
    if len(values) < 3:
        raise ValueError(f"glossary row needs english, korean and kind: {row!r}")
    basis = values[3] if len(values) > 3 else ""
    return GlossaryEntry(english=values[0], korean=values[1], kind=values[2], basis=basis)


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` arranged as a trie, so matching costs one pass.

    At each branch longer continuations are tried first, so the longest word wins
    ("Donetsk Oblast" before "Donetsk").
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a word

    def build(node: _Trie) -> str:
        ends_here = "" in node
        branches = [re.escape(char) + build(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends_here:
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return build(trie)


def _plural_variants(term: str) -> list[str]:
    """ "memorandum" -> memorandums; "prisoner of war" -> prisoners of war."""
    variants = [term]
    words = term.split(" ")
    if "of" in words[1:]:
        head = words.index("of", 1) - 1
        words[head] = words[head] + "s"
        variants.append(" ".join(words))
    else:
        suffix = "es" if re.search(r"(s|x|z|ch|sh)$", term) else "s"
        variants.append(term + suffix)
    return variants


class Glossary:
    """A set of glossary entries with fast lookup of the ones a text contains."""

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        by_english: dict[str, GlossaryEntry] = {}
        for entry in entries:
            by_english[entry.english] = entry  # later rows (editors' entries) win
        self._entries = tuple(by_english.values())
        self._by_english = by_english
        self._exact: dict[str, GlossaryEntry] = {}
        self._folded: dict[str, GlossaryEntry] = {}
        proper: list[str] = []
        terms: list[str] = []
        for entry in self._entries:
            if entry.kind in CASE_INSENSITIVE_KINDS:
                for variant in _plural_variants(entry.english.lower()):
                    self._folded.setdefault(variant, entry)
                    terms.append(variant)
            else:
                self._exact[entry.english] = entry
                proper.append(entry.english)
        branches = []
        if proper:
            branches.append(trie_pattern(proper))
        if terms:
            branches.append("(?i:" + trie_pattern(terms) + ")")
        pattern = "|".join(branches) if branches else "(?!x)x"
        # Word boundaries against Latin letters and digits only: in a Korean brief a particle
        # follows an English name directly ("Pokrovsk와"), and that is still the name.
        self._regex = re.compile(rf"(?<![0-9A-Za-zÀ-ɏ])(?:{pattern})(?![0-9A-Za-zÀ-ɏ])")

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> Glossary:
        """The glossary in a TSV file (english, korean, kind, basis); default: the packaged one."""
        if path is None:
            return packaged_glossary()
        return cls(_read_tsv(Path(path)))

    @classmethod
    def from_rows(cls, rows: Iterable[GlossaryRow]) -> Glossary:
        """A glossary from entries, mappings with the TSV's column names, or sequences."""
        return cls(_entry_from_row(row) for row in rows)

    def with_entries(self, rows: Iterable[GlossaryRow]) -> Glossary:
        """This glossary with ``rows`` added; a row for an English term already here replaces it."""
        return Glossary([*self._entries, *(_entry_from_row(row) for row in rows)])

    # -- lookup ---------------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[GlossaryEntry, ...]:
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self._entries)

    def get(self, english: str) -> GlossaryEntry | None:
        return self._by_english.get(english)

    def korean(self, english: str) -> str | None:
        entry = self._by_english.get(english)
        return entry.korean if entry else None

    def occurrences(self, text: str) -> list[Occurrence]:
        """Every occurrence of a glossary term in ``text``, longest match first at each place."""
        found = []
        for match in self._regex.finditer(text):
            surface = match.group()
            entry = self._exact.get(surface) or self._folded.get(surface.lower())
            if entry is not None:
                found.append(Occurrence(entry, match.start(), match.end()))
        return found

    def find_in(self, text: str) -> list[GlossaryEntry]:
        """The entries whose English term occurs in ``text``, in order of first occurrence."""
        seen: dict[str, GlossaryEntry] = {}
        for occurrence in self.occurrences(text):
            seen.setdefault(occurrence.entry.english, occurrence.entry)
        return list(seen.values())

    def series_title(self, series: str) -> str | None:
        """The Korean title of a series, given its slug or its English title."""
        known = SERIES_BY_SLUG.get(series)
        english = known.title_en if known else series
        wanted = " ".join(english.split()).casefold()
        for entry in self._entries:
            if entry.kind == "series" and entry.english.casefold() == wanted:
                return entry.korean
        return None

    def edition_title(self, edition: str) -> str | None:
        """The Korean label of a special edition: "evening" -> the "Evening Special Report" row."""
        if not edition:
            return None
        wanted = edition.strip().casefold()
        for entry in self._entries:
            if entry.kind != "edition":
                continue
            english = entry.english.casefold()
            if english == wanted or english.split()[0] == wanted:
                return entry.korean
        return None


def _read_tsv(path: Path) -> list[GlossaryEntry]:
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header[:4]) != _FIELDS:
            raise ValueError(f"{path}: first line must be the header {' '.join(_FIELDS)}")
        for line_number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            try:
                entries.append(_entry_from_row(row))
            except ValueError as error:
                raise ValueError(f"{path}:{line_number}: {error}") from error
    return entries


@functools.cache
def packaged_glossary() -> Glossary:
    """The glossary shipped with briefroom (``data/glossary.tsv``), read once."""
    return Glossary(_read_tsv(GLOSSARY_PATH))
