"""``briefroom extract FILE_OR_URL… [--json] [--url URL] [--base URL]``: print Articles."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pipeline.extract import ExtractionError
from pipeline.extract.common import is_web_url
from pipeline.fetch import FetchError
from reports.services import load_article

# The keys of ``--json`` output, in order (see README).
JSON_KEYS = (
    "url", "source", "series", "title", "published", "published_time", "authors", "toplines",
    "key_takeaways", "sections", "maps", "endnotes", "text",
)  # fmt: skip
# Extra, optional details after the documented keys.
EXTRA_KEYS = (
    "edition", "time_zone", "data_cutoff", "attachments", "department", "language", "extractor",
    "claimed_url", "hints",
)  # fmt: skip


def article_json(article: Any) -> dict[str, Any]:
    data = article.to_json()
    out = {key: data[key] for key in JSON_KEYS}
    out["sections"] = [
        {"id": s["id"], "title": s["title"], "text": s["text"]} for s in data["sections"]
    ]
    out["maps"] = [{"url": m["url"], "title": m["title"], "link": m["link"]} for m in data["maps"]]
    for key in EXTRA_KEYS:
        if key in data:
            out[key] = data[key]
    out["fields"] = {s["id"]: s["fields"] for s in data["sections"] if s["fields"]}
    out["warnings"] = data["warnings"]
    return out


class Command(BaseCommand):
    help = (
        "Extract reports from saved pages or URLs and print them (no database needed). With "
        "several targets and --json, one JSON object per line; exit status 1 if any failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("targets", nargs="+", metavar="target", help="file paths or URLs")
        parser.add_argument("--json", action="store_true", help="print each Article as JSON")
        parser.add_argument(
            "--url", default="", help="the address a single saved file was fetched from"
        )
        parser.add_argument(
            "--base",
            default="",
            help="the site saved files came from (a relative canonical link is resolved on it)",
        )

    def handle(
        self, *args: Any, targets: list[str], json: bool, url: str, base: str, **options: Any
    ) -> None:
        for name, value in (("--url", url), ("--base", base)):
            if value and not is_web_url(value):
                raise CommandError(f"{name} must be an http(s) address, not {value!r}")
        if url and len(targets) > 1:
            raise CommandError("--url names one file's address: give it one file (or use --base)")
        if len(targets) == 1:
            try:
                article = load_article(targets[0], url=url, base_url=base)
            except (FetchError, ExtractionError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            self._show(article, pretty=True) if json else self._describe(article)
            return
        failed = 0
        for target in targets:
            try:
                article = load_article(target, base_url=base)
            except (FetchError, ExtractionError, ValueError) as exc:
                failed += 1
                if json:
                    self.stdout.write(_dumps({"target": target, "error": str(exc)}))
                else:
                    self.stderr.write(f"{target}: {exc}")
                continue
            if json:
                self._show(article, pretty=False, target=target)
            else:
                self.stdout.write(f"== {target}")
                self._describe(article)
        if failed:
            raise CommandError(f"{failed} of {len(targets)} targets failed")

    def _show(self, article: Any, *, pretty: bool, target: str = "") -> None:
        data = article_json(article)
        if target:
            data = {"target": target, **data}
        self.stdout.write(_dumps(data, indent=2 if pretty else None))

    def _describe(self, article: Any) -> None:
        self.stdout.write(f"{article.title}\n{article.url}")
        self.stdout.write(
            f"source={article.source} series={article.series} published={article.published} "
            f"{article.published_time or ''} extractor={article.extractor}"
        )
        self.stdout.write(
            f"{len(article.toplines)} toplines, {len(article.key_takeaways)} key takeaways, "
            f"{len(article.sections)} sections, {len(article.maps)} maps, "
            f"{len(article.endnotes)} endnotes, {len(article.text)} characters"
        )
        for warning in article.warnings:
            self.stderr.write(f"warning: {warning}")


def _dumps(data: dict[str, Any], indent: int | None = None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)
