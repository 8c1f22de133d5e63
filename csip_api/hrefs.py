"""The one href generator of the 2030.5 API.

Each resource's path is written once, here, as a Django path pattern: ``urls.py`` routes the same
patterns, and the functions below fill them in. Hrefs name objects by primary key, so they are stable for
the life of the object.
"""

from __future__ import annotations

import re

from django.urls import get_script_prefix

DCAP = "dcap"
TIME = "tm"
END_DEVICE_LIST = "edev"
END_DEVICE = "edev/<int:edev>"
REGISTRATION = "edev/<int:edev>/rg"
FSA_LIST = "edev/<int:edev>/fsa"
FSA = "edev/<int:edev>/fsa/<int:fsa>"
FSA_PROGRAM_LIST = "edev/<int:edev>/fsa/<int:fsa>/derp"
DER_LIST = "edev/<int:edev>/der"
DER = "edev/<int:edev>/der/<int:der>"
DER_CAPABILITY = "edev/<int:edev>/der/<int:der>/dercap"
DER_SETTINGS = "edev/<int:edev>/der/<int:der>/derg"
DER_STATUS = "edev/<int:edev>/der/<int:der>/ders"
DER_AVAILABILITY = "edev/<int:edev>/der/<int:der>/dera"
LOG_EVENT_LIST = "edev/<int:edev>/lel"
LOG_EVENT = "edev/<int:edev>/lel/<int:lel>"
SUBSCRIPTION_LIST = "edev/<int:edev>/sub"
PROGRAM = "derp/<int:derp>"
DEFAULT_CONTROL = "derp/<int:derp>/dderc"
CONTROL_LIST = "derp/<int:derp>/derc"
CONTROL = "derp/<int:derp>/derc/<int:derc>"
ACTIVE_CONTROL_LIST = "derp/<int:derp>/actderc"
CURVE_LIST = "derp/<int:derp>/dc"
CURVE = "derp/<int:derp>/dc/<int:dc>"
RESPONSE_SET_LIST = "rsps"
RESPONSE_SET = "rsps/<int:rsps>"
RESPONSE_LIST = "rsps/<int:rsps>/rsp"
RESPONSE = "rsps/<int:rsps>/rsp/<int:rsp>"
USAGE_POINT_LIST = "upt"
MIRROR_USAGE_POINT_LIST = "mup"
MIRROR_USAGE_POINT = "mup/<int:mup>"
MIRROR_METER_READING = "mup/<int:mup>/mr/<int:mr>"

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
