"""Topology nodes from CSV: the tree as the GIS has it, every bad row reported, re-import a no-op."""

import pytest

from derms.models import AuditEntry
from groups.models import Group, Level
from imports.models import Kind, TopologyNode
from imports.rows import FileRefused
from tests.imports.conftest import EXAMPLES, run_import


def test_the_example_file_builds_the_tree_with_parents_before_children(example_topology):
    assert example_topology == {"created": 12, "moved": 0}
    service_point = TopologyNode.objects.get(node_id="SP-111111").group
    assert [g.name for g in Group.objects.get_ancestors(service_point)] == [
        "Utility system",
        "Sub-transmission area North",
        "Substation Oak Ridge",
        "Feeder 111",
        "Segment 1111",
        "Transformer 11111",
    ]
    assert Group.objects.filter(level=Level.NON_TOPOLOGY).count() == 2
    assert AuditEntry.objects.filter(action="create", object_type="groups.Group").count() == 12


def test_importing_the_same_file_again_changes_nothing(example_topology):
    audit = AuditEntry.objects.count()
    assert run_import(Kind.TOPOLOGY, (EXAMPLES / "topology.csv").read_text()) == {"created": 0, "moved": 0}
    assert (Group.objects.count(), AuditEntry.objects.count()) == (12, audit)


def test_a_node_given_another_parent_is_moved_with_its_subtree(example_topology):
    text = "id,level,parent,name\nSEG-1111,Segment,FDR-112,Segment 1111\n"
    assert run_import(Kind.TOPOLOGY, text) == {"created": 0, "moved": 1}
    transformer = TopologyNode.objects.get(node_id="XFMR-11111").group
    assert Group.objects.get_parent(Group.objects.get_parent(transformer)).name == "Feeder 112"


def test_every_bad_row_is_reported_with_its_line_and_field_and_nothing_is_written(db):
    text = (
        "id,level,parent,name\n"
        "SYS,System,,System\n"
        "FDR,Feeder,NOPE,Feeder\n"  # line 3: unknown parent
        "SP,Planet,SYS,Somewhere\n"  # line 4: unknown level
        "SYS,System,,Again\n"  # line 5: duplicate id
        "SUB,Substation,SP-X,\n"  # line 6: no name (and unknown parent, found once the name is there)
        "TOP,Substation,,Orphan\n"  # line 7: only a System is a root
    )
    with pytest.raises(FileRefused) as refused:
        run_import(Kind.TOPOLOGY, text)
    assert [(e.line, e.field) for e in refused.value.report.errors] == [
        (3, "parent"),
        (4, "level"),
        (5, "id"),
        (6, "name"),
        (7, "level"),
    ]
    assert not Group.objects.exists()


def test_a_file_without_the_columns_is_refused_on_line_one(db):
    with pytest.raises(FileRefused) as refused:
        run_import(Kind.TOPOLOGY, "id,name\nSYS,System\n")
    [error] = refused.value.report.errors
    assert (error.line, error.field) == (1, "level,parent")
