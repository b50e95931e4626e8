from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "요약"

    def ready(self) -> None:
        from briefs import signals  # noqa: F401  (connects the store -> brief queue)

        post_migrate.connect(_seed_categories, sender=self)


def _seed_categories(**kwargs: Any) -> None:
    from briefs.services import ensure_categories

    ensure_categories()
