"""``manage.py validate_xml FILE...``: check 2030.5 documents against sep.xsd, failing on any invalid one."""

import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from csip_api.render.time import time_resource
from tests.tls.servers import PROJECT_DIR, base_environment

INVALID_TIME = b'<Time xmlns="urn:ieee:std:2030.5:ns"><currentTime>1</currentTime></Time>'

needs_schema = pytest.mark.skipif(
    not django_settings.CSIP_SCHEMA_PATH, reason="CSIP_SCHEMA_PATH is not set: sep.xsd is needed to validate"
)


@pytest.fixture
def served_time(tmp_path):
    """The Time document derms serves, as a client would have saved it."""
    path = tmp_path / "tm.xml"
    path.write_bytes(etree.tostring(time_resource(timezone.now()), xml_declaration=True, encoding="UTF-8"))
    return path


def validate(*paths) -> tuple[str, str | None]:
    """What the command printed, and the error it failed with (None when every document is valid)."""
    out = StringIO()
    try:
        call_command("validate_xml", *map(str, paths), stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@needs_schema
def test_a_document_derms_serves_is_reported_valid(served_time):
    assert validate(served_time) == (f"{served_time}: valid\n", None)


@needs_schema
def test_each_invalid_document_is_named_with_its_problem_and_the_command_fails(tmp_path, served_time):
    invalid = tmp_path / "invalid.xml"
    invalid.write_bytes(INVALID_TIME)
    malformed = tmp_path / "malformed.xml"
    malformed.write_bytes(b"<Time xmlns='urn:ieee:std:2030.5:ns'>")
    missing = tmp_path / "missing.xml"

    output, error = validate(served_time, invalid, malformed, missing)

    assert error == "3 of 4 documents are not valid 2030.5"
    lines = output.splitlines()
    assert f"{served_time}: valid" in lines
    assert f"{invalid}: line 1: Element '{{urn:ieee:std:2030.5:ns}}Time': Missing child element(s)" in output
    assert any(line.startswith(f"{malformed}: not well-formed XML:") for line in lines)
    assert f"{missing}: cannot read it: No such file or directory" in lines


def test_without_a_schema_the_command_says_what_to_set(settings, served_time):
    settings.CSIP_SCHEMA_PATH = ""

    _, error = validate(served_time)

    assert error.startswith("CSIP_SCHEMA_PATH is not set: point it at IEEE's 2030.5 schema (sep.xsd)")


def test_a_schema_path_that_does_not_exist_is_named(settings, tmp_path, served_time):
    settings.CSIP_SCHEMA_PATH = str(tmp_path / "nowhere.xsd")

    assert validate(served_time) == ("", f"CSIP_SCHEMA_PATH={tmp_path / 'nowhere.xsd'}: no such file")


@needs_schema
def test_manage_py_exits_non_zero_for_an_invalid_document(tmp_path):
    invalid = tmp_path / "invalid.xml"
    invalid.write_bytes(INVALID_TIME)

    result = subprocess.run(
        [sys.executable, "manage.py", "validate_xml", str(invalid)],
        cwd=PROJECT_DIR,
        env=base_environment(
            CSIP_SCHEMA_PATH=django_settings.CSIP_SCHEMA_PATH, DERMS_VAR_DIR=str(tmp_path / "var")
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "1 of 1 documents are not valid 2030.5" in result.stderr
