"""Lenient parsing of the one JSON object a model answers with.

Constrained decoding makes the shape right but not always the bytes: llama.cpp's JSON-schema
grammar lets raw newlines into strings, chat models wrap answers in code fences or a sentence,
some endpoints leave a trailing comma. This module repairs exactly those and nothing else; a
truncated object (the model ran out of ``max_tokens``) is an error that says so.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE_RE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\r?\n?(.*?)(?:```|\Z)", re.DOTALL)
_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


class JSONParseError(ValueError):
    """The text holds no parseable JSON object. ``truncated`` is True when it was cut short."""

    def __init__(self, message: str, *, truncated: bool = False, position: int | None = None):
        super().__init__(message)
        self.truncated = truncated
        self.position = position


def parse_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in ``text``, after the repairs this module exists for."""
    body = _unfence(text.lstrip("\ufeff").strip())
    start = body.find("{")
    if start < 0:
        snippet = body[:80].replace("\n", " ")
        raise JSONParseError(f"no JSON object in the answer (it begins {snippet!r})")
    repaired = _repair(body, start)
    try:
        value = json.loads(repaired)
    except json.JSONDecodeError as exc:
        raise JSONParseError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            position=exc.pos,
        ) from exc
    except RecursionError as exc:  # thousands of nested objects: no brief looks like that
        raise JSONParseError("the answer nests JSON too deeply to be a brief") from exc
    if not isinstance(value, dict):  # pragma: no cover - _repair only returns an object
        raise JSONParseError("the answer is not a JSON object")
    return value


def _unfence(text: str) -> str:
    """The inside of the first code fence that holds an object, or the text as it is."""
    for match in _FENCE_RE.finditer(text):
        if "{" in match.group(1):
            return match.group(1)
    return text


def _repair(text: str, start: int) -> str:
    """One object from ``start``: control characters escaped inside strings, trailing commas
    dropped, anything after the closing brace ignored. Raises when the object never closes."""
    out: list[str] = []
    closers: list[str] = []
    in_string = escaped = False
    for char in text[start:]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            elif char < " ":
                out.append(_CONTROL_ESCAPES.get(char, f"\\u{ord(char):04x}"))
                continue
            out.append(char)
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            closers.append("}" if char == "{" else "]")
        elif char in "}]":
            _drop_trailing_comma(out)
            if not closers or closers[-1] != char:
                expected = closers[-1] if closers else "end of object"
                raise JSONParseError(
                    f"unbalanced JSON: found {char!r} where {expected!r} was expected",
                    position=start + len("".join(out)),
                )
            closers.pop()
            if not closers:
                out.append(char)
                return "".join(out)
        out.append(char)
    where = "inside a string" if in_string else f"before {''.join(reversed(closers))!r}"
    raise JSONParseError(
        f"truncated JSON: the answer ended {where} (max_tokens too small, or the model looped)",
        truncated=True,
    )


def _drop_trailing_comma(out: list[str]) -> None:
    index = len(out) - 1
    while index >= 0 and out[index] in " \t\r\n":
        index -= 1
    if index >= 0 and out[index] == ",":
        del out[index]
