"""Small filters for the portal's templates: identifiers, durations and plots as people read them."""

import json

from django import template

from derms.control_units import CURVE_AXES
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


@register.filter
def curve_plot(curve) -> str:
    """A DERCurve's points, scaled by its multipliers, for static/derms/plots.js."""
    x_name, x_unit, y_name, y_unit = CURVE_AXES[curve.curve_type]
    points = list(curve.points.all())
    return json.dumps(
        {
            "x": [p.x * 10**curve.x_multiplier for p in points],
            "y": [p.y * 10**curve.y_multiplier for p in points],
            "x_label": f"{x_name} ({x_unit})",
            "y_label": f"{y_name} ({y_unit})",
        }
    )


@register.filter
def series_plot(series: dict) -> str:
    """A series over time (derms.selectors.readings, .status_history), for static/derms/plots.js; a
    status series plots as steps, its legend naming each code."""
    return json.dumps(
        {
            "x": [t for t, _ in series["points"]],
            "y": [v for _, v in series["points"]],
            "x_label": "",
            "y_label": series["unit"],
            "time": True,
            "step": series.get("step", False),
            "names": series.get("names", {}),
        }
    )
