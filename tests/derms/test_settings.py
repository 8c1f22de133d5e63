"""derms/settings.py: a bad value stops the start with a message naming it; embedded Celery stays in VAR_DIR.

Settings are imported once per process, so each case imports them in a fresh Python with its own
environment (only the variables given here, none of the test run's DERMS_*, CSIP_* or REDIS_URL).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tls.servers import PROJECT_DIR


def run_python(code: str, tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CSIP_", "DERMS_", "PYTEST_")) and name not in ("REDIS_URL", "DATABASE_URL")
    }
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    env = {
        **inherited,
        "PYTHONPATH": str(PROJECT_DIR),
        "DJANGO_SETTINGS_MODULE": "derms.settings",
        "DERMS_VAR_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def import_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    return run_python("import derms.settings", tmp_path, **variables)


@pytest.mark.parametrize(
    "name", ["DERMS_DEBUG", "DERMS_CELERY_EAGER", "CSIP_AGGREGATOR_MAY_DELETE", "CSIP_VALIDATE_BODIES"]
)
def test_a_misspelt_switch_stops_the_start_instead_of_meaning_off(tmp_path, name):
    result = import_settings(tmp_path, **{name: "ture"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name}='ture': expected one of true, 1, yes, on, false, 0, no, off" in result.stderr


@pytest.mark.parametrize("value", ["TRUE", "1", "yes", "On", " true "])
def test_switches_accept_the_usual_spellings_of_true(tmp_path, value):
    code = "from derms import settings; print(settings.DEBUG, settings.CSIP_AGGREGATOR_MAY_DELETE)"
    result = run_python(code, tmp_path, DERMS_DEBUG=value, CSIP_AGGREGATOR_MAY_DELETE="off")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize("value", ["ten", "-5", "0", "1.5", "²", ""])
def test_a_count_that_is_not_a_positive_integer_stops_the_start(tmp_path, value):
    result = import_settings(tmp_path, CSIP_POLL_RATE=value)

    assert result.returncode != 0
    assert f"CSIP_POLL_RATE={value!r}: expected a positive integer" in result.stderr


@pytest.mark.parametrize("value", ["localhost,,example.com", "localhost,", ",localhost"])
def test_a_list_with_an_empty_entry_stops_the_start(tmp_path, value):
    result = import_settings(tmp_path, DERMS_ALLOWED_HOSTS=value)

    assert result.returncode != 0
    assert f"DERMS_ALLOWED_HOSTS={value!r}: expected comma-separated values" in result.stderr


def test_lists_are_split_on_commas_and_trimmed(tmp_path):
    code = "from derms import settings; print(settings.CSIP_TRUSTED_PROXIES, settings.CSRF_TRUSTED_ORIGINS)"
    result = run_python(code, tmp_path, CSIP_TRUSTED_PROXIES="unix, 10.0.0.5", DERMS_CSRF_TRUSTED_ORIGINS="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['unix', '10.0.0.5'] []"


def test_an_unknown_log_level_stops_the_start(tmp_path):
    result = import_settings(tmp_path, DERMS_LOG_LEVEL="verbose")

    assert result.returncode != 0
    assert "DERMS_LOG_LEVEL='verbose': expected one of DEBUG, INFO" in result.stderr


def test_embedded_celery_keeps_every_folder_under_var_dir_and_nothing_in_the_cwd(tmp_path):
    # Publishing declares the exchange, which kombu's filesystem transport records in its control folder.
    code = (
        "import json; from django.conf import settings; from derms.celery import app; "
        "app.send_task('derms.settings_test.never_run'); "
        "print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))"
    )
    result = run_python(code, tmp_path)

    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout)
    folders = {name: Path(value) for name, value in options.items() if name.endswith("_folder")}
    assert set(folders) == {"processed_folder", "control_folder"}
    for path in [*folders.values(), Path(options["data_folder_in"]), Path(options["data_folder_out"])]:
        assert path.parent == tmp_path / "var" and path.is_dir()
    assert (folders["control_folder"] / "celery.exchange").exists()
    assert list((tmp_path / "cwd").iterdir()) == []


@pytest.mark.parametrize(
    ("variables", "secure"),
    [
        ({}, False),
        ({"CSIP_TLS_MODE": "proxy"}, True),
        ({"CSIP_TLS_MODE": "proxy", "DERMS_PORTAL_HTTPS": "no"}, False),
    ],
)
def test_a_portal_behind_https_sends_cookies_only_over_https_with_hsts(tmp_path, variables, secure):
    code = (
        "import json; from django.conf import settings; print(json.dumps([settings.SESSION_COOKIE_SECURE, "
        "settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS > 0]))"
    )
    result = run_python(code, tmp_path, **variables)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [secure, secure, secure]


def test_sign_in_throttling_is_set_from_the_environment(tmp_path):
    code = (
        "import json; from django.conf import settings; print(json.dumps([settings.AXES_FAILURE_LIMIT, "
        "settings.AXES_COOLOFF_TIME.total_seconds()]))"
    )
    defaults = run_python(code, tmp_path)
    chosen = run_python(code, tmp_path, DERMS_LOGIN_FAILURE_LIMIT="3", DERMS_LOGIN_COOLOFF_MINUTES="60")
    refused = import_settings(tmp_path, DERMS_LOGIN_FAILURE_LIMIT="none")

    assert json.loads(defaults.stdout.splitlines()[-1]) == [5, 900]
    assert json.loads(chosen.stdout.splitlines()[-1]) == [3, 3600]
    assert "DERMS_LOGIN_FAILURE_LIMIT='none': expected a positive integer" in refused.stderr
