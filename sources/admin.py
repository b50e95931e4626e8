from __future__ import annotations

from django.contrib import admin

from sources.models import DiscoveredItemRecord, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "title",
        "publisher",
        "enabled",
        "last_discovery_at",
        "last_discovery_method",
        "last_discovery_ok",
        "blocked_since",
    )
    list_filter = ("enabled", "builtin", "publisher")
    search_fields = ("name", "title", "feed_url", "listing_url")
    readonly_fields = (
        "builtin",
        "last_discovery_at",
        "last_discovery_method",
        "last_discovery_ok",
        "last_discovery_result",
        "blocked_since",
        "blocked_detail",
    )


@admin.register(DiscoveredItemRecord)
class DiscoveredItemAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "published", "series", "state", "attempts", "discovered_at")
    list_filter = ("state", "source", "series", "method")
    search_fields = ("title", "url")
    date_hierarchy = "discovered_at"
