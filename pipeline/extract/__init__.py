"""Extraction helpers: the parsed :class:`~pipeline.extract.common.Page`, text walking, URL
normalisation and HTML sanitising, shared by every adapter in :mod:`pipeline.publishers`.

The entry point that picks an adapter is :func:`pipeline.publishers.registry.extract`.
"""

from pipeline.extract.common import BlockedPage, ExtractionError, Page, canonical_url

__all__ = ["BlockedPage", "ExtractionError", "Page", "canonical_url"]
