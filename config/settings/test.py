"""Test settings: fast hashing, loopback fetching allowed, no host delay."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BRIEFROOM_FETCH

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BRIEFROOM_FETCH = {
    **BRIEFROOM_FETCH,
    "allow_networks": ["loopback"],
    "host_delay": 0.0,
    "backoff": 0.01,
}
# Tasks are recorded, not run: tests run the task they are about explicitly.
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

# A file (not in-memory) SQLite test database, so WAL mode and locking behave as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# Never try the hub in tests: the embedded backend falls back to the packaged test model.
BRIEFROOM_LLM = {**BRIEFROOM_LLM, "download": False, "progress": False}  # noqa: F405
