"""The ministry's press releases: one series, identified by the source, never by a slug."""

from __future__ import annotations

import re

from pipeline.publishers.base import Series

MND_SERIES: tuple[Series, ...] = (
    Series(
        slug="mnd-press-release",
        publisher="국방부",
        title_en="Ministry of National Defense press release",
        pattern=re.compile(r"(?!x)x"),  # identified by source, never by slug
        weekdays=frozenset(),
        interval_days=0,
        usual_hour=18,
        time_zone="Asia/Seoul",
    ),
)
