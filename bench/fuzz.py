"""Fuzz the three parsers of untrusted input with hypothesis, for a time budget (not run by CI).

    python -m bench.fuzz --seconds 120 [--seed 0] [--only extract,verify,json]

Targets, each given an equal share of the budget:

* ``extract``: :func:`pipeline.extract.extract` on HTML mutated from the stored fixture pages
  (slices, deleted and duplicated ranges, inserted hostile tags, deep nesting, random bytes) and
  on random markup trees;
* ``verify``: :func:`pipeline.brief.verify.verify` on random Korean/English/markup brief dicts
  against a fixture Article (and sometimes on values that are not objects at all);
* ``json``: :func:`pipeline.brief.llm.jsonparse.parse_json_object` on mutated JSON answers
  (fences, truncation, chatter, inserted characters) and on random text.

ExtractionError, JSONParseError and ValueError are expected; any other exception is a finding,
printed with its type, message and a shortened input. Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from pipeline.brief.llm.jsonparse import JSONParseError, parse_json_object
from pipeline.brief.verify import verify
from pipeline.extract import ExtractionError
from pipeline.publishers.registry import extract
from pipeline.types import Article

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
CASES = ROOT / "tests" / "eval" / "verify_cases.json"
EXPECTED: tuple[type[BaseException], ...] = (ExtractionError, JSONParseError, ValueError)
ROUND_EXAMPLES = 100  # examples per hypothesis run; runs repeat with new seeds until time is up


@dataclass
class Findings:
    examples: int = 0
    expected: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)

    def record(self, exc: BaseException, shown: str) -> None:
        name = type(exc).__name__
        if isinstance(exc, EXPECTED) and not isinstance(exc, RecursionError):
            self.expected[name] += 1
            return
        frames = traceback.extract_tb(exc.__traceback__)
        ours = [f for f in frames if "/pipeline/" in f.filename]
        where = (ours or frames or [None])[-1]
        key = f"{name} at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else name
        self.unexpected[key] += 1
        self.samples.setdefault(key, f"{str(exc)[:160]!r} on input {shown[:200]!r}")


def _fixture_pages() -> list[tuple[str, str]]:
    pages = [(p.read_text(encoding="utf-8"), p.name) for p in sorted(PAGES.glob("*.html"))]
    pages += [
        (p.read_text(encoding="utf-8"), p.name)
        for p in sorted(HOSTILE.glob("*.html"))
        if p.name != "deep_nesting.html"
    ]
    return pages


SNIPPETS = [
    "<script>alert(1)</script>",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<li>",
    "<br><br>",
    "<strong>Key Takeaways</strong>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "<!--",
    "-->",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "\x00",
    "\ufffd",
    "<h2>",
    '<meta charset="euc-kr">',
    '<link rel="canonical" href="https://understandingwar.org/research/x/">',
    "러시아군은 6월 2일 진격했다.",
    "<svg><math><style>",
]


@st.composite
def mutated_html(draw: st.DrawFn, pages: list[tuple[str, str]]) -> str:
    html, _name = draw(st.sampled_from(pages))
    for _ in range(draw(st.integers(0, 6))):
        size = len(html)
        op = draw(st.sampled_from(["slice", "delete", "duplicate", "insert", "nest", "text"]))
        a = draw(st.integers(0, max(size - 1, 0)))
        b = draw(st.integers(a, min(size, a + 20_000)))
        if op == "slice" and b > a:
            html = html[a:b]
        elif op == "delete":
            html = html[:a] + html[b:]
        elif op == "duplicate":
            html = html[:b] + html[a:b] + html[b:]
        elif op == "insert":
            html = html[:a] + draw(st.sampled_from(SNIPPETS)) + html[a:]
        elif op == "nest":
            depth = draw(st.sampled_from([10, 200, 1200, 3000]))
            html = html[:a] + "<div>" * depth + html[a:b] + "</div>" * depth + html[b:]
        else:
            html = html[:a] + draw(st.text(max_size=200)) + html[a:]
    return html


TAGS = ["div", "p", "span", "li", "ul", "table", "tr", "td", "h2", "strong", "a", "br", "section"]
random_markup = st.recursive(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    lambda inner: st.builds(
        lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
        st.sampled_from(TAGS),
        st.lists(inner, max_size=5),
    ),
    max_leaves=60,
)

WORDS = [
    "러시아군은",
    "국방부는",
    "6월 4일",
    "회담했습니다.",
    "캐나다",
    "북한의",
    "2회",
    "1대를",
    "Russian forces",
    "advanced",
    "<b>",
    "</b>",
    "<script>",
    "```",
    "**",
    "- ",
    "JSON",
    "&amp;",
    "\n",
    "1,000명",
    "3.5km",
    "30%",
    "2025년",
    "대한민국",
    "우크라이나",
    "NATO",
    "(ISW)",
]
prose = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join),
    st.text(max_size=120),
)
ref = st.one_of(st.sampled_from(["p-1", "p-2", "p-3", "p-4", "kt-1", "sec-1", "p-99"]), st.text())
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), prose)
brief_dict = st.fixed_dictionaries(
    {
        "key_points": st.one_of(
            st.lists(st.fixed_dictionaries({"text": prose, "source_ref": ref}), max_size=10),
            json_scalar,
        ),
        "category": st.one_of(st.sampled_from(["국방부 정책 및 발표", "전황"]), prose),
        "countries": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "iso2": st.one_of(st.sampled_from(["KR", "CA", "KP", "US", "XX"]), prose),
                        "name_ko": st.one_of(st.sampled_from(["대한민국", "캐나다"]), prose),
                        "role": prose,
                    }
                ),
                max_size=5,
            ),
            json_scalar,
        ),
        "outlook": st.one_of(prose, json_scalar),
    },
    optional={"title_ko": prose, "extra": json_scalar},
)
any_brief = st.one_of(brief_dict, json_scalar, st.lists(json_scalar, max_size=3))

json_values = st.recursive(
    json_scalar.filter(lambda v: not (isinstance(v, float) and v != v)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@st.composite
def model_answers(draw: st.DrawFn) -> str:
    value = draw(st.one_of(brief_dict, st.dictionaries(st.text(max_size=8), json_values)))
    text = json.dumps(
        value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
    )
    if draw(st.booleans()):
        text = f"```{draw(st.sampled_from(['json', 'JSON', '']))}\n{text}\n```"
    if draw(st.booleans()):
        text = draw(st.sampled_from(["Here is the brief:\n", "물론입니다. ", ""])) + text
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["truncate", "insert", "delete"]))
        if op == "truncate":
            text = text[:at]
        elif op == "insert":
            text = (
                text[:at]
                + draw(st.sampled_from([",", "{", "}", "[", "]", '"', "\n", "\\"]))
                + text[at:]
            )
        else:
            text = text[:at] + text[at + 1 :]
    if draw(st.integers(0, 20)) == 0:
        depth = draw(st.sampled_from([500, 5000, 50_000]))
        text = '{"a":' * depth + "1" + "}" * depth
    return text


def _run(
    name: str,
    strategy: st.SearchStrategy[Any],
    call: Callable[[Any], object],
    show: Callable[[Any], str],
    budget: float,
    seed: int,
) -> Findings:
    found = Findings()
    deadline = time.monotonic() + budget

    @settings(
        max_examples=ROUND_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def body(value: Any) -> None:
        if time.monotonic() > deadline:
            return
        found.examples += 1
        try:
            call(value)
        except RecursionError as exc:  # not Exception-safe callers' business: a finding
            found.record(exc, show(value))
        except Exception as exc:
            found.record(exc, show(value))

    round_number = 0
    while time.monotonic() < deadline:
        hypothesis_seed(seed * 1_000_003 + round_number)(body)()
        round_number += 1
    print(f"{name}: {found.examples:,} examples in {budget:.0f} s", flush=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="total time budget")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="extract,verify,json")
    options = parser.parse_args(argv)
    targets = [t.strip() for t in options.only.split(",") if t.strip()]
    share = options.seconds / max(len(targets), 1)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))

    pages = _fixture_pages()
    article = Article.from_json(
        json.loads(CASES.read_text(encoding="utf-8"))["articles"]["mnd-2025-06-04"]
    )
    urls = [
        "",
        "https://understandingwar.org/research/russia-ukraine/x-june-2-2025/",
        "https://www.criticalthreats.org/analysis/iran-update-june-5-2025",
        "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156691234",
        "https://example.org/page",
    ]
    runs: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], object], Callable[[Any], str]]]
    runs = {
        "extract": (
            st.tuples(st.one_of(mutated_html(pages), random_markup), st.sampled_from(urls)),
            lambda v: extract(v[0], v[1]),
            lambda v: f"{len(v[0]):,} chars for {v[1]!r}: {v[0][:120]}",
        ),
        "verify": (any_brief, lambda v: verify(v, article), lambda v: json.dumps(v, default=str)),
        "json": (model_answers(), parse_json_object, lambda v: f"{len(v):,} chars: {v[:150]}"),
    }
    total_unexpected = 0
    for target in targets:
        strategy, call, show = runs[target]
        found = _run(target, strategy, call, show, share, options.seed)
        print(f"  expected errors: {dict(found.expected) or 'none'}")
        if not found.unexpected:
            print("  unexpected exceptions: none")
        for key, count in found.unexpected.most_common():
            total_unexpected += count
            print(f"  UNEXPECTED {key} x{count}: {found.samples[key]}")
    return 1 if total_unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
