"""Load under writes: readers on list, post and search pages while new reports keep arriving.

    python -m bench.load --seconds 120 --connections 64 [--database-url postgres://…]

Fills a fresh database (a private SQLite file under ``--data-dir``, or the PostgreSQL
database of ``--database-url``, dropped and created again) with ``--posts`` posts by
bench_board's bulk filler and indexes the newest ``--indexed`` of them for search. Starts
granian (``config.wsgi``, ``--workers`` processes) and, while a background thread of this
process keeps storing new reports (``reports.services.store_article``) and publishing their
posts (``publish_report_task``), drives ``--connections`` concurrent readers with three wrk
processes at once (list, post and search pages, the connections split between them) for
``--seconds``. Prints requests, non-2xx responses and socket errors, every "database is
locked" in the server log and in the writer, and p50/p99 per page kind. Not part of CI
(needs wrk: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from bench.bench_board import ROOT, _free_port, _wait_for, _wrk

SEARCHES = ["이란", "러시아", "우크라이나", "하르키우", "핵", "드론", "협상", "미사일"]


def _fresh_postgres(url: str) -> None:
    """Drop and create the database named in ``url`` (connecting to the ``postgres`` DB)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("briefroom_"):
        raise SystemExit(f"refusing to drop {name!r}: use a private briefroom_… database")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {
        "BRIEFROOM_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "BRIEFROOM_ENV": "dev",
    }
    os.environ.update(env)
    if database_url:
        os.environ["DATABASE_URL"] = env["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    return env


def fill(posts: int, indexed: int) -> float:
    """bench_board's bulk filler (no signals), then the search index of the newest posts."""
    from bench.bench_board import build
    from board.models import Post
    from board.services import _index, current_glossary

    started = time.perf_counter()
    build(posts)
    glossary = current_glossary()
    newest = Post.objects.select_related("report__current_revision", "brief").order_by("-number")
    for post in newest[:indexed]:
        article = post.report.article()
        if article is not None:
            _index(post, article, post.brief, glossary)
    return time.perf_counter() - started


class Writer(threading.Thread):
    """Stores a new report and publishes its post every ``interval`` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stop = threading.Event()
        self.published = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.newest: tuple[int, float] | None = None

    def run(self) -> None:
        from django.db import connection

        from board.demo import IRAN, ROCA, isw_article
        from board.tasks import publish_report_task
        from reports.services import store_article

        first = dt.date(2027, 1, 1)  # after every filled post: each report is new
        i = 0
        try:
            while not self.stop.is_set():
                series = IRAN if i % 2 else ROCA
                day = first + dt.timedelta(days=i // 2)
                i += 1
                article = isw_article(day, series)
                article = dataclasses.replace(article, url=f"{article.url}?load={i}")
                started = time.perf_counter()
                try:
                    stored = store_article(article, raw_html="<html>load</html>")
                    publish_report_task.call(stored.report.pk)
                    number = stored.report.post.number
                    self.newest = (number, time.monotonic())  # committed: readers may see it
                except Exception as exc:  # counted and reported, the run goes on
                    self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                else:
                    self.published += 1
                    self.latencies.append((time.perf_counter() - started) * 1000)
                self.stop.wait(self.interval)
        finally:
            connection.close()


class Freshness(threading.Thread):
    """Measures stale pages: how long after a post is published the list page shows it.

    Takes the newest published post, fetches ``/`` every 20 ms as an anonymous reader until
    the post's link is on it, records the lag, and goes on with whatever is newest then.
    """

    def __init__(self, url: str, writer: Writer) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.writer = writer
        self.stop = threading.Event()
        self.lags: list[float] = []
        self.errors = 0

    def run(self) -> None:
        import urllib.request

        seen = 0
        while not self.stop.is_set():
            newest = self.writer.newest
            if newest is None or newest[0] <= seen:
                self.stop.wait(0.02)
                continue
            number, published = newest
            link = f'href="/posts/{number}/"'.encode()
            while not self.stop.is_set():
                try:
                    with urllib.request.urlopen(self.url + "/", timeout=10) as response:
                        if link in response.read():
                            self.lags.append((time.monotonic() - published) * 1000)
                            break
                except OSError:
                    self.errors += 1
                self.stop.wait(0.02)
            seen = number


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def run(args: argparse.Namespace, env: dict[str, str], posts: int) -> dict[str, Any]:
    granian = Path(sys.executable).with_name("granian")
    port = _free_port()
    log_path = Path(args.data_dir) / "granian.log"
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
    url = f"http://127.0.0.1:{port}"
    sets = {
        "list": ["/", *(f"/?page={n}" for n in range(2, 21)), "/boards/iran-update/"],
        "post": [f"/posts/{posts - i * max(1, posts // 500)}/" for i in range(min(500, posts))],
        "search": [f"/search/?q={quote(q)}" for q in SEARCHES]
        + [f"/search/?q={quote(q)}&page=2" for q in SEARCHES],
    }
    share = args.connections // len(sets)
    connections = {name: share for name in sets}
    connections["list"] += args.connections - share * len(sets)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        writer = Writer(args.publish_interval)
        freshness = Freshness(url, writer)
        try:
            _wait_for(port, process)
            for name, paths in sets.items():  # warm each worker's page cache a little
                _wrk(url, paths, 3, min(8, connections[name]), 1)
            results: dict[str, Any] = {}
            threads = []

            def drive(name: str) -> None:
                results[name] = _wrk(url, sets[name], args.seconds, connections[name], 1)

            writer.start()
            freshness.start()
            for name in sets:
                threads.append(threading.Thread(target=drive, args=(name,)))
                threads[-1].start()
            for thread in threads:
                thread.join()
        finally:
            writer.stop.set()
            freshness.stop.set()
            writer.join(timeout=30)
            freshness.join(timeout=30)
            process.terminate()
            process.wait(timeout=15)
    log_text = log_path.read_text(errors="replace")
    return {
        "pages": {
            name: {**results[name], "connections": connections[name], "urls": len(sets[name])}
            for name in sets
        },
        "writer": {
            "published": writer.published,
            "errors": len(writer.errors),
            "first_errors": writer.errors[:5],
            "p50_ms": round(_percentile(writer.latencies, 50), 2),
            "p99_ms": round(_percentile(writer.latencies, 99), 2),
        },
        "freshness": {
            "posts_checked": len(freshness.lags),
            "errors": freshness.errors,
            "p50_ms": round(_percentile(freshness.lags, 50), 1),
            "p99_ms": round(_percentile(freshness.lags, 99), 1),
            "max_ms": round(max(freshness.lags, default=0.0), 1),
        },
        "locked_in_server_log": log_text.count("database is locked"),
        "server_log_errors": sum(
            1 for line in log_text.splitlines() if "Traceback" in line or " 500 " in line
        ),
        "log": str(log_path),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--indexed", type=int, default=1000, help="newest posts to index")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--threads", type=int, default=1, help="granian blocking threads")
    parser.add_argument(
        "--publish-interval", type=float, default=0.2, help="seconds between new reports"
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite when empty")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is needed: apt-get install wrk")
    args.data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"brfault-load-{os.getpid()}"
    if args.data_dir.exists():
        shutil.rmtree(args.data_dir)
    args.data_dir.mkdir(parents=True)
    if args.database_url:
        _fresh_postgres(args.database_url)
    env = _setup(args.data_dir, args.database_url)
    from django.db import connection

    vendor = connection.vendor
    print(f"{vendor}: filling {args.posts:,} posts in {args.data_dir}", flush=True)
    filled = fill(args.posts, args.indexed)
    connection.close()
    print(f"filled in {filled:.0f} s; {args.seconds} s of load, {args.connections} readers")
    report = run(args, env, args.posts)
    for name, page in report["pages"].items():
        requests = round(page["rps"] * args.seconds)
        print(
            f"{name:<6} {page['connections']:3d} conns  {requests:8,d} requests "
            f"({page['rps']:7.0f}/s)  p50 {page.get('p50', 0):7.2f} ms  "
            f"p99 {page.get('p99', 0):8.2f} ms  non-2xx {page['non_2xx']}  "
            f"{page['socket_errors'] or 'no socket errors'}"
        )
    w = report["writer"]
    print(
        f"writer: {w['published']} reports stored and published "
        f"(p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms), {w['errors']} errors {w['first_errors']}"
    )
    f = report["freshness"]
    print(
        f"stale list page: a new post was on / after p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, "
        f"max {f['max_ms']} ms ({f['posts_checked']} posts checked, {f['errors']} errors)"
    )
    print(
        f"'database is locked' in the server log: {report['locked_in_server_log']}; "
        f"tracebacks/500s: {report['server_log_errors']} ({report['log']})"
    )
    report.update(vendor=vendor, posts=args.posts, seconds=args.seconds, fill_s=round(filled))
    (args.data_dir / "load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    failed = w["errors"] or any(p["non_2xx"] for p in report["pages"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
