"""Every change to an EndDevice moves its changedTime, so clients reading the EndDeviceList with ``a``
(changed since) see it (the demo's LFDI moves: tests/derms/test_demo_data.py)."""

import datetime as dt

from django.urls import reverse

from derms.models import EndDevice, Role
from groups.services import assign_groups
from tests.factories import make_non_topology_group

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def made_long_ago(end_device: EndDevice) -> EndDevice:
    EndDevice.objects.filter(pk=end_device.pk).update(changed_time=LONG_AGO)
    end_device.refresh_from_db()
    return end_device


def test_assigning_groups_moves_changed_time(direct_der, topology, dispatcher):
    der = made_long_ago(direct_der)

    assign_groups(actor=dispatcher, end_device=der, topology_group=topology.feeder)

    der.refresh_from_db()
    assert der.changed_time > LONG_AGO


def test_an_admin_edit_moves_changed_time_whatever_the_form_says(admin_client, direct_der, topology):
    der = made_long_ago(direct_der)
    vendor = make_non_topology_group("Vendor: Helios")

    response = admin_client.post(
        reverse("admin:derms_enddevice_change", args=[der.pk]),
        {
            "role": Role.DIRECT,
            "topology_group": topology.service_point.pk,
            "non_topology_groups": [vendor.pk],
            "enabled": "on",
            "changed_time_0": "2020-01-01",
            "changed_time_1": "00:00:00",
        },
    )

    assert response.status_code == 302
    der.refresh_from_db()
    assert der.changed_time > LONG_AGO
    assert list(der.non_topology_groups.all()) == [vendor]
