"""Shared fixtures: loopback HTTP servers and paths to stored pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer, serve

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """An empty loopback server; add routes with ``server.routes[path] = Route(...)``."""
    yield from serve()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
