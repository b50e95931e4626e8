"""Check a Korean brief against its source: numbers, dates, countries, glossary, markup, language.

:func:`verify` returns a list of :class:`Failure`; an empty list means the brief may be published.
A failed check triggers one retry with :func:`feedback_text` as feedback; a second failure
publishes the post as 검토 필요 with the failures listed for the editor.

``key_points[].source_ref`` ties a point to the part of the source it renders, 1-based:
``kt-3`` is the third Key Takeaway, ``top-1`` the first topline, ``sec-2`` the second section's
title and ``p-5`` the fifth paragraph of the sections' text, counted across sections (see
:func:`pipeline.brief.select.article_blocks`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.brief.categories import category_labels
from pipeline.brief.countries import (
    find_countries,
    find_countries_ko,
    is_country_code,
    korean_country_name,
)
from pipeline.brief.glossary import Glossary, GlossaryEntry, packaged_glossary
from pipeline.brief.koreantext import (
    HANGUL_SYLLABLE_RE,
    hangul_only,
    jamo,
    jamo_distance,
    letter_counts,
)
from pipeline.brief.numbers import (
    SourceDates,
    korean_dates,
    korean_numbers,
    source_dates,
    source_numbers,
)
from pipeline.brief.select import article_blocks
from pipeline.types import Article

FAILURE_KINDS = ("number", "date", "country", "glossary", "markup", "language", "schema")
REQUIRED_KEYS = ("key_points", "category", "countries", "outlook")
COUNTRY_KEYS = ("iso2", "name_ko", "role")
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 8
# Below this many letters a field is too short to judge its language ("NATO", "ISW").
MIN_LETTERS_FOR_LANGUAGE = 4
MIN_HANGUL_SHARE = 0.5

SOURCE_REF_RE = re.compile(r"^(kt|top|sec|p)-([1-9]\d*)$")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing wrong with a brief: its kind (one of FAILURE_KINDS), what, and in which field."""

    kind: str
    detail: str
    field: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail, "field": self.field}


# --- the source ---------------------------------------------------------------------------------


def resolve_source_ref(article: Article, ref: str) -> str | None:
    """The source block a ``source_ref`` such as ``kt-3`` names; None if malformed or too far.

    Refs are numbered by :func:`pipeline.brief.select.article_blocks`, the same numbering the
    prompt shows the model, so a ref the verifier accepts is one the page can link.
    """
    if not SOURCE_REF_RE.match(ref):
        return None
    for block in article_blocks(article):
        if block.ref == ref:
            return block.text
    return None


def source_text(article: Article) -> str:
    """All the brief may draw on: title, toplines, takeaways, sections and body, without URLs.

    Endnotes are left out: their URLs and citation dates would make any number look sourced.
    """
    parts = [article.title]
    for topline in article.toplines:
        parts += [topline.headline, topline.body]
    parts += article.key_takeaways
    for section in article.sections:
        parts += [section.title, section.text]
        for label, value in section.fields.items():
            parts += [label, value]
    # article.text usually holds the parts already; add only those it lacks.
    body = article.text
    missing = [part for part in parts if part and part not in body]
    return _URL_RE.sub(" ", "\n\n".join([*missing, body]))


@dataclass(frozen=True, slots=True)
class _Source:
    numbers: frozenset[Decimal]
    dates: SourceDates
    countries: frozenset[str]
    glossary: tuple[GlossaryEntry, ...]


def _analyse(article: Article, glossary: Glossary) -> _Source:
    text = source_text(article)
    return _Source(
        numbers=frozenset(source_numbers(text)),
        dates=source_dates(text, article.published),
        countries=frozenset(find_countries(text)) | frozenset(find_countries_ko(text)),
        glossary=tuple(glossary.find_in(text)),
    )


# --- the brief's shape --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str  # "key_points[2]", "countries[0].role", "outlook"
    text: str
    prose: bool  # written by the model from the source: numbers, dates, names are checked


def _check_schema(
    brief: Mapping[str, Any], refs: Collection[str], vocabulary: Collection[str]
) -> tuple[list[Failure], list[_Field], list[Mapping[str, Any]]]:
    """Schema failures, the text fields that can be checked further, and the countries entries."""
    failures: list[Failure] = []
    fields: list[_Field] = []
    countries: list[Mapping[str, Any]] = []

    def fail(detail: str, field: str) -> None:
        failures.append(Failure("schema", detail, field))

    for key in REQUIRED_KEYS:
        if key not in brief:
            fail(f"missing key {key}", key)

    title = brief.get("title_ko")
    if title is not None:
        if not isinstance(title, str) or not title.strip():
            fail("title_ko must be a non-empty string", "title_ko")
        else:
            fields.append(_Field("title_ko", title, prose=False))

    points = brief.get("key_points")
    if "key_points" in brief:
        if not isinstance(points, list):
            fail("key_points must be a list", "key_points")
        else:
            if not MIN_KEY_POINTS <= len(points) <= MAX_KEY_POINTS:
                fail(
                    f"key_points has {len(points)} items; {MIN_KEY_POINTS} to {MAX_KEY_POINTS} "
                    "are allowed",
                    "key_points",
                )
            for index, point in enumerate(points):
                name = f"key_points[{index}]"
                text: object = point
                if isinstance(point, Mapping):
                    text = point.get("text")
                    failures += _check_source_ref(point, refs, name)
                if not isinstance(text, str):
                    fail(f"{name} must be a string or an object with a text string", name)
                elif not text.strip():
                    fail(f"{name} is empty", name)
                else:
                    fields.append(_Field(name, text, prose=True))

    category = brief.get("category")
    if "category" in brief:
        if not isinstance(category, str) or not category.strip():
            fail("category must be a non-empty string", "category")
        else:
            if vocabulary and category.strip() not in vocabulary:
                fail(f"category {category.strip()!r} is not in the category vocabulary", "category")
            fields.append(_Field("category", category, prose=False))

    entries = brief.get("countries")
    if "countries" in brief:
        if not isinstance(entries, list):
            fail("countries must be a list", "countries")
        else:
            for index, entry in enumerate(entries):
                name = f"countries[{index}]"
                if not isinstance(entry, Mapping):
                    fail(f"{name} must be an object with iso2, name_ko and role", name)
                    continue
                missing = [key for key in COUNTRY_KEYS if not isinstance(entry.get(key), str)]
                if missing:
                    fail(f"{name} is missing {', '.join(missing)}", name)
                    continue
                if not re.fullmatch(r"[A-Z]{2}", entry["iso2"]):
                    fail(f"{name}.iso2 {entry['iso2']!r} is not an ISO 3166 alpha-2 code", name)
                    continue
                if not entry["name_ko"].strip():
                    fail(f"{name}.name_ko is empty", name)
                countries.append(entry)
                fields.append(_Field(f"{name}.name_ko", entry["name_ko"], prose=False))
                if entry["role"].strip():
                    fields.append(_Field(f"{name}.role", entry["role"], prose=True))

    outlook = brief.get("outlook")
    if "outlook" in brief:
        if not isinstance(outlook, str):
            fail("outlook must be a string", "outlook")
        elif not outlook.strip():
            fail("outlook is empty", "outlook")
        else:
            fields.append(_Field("outlook", outlook, prose=True))
    return failures, fields, countries


def _check_source_ref(point: Mapping[str, Any], refs: Collection[str], name: str) -> list[Failure]:
    ref = point.get("source_ref")
    if ref is None or ref == "":
        return []
    field = f"{name}.source_ref"
    if not isinstance(ref, str) or not SOURCE_REF_RE.match(ref.strip()):
        detail = f"{field} {ref!r} is not kt-<n>, top-<n>, sec-<n> or p-<n>"
        return [Failure("schema", detail, field)]
    if ref.strip() not in refs:
        return [Failure("schema", f"{field} {ref!r} points past the end of the source", field)]
    return []


# --- content checks -----------------------------------------------------------------------------


def _check_numbers_and_dates(field: _Field, source: _Source) -> list[Failure]:
    failures = []
    dates = korean_dates(field.text)
    seen: set[str] = set()
    for mention in dates:
        if not source.dates.names(mention) and mention.label() not in seen:
            seen.add(mention.label())
            failures.append(
                Failure(
                    "date",
                    f"date {mention.label()} in {field.name} is not named by the source",
                    field.name,
                )
            )
    spans = [(mention.start, mention.end) for mention in dates]
    for number in korean_numbers(field.text, skip=spans):
        if number.value not in source.numbers and number.raw not in seen:
            seen.add(number.raw)
            failures.append(
                Failure(
                    "number",
                    f"number {number.raw} in {field.name} does not occur in the source",
                    field.name,
                )
            )
    return failures


def _without_names(text: str, glossary: Glossary) -> str:
    """``text`` with the Korean forms of glossary names blanked out, except country names.

    "미국 전쟁연구소(ISW)" names an institute, not the United States.
    """
    for entry in glossary:
        if entry.kind != "country" and entry.korean in text:
            text = text.replace(entry.korean, " " * len(entry.korean))
    return text


def _check_countries(
    entries: list[Mapping[str, Any]], fields: list[_Field], source: _Source, glossary: Glossary
) -> list[Failure]:
    failures = []
    for index, entry in enumerate(entries):
        iso2, name_ko = entry["iso2"], entry["name_ko"].strip()
        field = f"countries[{index}]"
        if not is_country_code(iso2):
            failures.append(Failure("country", f"{field}: unknown country code {iso2}", field))
            continue
        expected = korean_country_name(iso2)
        if name_ko != expected:
            failures.append(
                Failure(
                    "country",
                    f"{field}.name_ko {name_ko!r} should be {expected!r} (CLDR name of {iso2})",
                    field,
                )
            )
        if iso2 not in source.countries:
            failures.append(
                Failure("country", f"country {iso2} ({expected}) is not named in the source", field)
            )
    reported: set[str] = set()
    for field_ in fields:
        if not field_.prose:
            continue
        named = find_countries_ko(_without_names(field_.text, glossary))
        for iso2 in sorted(named - source.countries - reported):
            reported.add(iso2)
            failures.append(
                Failure(
                    "country",
                    f"{korean_country_name(iso2)} ({iso2}) in {field_.name} is not named in the "
                    "source",
                    field_.name,
                )
            )
    return failures


# Kinds whose Korean forms are transliterations, where a near-miss is a misspelling. Organisation
# names and terms are ordinary Korean words, close to other words (국방부 / 국방비), so only their
# longer forms are checked.
_NEAR_MISS_KINDS = frozenset({"place", "person", "series", "edition", "country"})
_NEAR_MISS_MIN_SYLLABLES = 3
_NEAR_MISS_MIN_SYLLABLES_OTHER = 4
_SHORT_FORM = 3  # syllables
# First syllables of particles: a word one syllable short of a form, then one of these, is a
# different word with its particle (모스크가), not the form misspelt.
_PARTICLES = frozenset("가이은는을를의에와과도로으만")
# Generic endings a brief may drop: 크렘린 for 크렘린궁 is short, not misspelt.
_DROPPABLE_SUFFIXES = ("반도", "주", "시", "강", "궁", "해", "도", "섬", "만", "호", "구")


def _near_miss(run: str, form: str) -> tuple[int, str] | None:
    """(jamo distance, spelling) when the start of ``run`` is a near miss of ``form``."""
    size = len(form)
    if form in run[: size + 2]:
        return None  # the exact form, or a short word then the form ("와 쿠퍈스크")
    for suffix in _DROPPABLE_SUFFIXES:
        if (
            form.endswith(suffix)
            and len(form) > len(suffix) + 1
            and run.startswith(form[: -len(suffix)])
        ):
            return None
    if len(set(run[: size + 1]) & set(form)) < math.ceil(size / 2):
        return None
    form_jamo = len(jamo(form))
    best: tuple[int, str] | None = None
    # A short form is compared at its own length only: a syllable more or less turns 키이우
    # into the verb 키우 ("to raise"). A longer form may gain or lose one (자포리지아/자포리자).
    lengths = (size,) if size <= _SHORT_FORM else (size - 1, size, size + 1)
    for length in lengths:
        if length < 2 or length > len(run):
            continue
        candidate = run[:length]
        if candidate == form[:-1] or (candidate[:-1] == form[:-1] and candidate[-1] in _PARTICLES):
            continue  # another word, then maybe a particle: 모스크(가) is not 모스크바
        distance = jamo_distance(candidate, form, limit=3)
        if distance == 0 or distance > 3:
            continue
        close = distance <= 2 and distance <= 0.34 * form_jamo
        # Three jamo apart is still a near miss for a long name with the same first and last
        # syllable (쿠피안스크 for 쿠퍈스크), not for a different word (총참모장 for 총참모부).
        far_but_same_ends = (
            distance == 3
            and form_jamo >= 9
            and candidate[0] == form[0]
            and candidate[-1] == form[-1]
        )
        if (close or far_but_same_ends) and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best


_RUN_WORDS = 4  # the longest glossary form has three words ("위치가 확인된 영상")


def _runs(text: str) -> list[str]:
    """Hangul stretches of ``text`` starting at each word, with the spaces inside them removed.

    "차시우 야르 인근" gives "차시우야르인근", "야르인근" and "인근", so a spaced spelling
    compares equal to the glossary form. Punctuation and Latin letters end a stretch.
    """
    runs = []
    for piece in re.split(r"[^가-힣\s]+", text):
        words = piece.split()
        runs += ["".join(words[i : i + _RUN_WORDS]) for i in range(len(words))]
    return runs


def _check_glossary(fields: list[_Field], source: _Source, glossary: Glossary) -> list[Failure]:
    failures = []
    all_forms = {form for entry in glossary if (form := hangul_only(entry.korean))}
    candidates = []
    for entry in source.glossary:
        form = hangul_only(entry.korean)
        minimum = (
            _NEAR_MISS_MIN_SYLLABLES
            if entry.kind in _NEAR_MISS_KINDS
            else _NEAR_MISS_MIN_SYLLABLES_OTHER
        )
        if len(form) >= minimum:
            candidates.append((entry, form))
    reported: set[tuple[str, str, str]] = set()
    for field in fields:
        if not field.prose:
            continue
        for occurrence in glossary.occurrences(field.text):
            entry = occurrence.entry
            if _glossed(field.text, occurrence.start):
                continue
            key = (field.name, entry.english, "")
            if key not in reported:
                reported.add(key)
                failures.append(
                    Failure(
                        "glossary",
                        f"{entry.english!r} left in English in {field.name}; write {entry.korean}",
                        field.name,
                    )
                )
        for run in _runs(field.text):
            for entry, form in candidates:
                if run[:1] not in form[:2] and run[1:2] not in form[:3]:
                    continue  # cheap filter: a near miss starts like the form
                near = _near_miss(run, form)
                if near is None:
                    continue
                if any(run.startswith(o) and len(o) >= len(form) - 1 for o in all_forms):
                    continue  # another glossary term is written here (수미주 next to 수미시)
                key = (field.name, entry.english, near[1])
                if key in reported:
                    continue
                reported.add(key)
                failures.append(
                    Failure(
                        "glossary",
                        f"{near[1]} in {field.name} should be {entry.korean} ({entry.english})",
                        field.name,
                    )
                )
    return failures


def _glossed(text: str, start: int) -> bool:
    """Whether an English term at ``start`` glosses a Korean word in brackets: 크렘린궁(Kremlin).

    Whether that Korean word is the glossary's form is the near-miss check's business.
    """
    before = text[:start].rstrip()
    return before.endswith("(") and bool(HANGUL_SYLLABLE_RE.match(before[:-1].rstrip()[-1:]))


_MARKUP_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"```|~~~"), "code fence"),
    (
        re.compile(
            r"<\|?/?(?:start_of_turn|end_of_turn|im_start|im_end|system|user|assistant)\|?>"
        ),
        "chat role tag",
    ),
    (re.compile(r"\[/?INST\]|<<SYS>>"), "chat role tag"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"), "HTML tag"),
    (re.compile(r"&(?:[a-z]+|#\d+);"), "HTML entity"),
    (re.compile(r"(?m)^\s{0,3}#{1,6}\s"), "Markdown heading"),
    (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), "Markdown bold"),
    (re.compile(r"\[[^\]\n]+\]\((?:https?://|/)[^)\s]*\)"), "Markdown link"),
    (re.compile(r"(?m)^\s*(?:[-*•·●▪◦‣]|\d{1,2}[.)])\s"), "list marker"),
)
_PROMPT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bJSON\b|\bschema\b", re.IGNORECASE),
    re.compile(r"\bas an AI\b|\blanguage model\b|\bhere(?:'s| is| are)\b", re.IGNORECASE),
    re.compile(r"\bignore (?:all )?(?:the )?previous instructions\b", re.IGNORECASE),
    re.compile(r"\bsystem prompt\b|\bprompt\b", re.IGNORECASE),
    re.compile(r"(?m)(?:^|\s)(?:assistant|user|system|model)\s*:", re.IGNORECASE),
    re.compile(r"\b(?:key_points|source_ref|title_ko|name_ko)\b"),
    re.compile(r"다음은\s*(?:\S+\s*){0,3}?(?:요약|주요 내용|브리핑|정리)"),
    re.compile(r"요약(?:입니다|해 드리|하겠습니다)"),
    re.compile(r"(?:AI|인공지능|언어 ?모델)(?:로서|으로서)|프롬프트|지시를 무시"),
)


def _check_markup(field: _Field) -> list[Failure]:
    failures = []
    for pattern, what in _MARKUP_PATTERNS:
        match = pattern.search(field.text)
        if match:
            failures.append(
                Failure("markup", f"{what} {match.group().strip()!r} in {field.name}", field.name)
            )
    for pattern in _PROMPT_PATTERNS:
        match = pattern.search(field.text)
        if match:
            failures.append(
                Failure(
                    "markup",
                    f"prompt text {match.group().strip()!r} leaked into {field.name}",
                    field.name,
                )
            )
            break
    return failures


_BRACKETED_LATIN_RE = re.compile(r"\([^()가-힣]*\)")
_ACRONYM_RE = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*\b(?=[^a-z]|$)")


def _check_language(field: _Field, glossary: Glossary) -> list[Failure]:
    text = _BRACKETED_LATIN_RE.sub(" ", field.text)
    for occurrence in reversed(glossary.occurrences(text)):
        text = text[: occurrence.start] + " " + text[occurrence.end :]
    text = _ACRONYM_RE.sub(" ", text)
    hangul, letters = letter_counts(text)
    if letters < MIN_LETTERS_FOR_LANGUAGE:
        return []
    share = hangul / letters
    if share < MIN_HANGUL_SHARE:
        return [
            Failure(
                "language",
                f"{field.name} is not Korean (Hangul is {share:.0%} of its letters)",
                field.name,
            )
        ]
    return []


# --- entry points -------------------------------------------------------------------------------


def verify(
    brief: Mapping[str, Any],
    article: Article,
    glossary: Glossary | None = None,
    categories: Collection[str] | None = None,
) -> list[Failure]:
    """Everything wrong with ``brief`` as a rendering of ``article``; [] when it may be published.

    ``categories`` is the vocabulary ``category`` must come from (the packaged one when None).
    ``title_ko`` is optional (it is generated, not written by the model) and only checked for
    markup; every other key is required.
    """
    if not isinstance(brief, Mapping):
        return [Failure("schema", "the brief must be a JSON object")]
    glossary = glossary if glossary is not None else packaged_glossary()
    vocabulary = category_labels() if categories is None else categories
    refs = {block.ref for block in article_blocks(article)}
    failures, fields, countries = _check_schema(brief, refs, vocabulary)
    source = _analyse(article, glossary)
    for field in fields:
        failures += _check_markup(field)
    for field in fields:
        if field.prose or field.name == "category":
            failures += _check_language(field, glossary)
    for field in fields:
        if field.prose:
            failures += _check_numbers_and_dates(field, source)
    failures += _check_countries(countries, fields, source, glossary)
    failures += _check_glossary(fields, source, glossary)
    return failures


def verify_json(
    source_article: Article,
    brief_dict: Mapping[str, Any],
    glossary: Glossary | None = None,
    categories: Collection[str] | None = None,
) -> dict[str, Any]:
    """The JSON ``briefroom verify --json`` prints: ``{"ok": bool, "failures": [...]}``."""
    failures = verify(brief_dict, source_article, glossary, categories)
    return {"ok": not failures, "failures": [failure.to_json() for failure in failures]}


_INSTRUCTIONS = {
    "number": "원문에 없는 숫자를 쓰지 마십시오. 숫자는 원문 그대로 옮기십시오.",
    "date": "원문에 나오지 않는 날짜를 쓰지 마십시오. 원문에 적힌 날짜만 쓰십시오.",
    "country": "원문에 나오는 나라만 쓰고, 국가명은 지정된 한국어 이름을 그대로 쓰십시오.",
    "glossary": "용어집의 한국어 표기를 그대로 쓰고, 영어 고유명사를 그대로 두지 마십시오.",
    "markup": "코드 블록, HTML 태그, 마크다운 기호, 목록 기호, 안내 문구 없이 쓰십시오.",
    "language": "모든 항목을 한국어(합니다체)로 쓰십시오.",
    "schema": "형식을 지키십시오: 주요 내용 3~8개, 빈 항목 없이, 분류는 목록에서 고르십시오.",
}


def feedback_text(failures: Iterable[Failure]) -> str:
    """Instructions for the single retry: what was wrong, grouped by kind, in Korean."""
    by_kind: dict[str, list[Failure]] = {}
    for failure in failures:
        by_kind.setdefault(failure.kind, []).append(failure)
    if not by_kind:
        return ""
    lines = ["이전 답변에서 다음 문제가 발견되었습니다. 모두 고쳐서 같은 형식으로 다시 쓰십시오."]
    for kind in FAILURE_KINDS:
        if kind not in by_kind:
            continue
        lines.append(f"- {_INSTRUCTIONS[kind]}")
        lines += [f"  * {failure.detail}" for failure in by_kind[kind]]
    return "\n".join(lines)
