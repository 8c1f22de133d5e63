"""The utility's kinds of staff user, as Django permission groups.

Handbook administrators decide who may connect (the authorization list, EndDevices, groups);
dispatchers run the grid side (programs, default controls, events, curves); viewers only look.
All three see everything.
"""

from django.contrib.auth.models import Group as StaffGroup
from django.contrib.auth.models import Permission

DISPATCHERS = "Dispatchers"
HANDBOOK_ADMINISTRATORS = "Handbook administrators"
VIEWERS = "Viewers"

_ALL_MODELS = (
    "derms.authorization",
    "derms.enddevice",
    "derms.derprogram",
    "derms.defaultdercontrol",
    "derms.dercontrol",
    "derms.dercurve",
    "derms.curvepoint",
    "derms.auditentry",
    "groups.group",
    # What clients send, and the outbox: read-only for everyone.
    "derms.dercapability",
    "derms.dersettings",
    "derms.derstatus",
    "derms.deravailability",
    "derms.logevent",
    "derms.alarmstate",
    "derms.mirrorusagepoint",
    "derms.mirrormeterreading",
    "derms.response",
)
_MAY_EDIT = {
    DISPATCHERS: (
        "derms.derprogram",
        "derms.defaultdercontrol",
        "derms.dercontrol",
        "derms.dercurve",
        "derms.curvepoint",
    ),
    HANDBOOK_ADMINISTRATORS: ("derms.authorization", "derms.enddevice", "groups.group"),
    VIEWERS: (),
}


def ensure_staff_roles() -> dict[str, StaffGroup]:
    """Create or refresh every permission group; safe to run any number of times."""
    roles = {}
    for name, editable in _MAY_EDIT.items():
        wanted = [(label, "view") for label in _ALL_MODELS]
        wanted += [(label, verb) for label in editable for verb in ("add", "change")]
        role, _ = StaffGroup.objects.get_or_create(name=name)
        role.permissions.set(_permissions(wanted))
        roles[name] = role
    return roles


def _permissions(wanted: list[tuple[str, str]]) -> list[Permission]:
    wanted_set = set(wanted)
    found = Permission.objects.select_related("content_type").filter(
        content_type__app_label__in={label.split(".")[0] for label, _ in wanted_set}
    )
    return [
        p
        for p in found
        if (f"{p.content_type.app_label}.{p.content_type.model}", p.codename.split("_", 1)[0]) in wanted_set
    ]
