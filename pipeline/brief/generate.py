"""Write the Korean brief of one report: what needs no model is computed, the rest is one LLM call.

The title comes from the series table and the glossary, the country list from the gazetteer and
CLDR; the model writes key points, category, roles and outlook under a schema that only admits
the categories, countries and refs that exist. The answer is validated by the same pydantic
model and checked by :func:`pipeline.brief.verify.verify`; a failure earns one retry with the
failures as feedback, and a second failure returns the brief as ``needs_review`` (검토 필요)
with its failures. An unchanged input, prompt and model is answered from the cache for 0 tokens.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from pipeline.brief.categories import default_category
from pipeline.brief.countries import CountryMention, find_countries, korean_country_name
from pipeline.brief.glossary import Glossary, GlossaryEntry
from pipeline.brief.llm.base import ChatMessage, LLMBackend
from pipeline.brief.llm.jsonparse import JSONParseError, parse_json_object
from pipeline.brief.prompt import PROMPT_VERSION, build_messages
from pipeline.brief.schema import (
    DEFAULT_LIMITS,
    Brief,
    BriefCountry,
    BriefKeyPoint,
    BriefLimits,
    BriefOutput,
    json_schema_for,
    output_model,
)
from pipeline.brief.select import SelectedInput, select_input
from pipeline.brief.titles import korean_title
from pipeline.brief.verify import Failure, feedback_text, source_text, verify
from pipeline.types import Article

Status = Literal["verified", "needs_review"]
ATTEMPTS = 2  # one call, and one retry with the failures as feedback


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens
        )


@dataclass(slots=True)
class GenerateResult:
    brief: Brief
    status: Status
    failures: list[Failure]
    usage: Usage
    attempts: int  # LLM calls made for this result (0 on a cache hit)
    cached: bool
    backend: str
    model: str
    prompt_version: str = PROMPT_VERSION
    content_hash: str = ""  # of the selected input and prompt version
    cache_key: str = ""
    selected: SelectedInput | None = field(default=None, repr=False)


class BriefCache(Protocol):
    """Where finished results are kept by :func:`cache_key`; values are JSON-serialisable."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class MemoryBriefCache:
    """A :class:`BriefCache` in a dict, for tests, benchmarks and one-off commands."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            value = self._values.get(key)
            return json.loads(json.dumps(value)) if value is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._values[key] = json.loads(json.dumps(value))

    def __len__(self) -> int:
        return len(self._values)


def cache_key(
    selected: SelectedInput,
    backend: LLMBackend,
    messages: Sequence[ChatMessage],
    schema: Mapping[str, Any],
) -> str:
    """sha256 of the input's hash, the prompt version, the backend and model, and the exact
    messages and schema (so a glossary or category change is a miss too)."""
    parts = [
        selected.content_hash,
        PROMPT_VERSION,
        backend.name,
        backend.model,
        json.dumps(list(messages), ensure_ascii=False, sort_keys=True),
        json.dumps(schema, ensure_ascii=False, sort_keys=True),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Request:
    """What one brief's LLM calls are made from, all computed without a model."""

    selected: SelectedInput
    terms: list[GlossaryEntry]  # glossary entries in the selected text, for the prompt
    mentions: dict[str, CountryMention]  # countries the selected text names
    countries: dict[str, str]  # ISO code -> CLDR Korean name, of those the model may give roles
    categories: list[str]
    model: type[BriefOutput]
    schema: dict[str, Any]
    title: str
    messages: list[ChatMessage]
    key: str


@dataclass(slots=True)
class _Attempt:
    brief: Brief
    failures: list[Failure]
    answer: str  # the raw answer, when it parsed (it is shown to the model on the retry)


def generate_brief(
    article: Article,
    backend: LLMBackend,
    *,
    glossary: Glossary,
    categories: Sequence[str],
    budget_tokens: int = 4000,
    cache: BriefCache | None = None,
    limits: BriefLimits = DEFAULT_LIMITS,
    max_tokens: int | None = None,
) -> GenerateResult:
    """The brief of ``article`` by ``backend``; ``categories`` are the labels it may choose from.

    Backend errors (:class:`~pipeline.brief.llm.base.LLMError`) propagate: the task queue
    retries later. ``max_tokens`` defaults to what the longest answer ``limits`` allow needs.
    """
    request = _request(article, backend, glossary, categories, budget_tokens, limits)
    if cache is not None and (hit := cache.get(request.key)) is not None:
        return GenerateResult(
            brief=Brief.from_json(hit["brief"]),
            status=hit["status"],
            failures=[Failure(**failure) for failure in hit["failures"]],
            usage=Usage(),
            attempts=0,
            cached=True,
            backend=backend.name,
            model=hit["model"],
            content_hash=request.selected.content_hash,
            cache_key=request.key,
            selected=request.selected,
        )

    budget = max_tokens or min(4096, limits.max_output_chars())
    usage = Usage()
    model_name = backend.model
    attempts: list[_Attempt] = []
    messages = request.messages
    for _ in range(ATTEMPTS):
        answer = backend.complete_json(messages, request.schema, max_tokens=budget)
        usage += Usage(answer.input_tokens, answer.output_tokens)
        model_name = answer.model or model_name
        attempt = _check(answer.text, article, glossary, request, limits)
        attempts.append(attempt)
        if not attempt.failures:
            break
        messages = build_messages(
            request.selected,
            request.terms,
            request.categories,
            request.countries,
            feedback=feedback_text(attempt.failures),
            previous_answer=attempt.answer or None,
        )

    # An answer that parsed beats one that did not; then the fewest failures; on a tie, the
    # later one (it had the feedback).
    best = min(reversed(attempts), key=lambda a: (not a.answer, len(a.failures)))
    status: Status = "needs_review" if best.failures else "verified"
    if cache is not None:
        cache.put(
            request.key,
            {
                "brief": best.brief.to_json(),
                "status": status,
                "failures": [failure.to_json() for failure in best.failures],
                "model": model_name,
            },
        )
    return GenerateResult(
        brief=best.brief,
        status=status,
        failures=best.failures,
        usage=usage,
        attempts=len(attempts),
        cached=False,
        backend=backend.name,
        model=model_name,
        content_hash=request.selected.content_hash,
        cache_key=request.key,
        selected=request.selected,
    )


def _request(
    article: Article,
    backend: LLMBackend,
    glossary: Glossary,
    categories: Sequence[str],
    budget_tokens: int,
    limits: BriefLimits,
) -> _Request:
    boost = [entry.english for entry in glossary.find_in(source_text(article))]
    selected = select_input(article, budget_tokens, backend.count_tokens, boost_terms=boost)
    data = selected.text()
    terms = glossary.find_in(data)
    mentions = find_countries(data)
    countries = {iso2: korean_country_name(iso2) for iso2 in _country_choices(mentions)}
    labels = _ordered_categories(categories, article.series)
    model = output_model(labels, list(countries), selected.refs, limits)
    schema = json_schema_for(model)
    messages = build_messages(selected, terms, labels, countries)
    return _Request(
        selected=selected,
        terms=terms,
        mentions=mentions,
        countries=countries,
        categories=labels,
        model=model,
        schema=schema,
        title=korean_title(article, glossary),
        messages=messages,
        key=cache_key(selected, backend, messages, schema),
    )


def _check(
    answer: str, article: Article, glossary: Glossary, request: _Request, limits: BriefLimits
) -> _Attempt:
    """One answer parsed, validated, made into a brief and verified."""
    output, failures = _parse(answer, request.model)
    brief = _brief(request.title, output, request.mentions, request.countries, limits)
    if output is None:
        return _Attempt(brief, failures, "")
    failures = verify(brief.to_json(), article, glossary, categories=request.categories)
    failures += _echo_failures(brief, request.messages[0]["content"])
    return _Attempt(brief, failures, answer)


def _ordered_categories(categories: Sequence[str], series: str | None) -> list[str]:
    """The labels, the series' usual category first (small models favour the first choice)."""
    labels = list(dict.fromkeys(categories))
    usual = default_category(series)
    if usual is not None and usual.label in labels:
        labels.remove(usual.label)
        labels.insert(0, usual.label)
    return labels


def _country_choices(mentions: Mapping[str, CountryMention]) -> list[str]:
    """Countries the model may give a role to: named unambiguously, most-named first."""
    ranked = sorted(
        (m for m in mentions.values() if not m.ambiguous),
        key=lambda m: -m.count,  # stable: ties keep the order of first mention
    )
    return [m.iso2 for m in ranked]


def _parse(text: str, model: type[BriefOutput]) -> tuple[BriefOutput | None, list[Failure]]:
    try:
        data = parse_json_object(text)
    except JSONParseError as exc:
        return None, [Failure(kind="schema", detail=f"the answer is not valid JSON: {exc}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        failures = []
        for error in exc.errors()[:10]:
            field = ".".join(str(part) for part in error["loc"])
            given = str(error.get("input"))[:80]
            detail = f"{field or 'the answer'}: {error['msg']} (given: {given!r})"
            failures.append(Failure(kind="schema", detail=detail, field=field))
        return None, failures


def _clean(text: str) -> str:
    return " ".join(text.split())


def _brief(
    title: str,
    output: BriefOutput | None,
    mentions: Mapping[str, CountryMention],
    names: Mapping[str, str],
    limits: BriefLimits,
) -> Brief:
    """The stored brief: the model's parts (if any) around the deterministic ones.

    Countries are those the source names more than once or the model gave a role, most-named
    first, with CLDR Korean names; the model only contributes the role.
    """
    roles: dict[str, str] = {}
    for role in output.roles if output else []:
        roles.setdefault(role.iso2, _clean(role.role))
    countries = [
        BriefCountry(iso2, names[iso2], roles.get(iso2, ""))
        for iso2 in names
        if iso2 in roles or mentions[iso2].count >= 2
    ][: limits.roles_max]
    if output is None:
        return Brief(title_ko=title, countries=countries)
    return Brief(
        title_ko=title,
        key_points=[BriefKeyPoint(_clean(p.text), p.source_ref) for p in output.key_points],
        category=output.category,
        countries=countries,
        outlook=_clean(output.outlook),
    )


_HANGUL_RE = re.compile(r"[가-힣]")


def _echo_failures(brief: Brief, instructions: str) -> list[Failure]:
    """Fields that repeat the instructions' own wording ("…합니다.", "ISW는 …로 평가합니다.")
    or another field: how a small model fills a schema without rendering the source.

    Roles are only checked for placeholders: a few words such as "회담 개최" may well be both
    a true role and the prompt's example.
    """
    fields = [(f"key_points[{i}]", p.text, True) for i, p in enumerate(brief.key_points)]
    fields += [(f"countries[{i}].role", c.role, False) for i, c in enumerate(brief.countries)]
    fields.append(("outlook", brief.outlook, True))
    failures: list[Failure] = []
    seen: dict[str, str] = {}
    for name, text, prose in fields:
        if not text:
            continue
        placeholder = "…" in text and len(_HANGUL_RE.findall(text)) < 6
        if placeholder or (prose and len(text) >= 6 and text in instructions):
            detail = f"{name} copies the prompt's wording instead of rendering the source: {text!r}"
            failures.append(Failure(kind="markup", detail=detail, field=name))
        elif prose and text in seen:
            detail = f"{name} repeats {seen[text]} word for word"
            failures.append(Failure(kind="schema", detail=detail, field=name))
        elif prose:
            seen[text] = name
    return failures
