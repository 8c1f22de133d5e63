"""Small filters for the portal's templates: identifiers and durations as people read them."""

from django import template

from derms.lfdi import format_sfdi

register = template.Library()


@register.filter
def sfdi(value: int) -> str:
    """123456789 -> "000123456789"."""
    return format_sfdi(value)


@register.filter
def seconds(value: int) -> str:
    """A duration in seconds as hours and minutes: 5400 -> "1 h 30 min"."""
    hours, rest = divmod(int(value), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


@register.filter
def timespan(delta) -> str:
    """A timedelta, like ``seconds``."""
    return seconds(delta.total_seconds())
