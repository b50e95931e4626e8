"""Test settings with the search app installed, until the lead adds it to base settings.

Test databases get their own names so this suite can run beside other engineers' runs.
"""

from config.settings.test import *  # noqa: F403
from config.settings.test import DATA_DIR, DATABASES, INSTALLED_APPS

if "search" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "search"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_search.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": "test_briefroom_search"}
