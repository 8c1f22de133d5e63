"""The cast for import tests: the example topology imported, and CSV text built row by row."""

from pathlib import Path

import pytest

from imports import runner
from imports.models import Kind
from imports.rows import count_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "imports" / "examples"
AUTHORIZATION_HEADER = "lfdi,role,aggregator,topology_node,groups,mode\n"


def run_import(kind: str, text: str, *, actor=None) -> dict:
    return runner.run(kind=kind, text=text, actor=actor, total=count_rows(text), progress=lambda *_: None)


@pytest.fixture
def example_topology(db):
    """The example topology file, imported."""
    return run_import(Kind.TOPOLOGY, (EXAMPLES / "topology.csv").read_text())


def authorization_csv(*rows: str) -> str:
    return AUTHORIZATION_HEADER + "".join(f"{row}\n" for row in rows)
