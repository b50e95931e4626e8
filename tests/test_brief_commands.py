"""`briefroom verify` on stored pages and briefs written for them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).parent
PAGE = (
    ROOT / "fixtures" / "pages" / "isw-russian-offensive-campaign-assessment-november-14-2025.html"
)
BRIEFS = ROOT / "testdata" / "briefs"


def run_verify(brief: Path) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    code = 0
    try:
        call_command("verify", "--source", str(PAGE), "--brief", str(brief), "--json", stdout=out)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, json.loads(out.getvalue())


def test_a_good_brief_passes_with_exit_0() -> None:
    code, result = run_verify(BRIEFS / "roca-2025-11-14-good.json")
    assert (code, result) == (0, {"ok": True, "failures": []})


def test_planted_faults_are_reported_with_exit_1() -> None:
    code, result = run_verify(BRIEFS / "roca-2025-11-14-faulty.json")
    assert code == 1
    assert result["ok"] is False
    failures = result["failures"]
    assert isinstance(failures, list)
    kinds = {f["kind"] for f in failures}
    assert kinds == {"markup", "number", "glossary"}
    details = " ".join(f["detail"] for f in failures)
    assert "37" in details and "포크로프스크" in details


def test_verify_refuses_a_brief_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "brief.json"
    bad.write_text("주요 내용: …")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("verify", "--source", str(PAGE), "--brief", str(bad))


def test_verify_schema_failure_for_missing_keys(tmp_path: Path) -> None:
    brief = tmp_path / "brief.json"
    brief.write_text(json.dumps({"key_points": ["하나입니다."]}, ensure_ascii=False))
    code, result = run_verify(brief)
    assert code == 1
    assert "schema" in {f["kind"] for f in result["failures"]}  # type: ignore[union-attr]
