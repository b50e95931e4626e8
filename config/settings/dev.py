"""Development and single-machine defaults: SQLite, generated secret key."""

from config.settings.base import *  # noqa: F403
