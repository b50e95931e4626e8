"""``briefroom sources [list|add|remove|enable|disable]``: manage where reports come from."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sources.models import Source


class Command(BaseCommand):
    help = "List, add, remove, enable or disable sources."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("list", help="list sources (the default)")
        add = sub.add_parser("add", help="add an RSS/Atom feed or a listing page")
        add.add_argument("name", help="short name, e.g. rusi")
        add.add_argument("--feed", default="", help="RSS or Atom feed URL")
        add.add_argument("--listing", default="", help="listing page URL")
        add.add_argument("--selector", default="", help="CSS selector of report links on it")
        add.add_argument("--sitemap", default="", help="sitemap URL")
        add.add_argument("--pattern", default="", help="regex report URLs must match")
        add.add_argument("--title", default="", help="display title")
        add.add_argument("--publisher", default="", help="board tag, e.g. RUSI")
        add.add_argument("--series", default="", help="default series slug")
        for action in ("remove", "enable", "disable"):
            sub.add_parser(action).add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action") or "list"
        if action == "list":
            self._list()
        elif action == "add":
            self._add(options)
        else:
            source = Source.objects.filter(name=options["name"]).first()
            if source is None:
                raise CommandError(f"unknown source {options['name']!r}")
            if action == "remove":
                source.delete()
            else:
                source.enabled = action == "enable"
                source.save(update_fields=["enabled"])
            self.stdout.write(f"{action}d {source.name}")

    def _list(self) -> None:
        for s in Source.objects.all():
            state = "on " if s.enabled else "off"
            urls = " | ".join(u for u in (s.feed_url, s.listing_url, s.sitemap_url) if u)
            last = s.last_discovery_at.isoformat(timespec="minutes") if s.last_discovery_at else "-"
            self.stdout.write(f"{state} {s.name:24} {s.publisher:8} last={last} {urls}")

    def _add(self, options: dict[str, Any]) -> None:
        if not (options["feed"] or options["listing"] or options["sitemap"]):
            raise CommandError("give at least one of --feed, --listing, --sitemap")
        source = Source(
            name=options["name"],
            title=options["title"] or options["name"],
            publisher=options["publisher"] or options["name"].upper(),
            feed_url=options["feed"],
            listing_url=options["listing"],
            listing_selector=options["selector"] or "a",
            sitemap_url=options["sitemap"],
            link_pattern=options["pattern"],
            default_series=options["series"],
        )
        try:
            source.full_clean()
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        source.save()
        self.stdout.write(f"added {source.name}")
