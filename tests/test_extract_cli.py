"""``briefroom extract`` on several saved files: one JSON line each, ``--url`` and ``--base``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROCA = "isw-russian-offensive-campaign-assessment-november-14-2025.html"
DRUPAL = "isw-old-russian-offensive-campaign-assessment-june-2-2025.html"
SPOOF = "spoof-blog-claims-isw-roca-november-14-2025.html"


def _run(*args: str, **options: object) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("extract", *args, stdout=out, stderr=err, **options)
    return out.getvalue().splitlines(), err.getvalue()


def test_several_files_give_one_json_object_per_line(fixtures_dir: Path, tmp_path: Path) -> None:
    pages = fixtures_dir / "pages"
    empty = tmp_path / "empty.html"
    empty.write_text("")
    targets = [str(pages / ROCA), str(empty), str(pages / DRUPAL)]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 3 targets failed"):
        call_command("extract", *targets, json=True, stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["target"] for line in lines] == targets
    assert lines[0]["extractor"] == "isw" and lines[0]["series"] == (
        "russian-offensive-campaign-assessment"
    )
    assert set(lines[1]) == {"target", "error"} and "empty HTML" in lines[1]["error"]
    # The Drupal page's canonical link is relative: without --base it names no site.
    assert lines[2]["extractor"] == "generic"
    assert any("--base" in w for w in lines[2]["warnings"])


def test_base_gives_saved_files_their_site(fixtures_dir: Path) -> None:
    pages = fixtures_dir / "pages"
    lines, _ = _run(
        str(pages / DRUPAL), str(pages / ROCA), json=True, base="https://www.understandingwar.org/"
    )
    drupal, roca = (json.loads(line) for line in lines)
    assert drupal["extractor"] == "isw-drupal"
    assert drupal["url"] == (
        "https://www.understandingwar.org/backgrounder/"
        "russian-offensive-campaign-assessment-june-2-2025"
    )
    assert roca["url"].startswith("https://understandingwar.org/research/")  # absolute link kept


def test_url_gives_one_saved_file_its_address(fixtures_dir: Path, tmp_path: Path) -> None:
    saved = tmp_path / "download.html"
    shutil.copy(fixtures_dir / "pages" / SPOOF, saved)
    # A saved file is the operator's own input: without --url its canonical link is believed …
    lines, _ = _run(str(saved), json=True)
    assert "".join(lines).count('"extractor": "generic"') == 0
    # … with --url, the address it came from decides.
    lines, _ = _run(str(saved), json=True, url="https://fieldnotes.example.org/2025/11/15/x/")
    data = json.loads("\n".join(lines))
    assert (data["source"], data["extractor"]) == ("fieldnotes.example.org", "generic")
    assert data["claimed_url"].startswith("https://understandingwar.org/research/")
    with pytest.raises(CommandError, match="one file"):
        _run(str(saved), str(saved), url="https://fieldnotes.example.org/x/")
    with pytest.raises(CommandError, match="http"):
        _run(str(saved), url="fieldnotes.example.org/x/")
