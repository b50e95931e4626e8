"""``briefroom board_sync``: publish every stored report again (repairs missed signals)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from board.services import publish_all


class Command(BaseCommand):
    help = "Create or update the post of every stored report and reindex it; safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        count = publish_all()
        self.stdout.write(f"board_sync: {count} posts published")
