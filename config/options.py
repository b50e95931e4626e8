"""Every briefroom setting, declared once: name, environment variable, default, help, parser.

The settings modules read these; ``docs/SETTINGS.md`` and the README are checked against this
table by a test, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def parse_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class Option:
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    def read(self, environ: dict[str, str] | None = None) -> Any:
        environ = dict(os.environ) if environ is None else environ
        raw = environ.get(self.env)
        if raw is None:
            return self.default
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{self.env}: {exc}") from exc


OPTIONS: tuple[Option, ...] = (
    Option("BRIEFROOM_ENV", "dev", "Settings environment: dev, prod or test."),
    Option(
        "BRIEFROOM_DATA_DIR",
        "var",
        "Directory for the SQLite database, the generated secret key, caches and models "
        "(relative paths are resolved from the repository root).",
    ),
    Option(
        "DATABASE_URL",
        "",
        "Database URL, e.g. postgres://user@127.0.0.1:5432/briefroom. Empty means SQLite "
        "(WAL mode) at DATA_DIR/briefroom.sqlite3.",
    ),
    Option(
        "BRIEFROOM_SQLITE_BUSY_TIMEOUT",
        20.0,
        "Seconds SQLite waits for a lock before raising 'database is locked'.",
        float,
    ),
    Option(
        "BRIEFROOM_PG_LOCK_TIMEOUT",
        20.0,
        "Seconds a PostgreSQL statement waits for a row or table lock before it fails with "
        "'lock timeout' (the task is then retried). 0 waits for ever.",
        float,
    ),
    Option(
        "BRIEFROOM_SECRET_KEY",
        "",
        "Django secret key. Required in prod; dev generates one into DATA_DIR/secret_key.",
    ),
    Option("BRIEFROOM_DEBUG", False, "Django debug mode (never in prod).", parse_bool),
    Option(
        "BRIEFROOM_ALLOWED_HOSTS",
        ["127.0.0.1", "localhost", "[::1]"],
        "Comma-separated host names the web server answers to.",
        parse_list,
    ),
    Option(
        "BRIEFROOM_TRUSTED_PROXIES",
        [],
        "Comma-separated addresses of reverse proxies in front of the web server; only from "
        "them is X-Forwarded-For believed (for the login rate limit). Empty: never.",
        parse_list,
    ),
    Option(
        "BRIEFROOM_CONTACT_URL",
        "https://github.com/briefroom/briefroom",
        "URL named in the fetcher's User-Agent so publishers can reach the operator.",
    ),
    Option("BRIEFROOM_FETCH_CONNECT_TIMEOUT", 10.0, "Seconds to wait for a TCP connection.", float),
    Option("BRIEFROOM_FETCH_READ_TIMEOUT", 30.0, "Seconds to wait between bytes read.", float),
    Option(
        "BRIEFROOM_FETCH_MAX_BYTES",
        10 * 1024 * 1024,
        "Largest response body accepted (decompressed); larger bodies are refused.",
        int,
    ),
    Option(
        "BRIEFROOM_FETCH_HOST_DELAY",
        2.0,
        "Minimum seconds between two requests to the same host (robots.txt crawl-delay wins "
        "when it is longer).",
        float,
    ),
    Option(
        "BRIEFROOM_FETCH_RETRIES",
        3,
        "Retries after a failed request (connection error, 429, 5xx), with exponential backoff.",
        int,
    ),
    Option(
        "BRIEFROOM_FETCH_BACKOFF",
        1.0,
        "Seconds before the first retry; doubles each time (Retry-After wins when given).",
        float,
    ),
    Option(
        "BRIEFROOM_FETCH_MAX_RETRY_AFTER",
        300.0,
        "Longest Retry-After the fetcher will wait; longer answers fail the fetch for now.",
        float,
    ),
    Option(
        "BRIEFROOM_FETCH_BLOCKED_DELAY",
        30.0,
        "Seconds between requests to a host after it served a block or challenge page; "
        "doubles with each consecutive block (at most MAX_RETRY_AFTER), reset by a normal page.",
        float,
    ),
    Option(
        "BRIEFROOM_FETCH_RESPECT_ROBOTS", True, "Honour robots.txt and its crawl-delay.", parse_bool
    ),
    Option(
        "BRIEFROOM_FETCH_ALLOW_NETWORKS",
        [],
        "Comma-separated address kinds the SSRF guard lets through: loopback, private, "
        "link-local. Empty (the default) allows public addresses only.",
        parse_list,
    ),
)
OPTIONS += (
    Option(
        "BRIEFROOM_LLM_BACKEND",
        "llamacpp",
        "Which LLM backend writes briefs: llamacpp (embedded) or openai (any OpenAI-compatible "
        "endpoint).",
    ),
    Option("BRIEFROOM_LLM_TIMEOUT", 600.0, "Seconds one LLM call may take.", float),
    Option(
        "BRIEFROOM_LLM_RETRIES",
        3,
        "Retries of an LLM call on 429, 5xx or an error body, with exponential backoff.",
        int,
    ),
    Option(
        "BRIEFROOM_BRIEF_TOKEN_BUDGET",
        4000,
        "Input tokens selected from a report for its brief (title, key takeaways, toplines, "
        "then the most relevant sections).",
        int,
    ),
    Option(
        "BRIEFROOM_OPENAI_BASE_URL",
        "https://api.openai.com/v1",
        "Base URL of the OpenAI-compatible endpoint (OpenAI, Gemini's compatible endpoint, "
        "Ollama, vLLM, llama.cpp server, LM Studio).",
    ),
    Option("BRIEFROOM_OPENAI_API_KEY", "", "API key for the OpenAI-compatible endpoint."),
    Option(
        "BRIEFROOM_OPENAI_MODEL", "gpt-4o-mini", "Model name at the OpenAI-compatible endpoint."
    ),
    Option(
        "BRIEFROOM_LLAMACPP_MODEL",
        "",
        "Path of a GGUF file for the embedded backend. Empty: download BRIEFROOM_LLAMACPP_HF_REPO "
        "once, or fall back to the packaged Gemma 3 270M test model when offline.",
    ),
    Option(
        "BRIEFROOM_LLAMACPP_HF_REPO",
        "Qwen/Qwen2.5-3B-Instruct-GGUF",
        "Hugging Face repository of the default embedded model.",
    ),
    Option(
        "BRIEFROOM_LLAMACPP_HF_FILE",
        "qwen2.5-3b-instruct-q4_k_m.gguf",
        "GGUF file in that repository.",
    ),
    Option(
        "BRIEFROOM_HF_ENDPOINT",
        "https://huggingface.co",
        "Hugging Face hub (or mirror) the embedded model is downloaded from.",
    ),
    Option("BRIEFROOM_LLAMACPP_THREADS", 2, "CPU threads for the embedded model.", int),
    Option(
        "BRIEFROOM_LLAMACPP_CONTEXT", 8192, "Context window (tokens) of the embedded model.", int
    ),
)
OPTIONS += (
    Option(
        "BRIEFROOM_TASK_RETRIES",
        4,
        "Attempts of a failed discovery or fetch task before it rests failed in the admin.",
        int,
    ),
    Option(
        "BRIEFROOM_TASK_BACKOFF",
        60.0,
        "Seconds before a failed task's first retry; doubles with each attempt.",
        float,
    ),
    Option(
        "BRIEFROOM_TASK_STALE_AFTER",
        3600.0,
        "Seconds after which a task still RUNNING on a worker that cannot be checked (another "
        "machine) is requeued; a dead worker on this machine is detected at once.",
        float,
    ),
    Option(
        "BRIEFROOM_DEMO_ORIGIN",
        "",
        "Set by `briefroom run --demo` for its processes: the loopback origin of the bundled "
        "demo publisher, the one loopback address the fetcher may reach. Leave empty.",
    ),
)
OPTIONS_BY_ENV = {option.env: option for option in OPTIONS}


def value(env: str) -> Any:
    """The current value of one declared option."""
    return OPTIONS_BY_ENV[env].read()
