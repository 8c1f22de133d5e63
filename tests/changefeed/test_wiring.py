"""Every service that changes what a 2030.5 client reads records it in the feed, on the right resources."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from derms import changefeed
from derms.changefeed import TOPOLOGY, Change, Kind, Resource
from derms.events.services import update_default_control
from derms.events.tasks import JOB, record_transitions
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, ClockWatermark, DERControl, EndDevice, Role
from derms.services import authorizations, registration
from groups.models import Level
from groups.services import assign_groups, create_group, move_subtree
from tests.factories import feed_actions, make_authorization, make_group, make_lfdi, make_program


def changed(*resources: Resource) -> set[Resource]:
    return {r for r in resources if changefeed.versions([r])[r] > 0}


def test_placing_a_der_changes_its_end_device_its_list_and_its_function_set_assignments(
    managed_ders, aggregator, topology
):
    der = managed_ders[0]
    Change.objects.all().delete()
    assign_groups(actor=None, end_device=der, topology_group=topology.feeder)

    assert feed_actions(Kind.FSA_LIST, der) == ["groups_assigned"]
    assert feed_actions(Kind.END_DEVICE, der) == ["groups_assigned"]
    assert feed_actions(Kind.END_DEVICE_LIST, aggregator) == ["groups_assigned"]
    assert feed_actions(Kind.TOPOLOGY, 0) == []  # one DER's placement leaves the topology as it was


def test_a_subtree_move_changes_the_assignments_of_every_der_below_the_moved_node(
    managed_ders, direct_der, topology
):
    other_substation = make_group("SUB-B", Level.SUBSTATION, topology.system)
    Change.objects.all().delete()

    move_subtree(actor=None, node=topology.feeder, new_parent=other_substation)

    below = {Resource(Kind.FSA_LIST, d.pk) for d in [*managed_ders, direct_der]}
    recorded = {Resource(Kind(c.resource), c.object_id) for c in Change.objects.all()}
    assert recorded == below | {Resource(Kind.GROUP, topology.feeder.pk), TOPOLOGY}


def test_new_groups_and_programs_change_the_group(topology):
    group = create_group(actor=None, name="FDR-2", level=Level.FEEDER, parent=topology.substation)
    make_program(group, primacy=10)

    assert feed_actions(Kind.GROUP, group) == ["group_created", "program_created"]


def test_revoking_and_approving_again_change_the_end_device(direct_der, handbook_administrator):
    entry = Authorization.objects.get(lfdi=direct_der.lfdi)
    authorizations.revoke(actor=handbook_administrator, authorization=entry)
    authorizations.approve(actor=handbook_administrator, authorization=entry)

    assert feed_actions(Kind.END_DEVICE, direct_der) == ["end_device_disabled", "end_device_enabled"]
    assert feed_actions(Kind.END_DEVICE_LIST, direct_der) == ["end_device_disabled", "end_device_enabled"]


def test_registration_and_removal_change_the_aggregators_list(aggregator, topology, settings):
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    lfdi = make_lfdi("in-band")
    make_authorization(
        lfdi=lfdi,
        role=Role.MANAGED,
        aggregator=aggregator,
        topology_group=topology.feeder,
        status=Authorization.Status.APPROVED,
        registration_mode=Authorization.RegistrationMode.IN_BAND,
    )
    der, _ = registration.register_end_device(
        registrant_lfdi=aggregator.lfdi, lfdi=lfdi, sfdi=sfdi_from_lfdi(lfdi)
    )
    registration.deregister_end_device(remover=aggregator, end_device=der)

    assert feed_actions(Kind.END_DEVICE_LIST, aggregator) == [
        "end_device_registered",
        "end_device_deregistered",
    ]
    assert feed_actions(Kind.FSA_LIST, der) == ["end_device_registered"]


def test_the_clock_starting_an_event_changes_its_control_list(topology):
    program = make_program(topology.system, primacy=1)
    now = timezone.now()
    ClockWatermark.objects.create(job=JOB, reached=now - dt.timedelta(minutes=10))
    event = DERControl.objects.create(
        program=program,
        creation_time=now - dt.timedelta(minutes=20),
        status_time=now - dt.timedelta(minutes=20),
        start=now - dt.timedelta(minutes=5),
        duration=3600,
        op_mod_max_lim_w=100,
    )

    assert record_transitions() == 1
    assert feed_actions(Kind.DER_CONTROL_LIST, program) == ["control_started"]
    assert Change.objects.get(resource=Kind.DER_CONTROL, object_id=event.pk).effective_at == event.start


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(user)
    return client


def test_a_superuser_moving_a_der_to_another_aggregator_in_the_admin_changes_both_lists(
    superuser_client, managed_ders, aggregator
):
    other = EndDevice.objects.create(lfdi=make_lfdi("other-aggregator"), role=Role.AGGREGATOR)
    der = managed_ders[0]
    url = reverse("admin:derms_enddevice_change", args=[der.pk])
    form = {
        "role": der.role,
        "aggregator": other.pk,
        "topology_group": der.topology_group_id,
        "enabled": "on",
        "post_rate": "",
        "device_category": "",
        "pin": "",
    }

    response = superuser_client.post(url, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    lists = [Resource(Kind.END_DEVICE_LIST, aggregator.pk), Resource(Kind.END_DEVICE_LIST, other.pk)]
    assert changed(*lists) == set(lists)


def test_pruning_drops_only_changes_consumed_before_the_retention(topology, settings):
    settings.DERMS_CHANGE_RETENTION = dt.timedelta(hours=1)
    program = make_program(topology.system, primacy=1)
    update_default_control(program=program, values={"opModMaxLimW": 100})
    old, recent, pending = Change.objects.order_by("id")[:3]
    now = timezone.now()
    Change.objects.filter(pk=old.pk).update(consumed_at=now - dt.timedelta(hours=2))
    Change.objects.filter(pk=recent.pk).update(consumed_at=now - dt.timedelta(minutes=5))

    assert changefeed.prune() == 1
    assert set(Change.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert changefeed.backlog() == 1
