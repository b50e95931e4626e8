"""ISW's series on the board (see design/SOURCES.md for their titles and rhythm)."""

from __future__ import annotations

import re

from pipeline.publishers.base import ALL_DAYS, WEEKDAYS, Series

ISW_SERIES: tuple[Series, ...] = (
    Series(
        slug="russian-offensive-campaign-assessment",
        publisher="ISW",
        title_en="Russian Offensive Campaign Assessment",
        pattern=re.compile(r"russian-offensive-campaign-assessment"),
        weekdays=ALL_DAYS,
        interval_days=1,
        usual_hour=20,
        time_zone="America/New_York",
    ),
    Series(
        slug="iran-update",
        publisher="ISW",
        title_en="Iran Update",
        pattern=re.compile(r"(?<![a-z])iran-update"),
        weekdays=WEEKDAYS,
        interval_days=1,
        usual_hour=20,
        time_zone="America/New_York",
        special_editions=True,
    ),
    Series(
        slug="russian-occupation-update",
        publisher="ISW",
        title_en="Russian Occupation Update",
        pattern=re.compile(r"russian-occupation-update"),
        weekdays=ALL_DAYS,
        interval_days=14,
        usual_hour=20,
        time_zone="America/New_York",
    ),
    Series(
        slug="russian-force-generation-update",
        publisher="ISW",
        title_en="Russian Force Generation and Technological Adaptations Update",
        pattern=re.compile(
            r"russian-force-generation-(and-)?(technological-)?(and-)?adaptations?-update"
        ),
        weekdays=ALL_DAYS,
        interval_days=7,
        usual_hour=20,
        time_zone="America/New_York",
    ),
)
