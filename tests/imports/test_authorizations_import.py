"""Device authorizations from CSV: approved entries, EndDevices for out-of-band ones, all or nothing."""

import pytest

from derms.changefeed import Kind as FeedKind
from derms.models import AuditEntry, Authorization, EndDevice, Role
from imports.models import Kind, TopologyNode
from imports.rows import FileRefused
from tests.factories import feed_actions, make_lfdi
from tests.imports.conftest import EXAMPLES, authorization_csv, run_import


def test_the_example_file_approves_every_entry_and_registers_the_out_of_band_ones(example_topology):
    assert run_import(Kind.AUTHORIZATIONS, (EXAMPLES / "authorizations.csv").read_text()) == {
        "authorizations": 5,
        "end_devices": 4,
    }
    assert set(Authorization.objects.values_list("status", flat=True)) == {"approved"}
    aggregator = EndDevice.objects.get(role=Role.AGGREGATOR)
    managed = EndDevice.objects.get(lfdi="1b2c3d4e5f60718293a4b5c6d7e8f90123456789")
    assert (managed.aggregator, managed.topology_group) == (
        aggregator,
        TopologyNode.objects.get(node_id="SP-111112").group,
    )
    assert sorted(g.name for g in managed.non_topology_groups.all()) == [
        "Demand response enrolment",
        "Vendor A inverters",
    ]
    assert not EndDevice.objects.filter(lfdi="2c3d4e5f60718293a4b5c6d7e8f9012345678901").exists()  # in band
    assert managed.sfdi == EndDevice.objects.get(pk=managed.pk).sfdi > 0
    assert feed_actions(FeedKind.END_DEVICE_LIST, aggregator) == ["end_device_registered"]
    assert AuditEntry.objects.filter(action="import").count() == 5


def test_importing_the_same_file_again_changes_nothing(example_topology):
    text = (EXAMPLES / "authorizations.csv").read_text()
    run_import(Kind.AUTHORIZATIONS, text)
    audit = AuditEntry.objects.count()
    assert run_import(Kind.AUTHORIZATIONS, text) == {"authorizations": 0, "end_devices": 0}
    assert (Authorization.objects.count(), AuditEntry.objects.count()) == (5, audit)


def test_a_row_that_would_change_a_stored_entry_is_refused(example_topology):
    lfdi = make_lfdi("der")
    run_import(Kind.AUTHORIZATIONS, authorization_csv(f"{lfdi},direct,,SP-111111,,out_of_band"))
    with pytest.raises(FileRefused) as refused:
        run_import(Kind.AUTHORIZATIONS, authorization_csv(f"{lfdi},direct,,SP-111112,,out_of_band"))
    [error] = refused.value.report.errors
    assert (error.line, error.field) == (2, "lfdi")


def test_every_bad_row_is_reported_and_nothing_is_written(example_topology):
    good = make_lfdi("good")
    text = authorization_csv(
        f"{good},direct,,SP-111111,VENDOR-A,out_of_band",
        "not-an-lfdi,direct,,,,",  # line 3
        f"{make_lfdi('a')},managed,,SP-111111,,",  # line 4: no aggregator
        f"{make_lfdi('b')},direct,,VENDOR-A,,",  # line 5: not a topology node
        f"{make_lfdi('c')},direct,,SP-111111,SYS,",  # line 6: a topology node as a group
        f"{make_lfdi('d')},inverter,,,,sideways",  # line 7: role and mode
        f"{good},direct,,,,",  # line 8: listed twice
        f"{make_lfdi('e')},managed,{make_lfdi('nobody')},SP-111111,,",  # line 9: unknown aggregator
    )
    with pytest.raises(FileRefused) as refused:
        run_import(Kind.AUTHORIZATIONS, text)
    assert [(e.line, e.field) for e in refused.value.report.errors] == [
        (3, "lfdi"),
        (4, "aggregator"),
        (5, "topology_node"),
        (6, "groups"),
        (7, "role"),
        (7, "mode"),
        (8, "lfdi"),
        (9, "aggregator"),
    ]
    assert not Authorization.objects.exists()
    assert not EndDevice.objects.exists()
