from django.apps import AppConfig


class BriefroomConfig(AppConfig):
    """The project package as an app, so process-level commands (run, …) live here."""

    name = "config"
    label = "briefroom"
    verbose_name = "briefroom"
