"""manage.py import_csv: a progress bar on the terminal, the bad rows listed, a non-zero exit on refusal."""

import io

import pytest
from django.core.management import CommandError, call_command

from derms.models import Authorization
from groups.models import Group
from tests.factories import make_lfdi
from tests.imports.conftest import EXAMPLES, authorization_csv


def test_the_command_imports_the_example_files_with_a_progress_bar(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", "topology", str(EXAMPLES / "topology.csv"), stdout=out, stderr=err)
    call_command("import_csv", "authorizations", str(EXAMPLES / "authorizations.csv"), stdout=out, stderr=err)
    assert "Imported topology.csv: created: 12, moved: 0." in out.getvalue()
    assert "authorizations: 5, end_devices: 4" in out.getvalue()
    assert "\rapplying   [########################################] 100%  5/5" in err.getvalue()
    assert (Group.objects.count(), Authorization.objects.count()) == (12, 5)


def test_a_dry_run_writes_nothing(db):
    out = io.StringIO()
    call_command(
        "import_csv",
        "topology",
        str(EXAMPLES / "topology.csv"),
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "12 rows are valid; nothing was written" in out.getvalue()
    assert not Group.objects.exists()


def test_bad_rows_are_listed_and_the_command_fails(db, tmp_path):
    path = tmp_path / "ders.csv"
    path.write_text(authorization_csv(f"{make_lfdi('ok')},direct,,,,", "12345,direct,,,,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_csv", "authorizations", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3: lfdi: An LFDI is exactly 40 hexadecimal digits." in err.getvalue()
    assert not Authorization.objects.exists()
