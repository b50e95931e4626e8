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
# Follow-up tasks run at once (as a worker would run them); briefs are only recorded, so that
# storing a report never calls the LLM as a side effect: tests run the brief task explicitly.
TASKS = {
    "default": {
        "BACKEND": "config.task_backends.ImmediateExceptBackend",
        "OPTIONS": {"RECORD_ONLY": ["brief_revision"]},
    }
}

# A file (not in-memory) SQLite test database, so WAL mode and locking behave as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# Never try the hub in tests: the embedded backend falls back to the packaged test model.
BRIEFROOM_LLM = {**BRIEFROOM_LLM, "download": False, "progress": False}  # noqa: F405
