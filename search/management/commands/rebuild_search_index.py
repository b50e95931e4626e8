"""``briefroom rebuild_search_index``: re-tokenize every stored search document.

Run it after loading search documents into a new database (the vendor index is not part of a
dump) or after a change to the tokenizer.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from search.service import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the full-text index from the stored search documents."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild_index()
        self.stdout.write(f"reindexed {count} documents")
