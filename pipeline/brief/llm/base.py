"""The one small interface every LLM backend implements, and the errors it may raise."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, runtime_checkable


class ChatMessage(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class LLMResult:
    """One completion: the raw text (a JSON object, unparsed) and what it cost."""

    text: str
    input_tokens: int
    output_tokens: int
    model: str


class LLMError(RuntimeError):
    """A backend could not produce a completion (after its own retries)."""


class LLMUnavailable(LLMError):
    """The backend cannot be used at all: no model file, no server, missing package."""


@runtime_checkable
class LLMBackend(Protocol):
    """What :mod:`pipeline.brief.generate` needs from a model: JSON under a schema, and a tokenizer.

    ``name`` is the registry name ("openai", "llamacpp"); ``model`` names the weights, so that a
    cache key changes when the model does.
    """

    name: str
    model: str

    def complete_json(
        self, messages: Sequence[ChatMessage], schema: dict[str, Any], *, max_tokens: int
    ) -> LLMResult: ...

    def count_tokens(self, text: str) -> int: ...


def fold_system_message(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Messages without a system role: its text opens the first user turn (Gemma's own template
    does the same)."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [
        ChatMessage(role=m["role"], content=m["content"]) for m in messages if m["role"] != "system"
    ]
    if not system:
        return rest
    for message in rest:
        if message["role"] == "user":
            message["content"] = f"{system}\n\n{message['content']}"
            return rest
    return [ChatMessage(role="user", content=system), *rest]


# Tokens per byte of ASCII text for current BPE vocabularies (Gemma, Qwen, GPT-4o: 3.8-4.2
# characters a token in English); 3.5 errs on the side of overcounting, so budgets hold.
_ASCII_BYTES_PER_TOKEN = 3.5


def estimate_tokens(text: str) -> int:
    """A tokenizer-free upper estimate: ASCII at 3.5 bytes a token, anything else a token a char.

    Hangul costs 0.3-1 token a syllable depending on the vocabulary, so one a character keeps
    Korean press releases inside the budget whatever model reads them.
    """
    ascii_count = len(text.encode("ascii", "ignore"))
    return math.ceil(ascii_count / _ASCII_BYTES_PER_TOKEN) + (len(text) - ascii_count)
