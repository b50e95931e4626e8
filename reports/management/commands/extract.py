"""``briefroom extract PATH_OR_URL [--json]``: print the Article extracted from a page."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pipeline.extract import ExtractionError
from pipeline.fetch import FetchError
from reports.services import load_article

# The keys of ``--json`` output, in order (see README).
JSON_KEYS = (
    "url", "source", "series", "title", "published", "published_time", "authors", "toplines",
    "key_takeaways", "sections", "maps", "endnotes", "text",
)  # fmt: skip


def article_json(article: Any) -> dict[str, Any]:
    data = article.to_json()
    out = {key: data[key] for key in JSON_KEYS}
    out["sections"] = [
        {"id": s["id"], "title": s["title"], "text": s["text"]} for s in data["sections"]
    ]
    out["maps"] = [{"url": m["url"], "title": m["title"]} for m in data["maps"]]
    # Extra, optional details after the documented keys.
    for key in ("edition", "time_zone", "attachments", "department", "language", "extractor"):
        if key in data:
            out[key] = data[key]
    out["fields"] = {s["id"]: s["fields"] for s in data["sections"] if s["fields"]}
    out["warnings"] = data["warnings"]
    return out


class Command(BaseCommand):
    help = "Extract a report from a saved page or a URL and print it (no database needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="a file path or an http(s) URL")
        parser.add_argument("--json", action="store_true", help="print the Article as JSON")

    def handle(self, *args: Any, target: str, json: bool, **options: Any) -> None:
        try:
            article = load_article(target)
        except (FetchError, ExtractionError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(_dumps(article_json(article)))
            return
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


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
