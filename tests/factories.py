"""Plain functions that make domain objects for tests; each takes only what the test cares about."""

import hashlib

from django.contrib.auth import get_user_model
from django.urls import reverse

from derms.changefeed import Kind
from derms.events.services import create_program
from derms.models import Authorization, Change, CurvePoint, DERCurve, DERProgram, EndDevice, Role
from derms.staff import ensure_staff_roles
from groups.models import Group, Level


def make_lfdi(seed: str) -> str:
    """A well-formed LFDI that no certificate has; distinct seeds give distinct LFDIs."""
    return hashlib.sha256(seed.encode()).hexdigest()[:40]


def make_group(name: str, level: int, parent: Group | None = None) -> Group:
    group = Group(name=name, level=level)
    if parent is None:
        return Group.objects.add_root(instance=group)
    parent.refresh_from_db()
    return Group.objects.add_child(parent, instance=group)


def make_non_topology_group(name: str) -> Group:
    return make_group(name, Level.NON_TOPOLOGY)


def make_end_device(
    *,
    seed: str,
    role: str = Role.DIRECT,
    topology_group: Group | None = None,
    aggregator: EndDevice | None = None,
    non_topology_groups: tuple[Group, ...] = (),
    approved: bool = True,
) -> EndDevice:
    """An EndDevice and, when ``approved``, the authorization entry that lets it connect."""
    end_device = EndDevice.objects.create(
        lfdi=make_lfdi(seed), role=role, topology_group=topology_group, aggregator=aggregator
    )
    end_device.non_topology_groups.set(non_topology_groups)
    if approved:
        make_authorization(
            lfdi=end_device.lfdi,
            role=role,
            aggregator=aggregator,
            topology_group=topology_group,
            status=Authorization.Status.APPROVED,
        )
    return end_device


def make_authorization(
    *,
    lfdi: str,
    role: str = Role.DIRECT,
    status: str = Authorization.Status.PENDING,
    aggregator: EndDevice | None = None,
    topology_group: Group | None = None,
    non_topology_groups: tuple[Group, ...] = (),
    registration_mode: str = Authorization.RegistrationMode.OUT_OF_BAND,
) -> Authorization:
    entry = Authorization.objects.create(
        lfdi=lfdi,
        role=role,
        status=status,
        aggregator=aggregator,
        topology_group=topology_group,
        registration_mode=registration_mode,
    )
    entry.non_topology_groups.set(non_topology_groups)
    return entry


def make_program(group: Group, *, primacy: int, description: str = "") -> DERProgram:
    """A program made as the admin makes one: with its empty DefaultDERControl."""
    return create_program(group=group, primacy=primacy, description=description or group.name[:32])


def make_curve(
    program: DERProgram, *, curve_type: int, points: list[tuple[int, int]], y_ref_type: int = 2
) -> DERCurve:
    curve = DERCurve.objects.create(program=program, curve_type=curve_type, y_ref_type=y_ref_type)
    CurvePoint.objects.bulk_create(
        CurvePoint(curve=curve, position=i, x=x, y=y) for i, (x, y) in enumerate(points)
    )
    return curve


def make_staff_user(username: str, *, role: str | None = None, superuser: bool = False):
    """A staff user, in one of derms.staff's permission groups when ``role`` is given."""
    user = get_user_model().objects.create_user(
        username=username, password=f"{username}-password", is_staff=True, is_superuser=superuser
    )
    if role is not None:
        user.groups.add(ensure_staff_roles()[role])
    return user


def feed_actions(kind: Kind, obj) -> list[str]:
    """The change-feed actions recorded for one resource, oldest first."""
    object_id = obj if isinstance(obj, int) else obj.pk
    return list(Change.objects.filter(resource=kind, object_id=object_id).values_list("action", flat=True))


def sign_in(client, username: str, password: str, *, address: str = "127.0.0.1"):
    """Post the portal's login form (the admin's) from ``address``, as a browser does."""
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
