"""LLM backends, lenient JSON, model download and the generate step.

Model tests (``@pytest.mark.llm``) run the packaged Gemma 3 270M through llama-cpp-python, both
embedded and behind llama-cpp-python's own OpenAI-compatible server on loopback; nothing is
patched. Gemma 270M's Korean is poor, so these tests check the machinery (schema-valid output,
retries, cache, usage), not the prose. Remote failure modes are scripted on a loopback server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from bench.bench_brief import full_size_article
from pipeline.brief.categories import load_categories
from pipeline.brief.glossary import Glossary
from pipeline.brief.llm import LLMError, LLMUnavailable, get_backend, register_backend
from pipeline.brief.llm.base import ChatMessage, LLMResult, fold_system_message
from pipeline.brief.llm.download import DownloadError, download_file, hub_download, hub_url
from pipeline.brief.llm.jsonparse import JSONParseError, parse_json_object
from pipeline.brief.llm.openai_backend import OpenAIBackend
from pipeline.brief.schema import BriefLimits, BriefOutput, json_schema_for, output_model
from pipeline.types import Article, Section
from tests.loopback import LoopbackServer, Route

CHAT_PATH = "/v1/chat/completions"
# Bounds that keep Gemma 270M's answers short: it writes until a string's maxLength.
SMALL = BriefLimits(
    key_points_min=3,
    key_points_max=3,
    key_point_chars=60,
    roles_max=2,
    role_chars=20,
    outlook_chars=80,
)
LABELS = [c.label for c in load_categories()]


def enable_post(server: LoopbackServer) -> None:
    """The loopback server answers GET; chat completions are POSTed (routes read the body)."""
    handler: Any = server.httpd.RequestHandlerClass
    handler.do_POST = handler.do_GET


def completion(content: str, prompt_tokens: int = 11, completion_tokens: int = 7) -> str:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


class Script:
    """A chat-completions route answering from a list; records each request's JSON body."""

    def __init__(self, answers: list[Route]) -> None:
        self.answers = answers
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, handler: BaseHTTPRequestHandler) -> Route:
        length = int(handler.headers.get("Content-Length") or 0)
        self.bodies.append(json.loads(handler.rfile.read(length)))
        index = min(len(self.bodies), len(self.answers)) - 1
        return self.answers[index]


def json_route(body: str, status: int = 200, **headers: str) -> Route:
    return Route(body=body, status=status, content_type="application/json", headers=headers)


MESSAGES = [ChatMessage(role="system", content="rules"), ChatMessage(role="user", content="data")]
SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}


# -- lenient JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('```\n{"a": [1, 2]}\n```\nHope this helps!', {"a": [1, 2]}),
        ('Here is the brief:\n{"a": "x"} and some words after', {"a": "x"}),
        ('{"a": "line one\nline two\ttab"}', {"a": "line one\nline two\ttab"}),
        ('{"a": [1, 2,], "b": {"c": 3,},}', {"a": [1, 2], "b": {"c": 3}}),
        (
            '{"a": "brace } and bracket ] in a string, comma ,}"}',
            {"a": "brace } and bracket ] in a string, comma ,}"},
        ),
        ('{"a": "escaped \\" quote, then ,]"}', {"a": 'escaped " quote, then ,]'}),
        ('\ufeff  {"a": "\u0001"}', {"a": "\u0001"}),
    ],
)
def test_parse_json_object_repairs(text: str, expected: dict[str, Any]) -> None:
    assert parse_json_object(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "truncated"),
    [
        ('{"key_points": [{"text": "러시아군은', "inside a string", True),
        ('{"key_points": [{"text": "x"}', "before ']}'", True),
        ("Sorry, I cannot help with that.", "no JSON object", False),
        ('{"a": 1]', "unbalanced", False),
        ('{"a": tru}', "invalid JSON", False),
    ],
)
def test_parse_json_object_errors(text: str, message: str, truncated: bool) -> None:
    with pytest.raises(JSONParseError, match=message) as caught:
        parse_json_object(text)
    assert caught.value.truncated is truncated


# -- schema and grammar -------------------------------------------------------------------------


def test_output_model_bounds_category_countries_and_refs() -> None:
    model = output_model(LABELS[:2], ["UA", "RU"], ["kt-1", "p-4"], SMALL)
    schema = json_schema_for(model)
    assert issubclass(model, BriefOutput)
    assert schema["properties"]["category"]["enum"] == LABELS[:2]
    good = {
        "key_points": [{"text": "러시아군이 진격했습니다.", "source_ref": "kt-1"}] * 3,
        "category": LABELS[0],
        "roles": [{"iso2": "UA", "role": "방어"}],
        "outlook": "ISW는 교착을 예상합니다.",
    }
    assert model.model_validate(good).roles[0].iso2 == "UA"
    for bad in (
        {**good, "category": "아무 분류"},
        {**good, "roles": [{"iso2": "US", "role": "x"}]},
        {**good, "key_points": [{"text": "x", "source_ref": "p-5"}] * 3},
        {**good, "key_points": good["key_points"][:2]},
        {**good, "outlook": "가" * 81},
        {**good, "extra": 1},
    ):
        with pytest.raises(ValueError):
            model.model_validate(bad)
    nobody = json_schema_for(output_model(LABELS[:1], [], None, SMALL))
    assert nobody["properties"]["roles"]["maxItems"] == 0


def test_grammar_forbids_raw_control_characters_in_strings() -> None:
    pytest.importorskip("llama_cpp")
    from pipeline.brief.llm.llamacpp_backend import json_schema_grammar

    grammar = json_schema_grammar(json_schema_for(output_model(LABELS, ["UA"], ["kt-1"], SMALL)))
    char_rule = next(line for line in grammar.splitlines() if line.startswith("char ::="))
    assert char_rule.startswith(r'char ::= [^"\\\x7F\x00-\x1F] |')
    assert '"\\"UA\\""' in grammar  # the enum survived
    with pytest.raises(ValueError, match=r"\[0-9\]"):
        json_schema_grammar({"type": "string", "pattern": r"^p-\d+$"})


# -- registry -----------------------------------------------------------------------------------


class EchoBackend:
    name = "echo"
    model = "echo-1"

    def complete_json(self, messages: Any, schema: dict[str, Any], *, max_tokens: int) -> LLMResult:
        return LLMResult(text="{}", input_tokens=0, output_tokens=0, model=self.model)

    def count_tokens(self, text: str) -> int:
        return len(text)


def test_registry() -> None:
    register_backend("echo", EchoBackend)
    assert get_backend("echo").model == "echo-1"
    register_backend("echo", EchoBackend)  # the same factory again is fine
    with pytest.raises(ValueError, match="already registered"):
        register_backend("echo", lambda: EchoBackend())
    with pytest.raises(LLMUnavailable, match="llamacpp, openai"):
        get_backend("nope")
    assert isinstance(
        get_backend("openai", model="m", base_url="http://127.0.0.1:9/v1"), OpenAIBackend
    )


def test_fold_system_message() -> None:
    folded = fold_system_message(MESSAGES)
    assert folded == [{"role": "user", "content": "rules\n\ndata"}]
    assert MESSAGES[1]["content"] == "data"  # the caller's messages are left alone


# -- openai backend: scripted failures on loopback ----------------------------------------------


def test_openai_backs_off_on_429_500_and_error_bodies_then_succeeds(
    http_server: LoopbackServer,
) -> None:
    enable_post(http_server)
    script = Script(
        [
            json_route('{"error": {"message": "slow down"}}', 429),
            json_route('{"error": {"message": "boom"}}', 500),
            json_route('{"error": {"message": "overloaded", "type": "server_error"}}'),
            json_route(completion('{"a": 1}', 120, 9)),
        ]
    )
    http_server.routes[CHAT_PATH] = Route(dynamic=script)
    sleeps: list[float] = []
    backend = OpenAIBackend(
        model="m", base_url=http_server.url("/v1"), backoff=0.01, retries=4, sleep=sleeps.append
    )
    result = backend.complete_json(MESSAGES, SCHEMA, max_tokens=50)
    assert result == LLMResult(text='{"a": 1}', input_tokens=120, output_tokens=9, model="scripted")
    assert len(script.bodies) == 4
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):  # exponential, with at most 25 % jitter
        assert 0.01 * 2**attempt <= delay <= 0.01 * 2**attempt * 1.25
    body = script.bodies[-1]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"] == {
        "name": "brief",
        "schema": SCHEMA,
        "strict": True,
    }
    assert body["max_tokens"] == 50
    assert body["messages"] == MESSAGES


def test_openai_honours_retry_after_and_gives_up(http_server: LoopbackServer) -> None:
    enable_post(http_server)
    script = Script([json_route('{"error": "busy"}', 503, **{"Retry-After": "0.05"})])
    http_server.routes[CHAT_PATH] = Route(dynamic=script)
    sleeps: list[float] = []
    backend = OpenAIBackend(
        model="m", base_url=http_server.url("/v1"), backoff=0.001, retries=2, sleep=sleeps.append
    )
    with pytest.raises(LLMError, match="after 3 attempts"):
        backend.complete_json(MESSAGES, SCHEMA, max_tokens=5)
    assert len(script.bodies) == 3
    assert all(0.05 <= delay <= 0.0625 for delay in sleeps)


def test_openai_does_not_retry_auth_errors(http_server: LoopbackServer) -> None:
    enable_post(http_server)
    script = Script([json_route('{"error": {"message": "bad key"}}', 401)])
    http_server.routes[CHAT_PATH] = Route(dynamic=script)
    backend = OpenAIBackend(model="m", base_url=http_server.url("/v1"), sleep=lambda _: None)
    with pytest.raises(LLMError, match="401"):
        backend.complete_json(MESSAGES, SCHEMA, max_tokens=5)
    assert len(script.bodies) == 1


def test_openai_steps_down_from_json_schema_and_remembers(http_server: LoopbackServer) -> None:
    enable_post(http_server)
    refusal = json_route(
        '{"error": {"message": "Invalid parameter: response_format of type json_schema is not '
        'supported with this model", "param": "response_format"}}',
        400,
    )
    script = Script([refusal, json_route(completion('{"a": 2}'))])
    http_server.routes[CHAT_PATH] = Route(dynamic=script)
    backend = OpenAIBackend(model="m", base_url=http_server.url("/v1"), sleep=lambda _: None)
    assert backend.complete_json(MESSAGES, SCHEMA, max_tokens=5).text == '{"a": 2}'
    assert [b["response_format"]["type"] for b in script.bodies] == ["json_schema", "json_object"]
    assert script.bodies[1]["response_format"]["schema"] == SCHEMA
    assert backend.response_mode == "json_object_schema"
    backend.complete_json(MESSAGES, SCHEMA, max_tokens=5)
    assert len(script.bodies) == 3  # no second refusal: the choice was remembered
    assert script.bodies[2]["response_format"]["type"] == "json_object"


def test_openai_other_400s_are_errors(http_server: LoopbackServer) -> None:
    enable_post(http_server)
    script = Script([json_route('{"error": {"message": "context length exceeded"}}', 400)])
    http_server.routes[CHAT_PATH] = Route(dynamic=script)
    backend = OpenAIBackend(model="m", base_url=http_server.url("/v1"), sleep=lambda _: None)
    with pytest.raises(LLMError, match="context length"):
        backend.complete_json(MESSAGES, SCHEMA, max_tokens=5)
    assert backend.response_mode == "json_schema"


def test_openai_unreachable_endpoint_fails_after_retries() -> None:
    backend = OpenAIBackend(
        model="m", base_url=f"http://127.0.0.1:{free_port()}/v1", retries=1, sleep=lambda _: None
    )
    with pytest.raises(LLMError, match="APIConnectionError"):
        backend.complete_json(MESSAGES, SCHEMA, max_tokens=5)


# -- download -----------------------------------------------------------------------------------

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


def ranged(payload: bytes, requests: list[str]) -> Route:
    def answer(handler: BaseHTTPRequestHandler) -> Route:
        header = handler.headers.get("Range", "")
        requests.append(header)
        if header.startswith("bytes="):
            start = int(header[6:].split("-")[0])
            return Route(
                body=payload[start:],
                status=206,
                content_type="application/octet-stream",
                headers={"Content-Range": f"bytes {start}-{len(payload) - 1}/{len(payload)}"},
            )
        return Route(body=payload, content_type="application/octet-stream")

    return Route(dynamic=answer)


def test_hub_download_resumes_and_checks_sha256(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    requests: list[str] = []
    path = "/org/model-GGUF/resolve/main/model-q4.gguf"
    http_server.routes[path] = ranged(PAYLOAD, requests)
    assert hub_url("org/model-GGUF", "model-q4.gguf", endpoint=http_server.base_url + "/") == (
        http_server.url(path)
    )
    dest = tmp_path / "hub" / "org--model-GGUF" / "main" / "model-q4.gguf"
    dest.parent.mkdir(parents=True)
    dest.with_name("model-q4.gguf.part").write_bytes(PAYLOAD[:300_000])  # an interrupted run
    got = hub_download(
        "org/model-GGUF",
        "model-q4.gguf",
        cache_dir=tmp_path,
        endpoint=http_server.base_url,
        sha256=hashlib.sha256(PAYLOAD).hexdigest(),
        progress=False,
    )
    assert got == dest and dest.read_bytes() == PAYLOAD
    assert requests == ["bytes=300000-"]
    assert not dest.with_name("model-q4.gguf.part").exists()
    # Cached: no request at all the second time.
    hub_download("org/model-GGUF", "model-q4.gguf", cache_dir=tmp_path, endpoint="http://0.0.0.0:9")
    assert len(requests) == 1


def test_download_rejects_a_wrong_sha256(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/f"] = ranged(PAYLOAD, [])
    dest = tmp_path / "f.gguf"
    with pytest.raises(DownloadError, match="sha256"):
        download_file(http_server.url("/f"), dest, sha256="0" * 64, progress=False)
    assert not dest.exists() and not (tmp_path / "f.gguf.part").exists()


def test_download_reports_http_errors_and_offline(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_file(http_server.url("/missing"), tmp_path / "a", progress=False)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="ConnectError"):
        download_file(f"http://127.0.0.1:{free_port()}/x", tmp_path / "b", progress=False)
    assert time.monotonic() - started < 5


# -- the embedded model -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def gemma_path(model_dir: Path) -> Path:
    pytest.importorskip("llama_cpp")
    from pipeline.brief.llm.llamacpp_backend import packaged_test_model

    return packaged_test_model(model_dir)


@pytest.fixture(scope="session")
def gemma(gemma_path: Path) -> Any:
    from pipeline.brief.llm.llamacpp_backend import LlamaCppBackend

    return LlamaCppBackend(model_path=gemma_path, chat_format="gemma", n_ctx=4096, n_threads=2)


@pytest.mark.llm
def test_offline_without_a_model_falls_back_to_gemma_loudly(
    model_dir: Path, gemma_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pipeline.brief.llm.llamacpp_backend import TestModelWarning, resolve_model

    started = time.monotonic()
    with pytest.warns(TestModelWarning, match="unfit for real briefs"):
        resolved = resolve_model(
            cache_dir=model_dir, hub_endpoint=f"http://127.0.0.1:{free_port()}", progress=False
        )
    assert time.monotonic() - started < 10
    assert resolved.path == gemma_path and resolved.test_model and resolved.chat_format == "gemma"
    assert "Qwen/Qwen2.5-3B-Instruct-GGUF" in caplog.text and "ConnectError" in caplog.text
    with pytest.raises(LLMUnavailable, match="does not exist"):
        resolve_model(model_path=model_dir / "nope.gguf")


@pytest.mark.llm
def test_gemma_answers_schema_valid_json(gemma: Any) -> None:
    model = output_model(LABELS[:3], ["UA", "RU", "TR"], ["kt-1", "kt-2", "kt-3"], SMALL)
    messages = [
        ChatMessage(role="system", content="Answer in Korean with one JSON object."),
        ChatMessage(
            role="user",
            content="[kt-1] Ukraine and Russia met in Istanbul on June 2.\n"
            "[kt-2] Russian forces advanced near Pokrovsk.\n"
            "[kt-3] Turkey hosted the talks.",
        ),
    ]
    started = time.monotonic()
    result = gemma.complete_json(messages, json_schema_for(model), max_tokens=600)
    elapsed = time.monotonic() - started
    output = model.model_validate(parse_json_object(result.text))
    assert isinstance(output, BriefOutput)
    assert len(output.key_points) == 3
    assert {p.source_ref for p in output.key_points} <= {"kt-1", "kt-2", "kt-3"}
    assert result.input_tokens > 20 and 0 < result.output_tokens <= 600
    assert result.model == "gemma-3-270m-q4_k_m.gguf"
    assert gemma.count_tokens("Pokrovsk") < len("Pokrovsk")
    print(f"gemma complete_json: {elapsed:.1f} s, {result.output_tokens} tokens")


@pytest.mark.llm
def test_generate_brief_end_to_end_with_gemma_and_cache(gemma: Any) -> None:
    from pipeline.brief.generate import MemoryBriefCache, generate_brief

    article = full_size_article(seed=7)
    cache = MemoryBriefCache()
    started = time.monotonic()
    first = generate_brief(
        article,
        gemma,
        glossary=Glossary.load(),
        categories=LABELS,
        budget_tokens=1200,
        cache=cache,
        limits=SMALL,
    )
    elapsed = time.monotonic() - started
    assert not first.cached and first.attempts in (1, 2)
    assert first.usage.input_tokens > 1000 and first.usage.output_tokens > 0
    assert first.backend == "llamacpp" and first.model == "gemma-3-270m-q4_k_m.gguf"
    assert first.brief.title_ko == "[ISW] 러시아의 공세 캠페인 평가, 2025년 11월 14일"
    assert first.status in ("verified", "needs_review")
    if first.status == "needs_review":
        assert first.failures and first.attempts == 2
        assert all(f.kind and f.detail for f in first.failures)
    if first.brief.key_points:  # the answer parsed and validated
        assert len(first.brief.key_points) == 3
        assert first.brief.category in LABELS
        assert set(first.selected.refs) >= {p.source_ref for p in first.brief.key_points}  # type: ignore[union-attr]
    # Countries are deterministic: the gazetteer's, with CLDR names, whatever the model said.
    assert {"UA", "RU"} <= {c.iso2 for c in first.brief.countries}
    assert {c.name_ko for c in first.brief.countries} >= {"우크라이나", "러시아"}
    assert json.loads(json.dumps(first.brief.to_json())) == first.brief.to_json()
    assert set(first.brief.to_json()) == {
        "title_ko",
        "key_points",
        "category",
        "countries",
        "outlook",
    }

    second = generate_brief(
        article,
        gemma,
        glossary=Glossary.load(),
        categories=LABELS,
        budget_tokens=1200,
        cache=cache,
        limits=SMALL,
    )
    assert second.cached and second.attempts == 0
    assert (second.usage.input_tokens, second.usage.output_tokens) == (0, 0)
    assert second.brief == first.brief and second.status == first.status
    assert second.failures == first.failures and second.cache_key == first.cache_key
    print(
        f"generate_brief with gemma: {elapsed:.1f} s, {first.attempts} call(s), {first.status}, "
        f"{len(first.failures)} failure(s)"
    )


# -- the openai backend against llama-cpp-python's own server ------------------------------------


@pytest.fixture(scope="session")
def llama_server(gemma_path: Path, model_dir: Path) -> Iterator[str]:
    port = free_port()
    # The server logs a lot; a pipe nobody reads would fill up and stall it.
    log = open(model_dir / "llama_server.log", "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [
            sys.executable, "-m", "llama_cpp.server", "--model", str(gemma_path),
            "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", "4096", "--n_threads", "2", "--model_alias", "gemma-270m",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                log.flush()
                tail = (model_dir / "llama_server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"llama_cpp.server exited:\n{tail}")
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not come up in 90 s")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.mark.llm
def test_openai_backend_against_a_real_llama_cpp_server(llama_server: str) -> None:
    backend = OpenAIBackend(
        model="gemma-270m", base_url=llama_server, api_key="", fold_system=True, timeout=300
    )
    model = output_model(LABELS[:2], ["UA", "RU"], ["kt-1", "kt-2", "kt-3"], SMALL)
    messages = [
        ChatMessage(role="system", content="Answer in Korean with one JSON object."),
        ChatMessage(
            role="user",
            content="[kt-1] Ukraine and Russia met in Istanbul.\n[kt-2] Russia advanced.\n"
            "[kt-3] Talks continue.",
        ),
    ]
    started = time.monotonic()
    result = backend.complete_json(messages, json_schema_for(model), max_tokens=600)
    elapsed = time.monotonic() - started
    # llama-cpp-python's server refuses the json_schema type (422); the backend stepped down to
    # json_object with the schema, which that server turns into a grammar.
    assert backend.response_mode == "json_object_schema"
    output = model.model_validate(parse_json_object(result.text))
    assert len(output.key_points) == 3
    assert result.input_tokens > 20 and result.output_tokens > 0
    assert result.model == "gemma-270m"
    print(f"openai backend via llama_cpp.server: {elapsed:.1f} s, {result.output_tokens} tokens")


# -- the generate step against a scripted endpoint ----------------------------------------------


def istanbul_article() -> Article:
    article = Article(
        url="https://understandingwar.org/research/russia-ukraine/russian-offensive-campaign-assessment-june-2-2025/",
        source="isw",
        title="Russian Offensive Campaign Assessment, June 2, 2025",
        series="russian-offensive-campaign-assessment",
        published=dt.date(2025, 6, 2),
        key_takeaways=[
            "Ukrainian and Russian delegations met in Istanbul on June 2 and only agreed to "
            "exchange prisoners of war.",
            "Russian forces advanced near Pokrovsk and Toretsk.",
            "Russian forces launched 135 drones against Ukraine overnight.",
        ],
        sections=[
            Section(
                "s1",
                "Pokrovsk Direction",
                "Russian forces attacked near Pokrovsk on June 1 and 2.\n\n"
                "Turkey hosted the talks in Istanbul.",
            )
        ],
    )
    article.text = "\n\n".join(
        [article.title, *article.key_takeaways, "Pokrovsk Direction", article.sections[0].text]
    )
    return article


GOOD_ANSWER = {
    "key_points": [
        {
            "text": "우크라이나와 러시아 대표단은 6월 2일 이스탄불에서 만나 전쟁 포로 교환에만 "
            "합의했습니다.",
            "source_ref": "kt-1",
        },
        {"text": "러시아군은 포크로우스크와 토레츠크 부근에서 진격했습니다.", "source_ref": "kt-2"},
        {"text": "러시아군은 밤사이 우크라이나에 드론 135대를 발사했습니다.", "source_ref": "kt-3"},
    ],
    "category": "러시아-우크라이나 전쟁 관련 군사 및 외교 동향",
    "roles": [{"iso2": "TR", "role": "회담 개최"}],
    "outlook": "ISW는 러시아가 협상을 지연시키며 전장에서 이득을 더 얻으려 한다고 평가합니다.",
}
ENGLISH_ANSWER = {
    **GOOD_ANSWER,
    "key_points": [
        {"text": "Delegations met in Istanbul.", "source_ref": "kt-1"},
        {"text": "Russian forces advanced.", "source_ref": "kt-2"},
        {"text": "Russia launched drones.", "source_ref": "kt-3"},
    ],
}


def scripted_backend(server: LoopbackServer, answers: list[str]) -> tuple[OpenAIBackend, Script]:
    enable_post(server)
    script = Script([json_route(completion(text, 1000, 100)) for text in answers])
    server.routes[CHAT_PATH] = Route(dynamic=script)
    backend = OpenAIBackend(model="scripted", base_url=server.url("/v1"), sleep=lambda _: None)
    return backend, script


def test_generate_retries_with_feedback_then_verifies(http_server: LoopbackServer) -> None:
    from pipeline.brief.generate import MemoryBriefCache, generate_brief

    backend, script = scripted_backend(
        http_server, [json.dumps(ENGLISH_ANSWER), json.dumps(GOOD_ANSWER, ensure_ascii=False)]
    )
    cache = MemoryBriefCache()
    result = generate_brief(
        istanbul_article(), backend, glossary=Glossary.load(), categories=LABELS, cache=cache
    )
    assert (result.status, result.attempts, result.failures) == ("verified", 2, [])
    assert (result.usage.input_tokens, result.usage.output_tokens) == (2000, 200)
    first, second = script.bodies
    schema = first["response_format"]["json_schema"]["schema"]
    assert schema["$defs"]["KeyPoint"]["properties"]["source_ref"]["enum"] == [
        "kt-1", "kt-2", "kt-3", "sec-1", "p-1", "p-2",
    ]  # fmt: skip
    assert schema["properties"]["category"]["enum"][0] == LABELS[0]  # the series' category
    assert set(schema["$defs"]["CountryRole"]["properties"]["iso2"]["enum"]) == {"RU", "UA", "TR"}
    # The retry repeats the first request, then the answer and what was wrong with it.
    assert second["messages"][:2] == first["messages"]
    assert second["messages"][2] == {"role": "assistant", "content": json.dumps(ENGLISH_ANSWER)}
    assert "한국어" in second["messages"][3]["content"]
    brief = result.brief.to_json()
    assert brief["title_ko"] == "[ISW] 러시아의 공세 캠페인 평가, 2025년 6월 2일"
    assert brief["key_points"] == GOOD_ANSWER["key_points"]
    assert brief["countries"] == [
        {"iso2": "RU", "name_ko": "러시아", "role": ""},
        {"iso2": "TR", "name_ko": "튀르키예", "role": "회담 개최"},
        {"iso2": "UA", "name_ko": "우크라이나", "role": ""},
    ]
    again = generate_brief(
        istanbul_article(), backend, glossary=Glossary.load(), categories=LABELS, cache=cache
    )
    assert again.cached and again.brief == result.brief and len(script.bodies) == 2


def test_generate_keeps_the_parsed_answer_and_needs_review(http_server: LoopbackServer) -> None:
    from pipeline.brief.generate import generate_brief

    echo = {**GOOD_ANSWER, "outlook": "ISW는 …로 평가합니다."}
    backend, _ = scripted_backend(http_server, [json.dumps(echo), '{"key_points": [{"te'])
    result = generate_brief(
        istanbul_article(), backend, glossary=Glossary.load(), categories=LABELS
    )
    assert (result.status, result.attempts, result.cached) == ("needs_review", 2, False)
    # The truncated second answer is worse than the first, which is kept with its failure.
    assert [(f.kind, f.field) for f in result.failures] == [("markup", "outlook")]
    assert result.brief.outlook == "ISW는 …로 평가합니다."
    assert len(result.brief.key_points) == 3


def test_generate_reports_unparseable_answers(http_server: LoopbackServer) -> None:
    from pipeline.brief.generate import generate_brief

    backend, script = scripted_backend(http_server, ['{"category": 1}', "I cannot do that."])
    result = generate_brief(
        istanbul_article(), backend, glossary=Glossary.load(), categories=LABELS
    )
    assert result.status == "needs_review" and result.attempts == 2
    assert [(f.kind, f.field) for f in result.failures] == [("schema", "")]
    assert "no JSON object" in result.failures[0].detail
    assert result.brief.key_points == [] and result.brief.title_ko.startswith("[ISW]")
    # Without a parsed answer the retry is one user message with the feedback, no assistant turn.
    retry = script.bodies[1]["messages"]
    assert [m["role"] for m in retry] == ["system", "user"]
    for field in ("key_points", "category", "outlook"):
        assert f"{field}: " in retry[1]["content"]
