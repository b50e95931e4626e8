"""Settings are declared once, documented, and production refuses unsafe defaults."""

from __future__ import annotations

import json
import os
import secrets
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


# Signs in through the real login page with the production settings (a fresh SQLite database
# in the data directory, Django's production password hasher) and prints what came back.
PROD_LOGIN_SCRIPT = """
import json, re
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
User.objects.create_user("reader", "reader@example.org", "Tr1cky-pass-77")
client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost", HTTP_ORIGIN="https://localhost")
form = client.get("/accounts/login/", secure=True)
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
login = client.post(
    "/accounts/login/",
    {"username": "reader", "password": "Tr1cky-pass-77", "csrfmiddlewaretoken": token},
    secure=True,
)
plain = Client(HTTP_HOST="localhost").get("/accounts/login/")
names = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "DEBUG")
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in names},
    "form": form.status_code,
    "csrf_cookie": form.cookies[settings.CSRF_COOKIE_NAME].output(header=""),
    "login": login.status_code,
    "location": login.get("Location"),
    "session_cookie": login.cookies[settings.SESSION_COOKIE_NAME].output(header=""),
    "plain_http": [plain.status_code, plain.get("Location")],
}))
"""


def test_prod_cookies_are_secure_httponly_and_samesite_after_a_real_login(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BRIEFROOM_ENV": "prod",
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "BRIEFROOM_SECRET_KEY": secrets.token_urlsafe(60)[:60],
        "BRIEFROOM_DATA_DIR": str(tmp_path),
        "BRIEFROOM_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "",
    }
    env.pop("BRIEFROOM_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-c", PROD_LOGIN_SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "DEBUG": False,
    }
    assert seen["form"] == 200
    assert seen["login"] == 302 and seen["location"] == "/"
    session = [part.strip() for part in seen["session_cookie"].split(";")]
    assert session[0].startswith("sessionid=") and len(session[0]) > len("sessionid=") + 20
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(session), seen["session_cookie"]
    csrf = [part.strip() for part in seen["csrf_cookie"].split(";")]
    assert {"Secure", "SameSite=Lax"} <= set(csrf), seen["csrf_cookie"]
    # Plain HTTP is sent to HTTPS before any page (or cookie) is served.
    assert seen["plain_http"] == [301, "https://localhost/accounts/login/"]
