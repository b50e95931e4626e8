"""Signals of the reports app."""

from django.dispatch import Signal

# Sent after a transaction that created a report or a new revision commits, with ``report``
# and ``revision``; the briefs app listens and queues the brief.
revision_stored = Signal()
