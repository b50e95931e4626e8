"""Download a model file from the Hugging Face hub (or any mirror of its URL scheme) once.

``huggingface_hub`` is not a dependency: a GGUF file is one plain GET of
``{endpoint}/{repo}/resolve/{revision}/{file}``. The file is written to ``<name>.part`` and
renamed into place only when complete (and its sha256 matches, when one is given), so a reader
never sees half a model; an interrupted download resumes from the ``.part`` with a Range request.
Offline, the first connection attempt fails within ``connect_timeout`` with :class:`DownloadError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
from tqdm import tqdm

logger = logging.getLogger(__name__)

DEFAULT_HUB_ENDPOINT = "https://huggingface.co"
_CHUNK = 1024 * 1024


class DownloadError(RuntimeError):
    """The file could not be downloaded (offline, not found, or corrupt)."""


def hub_url(
    repo: str, filename: str, *, revision: str = "main", endpoint: str = DEFAULT_HUB_ENDPOINT
) -> str:
    """The hub's resolve URL of one file of one revision of a repository."""
    return (
        f"{endpoint.rstrip('/')}/{quote(repo, safe='/')}/resolve/"
        f"{quote(revision, safe='')}/{quote(filename, safe='/')}"
    )


def hub_cache_path(cache_dir: Path, repo: str, filename: str, revision: str = "main") -> Path:
    """Where :func:`hub_download` keeps a file: one folder per repository and revision."""
    return cache_dir / "hub" / repo.replace("/", "--") / revision / filename


def hub_download(
    repo: str,
    filename: str,
    *,
    cache_dir: Path,
    revision: str = "main",
    endpoint: str = DEFAULT_HUB_ENDPOINT,
    sha256: str | None = None,
    token: str | None = None,
    connect_timeout: float = 5.0,
    read_timeout: float = 60.0,
    progress: bool = True,
) -> Path:
    """The cached path of ``repo``/``filename``, downloading it first if it is not there yet."""
    dest = hub_cache_path(cache_dir, repo, filename, revision)
    if dest.is_file():
        return dest
    url = hub_url(repo, filename, revision=revision, endpoint=endpoint)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return download_file(
        url,
        dest,
        sha256=sha256,
        headers=headers,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        progress=progress,
    )


def download_file(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    headers: dict[str, str] | None = None,
    connect_timeout: float = 5.0,
    read_timeout: float = 60.0,
    progress: bool = True,
) -> Path:
    """GET ``url`` into ``dest`` through ``dest.part``, resuming a partial file when possible.

    A lock file serialises concurrent workers on one machine: the second waits, then finds the
    finished file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _locked(dest.with_name(dest.name + ".lock")):
        if dest.is_file():
            return dest
        part = dest.with_name(dest.name + ".part")
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        try:
            with httpx.Client(timeout=timeout, follow_redirects=True) as client:
                _fetch_into(client, url, part, dict(headers or {}), progress)
        except httpx.HTTPError as exc:
            raise DownloadError(f"cannot download {url}: {type(exc).__name__}: {exc}") from exc
        if sha256 is not None:
            actual = _sha256_of(part)
            if actual != sha256.lower():
                part.unlink()
                raise DownloadError(
                    f"{url}: sha256 {actual} does not match the expected {sha256}; "
                    "the partial file was removed"
                )
        part.replace(dest)
    logger.info("downloaded %s to %s", url, dest)
    return dest


def _fetch_into(
    client: httpx.Client, url: str, part: Path, headers: dict[str, str], progress: bool
) -> None:
    offset = part.stat().st_size if part.is_file() else 0
    if offset:
        headers["Range"] = f"bytes={offset}-"
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and offset:
            # The .part already holds the whole file (the rename was interrupted).
            return
        if response.status_code not in (200, 206):
            raise DownloadError(f"cannot download {url}: HTTP {response.status_code}")
        if response.status_code == 200 and offset:
            logger.info("%s does not resume downloads; starting %s over", url, part.name)
            offset = 0
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        with (
            open(part, "ab" if offset else "wb") as out,
            tqdm(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=part.name.removesuffix(".part"),
                disable=not progress,
            ) as bar,
        ):
            for chunk in response.iter_bytes(_CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and part.stat().st_size != total:
            raise DownloadError(
                f"{url}: the connection closed after {part.stat().st_size} of {total} bytes; "
                "run again to resume"
            )


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
