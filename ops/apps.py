from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The running service: task retries, the discovery schedule, status and health."""

    name = "ops"
    verbose_name = "운영"
