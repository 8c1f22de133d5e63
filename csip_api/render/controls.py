"""DERControlBase and DefaultDERControl's settings, rendered from the one registry of controls."""

from __future__ import annotations

from lxml import etree

from csip_api import hrefs
from csip_api.xml import element, leaf, link
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, Control, Kind


def control_value(holder, control: Control) -> etree._Element | None:
    """One control of ``holder`` (a DERControl or DefaultDERControl), or None when it is not set."""
    if control.kind is Kind.CURVE:
        curve_id = getattr(holder, f"{control.field}_id")
        if curve_id is None:
            return None
        return link(control.element, hrefs.href(hrefs.CURVE, derp=holder.program_id, dc=curve_id))
    values = [getattr(holder, name) for name in control.field_names()]
    if all(value is None for value in values):
        return None
    if control.kind.is_simple:
        return leaf(control.element, values[0])
    parts = (leaf(part.element, value) for part, value in zip(control.kind.parts, values, strict=True))
    return element(control.element, *parts)


def control_base(holder) -> etree._Element:
    return element("DERControlBase", *(control_value(holder, control) for control in CONTROLS))


def default_only_settings(default) -> list[etree._Element | None]:
    return [control_value(default, setting) for setting in DEFAULT_ONLY_SETTINGS]
