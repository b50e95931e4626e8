"""``briefroom brief PATH_OR_URL --json [--backend NAME]``: write and verify one brief."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefs.services import backend, write_brief
from pipeline.brief.llm import LLMError, backend_names
from pipeline.extract import ExtractionError
from pipeline.fetch import FetchError
from reports.services import load_article


class Command(BaseCommand):
    help = "Write the Korean brief of a report (file or URL) with one LLM call and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="a saved page or an http(s) URL")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--backend", choices=backend_names(), help="LLM backend (default: the setting)"
        )

    def handle(self, *args: Any, target: str, json: bool, **options: Any) -> None:
        try:
            article = load_article(target)
        except (FetchError, ExtractionError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = write_brief(article, backend(options.get("backend")))
        except LLMError as exc:
            raise CommandError(f"LLM backend failed: {exc}") from exc
        data = result.brief.to_json()
        data["status"] = result.status
        data["verification"] = {
            "ok": not result.failures,
            "failures": [{"kind": f.kind, "detail": f.detail} for f in result.failures],
        }
        data["usage"] = {
            "input_tokens": result.usage.input_tokens,
            "output_tokens": result.usage.output_tokens,
        }
        data["backend"] = result.backend
        data["model"] = result.model
        data["cached"] = result.cached
        if json:
            self.stdout.write(_dumps(data))
            return
        self.stdout.write(data["title_ko"])
        self.stdout.write("\n주요 내용")
        for point in data["key_points"]:
            self.stdout.write(f"  • {point['text']} [{point['source_ref']}]")
        self.stdout.write(f"\n분류: {data['category']}")
        self.stdout.write("관련 주요 국가: " + ", ".join(
            f"{c['name_ko']} ({c['role']})" for c in data["countries"]
        ))  # fmt: skip
        self.stdout.write(f"\n향후 전망\n  {data['outlook']}")
        for failure in result.failures:
            self.stderr.write(f"검토 필요 [{failure.kind}] {failure.detail}")


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
