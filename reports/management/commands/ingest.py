"""``briefroom ingest PATH_OR_URL … [--mirror-of SITE]``: store reports from saved pages or URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pipeline.extract import ExtractionError
from pipeline.extract.common import is_web_url
from pipeline.fetch import FetchError
from reports.services import ingest_file, ingest_url, make_fetcher


class Command(BaseCommand):
    help = "Fetch (or read), extract and store reports; queues their briefs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("targets", nargs="+", help="file paths or http(s) URLs")
        parser.add_argument(
            "--mirror-of",
            default="",
            metavar="SITE",
            help=(
                "read fetched pages as pages of SITE at the same path (a mirror you trust, "
                "e.g. https://understandingwar.org); by default the host a page is fetched "
                "from says whose it is"
            ),
        )

    def handle(self, *args: Any, targets: list[str], mirror_of: str, **options: Any) -> None:
        if mirror_of and not is_web_url(mirror_of):
            raise CommandError(f"--mirror-of must be an http(s) address, not {mirror_of!r}")
        failed = 0
        with make_fetcher() as fetcher:
            for target in targets:
                try:
                    if target.startswith(("http://", "https://")):
                        result = ingest_url(target, fetcher, mirror_of=mirror_of)
                    else:
                        path = Path(target)
                        if not path.is_file():
                            raise ValueError(f"no such file: {target}")
                        result = ingest_file(path)
                except (FetchError, ExtractionError, ValueError, OSError) as exc:
                    failed += 1
                    self.stderr.write(f"failed {target}: {exc}")
                    continue
                report = result.report
                label = f"#{report.pk} {report.title}" if report else ""
                self.stdout.write(f"{result.outcome:9} {target} {label}")
        if failed:
            raise CommandError(f"{failed} of {len(targets)} failed")
