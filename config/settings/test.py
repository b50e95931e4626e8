"""Test settings: fast hashing, loopback fetching allowed, no host delay."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BRIEFROOM_FETCH

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BRIEFROOM_FETCH = {**BRIEFROOM_FETCH, "allow_networks": ["loopback"], "host_delay": 0.0}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
