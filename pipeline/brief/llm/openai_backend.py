"""The ``openai`` backend: any OpenAI-compatible chat-completions endpoint.

OpenAI, Gemini's compatible endpoint, Ollama, vLLM, llama.cpp's server and LM Studio all speak
this protocol but differ in what they accept for structured output. The backend asks for strict
``json_schema`` first and steps down when an endpoint refuses it (400/422 naming the response
format): to ``json_object`` with the schema attached (llama.cpp's server and others constrain
decoding with it), then to plain ``json_object``. The step down is remembered for the life of
the backend, so only the first call pays for it.

Retries are ours, not the SDK's (``max_retries=0``): we also retry a 200 whose body is an error
or has no choices, which some proxies send for overload.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

import openai
from openai.types.chat import ChatCompletion

from pipeline.brief.llm.base import (
    ChatMessage,
    LLMError,
    LLMResult,
    estimate_tokens,
    fold_system_message,
)

logger = logging.getLogger(__name__)

ResponseMode = Literal["json_schema", "json_object_schema", "json_object"]
_MODES: tuple[ResponseMode, ...] = ("json_schema", "json_object_schema", "json_object")


class _RetryableResponse(LLMError):
    """A 200 that carries no completion; worth asking again."""


class OpenAIBackend:
    """Chat completions with a JSON schema against one endpoint and model."""

    name = "openai"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        temperature: float = 0.2,
        seed: int | None = None,
        response_mode: ResponseMode = "json_schema",
        fold_system: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``fold_system`` moves the system message into the first user turn, for models whose
        template has no system role (Gemma); ``sleep`` is how backoff waits (tests record it)."""
        self.model = model
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.temperature = temperature
        self.seed = seed
        self.response_mode: ResponseMode = response_mode
        self.fold_system = fold_system
        self._sleep = sleep
        self._client = openai.OpenAI(
            base_url=base_url,
            # Local servers ignore the key but the SDK insists on one.
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or "unused",
            timeout=timeout,
            max_retries=0,
        )

    def count_tokens(self, text: str) -> int:
        # The protocol has no tokenizer endpoint; the estimate overcounts, which keeps budgets.
        return estimate_tokens(text)

    def complete_json(
        self, messages: Sequence[ChatMessage], schema: dict[str, Any], *, max_tokens: int
    ) -> LLMResult:
        payload = fold_system_message(messages) if self.fold_system else list(messages)
        attempt = 0
        while True:
            try:
                response = self._create(payload, schema, max_tokens)
                return self._result(response, payload)
            except openai.APIStatusError as exc:
                # A refusal of the response format comes as 400 or 422, or as 500 from servers
                # that validate late (llama-cpp-python's); it is never worth a retry.
                if exc.status_code != 429 and self._step_down(exc):
                    continue
                if not isinstance(exc, openai.RateLimitError | openai.InternalServerError):
                    raise LLMError(f"{self.name}: request refused: {_describe(exc)}") from exc
                error: Exception = exc
            except (openai.APIConnectionError, _RetryableResponse) as exc:
                error = exc
            if attempt >= self.retries:
                raise LLMError(
                    f"{self.name}: no completion after {attempt + 1} attempts: {_describe(error)}"
                ) from error
            delay = self._delay(attempt, error)
            logger.warning(
                "%s: %s; retrying in %.2fs (%d/%d)",
                self.name,
                _describe(error),
                delay,
                attempt + 1,
                self.retries,
            )
            self._sleep(delay)
            attempt += 1

    def _create(
        self, messages: list[ChatMessage], schema: dict[str, Any], max_tokens: int
    ) -> ChatCompletion:
        extra: dict[str, Any] = {}
        if self.seed is not None:
            extra["seed"] = self.seed
        completion: ChatCompletion = self._client.chat.completions.create(
            model=self.model,
            messages=cast(Any, messages),
            max_tokens=max_tokens,
            temperature=self.temperature,
            response_format=cast(Any, response_format(self.response_mode, schema)),
            **extra,
        )
        return completion

    def _result(self, response: ChatCompletion, messages: list[ChatMessage]) -> LLMResult:
        extra = response.model_extra or {}
        if extra.get("error"):
            raise _RetryableResponse(f"HTTP 200 with an error body: {extra['error']}")
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        content = getattr(message, "content", None)
        if not content:
            raise _RetryableResponse("HTTP 200 with no completion in the body")
        usage = getattr(response, "usage", None)
        if usage is not None:
            input_tokens, output_tokens = usage.prompt_tokens, usage.completion_tokens
        else:
            logger.warning("%s: the response reports no usage; estimating", self.name)
            input_tokens = sum(self.count_tokens(m["content"]) for m in messages)
            output_tokens = self.count_tokens(content)
        return LLMResult(
            text=content,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            model=getattr(response, "model", None) or self.model,
        )

    def _step_down(self, exc: openai.APIStatusError) -> bool:
        """Move to the next response format if the endpoint refused this one."""
        text = _describe(exc).lower()
        if "response_format" not in text and "json_schema" not in text:
            return False
        index = _MODES.index(self.response_mode)
        if index + 1 >= len(_MODES):
            return False
        self.response_mode = _MODES[index + 1]
        logger.warning(
            "%s: the endpoint refused the response format (%s); using %s from now on",
            self.name,
            _describe(exc),
            self.response_mode,
        )
        return True

    def _delay(self, attempt: int, exc: Exception) -> float:
        delay = self.backoff * (2**attempt)
        response = getattr(exc, "response", None)
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after))
        # Jitter spreads a fleet of workers that were refused at the same moment.
        return float(min(self.max_backoff, delay * (1 + random.random() / 4)))  # noqa: S311


def response_format(mode: ResponseMode, schema: dict[str, Any]) -> dict[str, Any]:
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "brief", "schema": schema, "strict": True},
        }
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    detail = body if body is not None else str(exc)
    text = f"{type(exc).__name__}: {detail}"
    return f"HTTP {status} {text}" if status else text
