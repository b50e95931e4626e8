"""The controlled vocabulary of brief categories (분류), read from ``data/categories.tsv``.

The brief's ``category`` must be one of the Korean labels; each series names its usual category.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

CATEGORIES_PATH = Path(__file__).parent / "data" / "categories.tsv"
_FIELDS = ("slug", "label", "description", "series")


@dataclass(frozen=True, slots=True)
class Category:
    """One category: a stable slug, the Korean label shown on the page, and what it covers."""

    slug: str
    label: str
    description: str
    series: tuple[str, ...] = ()  # series slugs whose reports usually fall here


def load_categories(path: str | Path | None = None) -> tuple[Category, ...]:
    """The categories in a TSV file (slug, label, description, series); default: packaged."""
    if path is None:
        return _packaged()
    return _read(Path(path))


def category_labels(path: str | Path | None = None) -> frozenset[str]:
    """The Korean labels a brief's ``category`` may take."""
    return frozenset(category.label for category in load_categories(path))


def default_category(series: str | None) -> Category | None:
    """The usual category of a series' reports, if the vocabulary names one."""
    for category in _packaged():
        if series and series in category.series:
            return category
    return None


@functools.cache
def _packaged() -> tuple[Category, ...]:
    return _read(CATEGORIES_PATH)


def _read(path: Path) -> tuple[Category, ...]:
    categories = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header[:4]) != _FIELDS:
            raise ValueError(f"{path}: first line must be the header {' '.join(_FIELDS)}")
        for line_number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 3 or not row[0].strip() or not row[1].strip():
                raise ValueError(f"{path}:{line_number}: needs slug, label and description")
            listed = row[3] if len(row) > 3 else ""
            series = tuple(s.strip() for s in listed.split(",") if s.strip())
            categories.append(Category(row[0].strip(), row[1].strip(), row[2].strip(), series))
    slugs = [c.slug for c in categories]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"{path}: duplicate category slug")
    return tuple(categories)
