"""Template helpers of the board."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """The current URL's query string with ``page`` set to ``number``."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()
