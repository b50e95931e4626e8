"""Numbers and dates as written in English sources and Korean briefs, normalised for comparison.

English: "6,000", "3.5", "1.2 million", "30 percent", "three", "twenty-five", "58th", "June 1 and 2,
2025", "2 June", "2025-06-02". Korean: "6,000명", "6천", "1만 2천", "30여 대", "제3군", "3차례",
"6월 2일", "6월 1일과 2일", "6월 1~2일", "2025년 6월 2일", "2025년 6월", "2025년".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pipeline.brief.glossary import trie_pattern

# "1,000", "6,000.5", "3.5", "42". Not preceded by another digit, comma or point so that "1,000"
# is one number and "2.5" is not read as "5".
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(rf"(?<![\d.,])(?:{NUMBER})")

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES: dict[str, int] = {
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
    "thousandth": 1000,
}
_SCALES["dozen"] = 12
# Words that stand for a number on their own ("dozens", "hundreds of" are vague and do not).
_ADVERBS = {"twice": 2, "thrice": 3, "once": 1}
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | frozenset(_ORDINALS)
_NUMBER_WORD = trie_pattern(_NUMBER_WORDS)
# A run of number words joined by spaces, hyphens and "and": "two hundred and fifty". A leading
# "a" ("a thousand") needs no match: a scale word alone counts once.
_NUMBER_WORD_RUN_RE = re.compile(
    rf"\b(?:{_NUMBER_WORD})\b(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD})\b)*", re.IGNORECASE
)
_ADVERB_RE = re.compile(r"\b(?:twice|thrice|once)\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z]+")
_SCALED_DIGITS_RE = re.compile(
    rf"(?<![\d.,])({NUMBER})\s*(hundred|thousand|million|billion|trillion|bn)\b", re.IGNORECASE
)

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")  # fmt: skip
_MONTH_BY_NAME = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_BY_NAME.update(
    {name[:3]: number for name, number in list(_MONTH_BY_NAME.items()) if name != "may"}
)
_MONTH_BY_NAME["sept"] = 9
_MONTH_ALT = "(?:" + trie_pattern(m.capitalize() for m in _MONTH_BY_NAME) + ")"
_DAY = r"\d{1,2}(?!\d)(?:st|nd|rd|th)?"
# "June 2", "June 2, 2025", "June 1 and 2", "June 20-30, 2025", "Jun. 2".
_EN_MONTH_DAY_RE = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\b\.?\s+(?P<days>{_DAY}"
    rf"(?:\s*(?:,|and|to|through|or|&|-|–|—)\s*{_DAY})*)(?:,?\s+(?P<year>\d{{4}})(?!\d))?"
)
# "2 June", "2 June 2025", "1 and 2 June".
_EN_DAY_MONTH_RE = re.compile(
    rf"(?<![\d.,])(?P<days>{_DAY}(?:\s*(?:and|-|–|to)\s*{_DAY})*)\s+(?P<month>{_MONTH_ALT})\b"
    rf"(?:,?\s+(?P<year>\d{{4}})(?!\d))?"
)
_EN_MONTH_YEAR_RE = re.compile(rf"\b(?P<month>{_MONTH_ALT})\b\.?,?\s+(?P<year>\d{{4}})(?!\d)")
_EN_MONTH_RE = re.compile(rf"\b(?P<month>{_MONTH_ALT})\b")
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_US_DATE_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_DOTTED_DATE_RE = re.compile(r"(?<![\d.])(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})(?!\d)")
_YEAR_RE = re.compile(r"(?<![\d.,])(1[89]\d\d|20\d\d|2100)(?![\d,])")

_KO_CONNECTOR = r"(?:과|와|및|,|、|·|~|∼|〜|-|–|부터|에서|또는|이나|나)"
# "6월 2일", "2025년 6월 2일", "6월 1~2일", "6월 1일과 2일", "6월 1일, 3일 및 5일".
KO_DATE_RE = re.compile(
    r"(?:(?P<year>\d{4})\s*년\s*)?(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})"
    r"(?:\s*[~∼〜\-–]\s*(?P<until>\d{1,2}))?\s*일"
    rf"(?P<more>(?:\s*{_KO_CONNECTOR}\s*\d{{1,2}}\s*일(?!\s*(?:간|동안)))*)"
)
KO_YEAR_MONTH_RE = re.compile(r"(?P<year>\d{4})\s*년\s*(?P<month>\d{1,2})\s*월")
KO_MONTH_RE = re.compile(r"(?<![\d.,])(?P<month>\d{1,2})\s*월(?!\s*\d)")
KO_YEAR_RE = re.compile(r"(?<![\d.,])(?P<year>(?:1[89]|20)\d\d)\s*년")
_KO_MORE_DAY_RE = re.compile(r"(\d{1,2})\s*일")

_HANGUL_RE = re.compile(r"[가-힣]")
_KO_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4, "천": 1000, "백": 100}
# A digit group with an optional Korean unit: "6천", "1만", "6 천 명", "1,000".
_KO_NUMBER_RE = re.compile(
    rf"(?<![\d.,])(?P<number>{NUMBER})(?:(?P<gap>\s?)(?P<unit>[조억만천백]))?"
)
# After "6 천" (with a space) the unit must stand alone or take a counter, so that "6 만큼"
# (as much as six) is not read as 60,000.
_KO_SPACED_UNIT_OK_RE = re.compile(r"(?:[^가-힣]|$|[명대개발기척여톤원달])")


def to_decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


@dataclass(frozen=True, slots=True)
class NumberMention:
    """One number written in a text: its value, how it was written and where."""

    value: Decimal
    raw: str
    start: int
    end: int


def english_number_words(text: str) -> set[Decimal]:
    """Values of number words in English text: "three", "twenty-five", "two hundred", "58th".

    Each run of number words ("two hundred and fifty thousand") gives the value of every word and
    of the whole run; "dozens" and "hundreds of" are vague and give nothing.
    """
    values: set[Decimal] = set()
    for match in _NUMBER_WORD_RUN_RE.finditer(text):
        values |= _word_run_values(_WORD_RE.findall(match.group().lower()))
    for match in _ADVERB_RE.finditer(text):
        values.add(Decimal(_ADVERBS[match.group().lower()]))
    return values


def _word_run_values(words: list[str]) -> set[Decimal]:
    """Values of one run of number words: each word alone and the run read as one number."""
    while words and words[-1] in ("a", "and"):
        words = words[:-1]
    while words and words[0] in ("a", "and") and (len(words) < 2 or words[1] not in _SCALES):
        words = words[1:]
    if not words:
        return set()
    values: set[Decimal] = set()
    total = current = 0
    for word in words:
        if word in ("a", "and"):
            current = max(current, 1) if word == "a" else current
        elif word in _SCALES:
            scale = _SCALES[word]
            if scale < 1000:
                current = max(current, 1) * scale
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            value = _UNITS.get(word) or _TENS.get(word) or _ORDINALS.get(word, 0)
            values.add(Decimal(value))
            current += value
    values.add(Decimal(total + current))
    return values


def source_numbers(text: str) -> set[Decimal]:
    """Every number the source names, in digits or in English or Korean words, as a value."""
    values: set[Decimal] = set()
    for raw in set(_NUMBER_RE.findall(text)):
        value = to_decimal(raw)
        if value is not None:
            values.add(value)
    for match in _SCALED_DIGITS_RE.finditer(text):
        value = to_decimal(match.group(1))
        scale_word = match.group(2).lower()
        scale = 10**9 if scale_word == "bn" else _SCALES[scale_word]
        if value is not None:
            values.add(value * scale)
    values |= english_number_words(text)
    if _HANGUL_RE.search(text):
        values |= {mention.value for mention in korean_numbers(text)}
    return values


def korean_numbers(text: str, skip: Iterable[tuple[int, int]] = ()) -> list[NumberMention]:
    """Numbers written in Korean text, with "천/만/억" units folded in ("1만 2천" -> 12000).

    Spans in ``skip`` (dates, already checked by the date rule) are left out.
    """
    skipped = sorted(skip)
    mentions: list[NumberMention] = []
    pieces: list[tuple[Decimal, int | None, int, int]] = []  # value, unit, start, end
    for match in _KO_NUMBER_RE.finditer(text):
        if any(start <= match.start() < end for start, end in skipped):
            continue
        value = to_decimal(match.group("number"))
        if value is None:
            continue
        unit_char = match.group("unit")
        end = match.end()
        unit: int | None = None
        if unit_char and (not match.group("gap") or _KO_SPACED_UNIT_OK_RE.match(text, match.end())):
            unit = _KO_UNITS[unit_char]
            value *= unit
        elif unit_char:
            end = match.end("number")
        pieces.append((value, unit, match.start(), end))
    index = 0
    while index < len(pieces):
        value, unit, start, end = pieces[index]
        # Fold "1만 2천" / "1억 2000만": a following smaller-unit piece right after this one.
        while unit and index + 1 < len(pieces):
            next_value, next_unit, next_start, next_end = pieces[index + 1]
            if text[end:next_start].strip() or next_start - end > 1:
                break
            if next_unit is not None and next_unit >= unit:
                break
            if next_unit is None and unit < 10**4:
                break
            value += next_value
            unit = next_unit
            end = next_end
            index += 1
        mentions.append(NumberMention(value, text[start:end], start, end))
        index += 1
    return mentions


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date written in a Korean text. ``day``/``month``/``year`` may be None for partial dates."""

    raw: str
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None

    def label(self) -> str:
        parts = []
        if self.year:
            parts.append(f"{self.year}년")
        if self.month:
            parts.append(f"{self.month}월")
        if self.day:
            parts.append(f"{self.day}일")
        return " ".join(parts)


def korean_dates(text: str) -> list[DateMention]:
    """Dates in Korean text; "6월 1일과 2일" and "6월 1~2일" give one mention per named day."""
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < t_end and t_start < end for t_start, t_end in taken)

    for match in KO_DATE_RE.finditer(text):
        year = int(match.group("year")) if match.group("year") else None
        month = int(match.group("month"))
        days = [int(match.group("day"))]
        if match.group("until"):
            days.append(int(match.group("until")))
        days += [int(d) for d in _KO_MORE_DAY_RE.findall(match.group("more") or "")]
        taken.append(match.span())
        for day in days:
            mentions.append(DateMention(match.group(), *match.span(), year, month, day))
    for match in KO_YEAR_MONTH_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            year, month = int(match.group("year")), int(match.group("month"))
            mentions.append(DateMention(match.group(), *match.span(), year, month))
    for match in KO_MONTH_RE.finditer(text):
        if free(*match.span()) and 1 <= int(match.group("month")) <= 12:
            taken.append(match.span())
            mentions.append(
                DateMention(match.group(), *match.span(), None, int(match.group("month")))
            )
    for match in KO_YEAR_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            mentions.append(DateMention(match.group(), *match.span(), int(match.group("year"))))
    mentions.sort(key=lambda m: m.start)
    return mentions


@dataclass(slots=True)
class SourceDates:
    """The dates a source names, at the precision it names them."""

    days: set[tuple[int | None, int, int]] = field(default_factory=set)  # (year?, month, day)
    undated: set[tuple[int, int]] = field(default_factory=set)  # "June 2": (month, day)
    year_months: set[tuple[int, int]] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    # The years a date named without one can be in: the publication year and the one before
    # ("December 30" in a report of January 2); any year of the source when it has no date.
    implied_years: set[int] = field(default_factory=set)

    def add_day(self, year: int | None, month: int, day: int) -> None:
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return
        self.days.add((year, month, day))
        self.days.add((None, month, day))
        self.months.add(month)
        if year:
            self.year_months.add((year, month))
            self.years.add(year)
        else:
            self.undated.add((month, day))

    def names(self, mention: DateMention) -> bool:
        """Whether the source names the (possibly partial) date of a Korean mention."""
        year, month, day = mention.year, mention.month, mention.day
        if month is None:
            return year in self.years
        if day is None:
            if year is None:
                return month in self.months
            return (year, month) in self.year_months or (
                month in self.months and year in self.years
            )
        if year is None:
            return (None, month, day) in self.days
        return (year, month, day) in self.days or (
            (month, day) in self.undated and year in (self.implied_years or self.years)
        )


def _days(raw: str) -> list[int]:
    return [int(d) for d in re.findall(r"\d{1,2}", raw)]


def source_dates(text: str, published: dt.date | None = None) -> SourceDates:
    """All dates named by an English (or Korean) source text, plus its publication date."""
    dates = SourceDates()
    if published:
        dates.add_day(published.year, published.month, published.day)
        dates.implied_years = {published.year, published.year - 1}
    for match in _EN_MONTH_DAY_RE.finditer(text):
        month = _MONTH_BY_NAME[match.group("month").lower()]
        year = int(match.group("year")) if match.group("year") else None
        for day in _days(match.group("days")):
            dates.add_day(year, month, day)
    for match in _EN_DAY_MONTH_RE.finditer(text):
        month = _MONTH_BY_NAME[match.group("month").lower()]
        year = int(match.group("year")) if match.group("year") else None
        for day in _days(match.group("days")):
            dates.add_day(year, month, day)
    for match in _EN_MONTH_YEAR_RE.finditer(text):
        year, month = int(match.group("year")), _MONTH_BY_NAME[match.group("month").lower()]
        dates.year_months.add((year, month))
        dates.years.add(year)
        dates.months.add(month)
    dates.months |= {_MONTH_BY_NAME[name.lower()] for name in set(_EN_MONTH_RE.findall(text))}
    for match in _ISO_DATE_RE.finditer(text):
        dates.add_day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for match in _US_DATE_RE.finditer(text):
        dates.add_day(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    for match in _DOTTED_DATE_RE.finditer(text):
        dates.add_day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for mention in korean_dates(text) if _HANGUL_RE.search(text) else []:
        if mention.month and mention.day:
            dates.add_day(mention.year, mention.month, mention.day)
        elif mention.month and mention.year:
            dates.year_months.add((mention.year, mention.month))
            dates.months.add(mention.month)
        elif mention.month:
            dates.months.add(mention.month)
    dates.years |= {int(y) for y in _YEAR_RE.findall(text)}
    if published:
        dates.years.add(published.year)
    return dates
