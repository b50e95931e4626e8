"""The brief's shapes: what the model must answer (pydantic), and the :class:`Brief` the app stores.

One pydantic model serves three purposes: its JSON schema goes to the backend for constrained
decoding, the same model validates the answer, and the prompt describes the same fields. The
category vocabulary, the countries found in the source and the refs of the selected input are
known only at run time, so :func:`output_model` builds a bounded subclass of :class:`BriefOutput`
with those as enums: a model cannot pick a category, country or paragraph that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, create_model

# [0-9], not \d: llama-cpp-python's grammar converter mistranslates \d (and \d is Unicode in
# pydantic's regex engine anyway).
SOURCE_REF_PATTERN = r"^(kt|top|sec|p)-[0-9]{1,3}$"
ISO2_PATTERN = r"^[A-Z]{2}$"


@dataclass(frozen=True, slots=True)
class BriefLimits:
    """Bounds of the answer. They keep a small model from looping and bound the output tokens."""

    key_points_min: int = 3
    key_points_max: int = 8
    key_point_chars: int = 300
    roles_max: int = 8
    role_chars: int = 120
    outlook_chars: int = 600

    def max_output_chars(self) -> int:
        """Characters of the longest answer the schema admits, JSON syntax included."""
        key_points = self.key_points_max * (self.key_point_chars + 40)
        roles = self.roles_max * (self.role_chars + 30)
        return key_points + roles + self.outlook_chars + 80


DEFAULT_LIMITS = BriefLimits()


class KeyPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=DEFAULT_LIMITS.key_point_chars)
    source_ref: str = Field(pattern=SOURCE_REF_PATTERN)


class CountryRole(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iso2: str = Field(pattern=ISO2_PATTERN)
    role: str = Field(max_length=DEFAULT_LIMITS.role_chars)


class BriefOutput(BaseModel):
    """The model's whole answer."""

    model_config = ConfigDict(extra="forbid")

    key_points: list[KeyPoint] = Field(
        min_length=DEFAULT_LIMITS.key_points_min, max_length=DEFAULT_LIMITS.key_points_max
    )
    category: str
    roles: list[CountryRole] = Field(max_length=DEFAULT_LIMITS.roles_max)
    outlook: str = Field(min_length=1, max_length=DEFAULT_LIMITS.outlook_chars)


def _literal(values: Sequence[str]) -> Any:
    # Literal[...] of run-time values: pydantic turns it into an enum in the schema.
    return cast(Any, Literal).__getitem__(tuple(values))


def output_model(
    categories: Sequence[str],
    iso2_choices: Sequence[str],
    refs: Sequence[str] | None = None,
    limits: BriefLimits = DEFAULT_LIMITS,
) -> type[BriefOutput]:
    """A :class:`BriefOutput` whose category, country codes and source refs are enums.

    ``iso2_choices`` are the countries found in the source; with none, ``roles`` must be empty.
    ``refs`` are the refs of the selected input (``None`` keeps the pattern).
    """
    if not categories:
        raise ValueError("output_model needs at least one category")
    ref_type: Any = _literal(list(dict.fromkeys(refs))) if refs else str
    ref_field: Any = Field() if refs else Field(pattern=SOURCE_REF_PATTERN)
    key_point = create_model(
        "KeyPoint",
        __base__=KeyPoint,
        text=(str, Field(min_length=1, max_length=limits.key_point_chars)),
        source_ref=(ref_type, ref_field),
    )
    countries = list(dict.fromkeys(iso2_choices))
    role = create_model(
        "CountryRole",
        __base__=CountryRole,
        iso2=(_literal(countries), Field()) if countries else (str, Field(pattern=ISO2_PATTERN)),
        role=(str, Field(max_length=limits.role_chars)),
    )
    return create_model(
        "BriefOutput",
        __base__=BriefOutput,
        key_points=(
            list[key_point],  # type: ignore[valid-type]
            Field(min_length=limits.key_points_min, max_length=limits.key_points_max),
        ),
        category=(_literal(list(dict.fromkeys(categories))), Field()),
        roles=(
            list[role],  # type: ignore[valid-type]
            Field(max_length=limits.roles_max if countries else 0),
        ),
        outlook=(str, Field(min_length=1, max_length=limits.outlook_chars)),
    )


def json_schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent for constrained decoding; the same ``model`` validates the answer."""
    return model.model_json_schema()


@dataclass(slots=True)
class BriefKeyPoint:
    text: str
    source_ref: str


@dataclass(slots=True)
class BriefCountry:
    iso2: str
    name_ko: str  # from CLDR through countries.korean_country_name, never from the model
    role: str = ""


@dataclass(slots=True)
class Brief:
    """The Korean brief the app stores and the board shows."""

    title_ko: str
    key_points: list[BriefKeyPoint] = field(default_factory=list)
    category: str = ""
    countries: list[BriefCountry] = field(default_factory=list)
    outlook: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title_ko": self.title_ko,
            "key_points": [{"text": p.text, "source_ref": p.source_ref} for p in self.key_points],
            "category": self.category,
            "countries": [
                {"iso2": c.iso2, "name_ko": c.name_ko, "role": c.role} for c in self.countries
            ],
            "outlook": self.outlook,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Brief:
        return cls(
            title_ko=data["title_ko"],
            key_points=[BriefKeyPoint(**p) for p in data.get("key_points", [])],
            category=data.get("category", ""),
            countries=[BriefCountry(**c) for c in data.get("countries", [])],
            outlook=data.get("outlook", ""),
        )
