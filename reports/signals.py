"""Signals of the reports app."""

from django.dispatch import Signal

# Sent inside the transaction that created a report or a new revision, with ``report``,
# ``revision`` and ``outcome``, so that what receivers write commits together with it; work
# that must not see uncommitted rows (another process, another queue) uses on_commit.
revision_stored = Signal()
