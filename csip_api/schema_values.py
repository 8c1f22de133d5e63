"""Resources described by their schema elements, read into and rendered from plain values.

What clients send (DERCapability, MirrorUsagePoint, LogEvent, Response, ...) is described here once,
element by element in the schema's sequence order, with each element's type and range. The same
description reads a request body into a dict keyed by element names (what the services take and the
models store) and renders such a dict back in schema order, so a stored resource is served as it came.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lxml import etree

from csip_api.xml import Hex, element, leaf, qname, time_value
from csip_api.xml.parse import Body, XMLBodyError
from derms.lfdi import normalize_lfdi


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int

    def read(self, body: Body, tag: str, required: bool):
        return body.integer(tag, minimum=self.minimum, maximum=self.maximum, required=required)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


@dataclass(frozen=True)
class HexBinary:
    octets: int

    def read(self, body: Body, tag: str, required: bool):
        return body.hex(tag, octets=self.octets, required=required)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, Hex(value, self.octets))


@dataclass(frozen=True)
class Text:
    max_length: int

    def read(self, body: Body, tag: str, required: bool):
        return body.text(tag, required=required, max_length=self.max_length)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class Boolean:
    def read(self, body: Body, tag: str, required: bool):
        return body.boolean(tag, required=required)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class Time:
    """TimeType, kept as epoch seconds (JSON-friendly and exactly what the schema holds)."""

    def read(self, body: Body, tag: str, required: bool):
        moment = body.time(tag, required=required)
        return None if moment is None else time_value(moment)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class MRID:
    """mRIDType (HexBinary128), kept as upper-case hex text: mRIDs are names, not numbers."""

    def read(self, body: Body, tag: str, required: bool):
        if body.hex(tag, octets=16, required=required) is None:
            return None
        return body.text(tag).upper()

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class LFDI:
    """HexBinary160 naming a device: lower-case, as everywhere in derms."""

    def read(self, body: Body, tag: str, required: bool):
        if body.hex(tag, octets=20, required=required) is None:
            return None
        text = body.text(tag)
        if len(text) != 40:
            raise XMLBodyError(f"{tag} must be an LFDI of 40 hexadecimal digits.")
        return normalize_lfdi(text)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


@dataclass(frozen=True)
class Field:
    name: str
    kind: object
    required: bool = False
    many: bool = False
    #: The element's Clark name, worked out once: every element of every body is looked up by it.
    qname: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "qname", qname(self.name))


@dataclass(frozen=True)
class Complex:
    """An element with child elements, listed in the schema's sequence order."""

    fields: tuple[Field, ...]

    def read(self, body: Body, tag: str, required: bool):
        child = body.child(tag, required=required)
        return None if child is None else read_values(child, self.fields)

    def write(self, tag: str, value) -> etree._Element:
        return render_values(tag, self.fields, value)


def read_values(body: Body, fields: tuple[Field, ...]) -> dict:
    """The elements of ``body`` that ``fields`` describe, keyed by name; absent optional ones left out."""
    values = {}
    present = body.child_names()
    for field in fields:
        # Most optional elements are absent (a Reading uses 3 of its 6): skipped without reading them.
        if field.qname not in present:
            if field.required:
                raise XMLBodyError(f"{body.tag} needs {field.name}.")
            continue
        if field.many:
            children = body.children(field.name)
            values[field.name] = [read_values(child, field.kind.fields) for child in children]
            continue
        value = field.kind.read(body, field.name, field.required)
        if value is not None:
            values[field.name] = value
    return values


def render_values(tag: str, fields: tuple[Field, ...], values: dict, **attributes) -> etree._Element:
    """The element ``tag`` with ``values`` as children, in schema order."""
    children = []
    for field in fields:
        value = values.get(field.name)
        if value is None:
            continue
        if field.many:
            children.extend(field.kind.write(field.name, item) for item in value)
        else:
            children.append(field.kind.write(field.name, value))
    return element(tag, *children, **attributes)


UINT8 = Integer(0, 2**8 - 1)
UINT16 = Integer(0, 2**16 - 1)
UINT32 = Integer(0, 2**32 - 1)
INT8 = Integer(-(2**7), 2**7 - 1)
INT16 = Integer(-(2**15), 2**15 - 1)
INT32 = Integer(-(2**31), 2**31 - 1)
INT48 = Integer(-(2**47), 2**47)
UINT48 = Integer(0, 2**48 - 1)
PER_CENT = UINT16
STRING32 = Text(32)


def _value_with_multiplier(value_type: Integer) -> Complex:
    """ActivePower, ApparentPower, ReactivePower, CurrentRMS, VoltageRMS, WattHour, AmpereHour, ..."""
    return Complex((Field("multiplier", INT8, required=True), Field("value", value_type, required=True)))


ACTIVE_POWER = REACTIVE_POWER = _value_with_multiplier(INT16)
APPARENT_POWER = CURRENT_RMS = VOLTAGE_RMS = WATT_HOUR = AMPERE_HOUR = REACTIVE_SUSCEPTANCE = (
    _value_with_multiplier(UINT16)
)
POWER_FACTOR = Complex(
    (Field("displacement", UINT16, required=True), Field("multiplier", INT8, required=True))
)


def status_type(value_kind) -> Complex:
    """The DERStatus status types: a value and the time it took effect."""
    return Complex((Field("dateTime", Time(), required=True), Field("value", value_kind, required=True)))


IDENTIFIED_OBJECT = (
    Field("mRID", MRID(), required=True),
    Field("description", STRING32),
    Field("version", UINT16),
)
