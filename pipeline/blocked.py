"""Recognise block and challenge pages: what a site serves an automated reader instead of content.

Cloudflare answers some requests with a block page ("Attention Required! | Cloudflare",
``#cf-wrapper``, ``#cf-error-details``, "Sorry, you have been blocked") or a "Just a moment..."
challenge page (``cf-chl`` scripts, ``/cdn-cgi/challenge-platform/``, ``window._cf_chl_opt``),
with status 403, 429 or 503 and sometimes 200. Such a page is a failed fetch, never a report.

The check must cost nothing on a normal 100 kB report page and must not fire on a report that
merely *mentions* Cloudflare or a captcha, so it only reads the ``<title>`` near the start of the
page, markup markers (ids, script names) in a bounded prefix, and the response headers. The
weaker heuristics (a generic captcha form, other vendors' interstitials) only apply to small
pages: interstitials are a few kilobytes, reports are far larger.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

# The title must appear in the head; markers are looked for in this much of the page.
HEAD_LIMIT = 16 * 1024
PREFIX_LIMIT = 64 * 1024
# Pages longer than this are never judged by the weaker, vendor-neutral heuristics.
SMALL_PAGE = 64 * 1024

_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")

# ids only Cloudflare's own error and block pages carry.
_CF_ERROR_IDS = re.compile(r"""\bid\s*=\s*["']?cf-(?:wrapper|error-details)\b""", re.I)
# Script names and variables only challenge pages carry. ``/cdn-cgi/challenge-platform/`` alone
# is not enough: Cloudflare injects its bot-detection script (…/scripts/jsd/main.js) into
# ordinary pages too, so it counts only together with a challenge title or a block status.
_CF_CHALLENGE_SCRIPTS = ("_cf_chl_opt", "cf-chl-", "cf_chl_", "cf-challenge", "cf_challenge")
_CF_PLATFORM = "/cdn-cgi/challenge-platform/"
# Words in a Cloudflare error page's h1 or title that mean "refused", not "origin down".
_BLOCK_WORDS = (
    "blocked",
    "unable to access",
    "access denied",
    "rate limited",
    "attention required",
    "restrict access",
)
_CHALLENGE_TITLES = (
    "just a moment",
    "attention required! | cloudflare",
    "please wait... | cloudflare",
    "one moment, please",
    "checking your browser",
)
_CAPTCHA_TITLES = (
    "captcha",
    "human verification",
    "verify you are human",
    "are you a robot",
    "bot verification",
    "security check",
)
_CAPTCHA_WIDGETS = (
    "g-recaptcha",
    "h-captcha",
    "hcaptcha.com",
    "cf-turnstile",
    "challenges.cloudflare.com/turnstile",
    "captcha-delivery.com",
    "awswaf",
)
_CAPTCHA_FORM = re.compile(
    r"""<(?:input|form|div|img)\b[^>]*?\b(?:name|id|class|action|src)\s*=\s*["'][^"']*captcha""",
    re.I,
)
_BLOCK_STATUSES = frozenset({403, 429, 503})


def block_reason(
    text: str, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> str | None:
    """Why ``text`` is a block or challenge page rather than content, or None when it is not.

    ``status`` and ``headers`` are the response's, when there was one (a saved file has
    neither); header names are matched case-insensitively.
    """
    found = {name.lower(): value for name, value in (headers or {}).items()}
    if found.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated: challenge)"
    # Markers are matched as written (Cloudflare's markup is lower case): plain substring
    # tests keep a 100 kB page at a few microseconds; regexes only confirm a hit.
    prefix = text[:PREFIX_LIMIT]
    title = _text_of(_TITLE.search(prefix, 0, HEAD_LIMIT))
    title_l = title.lower()
    if ("cf-error-details" in prefix or "cf-wrapper" in prefix) and _CF_ERROR_IDS.search(prefix):
        heading = _text_of(_H1.search(prefix))
        wording = f"{heading} {title}".lower()
        if status in {403, 429} or any(word in wording for word in _BLOCK_WORDS):
            return f"Cloudflare block page: {heading or title or f'HTTP {status}'}"
    challenge_script = any(marker in prefix for marker in _CF_CHALLENGE_SCRIPTS)
    if any(title_l.startswith(t) for t in _CHALLENGE_TITLES) and (
        challenge_script or _CF_PLATFORM in prefix
    ):
        return f"Cloudflare challenge page ({title})"
    from_cloudflare = found.get("server", "").lower() == "cloudflare" or "cf-ray" in found
    if status in _BLOCK_STATUSES and from_cloudflare and challenge_script:
        return f"Cloudflare challenge page (HTTP {status})"
    if len(text) <= SMALL_PAGE:
        return _small_page_reason(prefix.lower(), title)
    return None


def _small_page_reason(lowered: str, title: str) -> str | None:
    """Other vendors' interstitials and plain captcha forms; only for small pages."""
    title_l = title.lower()
    if any(word in title_l for word in _CAPTCHA_TITLES) and (
        any(widget in lowered for widget in _CAPTCHA_WIDGETS) or _CAPTCHA_FORM.search(lowered)
    ):
        return f"captcha page ({title})"
    if "captcha-delivery.com" in lowered and re.search(r"\bdd\s*=\s*\{", lowered):
        return "DataDome captcha page"
    if "incapsula incident id" in lowered:
        return "Imperva (Incapsula) block page"
    if title_l == "access denied" and "you don't have permission to access" in lowered:
        return "Akamai block page (Access Denied)"
    return None


def _text_of(match: re.Match[str] | None) -> str:
    """The text of a matched element: tags dropped, entities decoded, spaces squashed."""
    if match is None:
        return ""
    inner = html.unescape(_TAG.sub(" ", match.group(1)))
    return _SPACE.sub(" ", inner).strip()[:120]
