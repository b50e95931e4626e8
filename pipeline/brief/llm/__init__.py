"""LLM backends behind one interface, found by name in a plain registry.

The built-ins register through the same :func:`register_backend` a plugin would use; their
modules are imported only when asked for, so ``openai`` and ``llama_cpp`` stay optional.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.brief.llm.base import (
    ChatMessage,
    LLMBackend,
    LLMError,
    LLMResult,
    LLMUnavailable,
    estimate_tokens,
)

BackendFactory = Callable[..., LLMBackend]

_registry: dict[str, BackendFactory] = {}


def register_backend(name: str, factory: BackendFactory) -> None:
    """Make ``get_backend(name, **options)`` call ``factory(**options)``; a name is taken once."""
    if name in _registry and _registry[name] is not factory:
        raise ValueError(f"an LLM backend named {name!r} is already registered")
    _registry[name] = factory


def get_backend(name: str, **options: Any) -> LLMBackend:
    """A new backend instance of the registered kind ``name``."""
    try:
        factory = _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none"
        raise LLMUnavailable(f"no LLM backend named {name!r} (registered: {known})") from None
    return factory(**options)


def backend_names() -> list[str]:
    return sorted(_registry)


def _openai(**options: Any) -> LLMBackend:
    from pipeline.brief.llm.openai_backend import OpenAIBackend  # optional extra

    return OpenAIBackend(**options)


def _llamacpp(**options: Any) -> LLMBackend:
    from pipeline.brief.llm.llamacpp_backend import LlamaCppBackend  # optional extra

    return LlamaCppBackend(**options)


register_backend("openai", _openai)
register_backend("llamacpp", _llamacpp)

__all__ = [
    "BackendFactory",
    "ChatMessage",
    "LLMBackend",
    "LLMError",
    "LLMResult",
    "LLMUnavailable",
    "backend_names",
    "estimate_tokens",
    "get_backend",
    "register_backend",
]
