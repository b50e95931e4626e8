"""Extraction speed on full-size ISW reports: briefroom's extractor against plain trafilatura.

    python -m bench.bench_extract --count 300

Builds ``--count`` synthetic reports (:mod:`bench.corpus`, not timed), then times
:func:`pipeline.extract.extract` and ``trafilatura.extract`` over the same pages in this one
process, and prints pages per minute for each, their ratio and the average page size.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable

import trafilatura

from bench.corpus import make_isw_report
from pipeline.publishers.registry import extract


def _time[T](pages: list[tuple[str, str]], run: Callable[[str, str], T]) -> tuple[float, list[T]]:
    """Seconds to run ``run`` over every page once (after one warm-up call), and its results."""
    run(*pages[0])
    gc.collect()
    start = time.perf_counter()
    results = [run(html, url) for html, url in pages]
    return time.perf_counter() - start, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="pages to build and extract")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")

    pages = [make_isw_report(i) for i in range(args.count)]
    ours_seconds, articles = _time(pages, extract)
    theirs_seconds, texts = _time(pages, lambda html, url: trafilatura.extract(html, url=url))

    ours = args.count / ours_seconds * 60
    theirs = args.count / theirs_seconds * 60
    html_chars = statistics.fmean(len(html) for html, _ in pages)
    text_chars = statistics.fmean(len(a.text) for a in articles)
    endnotes = statistics.fmean(len(a.endnotes) for a in articles)
    trafilatura_chars = statistics.fmean(len(t or "") for t in texts)
    print(f"pages                      {args.count}")
    print(f"average page               {html_chars:,.0f} characters of HTML")
    print(f"average article text       {text_chars:,.0f} characters ({endnotes:.0f} endnotes)")
    print(f"average trafilatura text   {trafilatura_chars:,.0f} characters")
    for name, per_minute, seconds in (
        ("pipeline.extract.extract", ours, ours_seconds),
        ("trafilatura.extract", theirs, theirs_seconds),
    ):
        milliseconds = seconds / args.count * 1000
        print(f"{name:<26} {per_minute:,.0f} pages/minute ({milliseconds:.1f} ms/page)")
    print(f"ratio                      {ours / theirs:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
