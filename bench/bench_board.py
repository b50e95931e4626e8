"""Board throughput: the list and post pages of a 100,000-post board on SQLite, served by granian.

    python -m bench.bench_board --posts 100000 --workers 2 --duration 15

Builds (once, not timed) a board of ``--posts`` posts with verified briefs in its own SQLite
database under ``bench/results/`` by bulk inserts, times the uncached render of a few pages in
this process, then starts granian on loopback and drives it with wrk (``apt-get install wrk``)
over a set of list pages and a set of post pages: requests per second and latency percentiles.
Every post request also counts a view (one UPDATE), as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_RPS = 1000
TARGET_P99_MS = 50.0


def _setup_django(data_dir: Path) -> None:
    os.environ["BRIEFROOM_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def build(posts: int) -> None:
    """Bulk-insert ``posts`` reports, revisions, verified briefs and posts (no signals)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from board.demo import IRAN, ROCA, brief_fields, isw_article
    from board.models import Board, Post
    from board.services import bump_version, current_glossary
    from briefs.models import Brief
    from pipeline.brief.titles import korean_title
    from reports.models import Report, ReportRevision

    call_command("migrate", interactive=False, verbosity=0)
    have = Post.objects.count()
    if have >= posts:
        return
    if have:
        raise SystemExit(f"{have} posts already in the bench database: delete it to rebuild")
    glossary = current_glossary()
    boards = {b.slug: b for b in Board.objects.all()}
    now = timezone.now()
    first_day = dt.date(2025, 6, 2)
    blobs: dict[tuple[dt.date, str], tuple[bytes, str, dict[str, Any]]] = {}
    batch = 2000
    started = time.perf_counter()
    for start in range(0, posts, batch):
        rows = range(start, min(posts, start + batch))
        specs = []
        for i in rows:
            series = IRAN if i % 2 else ROCA
            day = first_day - dt.timedelta(days=(posts - i) // 2 % 1500)
            key = (day, series)
            if key not in blobs:
                article = isw_article(day, series)
                data = json.dumps(article.to_json(), ensure_ascii=False).encode()
                blobs[key] = (zlib.compress(data, 1), korean_title(article, glossary), article)
            specs.append((i, series, day, *blobs[key]))
        with transaction.atomic():
            reports = Report.objects.bulk_create(
                Report(
                    identity=f"bench:{i}",
                    canonical_url=article.url,
                    source="isw",
                    series=series,
                    title=article.title,
                    published=day,
                    published_time="19:15",
                    time_zone="America/New_York",
                )
                for i, series, day, _, _, article in specs
            )
            revisions = ReportRevision.objects.bulk_create(
                ReportRevision(
                    report=report,
                    number=1,
                    content_hash=f"{spec[0]:064x}",
                    extractor="isw",
                    article_z=spec[3],
                )
                for report, spec in zip(reports, specs, strict=True)
            )
            briefs = Brief.objects.bulk_create(
                Brief(
                    report=report,
                    revision=revision,
                    status=Brief.Status.VERIFIED,
                    backend="bench",
                    **brief_fields(spec[5]),
                )
                for report, revision, spec in zip(reports, revisions, specs, strict=True)
            )
            Post.objects.bulk_create(
                Post(
                    report=report,
                    board=boards[spec[1]],
                    number=spec[0] + 1,
                    title_ko=spec[4],
                    source_tag="ISW",
                    created_at=now - dt.timedelta(minutes=posts - spec[0]),
                    published=spec[2],
                    state=Post.State.PUBLISHED,
                    brief=brief,
                    is_demo=True,
                )
                for report, brief, spec in zip(reports, briefs, specs, strict=True)
            )
        print(f"  built {rows.stop:,} posts ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_report SET current_revision_id = (SELECT r.id FROM "
            "reports_reportrevision r WHERE r.report_id = reports_report.id) "
            "WHERE current_revision_id IS NULL"
        )
        cursor.execute("ANALYZE")
    from board.models import BoardState

    BoardState.objects.update_or_create(
        key="pages", defaults={"version": "bench", "last_number": posts}
    )
    with transaction.atomic():
        bump_version()


def uncached_render_ms(posts: int) -> dict[str, float]:
    """Milliseconds to render pages with an empty cache, in this process (Django test client)."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    timings = {}
    pages = {
        "list page 1": "/",
        "list page 2,500 (deep OFFSET)": f"/?page={max(1, posts // 40)}",
        "board tab page 1": "/boards/iran-update/",
        "post": f"/posts/{posts}/",
    }
    for name, url in pages.items():
        samples = []
        for _ in range(5):
            cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings[name] = round(sorted(samples)[len(samples) // 2], 2)
    return timings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"granian exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("granian did not start")


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def _wrk(
    url: str, paths: list[str], duration: int, connections: int, threads: int
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        result = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    return _parse_wrk(result.stdout)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _parse_wrk(output: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    percentiles = {
        f"p{p}": _ms(v, u)
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    }
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        **percentiles,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
    }


def serve_and_load(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    granian = Path(sys.executable).with_name("granian")
    port = _free_port()
    env = {
        **os.environ,
        "BRIEFROOM_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "BRIEFROOM_ENV": "dev",
    }
    env.pop("DATABASE_URL", None)
    command = [
        str(granian),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(args.workers),
        "--blocking-threads", str(args.threads),
        "--no-ws",
        "--log-level", "warning",
        "config.wsgi:application",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        _wait_for(port, process)
        url = f"http://127.0.0.1:{port}"
        newest = args.posts
        stride = max(1, newest // max(1, args.distinct_posts))
        sets = {
            "list": ["/", *(f"/?page={n}" for n in range(2, 11)), "/boards/iran-update/"],
            "post": [
                f"/posts/{newest - i * stride}/" for i in range(min(args.distinct_posts, newest))
            ],
        }
        results = {}
        for name, paths in sets.items():
            # Warm every worker's page cache (each process has its own), then measure.
            _wrk(url, paths, args.warmup, args.connections, args.wrk_threads)
            results[name] = _wrk(url, paths, args.duration, args.connections, args.wrk_threads)
            results[name]["distinct_urls"] = len(paths)
        return results
    finally:
        process.terminate()
        process.wait(timeout=15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1, help="granian blocking threads")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--distinct-posts", type=int, default=500, help="post pages requested")
    parser.add_argument(
        "--warmup", type=int, default=20, help="seconds of load before each measurement"
    )
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is needed: apt-get install wrk")
    data_dir = args.data_dir or RESULTS / f"board-{args.posts}"
    data_dir.mkdir(parents=True, exist_ok=True)
    _setup_django(data_dir)
    print(f"board of {args.posts:,} posts in {data_dir}")
    build(args.posts)
    render = uncached_render_ms(args.posts)
    for name, ms in render.items():
        print(f"uncached {name:<32} {ms:8.2f} ms")
    results = serve_and_load(args, data_dir)
    ok = True
    for name, result in results.items():
        passed = result["rps"] >= TARGET_RPS and result.get("p99", 1e9) < TARGET_P99_MS
        ok = ok and passed and not result["non_2xx"]
        print(
            f"{name:<5} {result['rps']:8.0f} req/s  p50 {result.get('p50', 0):6.2f} ms  "
            f"p99 {result.get('p99', 0):6.2f} ms  non-2xx {result['non_2xx']}  "
            f"({result['distinct_urls']} URLs)  {'ok' if passed else 'BELOW TARGET'}"
        )
    report = {
        "posts": args.posts,
        "workers": args.workers,
        "threads": args.threads,
        "connections": args.connections,
        "cpus": os.cpu_count(),
        "uncached_ms": render,
        "results": results,
        "target": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "board.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
