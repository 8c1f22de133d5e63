"""The change feed's core: versions only grow, changes commit or vanish with their transaction, and
listeners hear once per committed transaction."""

import pytest
from django.db import transaction

from derms import changefeed
from derms.changefeed import TOPOLOGY, Change, Kind, Resource

pytestmark = pytest.mark.django_db(transaction=True)

CONTROLS = Resource(Kind.DER_CONTROL_LIST, 7)
DEFAULTS = Resource(Kind.DEFAULT_DER_CONTROL, 7)


def test_a_resource_never_changed_is_at_version_zero():
    assert changefeed.versions([CONTROLS]) == {CONTROLS: 0}


def test_each_record_adds_one_to_the_versions_of_the_resources_it_names():
    assert changefeed.record("control_created", [CONTROLS, DEFAULTS]) == {CONTROLS: 1, DEFAULTS: 1}
    assert changefeed.record("control_cancelled", [CONTROLS]) == {CONTROLS: 2}
    assert changefeed.versions([CONTROLS, DEFAULTS, TOPOLOGY]) == {CONTROLS: 2, DEFAULTS: 1, TOPOLOGY: 0}
    rows = list(Change.objects.values_list("resource", "object_id", "version", "action"))
    assert rows == [
        ("DERControlList", 7, 1, "control_created"),
        ("DefaultDERControl", 7, 1, "control_created"),
        ("DERControlList", 7, 2, "control_cancelled"),
    ]


def test_a_resource_named_twice_in_one_record_changes_once():
    assert changefeed.record("moved", [CONTROLS, CONTROLS]) == {CONTROLS: 1}
    assert Change.objects.count() == 1


def test_a_rolled_back_change_leaves_no_trace():
    with pytest.raises(RuntimeError), transaction.atomic():
        changefeed.record("control_created", [CONTROLS])
        raise RuntimeError("the change itself failed")
    assert changefeed.versions([CONTROLS]) == {CONTROLS: 0}
    assert not Change.objects.exists()


def test_listeners_hear_once_per_committed_transaction():
    heard = []

    def listener(**kwargs):
        heard.append(kwargs["sender"])

    changefeed.changes_committed.connect(listener)
    try:
        with transaction.atomic():
            changefeed.record("control_created", [CONTROLS])
            changefeed.record("default_updated", [DEFAULTS])
            assert heard == []
        assert heard == [Change]
        with pytest.raises(RuntimeError), transaction.atomic():
            changefeed.record("control_created", [CONTROLS])
            raise RuntimeError
        assert heard == [Change]
    finally:
        changefeed.changes_committed.disconnect(listener)


def test_a_subtree_move_records_thousands_of_resources_in_batches():
    ders = [Resource(Kind.FSA_LIST, pk) for pk in range(1, 4501)]
    versions = changefeed.record("moved", [*ders, TOPOLOGY])
    assert set(versions.values()) == {1}
    assert len(versions) == 4501
    assert Change.objects.count() == 4501


def test_a_key_names_its_kind_and_object():
    assert CONTROLS.key == "DERControlList/7"
    assert Resource.from_key("DERControlList/7") == CONTROLS


def test_a_failing_listener_never_fails_the_committed_change(caplog):
    def broken(**_):
        raise ConnectionError("the broker is down")

    changefeed.changes_committed.connect(broken)
    try:
        with transaction.atomic():
            changefeed.record("control_created", [CONTROLS])
    finally:
        changefeed.changes_committed.disconnect(broken)

    assert changefeed.versions([CONTROLS]) == {CONTROLS: 1}
    assert "change-feed listener" in caplog.text
