"""``briefroom board_demo [--days N]``: fill the board with demo posts (marked 데모)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from board.demo import seed_demo


class Command(BaseCommand):
    help = "Store demo reports with briefs so the board has something to show (Post.is_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="days of reports to make")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        created = seed_demo(days)
        self.stdout.write(f"board_demo: {created} new demo posts")
