"""The ``briefroom`` console script: Django's management commands under one name."""

from __future__ import annotations

import errno
import os
import sys


def main(argv: list[str] | None = None) -> None:
    env = os.environ.get("BRIEFROOM_ENV", "dev")
    if env not in {"dev", "prod", "test"}:
        sys.exit(f"BRIEFROOM_ENV must be dev, prod or test, not {env!r}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"config.settings.{env}")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["briefroom", *(sys.argv[1:] if argv is None else argv)])
    except (DatabaseError, OSError) as exc:
        # A database that cannot be reached or written, a full disk: one clear line, not a
        # stack trace (the transaction in flight was rolled back; nothing is half-written).
        sys.exit(f"briefroom: {type(exc).__name__}: {exc}{_hint(exc)}")


def _hint(exc: BaseException) -> str:
    text = str(exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk" in text:
        return " (is the disk of the data directory or the database full?)"
    if "locked" in text or "lock timeout" in text:
        return " (another process holds the lock; try again)"
    return ""


if __name__ == "__main__":
    main()
