"""``briefroom run --demo`` from a fresh database: a real granian server shows posts.

The supervisor runs as a subprocess with its own data directory (a fresh SQLite database), a
free port and briefs from a loopback OpenAI-compatible server; the test polls the board over
HTTP until the demo reports' posts appear, checks /healthz, then stops it with SIGTERM and
expects every child to exit cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import LoopbackServer
from tests.test_workers import openai_server

ROOT = Path(__file__).resolve().parent.parent
DEMO_REPORTS = 7  # 3 ISW pages and 4 korea.kr press releases in ops/demo.py


@pytest.fixture
def llm_server() -> Iterator[LoopbackServer]:
    yield from openai_server()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_run_demo_serves_a_board_with_posts_and_stops_cleanly(
    tmp_path: Path, llm_server: LoopbackServer
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "BRIEFROOM_ENV": "dev",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "BRIEFROOM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "BRIEFROOM_LLM_BACKEND": "openai",
        "BRIEFROOM_OPENAI_BASE_URL": llm_server.base_url + "/v1",
        "BRIEFROOM_OPENAI_API_KEY": "test",
        "BRIEFROOM_FETCH_ALLOW_NETWORKS": "",  # only the demo origin may be loopback
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "config.cli", "run", "--demo", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    posts: dict[str, Any] = {}
    try:
        deadline = started + 150
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode()[-3000:]  # type: ignore[union-attr]
            try:
                status, body = get(base + "/api/posts/")
            except OSError:
                status = 0
            if status == 200:
                posts = json.loads(body)
                if posts["count"] >= DEMO_REPORTS:
                    break
            time.sleep(0.5)
        to_posts = time.monotonic() - started
        assert posts.get("count") == DEMO_REPORTS, posts
        status, html = get(base + "/")
        assert status == 200 and html.count('href="/posts/') >= DEMO_REPORTS
        assert html.count("badge demo") >= DEMO_REPORTS
        status, body = get(base + "/healthz")
        health = json.loads(body)
        assert status == 200 and health["ok"] is True
        by_name = {s["name"]: s for s in health["sources"]}
        assert by_name["demo-isw"]["last_discovery_ok"] is True
        assert by_name["demo-mnd"]["last_discovery_ok"] is True
        assert by_name["isw"]["last_discovery_at"] is None  # the demo never leaves the machine
        print(f"\nrun --demo: {DEMO_REPORTS} posts served {to_posts:.1f}s after start")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=90)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode()
            pytest.fail("run --demo did not stop within 90 s of SIGTERM:\n" + output[-3000:])
    assert process.returncode == 0, output[-3000:]
    assert "briefroom: stopped" in output
    # The demo posts are marked as such.
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "config.cli",
            "shell",
            "-c",
            "from board.models import Post; print(Post.objects.filter(is_demo=True).count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip().splitlines()[-1] == str(DEMO_REPORTS)
