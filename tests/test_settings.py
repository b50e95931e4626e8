"""Settings are declared once, documented, and production refuses unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.options import OPTIONS, Option, parse_bool, parse_list

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_once_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for option in OPTIONS:
        rows = [line for line in readme.splitlines() if line.startswith(f"| `{option.env}` |")]
        assert len(rows) == 1, f"{option.env} must appear in exactly one README table row"


def test_options_parse_and_reject_bad_values() -> None:
    assert parse_bool("yes") is True
    assert parse_bool("0") is False
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert parse_list("a, b,,c") == ["a", "b", "c"]
    option = Option("X_TEST", 3, "help", int)
    assert option.read({}) == 3
    assert option.read({"X_TEST": "7"}) == 7
    with pytest.raises(ValueError, match="X_TEST"):
        option.read({"X_TEST": "seven"})


def _run_prod_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup(); print('started')"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_prod_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _run_prod_check({"BRIEFROOM_SECRET_KEY": "", "BRIEFROOM_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "BRIEFROOM_SECRET_KEY" in result.stderr


def test_prod_refuses_debug(tmp_path: Path) -> None:
    result = _run_prod_check(
        {
            "BRIEFROOM_SECRET_KEY": "x" * 50,
            "BRIEFROOM_DEBUG": "1",
            "BRIEFROOM_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "BRIEFROOM_DEBUG" in result.stderr


def test_prod_starts_with_its_secrets(tmp_path: Path) -> None:
    result = _run_prod_check(
        {"BRIEFROOM_SECRET_KEY": "k" * 50, "BRIEFROOM_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        timeout_ms = cursor.fetchone()[0]
    assert mode == "wal"
    assert timeout_ms >= 1000
