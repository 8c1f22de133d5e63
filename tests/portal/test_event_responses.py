"""The response board of an event: how many targeted DERs answered with each status, and who is silent."""

from django.urls import reverse

from derms.models import Role
from derms.services.responses import post_response
from tests.factories import make_end_device


def board(client, event):
    return client.get(reverse("portal:event_responses", args=[event.program_id, event.pk]))


def answer(der, event, status):
    post_response(
        client=der, end_device=der, program=event.program, values={"subject": event.mrid, "status": status}
    )


def test_the_board_counts_the_latest_answer_of_each_targeted_der_and_lists_the_silent(
    read_only_client, export_limit, topology, django_assert_max_num_queries
):
    ders = [
        make_end_device(seed=f"der-{n}", role=Role.DIRECT, topology_group=topology.service_point)
        for n in range(4)
    ]
    answer(ders[0], export_limit, 1)
    answer(ders[0], export_limit, 2)  # its latest: started
    answer(ders[1], export_limit, 1)
    answer(ders[2], export_limit, 4)

    with django_assert_max_num_queries(12):
        response = board(read_only_client, export_limit)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="targeted">4<' in page
    assert 'data-figure="silent">1<' in page
    assert 'data-status="1">1<' in page and 'data-status="2">1<' in page and 'data-status="4">1<' in page
    assert ders[3].lfdi in page
    assert ders[0].lfdi not in page


def test_an_event_for_some_device_categories_targets_only_those_ders(
    read_only_client, export_limit, topology
):
    battery = make_end_device(seed="battery", role=Role.DIRECT, topology_group=topology.feeder)
    inverter = make_end_device(seed="inverter", role=Role.DIRECT, topology_group=topology.feeder)
    battery.device_category, inverter.device_category = 0x200000, 0x020000
    battery.save(update_fields=["device_category"])
    inverter.save(update_fields=["device_category"])
    type(export_limit).objects.filter(pk=export_limit.pk).update(device_category=0x200000)
    export_limit.refresh_from_db()

    page = board(read_only_client, export_limit).content.decode()

    assert 'data-figure="targeted">1<' in page
    assert battery.lfdi in page and inverter.lfdi not in page


def test_the_board_is_for_staff_only(client, export_limit):
    response = board(client, export_limit)

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_an_event_under_another_program_is_not_found(read_only_client, export_limit, service_point_program):
    url = reverse("portal:event_responses", args=[service_point_program.pk, export_limit.pk])

    assert read_only_client.get(url).status_code == 404
