from __future__ import annotations

from django.contrib import admin

from reports.models import FetchedPage, Report, ReportLocation, ReportRevision


class LocationInline(admin.TabularInline):
    model = ReportLocation
    extra = 0
    readonly_fields = ("url", "source", "extractor", "first_seen_at")


class RevisionInline(admin.TabularInline):
    model = ReportRevision
    extra = 0
    fields = ("number", "content_hash", "extractor", "created_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "series", "edition", "published", "updated_at")
    list_filter = ("source", "series", "language")
    search_fields = ("title", "canonical_url", "identity")
    date_hierarchy = "published"
    readonly_fields = ("identity", "created_at", "current_revision", "superseded_by")
    inlines = (LocationInline, RevisionInline)


@admin.register(ReportRevision)
class ReportRevisionAdmin(admin.ModelAdmin):
    list_display = ("report", "number", "extractor", "content_hash", "created_at")
    readonly_fields = (
        "report",
        "number",
        "content_hash",
        "location",
        "extractor",
        "article_json",
        "created_at",
    )
    exclude = ("raw_html_z", "article_z")


@admin.register(FetchedPage)
class FetchedPageAdmin(admin.ModelAdmin):
    list_display = ("url", "status", "etag", "fetched_at")
    search_fields = ("url",)
    exclude = ("html",)
