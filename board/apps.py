from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = "게시판"

    def ready(self) -> None:
        from board import signals  # noqa: F401  (store -> post, brief -> post)

        post_migrate.connect(_seed_boards, sender=self)


def _seed_boards(**kwargs: Any) -> None:
    from board.services import ensure_boards

    ensure_boards()
