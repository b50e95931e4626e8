"""Per-field extraction accuracy on the fixture pages, against hand-written truth.

Each file in ``tests/testdata/extract/truth/`` names a fixture page, the address it was fetched
from, and the true value of each field as read by a person from the page (never produced by the
extractor). Every page is extracted twice: through the registry (the site adapter) and with the
generic fallback alone (trafilatura), so the table shows what the adapters buy.

    python -m bench.extraction_accuracy            # the table (Markdown), as in docs/EXTRACTION.md
    python -m bench.extraction_accuracy --details  # and every mismatch

A field compares as: a string or a list of strings (exact, after whitespace is squashed), or a
count (an integer: the number of items extracted).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.extract.common import Page, squash
from pipeline.publishers import generic
from pipeline.publishers.registry import extract
from pipeline.types import Article

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT / "tests" / "testdata" / "extract" / "truth"
PAGES = ROOT / "tests" / "fixtures" / "pages"

FIELDS: dict[str, Callable[[Article], Any]] = {
    "title": lambda a: a.title,
    "published": lambda a: a.published.isoformat() if a.published else None,
    "published_time": lambda a: a.published_time,
    "data_cutoff": lambda a: a.data_cutoff,
    "authors": lambda a: a.authors,
    "toplines": lambda a: [t.headline for t in a.toplines],
    "key_takeaways": lambda a: a.key_takeaways,
    "sections": lambda a: [s.title for s in a.sections],
    "maps": lambda a: [m.title for m in a.maps],
    "map_links": lambda a: [m.link for m in a.maps],
    "endnotes": lambda a: a.endnotes,
    "hints": lambda a: a.hints,
    "department": lambda a: a.department,
    "attachments": lambda a: [x.title for x in a.attachments],
    "text_starts": lambda a: a.text,
}


@dataclass
class Case:
    name: str
    page: Path
    url: str
    truth: dict[str, Any]


def load_cases(folder: Path = TRUTH) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data["fields"]) - set(FIELDS)
        if unknown:
            raise SystemExit(f"{path.name}: unknown field(s) {sorted(unknown)}")
        cases.append(Case(path.stem, PAGES / data["page"], data["url"], data["fields"]))
    return cases


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return squash(value)
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def matches(field: str, truth: Any, value: Any) -> bool:
    if field == "text_starts":
        return isinstance(value, str) and squash(value).startswith(squash(truth))
    if isinstance(truth, int) and not isinstance(truth, bool):
        return isinstance(value, list) and len(value) == truth
    return bool(_norm(truth) == _norm(value))


def _generic_only(html: str, url: str) -> Article:
    return generic.extract_generic(Page.parse(html, url))


def score(cases: list[Case]) -> tuple[dict[str, list[int]], list[str]]:
    """{field: [adapter right, generic right, pages with a truth]} and the mismatch lines."""
    table: dict[str, list[int]] = {f: [0, 0, 0] for f in FIELDS}
    misses: list[str] = []
    for case in cases:
        html = case.page.read_text(encoding="utf-8")
        articles = (extract(html, case.url), _generic_only(html, case.url))
        for field, truth in case.truth.items():
            row = table[field]
            row[2] += 1
            for column, article in enumerate(articles):
                value = FIELDS[field](article)
                if matches(field, truth, value):
                    row[column] += 1
                elif column == 0:
                    shown = json.dumps(value, ensure_ascii=False)[:300]
                    misses.append(f"{case.name}: {field}: expected {truth!r:.200}, got {shown}")
    return table, misses


def markdown(table: dict[str, list[int]], pages: int) -> str:
    lines = [
        f"| field | site adapter | generic fallback alone | pages ({pages} in all) |",
        "|---|---|---|---|",
    ]
    for field, (adapter, fallback, total) in table.items():
        if total:
            lines.append(f"| {field} | {adapter}/{total} | {fallback}/{total} | {total} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every mismatch")
    args = parser.parse_args(argv)
    cases = load_cases()
    table, misses = score(cases)
    print(markdown(table, len(cases)))
    if args.details:
        print()
        print("\n".join(misses) or "no mismatch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
