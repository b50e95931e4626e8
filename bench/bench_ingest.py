"""Extract + store throughput on full-size report pages, against plain trafilatura.

    python -m bench.bench_ingest --count 300 [--database-url postgres://…]

Builds ``count`` synthetic full-size ISW pages (≈65,000 characters of text each, see
``bench/corpus.py``), then times, in one process on a fresh database: (a) extract + store of
every page through ``reports.services.store_article`` (one transaction per report, as the
worker does), (b) ``trafilatura.extract`` alone on the same pages. Targets: ≥ 3,000 reports a
minute and ≥ 2× trafilatura's speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--skip-trafilatura", action="store_true")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="briefroom-bench-")
    os.environ["BRIEFROOM_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        from reports.models import Report

        Report.objects.all().delete()

    from bench.corpus import make_isw_report
    from pipeline.publishers.registry import extract
    from reports.services import store_article

    pages = [make_isw_report(i) for i in range(args.count)]
    chars = statistics.mean(len(html) for html, _ in pages)

    per_page: list[float] = []
    start = time.perf_counter()
    for html, url in pages:
        t0 = time.perf_counter()
        article = extract(html, url)
        store_article(article, raw_html=html, location_url=url)
        per_page.append(time.perf_counter() - t0)
    ours = time.perf_counter() - start
    text_chars = statistics.mean(len(extract(h, u).text) for h, u in pages[:20])

    print(f"pages: {args.count}, mean HTML {chars:,.0f} chars, text {text_chars:,.0f} chars")
    print(f"database: {connection.vendor}")
    print(
        f"extract+store: {ours:.2f} s, {args.count / ours * 60:,.0f} reports/minute, "
        f"p50 {statistics.median(per_page) * 1000:.1f} ms, "
        f"p95 {sorted(per_page)[int(len(per_page) * 0.95) - 1] * 1000:.1f} ms"
    )
    if not args.skip_trafilatura:
        import trafilatura

        start = time.perf_counter()
        for html, url in pages:
            trafilatura.extract(html, url=url)
        theirs = time.perf_counter() - start
        print(f"trafilatura.extract: {theirs:.2f} s, {args.count / theirs * 60:,.0f} pages/minute")
        print(f"speed-up over trafilatura: {theirs / ours:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
