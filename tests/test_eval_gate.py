"""Evaluation gate for the brief verifier: recall of planted faults and false alarms on good briefs.

Cases are in ``tests/eval/verify_cases.json``; the pinned floors are in
``tests/eval/eval_baseline.json``. The gate fails when the verifier gets worse than the baseline.
Run ``python -m tests.test_eval_gate`` to print the numbers (and pass ``--write`` to pin them).
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipeline.brief.glossary import Glossary
from pipeline.brief.verify import FAILURE_KINDS, verify
from pipeline.types import Article

EVAL_DIR = Path(__file__).parent / "eval"
CASES_PATH = EVAL_DIR / "verify_cases.json"
BASELINE_PATH = EVAL_DIR / "eval_baseline.json"
_STEP_RE = re.compile(r"([a-z_]+)(?:\[(\d+|\+)\])?")


def load_cases() -> dict[str, Any]:
    return json.loads(CASES_PATH.read_text(encoding="utf-8"))


def apply_patch(brief: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The brief with each ``path: value`` of ``patch`` set ("countries[+]" appends)."""
    brief = copy.deepcopy(brief)
    for path, value in patch.items():
        steps = [_STEP_RE.fullmatch(step) for step in path.split(".")]
        assert all(steps), f"bad patch path {path!r}"
        container: Any = brief
        for number, step in enumerate(steps):
            assert step is not None
            key, index = step.group(1), step.group(2)
            last = number == len(steps) - 1
            delete = isinstance(value, dict) and value.get("$delete")
            if index is None:
                if last:
                    if delete:
                        container.pop(key, None)
                    else:
                        container[key] = copy.deepcopy(value)
                else:
                    container = container[key]
            elif index == "+":
                container[key].append(copy.deepcopy(value))
            elif last:
                container[key][int(index)] = copy.deepcopy(value)
            else:
                item = container[key][int(index)]
                if isinstance(item, str):  # a plain-string key point patched as .text
                    item = container[key][int(index)] = {"text": item}
                container = item
    return brief


@dataclass
class Score:
    planted: int = 0
    caught: int = 0
    good: int = 0
    false_alarms: int = 0
    unexpected_kinds: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.planted if self.planted else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.good if self.good else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.planted + self.good,
            "planted_faults": self.planted,
            "good_briefs": self.good,
            "recall": round(self.recall, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "unexpected_kinds": self.unexpected_kinds,
            "recall_by_kind": {
                kind: round(hit / total, 4) for kind, (hit, total) in sorted(self.by_kind.items())
            },
        }


def evaluate() -> Score:
    data = load_cases()
    articles = {key: Article.from_json(value) for key, value in data["articles"].items()}
    glossary = Glossary.load()
    score = Score()
    for case in data["cases"]:
        brief = apply_patch(data["briefs"][case["base"]], case.get("patch", {}))
        kinds = {failure.kind for failure in verify(brief, articles[case["article"]], glossary)}
        expected = set(case["expect"])
        unexpected = kinds - expected - set(case.get("allow", []))
        if not expected:
            score.good += 1
            if kinds:
                score.false_alarms += 1
                score.misses.append(f"{case['id']}: false alarm {sorted(kinds)}")
            continue
        score.planted += 1
        caught = expected <= kinds
        score.caught += caught
        for kind in expected:
            score.by_kind[kind][1] += 1
            score.by_kind[kind][0] += kind in kinds
        if not caught:
            score.misses.append(f"{case['id']}: expected {sorted(expected)}, got {sorted(kinds)}")
        if unexpected:
            score.unexpected_kinds += 1
            score.misses.append(f"{case['id']}: also raised {sorted(unexpected)}")
    return score


@pytest.fixture(scope="module")
def score() -> Score:
    return evaluate()


def test_cases_are_well_formed() -> None:
    data = load_cases()
    ids = [case["id"] for case in data["cases"]]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for case in data["cases"]:
        assert case["article"] in data["articles"], case["id"]
        assert case["base"] in data["briefs"], case["id"]
        assert set(case["expect"]) <= set(FAILURE_KINDS), case["id"]
    planted = defaultdict(int)
    for case in data["cases"]:
        for kind in case["expect"]:
            planted[kind] += 1
    # At least three planted faults of every kind, and known-good briefs to measure false alarms.
    assert all(planted[kind] >= 3 for kind in FAILURE_KINDS), dict(planted)
    assert sum(1 for case in data["cases"] if not case["expect"]) >= 4


def test_gate_against_baseline(score: Score) -> None:
    baseline = json.loads(BASELINE_PATH.read_text(encoding="utf-8"))
    summary = score.summary()
    report = "\n".join([json.dumps(summary, ensure_ascii=False), *score.misses])
    assert summary["recall"] >= baseline["recall"], report
    assert summary["false_alarm_rate"] <= baseline["false_alarm_rate"], report
    assert summary["unexpected_kinds"] <= baseline["unexpected_kinds"], report
    for kind, floor in baseline["recall_by_kind"].items():
        assert summary["recall_by_kind"].get(kind, 0.0) >= floor, report
    assert summary["planted_faults"] >= baseline["planted_faults"], "cases were removed"
    assert summary["good_briefs"] >= baseline["good_briefs"], "cases were removed"


if __name__ == "__main__":
    result = evaluate()
    print(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    print("\n".join(result.misses))
    if "--write" in sys.argv:
        BASELINE_PATH.write_text(
            json.dumps(result.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
