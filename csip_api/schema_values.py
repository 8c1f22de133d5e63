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

from csip_api.xml import Hex, element, leaf, qname
from csip_api.xml.parse import Body, XMLBodyError, boolean_of, hex_of, integer_of, text_of, time_of
from derms.lfdi import normalize_lfdi


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int

    def read(self, found: etree._Element, tag: str):
        return integer_of(found, tag, minimum=self.minimum, maximum=self.maximum)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


@dataclass(frozen=True)
class HexBinary:
    octets: int

    def read(self, found: etree._Element, tag: str):
        return int(hex_of(found, tag, octets=self.octets), 16)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, Hex(value, self.octets))


@dataclass(frozen=True)
class Text:
    max_length: int

    def read(self, found: etree._Element, tag: str):
        return text_of(found, tag, max_length=self.max_length)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class Boolean:
    def read(self, found: etree._Element, tag: str):
        return boolean_of(found, tag)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class Time:
    """TimeType, kept as epoch seconds (JSON-friendly and exactly what the schema holds)."""

    def read(self, found: etree._Element, tag: str):
        return time_of(found, tag)

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class MRID:
    """mRIDType (HexBinary128), kept as upper-case hex text: mRIDs are names, not numbers."""

    def read(self, found: etree._Element, tag: str):
        return hex_of(found, tag, octets=16).upper()

    def write(self, tag: str, value) -> etree._Element:
        return leaf(tag, value)


class LFDI:
    """HexBinary160 naming a device: lower-case, as everywhere in derms."""

    def read(self, found: etree._Element, tag: str):
        text = hex_of(found, tag, octets=20)
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
class _Plan:
    """How to read the elements one description lists, worked out once for it."""

    fields: tuple[Field, ...]
    by_qname: dict[str, Field]
    required: tuple[Field, ...]

    @classmethod
    def of(cls, fields: tuple[Field, ...]) -> _Plan:
        return cls(fields, {f.qname: f for f in fields}, tuple(f for f in fields if f.required))


@dataclass(frozen=True)
class Complex:
    """An element with child elements, listed in the schema's sequence order."""

    fields: tuple[Field, ...]
    #: Worked out with the description: a body of readings reads one Complex per element by the dozen.
    plan: _Plan = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "plan", _Plan.of(self.fields))

    def read(self, found: etree._Element, tag: str):
        return _read(found, self.plan)

    def write(self, tag: str, value) -> etree._Element:
        return render_values(tag, self.fields, value)


def read_values(body: Body, fields: tuple[Field, ...]) -> dict:
    """The elements of ``body`` that ``fields`` describe, keyed by name; absent optional ones left out.

    A non-repeating element is read from its first occurrence; elements ``fields`` does not describe are
    left to schema validation.
    """
    return _read(body.node, _plan(fields))


#: A plan per description, by id: descriptions are module constants, and a plan holds its own, so an id
#: is never reused while its plan is kept. Hashing a description would walk all of it on every read.
_plans: dict[int, _Plan] = {}


def _plan(fields: tuple[Field, ...]) -> _Plan:
    plan = _plans.get(id(fields))
    if plan is None or plan.fields is not fields:
        plan = _Plan.of(fields)
        _plans[id(fields)] = plan
    return plan


def _read(node: etree._Element, plan: _Plan) -> dict:
    # One pass over the children: a body of readings is thousands of small elements, most of whose
    # optional siblings are absent.
    values = {}
    by_qname = plan.by_qname
    for found in node:
        field = by_qname.get(found.tag)
        if field is None:
            continue
        if field.many:
            values.setdefault(field.name, []).append(field.kind.read(found, field.name))
        elif field.name not in values:
            values[field.name] = field.kind.read(found, field.name)
    for field in plan.required:
        if field.name not in values:
            raise XMLBodyError(f"{etree.QName(node).localname} needs {field.name}.")
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
