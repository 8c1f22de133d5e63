"""100,000 generated authorization rows: one bad row refuses the batch with its line number, the good
file imports every entry and EndDevice, and importing it again changes nothing. Speed: bench/import_csv.py."""

import pytest

from derms.models import AuditEntry, Authorization, EndDevice, Role
from imports.models import Kind
from imports.rows import FileRefused
from tests.imports.conftest import run_import
from tests.imports.generated import AGGREGATOR, authorizations_csv, der_lfdi, topology_csv

ROWS = 100_000


def test_a_hundred_thousand_authorizations_import_all_or_nothing_and_once(db):
    run_import(Kind.TOPOLOGY, topology_csv())
    text = authorizations_csv(ROWS)
    # Line 1 is the header and line 2 the aggregator: DER n is on line n + 3.
    bad_line = 73_456
    lines = text.splitlines(keepends=True)
    lines[bad_line - 1] = lines[bad_line - 1].replace(",SP-", ",NO-SUCH-NODE-", 1)

    with pytest.raises(FileRefused) as refused:
        run_import(Kind.AUTHORIZATIONS, "".join(lines))
    [error] = refused.value.report.errors
    assert (error.line, error.field) == (bad_line, "topology_node")
    assert not Authorization.objects.exists()

    assert run_import(Kind.AUTHORIZATIONS, text) == {"authorizations": ROWS, "end_devices": ROWS}
    aggregator = EndDevice.objects.get(lfdi=AGGREGATOR)
    assert Authorization.objects.filter(status=Authorization.Status.APPROVED).count() == ROWS
    assert EndDevice.objects.filter(role=Role.MANAGED, aggregator=aggregator).count() == (ROWS - 1 + 2) // 3
    assert EndDevice.non_topology_groups.through.objects.count() == ROWS - 1
    assert (
        EndDevice.objects.get(lfdi=der_lfdi(ROWS - 2)).topology_group.name
        == f"Service point {(ROWS - 2) % 1000}"
    )

    audit = AuditEntry.objects.count()
    assert run_import(Kind.AUTHORIZATIONS, text) == {"authorizations": 0, "end_devices": 0}
    assert (Authorization.objects.count(), EndDevice.objects.count(), AuditEntry.objects.count()) == (
        ROWS,
        ROWS,
        audit,
    )
