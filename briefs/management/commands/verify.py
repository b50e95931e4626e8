"""``briefroom verify --source FILE_OR_URL --brief BRIEF.json --json``: check a brief."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefs.services import current_categories, current_glossary
from pipeline.brief.verify import verify_json
from pipeline.extract import ExtractionError
from pipeline.fetch import FetchError
from reports.services import load_article


class Command(BaseCommand):
    help = "Check a brief against its source; exit 0 when it passes, 1 when it does not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, help="the report: a saved page or a URL")
        parser.add_argument("--brief", required=True, help="the brief as a JSON file")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            article = load_article(options["source"])
        except (FetchError, ExtractionError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        path = Path(options["brief"])
        try:
            brief = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {path}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from exc
        if not isinstance(brief, dict):
            raise CommandError(f"{path} must hold one JSON object")
        result = verify_json(article, brief, current_glossary(), current_categories())
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("ok" if result["ok"] else "검토 필요")
            for failure in result["failures"]:
                self.stdout.write(f"  [{failure['kind']}] {failure['detail']}")
        if not result["ok"]:
            sys.stdout.flush()
            sys.exit(1)
