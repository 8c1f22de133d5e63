"""The one href generator of the 2030.5 API.

Each resource's path is written once, here, as a Django path pattern: ``urls.py`` routes the same
patterns, and the functions below fill them in. Hrefs name objects by primary key, so they are stable for
the life of the object.
"""

from __future__ import annotations

import re

from django.urls import get_script_prefix, register_converter


class IdConverter:
    """A primary key in a path: at most 18 digits, so it always fits a 64-bit column. A longer one is
    not a resource (404), where Django's ``int`` would hand the database a number it cannot hold."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

DCAP = "dcap"
TIME = "tm"
END_DEVICE_LIST = "edev"
END_DEVICE = "edev/<id:edev>"
REGISTRATION = "edev/<id:edev>/rg"
FSA_LIST = "edev/<id:edev>/fsa"
FSA = "edev/<id:edev>/fsa/<id:fsa>"
FSA_PROGRAM_LIST = "edev/<id:edev>/fsa/<id:fsa>/derp"
DER_LIST = "edev/<id:edev>/der"
DER = "edev/<id:edev>/der/<id:der>"
DER_CAPABILITY = "edev/<id:edev>/der/<id:der>/dercap"
DER_SETTINGS = "edev/<id:edev>/der/<id:der>/derg"
DER_STATUS = "edev/<id:edev>/der/<id:der>/ders"
DER_AVAILABILITY = "edev/<id:edev>/der/<id:der>/dera"
LOG_EVENT_LIST = "edev/<id:edev>/lel"
LOG_EVENT = "edev/<id:edev>/lel/<id:lel>"
SUBSCRIPTION_LIST = "edev/<id:edev>/sub"
SUBSCRIPTION = "edev/<id:edev>/sub/<id:sub>"
PROGRAM = "derp/<id:derp>"
DEFAULT_CONTROL = "derp/<id:derp>/dderc"
CONTROL_LIST = "derp/<id:derp>/derc"
CONTROL = "derp/<id:derp>/derc/<id:derc>"
ACTIVE_CONTROL_LIST = "derp/<id:derp>/actderc"
CURVE_LIST = "derp/<id:derp>/dc"
CURVE = "derp/<id:derp>/dc/<id:dc>"
RESPONSE_SET_LIST = "rsps"
RESPONSE_SET = "rsps/<id:rsps>"
RESPONSE_LIST = "rsps/<id:rsps>/rsp"
RESPONSE = "rsps/<id:rsps>/rsp/<id:rsp>"
USAGE_POINT_LIST = "upt"
MIRROR_USAGE_POINT_LIST = "mup"
MIRROR_USAGE_POINT = "mup/<id:mup>"
MIRROR_METER_READING = "mup/<id:mup>/mr/<id:mr>"

#: The FSA id of the one FSA holding every topology program (CSIP 5.2.3.1); other FSAs use group ids.
TOPOLOGY_FSA = 0
#: A DER EndDevice represents one DER at its point of common coupling (CSIP 5.2.3.1).
DER_ID = 1

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(pattern: str) -> str:
    return _CONVERTER.sub(r"{\1}", pattern)


#: Every path pattern above, as a str.format template.
_TEMPLATES = {
    value: _template(value)
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, str)
}


def href(pattern: str, **ids: int) -> str:
    """The href of the resource routed at ``pattern`` with these ids, under the script prefix."""
    return get_script_prefix() + _TEMPLATES[pattern].format(**ids)
