"""Shared fixtures: loopback HTTP servers, paths to stored pages, the board's process state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture
def fresh_board() -> Iterator[None]:
    """Each test has a new database: forget what this process cached or counted from the last
    (the page cache, the buffered view counts, the memoised page version)."""
    from django.core.cache import cache

    from board.counting import views
    from board.services import forget_version

    cache.clear()
    views.reset()
    forget_version()
    yield
    cache.clear()
    views.reset()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a callable and then its on-commit work (the store's signal, cache bumps)."""

    def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
