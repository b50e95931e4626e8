from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "출처"

    def ready(self) -> None:
        post_migrate.connect(_ensure_builtin_sources, sender=self)


def _ensure_builtin_sources(**kwargs: Any) -> None:
    from sources.builtin import ensure_builtin_sources

    ensure_builtin_sources()
