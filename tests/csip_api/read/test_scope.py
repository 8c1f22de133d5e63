"""Which programs a client reaches, derived from its DERs' groups at a cost that does not grow with them."""

import pytest
from django.http import Http404

from csip_api.identity import client_for_lfdi
from csip_api.scope import Scope
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, DERProgram, EndDevice, Role
from groups.models import Group, Level
from tests.csip_api.utility import make_program


def _scope(actor) -> Scope:
    return Scope(client_for_lfdi(actor.lfdi))


def _reached(scope: Scope, programs) -> set[str]:
    by_pk = {p.pk: name for name, p in programs.items()}
    return {by_pk[pk] for pk in scope.programs().values_list("pk", flat=True)}


def _add_managed_ders(aggregator, count: int, *, topology_group, non_topology_group=None) -> None:
    """``count`` more DERs of the aggregator in one bulk insert."""
    lfdis = [f"{aggregator.end_device.pk:08x}{index:032x}" for index in range(count)]
    ders = EndDevice.objects.bulk_create(
        EndDevice(
            lfdi=lfdi,
            sfdi=sfdi_from_lfdi(lfdi),
            role=Role.MANAGED,
            aggregator=aggregator.end_device,
            topology_group=topology_group,
        )
        for lfdi in lfdis
    )
    if non_topology_group is not None:
        non_topology_group.member_end_devices.add(*ders)


def test_a_direct_der_reaches_the_programs_above_it_and_of_its_non_topology_groups(direct_der, programs):
    assert _reached(_scope(direct_der), programs) == {"system", "feeder_1", "sp_1", "z"}


def test_an_aggregator_reaches_the_programs_above_its_ders_and_of_their_non_topology_groups(
    aggregator, programs
):
    assert _reached(_scope(aggregator), programs) == {"system", "feeder_2", "y"}


def test_one_program_is_granted_exactly_when_it_is_in_the_clients_programs(direct_der, aggregator, programs):
    for actor in (direct_der, aggregator):
        scope = _scope(actor)
        reached = _reached(scope, programs)
        for name, program in programs.items():
            if name in reached:
                assert scope.get_program(program.pk) == program
            else:
                with pytest.raises(Http404):
                    scope.get_program(program.pk)


def test_a_der_moved_to_another_feeder_reaches_that_feeders_program_on_the_next_request(
    aggregator, grid, programs
):
    EndDevice.objects.filter(aggregator=aggregator.end_device).update(topology_group=grid["sp_1"])

    assert _reached(_scope(aggregator), programs) == {"system", "feeder_1", "sp_1", "y"}


def test_an_aggregator_without_ders_reaches_no_program(aggregator, programs):
    EndDevice.objects.filter(aggregator=aggregator.end_device).delete()

    assert _reached(_scope(aggregator), programs) == set()


def test_an_aggregators_programs_cost_one_query_however_many_ders_it_has(
    aggregator, grid, programs, django_assert_max_num_queries
):
    deep = Group.objects.add_child(
        grid["feeder_2"], create_kwargs={"name": "SP-3", "level": Level.SERVICE_POINT}
    )
    programs["sp_3"] = make_program(deep, 82, "SP-3")
    _add_managed_ders(aggregator, 500, topology_group=deep, non_topology_group=grid["z"])
    scope = _scope(aggregator)

    with django_assert_max_num_queries(1):
        assert _reached(scope, programs) == {"system", "feeder_2", "sp_3", "y", "z"}
    with django_assert_max_num_queries(1):
        assert scope.programs().count() == 5
    with django_assert_max_num_queries(1):
        scope.get_program(programs["sp_3"].pk)


def test_a_direct_ders_program_costs_one_query(direct_der, programs, django_assert_max_num_queries):
    scope = _scope(direct_der)
    with django_assert_max_num_queries(1):
        assert scope.get_program(programs["z"].pk) == programs["z"]
    with django_assert_max_num_queries(1):
        assert scope.programs().count() == 4


def test_an_unregistered_client_reaches_no_program(programs):
    Authorization.objects.create(lfdi="ab" * 20, role=Role.DIRECT, status=Authorization.Status.APPROVED)
    scope = Scope(client_for_lfdi("ab" * 20))

    assert scope.end_device is None
    assert not scope.programs().exists()
    with pytest.raises(Http404):
        scope.get_program(DERProgram.objects.first().pk)
