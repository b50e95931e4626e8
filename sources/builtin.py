"""The built-in sources (ISW, 국방부), created after every migrate if missing."""

from __future__ import annotations

from pipeline.discover import SourceSpec
from pipeline.publishers.registry import BUILTIN_SOURCES, PUBLISHERS
from sources.models import Source

# Each built-in source's title and board tag, from its publisher's declaration.
TITLES = {spec.name: (p.title, p.label) for p in PUBLISHERS for spec in p.sources}


def source_fields(spec: SourceSpec) -> dict[str, object]:
    return {
        "feed_url": spec.feed_url or "",
        "listing_url": spec.listing_url or "",
        "listing_selector": spec.listing_selector,
        "sitemap_url": spec.sitemap_url or "",
        "link_pattern": spec.link_pattern or "",
        "series_only": spec.series_only,
        "default_series": spec.default_series or "",
    }


def ensure_builtin_sources() -> list[Source]:
    """Create the built-in sources that do not exist; never overwrite an operator's edits."""
    created = []
    for name, spec in BUILTIN_SOURCES.items():
        title, publisher = TITLES.get(name, (name, name.upper()))
        source, was_created = Source.objects.get_or_create(
            name=name,
            defaults={
                "title": title,
                "publisher": publisher,
                "builtin": True,
                **source_fields(spec),
            },
        )
        if was_created:
            created.append(source)
    return created
