"""The 2030.5 Error resource every refused request is answered with (IEEE 2030.5 Error, reasonCode)."""

from __future__ import annotations

import enum

from lxml import etree

from csip_api.xml import element, leaf


class Reason(enum.IntEnum):
    """Error.reasonCode as sep.xsd lists it."""

    INVALID_FORMAT = 0
    INVALID_VALUES = 1
    RESOURCE_LIMIT = 2
    CONDITIONAL_SUBSCRIPTION = 3
    REQUEST_FREQUENCY = 4


def error(reason: Reason, *, max_retry_duration: int | None = None) -> etree._Element:
    return element("Error", leaf("maxRetryDuration", max_retry_duration), leaf("reasonCode", int(reason)))
