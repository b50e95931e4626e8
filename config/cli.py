"""The ``briefroom`` console script: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    env = os.environ.get("BRIEFROOM_ENV", "dev")
    if env not in {"dev", "prod", "test"}:
        sys.exit(f"BRIEFROOM_ENV must be dev, prod or test, not {env!r}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"config.settings.{env}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["briefroom", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
