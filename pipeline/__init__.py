"""briefroom's framework-light core: fetching, discovery, extraction and briefing.

Nothing in this package imports Django; the Django apps call into it.
"""
