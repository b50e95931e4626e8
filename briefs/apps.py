from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "요약"

    def ready(self) -> None:
        from briefs import signals  # noqa: F401  (connects the store -> brief queue)
