"""The Makefile finds a Python recent enough, and .ci/run says which service is missing before it starts.

Only ``make -n`` runs here (it prints the commands that would build the virtual environment without
running them), and .ci/run only up to its check of the installed services.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.tls.servers import PROJECT_DIR

MAKE = shutil.which("make")
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(not (MAKE and BASH), reason="make and bash are needed")


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    """A directory put first on PATH, for commands a test adds or replaces."""
    directory = tmp_path / "bin"
    directory.mkdir()
    return directory


def install_old_python(bin_dir: Path) -> Path:
    """A ``python3`` that answers the Makefile's version check as Python 3.9 does."""
    python = bin_dir / "python3"
    python.write_text("#!/bin/sh\necho False\n")
    python.chmod(0o755)
    return python


def link(bin_dir: Path, *commands: str) -> None:
    for command in commands:
        (bin_dir / command).symlink_to(shutil.which(command))


def make_venv(tmp_path: Path, path: str, *arguments: str) -> subprocess.CompletedProcess:
    """``make -n`` of the virtual environment, in a copy of the checkout's Makefile."""
    checkout = tmp_path / "checkout"
    checkout.mkdir(exist_ok=True)
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(PROJECT_DIR / name, checkout / name)
    return subprocess.run(
        [MAKE, "-n", ".venv/.installed", *arguments],
        cwd=checkout,
        env={"PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
    )


def python3_is_recent() -> bool:
    python3 = shutil.which("python3")
    check = "import sys; sys.exit(sys.version_info < (3, 11))"
    return bool(python3) and subprocess.run([python3, "-c", check], check=False).returncode == 0


@pytest.mark.skipif(not python3_is_recent(), reason="this machine's python3 is older than 3.11")
def test_make_builds_the_venv_with_python3_when_it_is_recent_enough(tmp_path):
    result = make_venv(tmp_path, "/usr/local/bin:/usr/bin:/bin")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "python3 -m venv .venv"


@pytest.mark.skipif(not shutil.which("python3.11"), reason="python3.11 is not installed")
def test_make_passes_over_an_old_python3_for_python3_11(tmp_path, bin_dir):
    install_old_python(bin_dir)

    result = make_venv(tmp_path, f"{bin_dir}:/usr/local/bin:/usr/bin:/bin")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "python3.11 -m venv .venv"


def test_make_says_so_when_no_python_is_recent_enough(tmp_path, bin_dir):
    install_old_python(bin_dir)

    result = make_venv(tmp_path, str(bin_dir))

    assert result.returncode != 0
    assert "No Python 3.11 or later found (tried python3 python3.13 python3.12 python3.11)" in result.stderr


def test_make_refuses_an_old_python_given_as_python(tmp_path, bin_dir):
    old = install_old_python(bin_dir)

    result = make_venv(tmp_path, "/usr/local/bin:/usr/bin:/bin", f"PYTHON={old}")

    assert result.returncode != 0
    assert f"{old} is not Python 3.11 or later" in result.stderr


@pytest.fixture
def ci_run(bin_dir):
    if not (PROJECT_DIR.parent / "shared" / "schema" / "sep.xsd").exists():
        pytest.skip(".ci/run needs the shared schema next to the checkout")
    link(bin_dir, "dirname", "sed", "sha256sum", "cut")

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [BASH, ".ci/run"],
            cwd=PROJECT_DIR,
            env={"PATH": str(bin_dir)},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def test_ci_says_postgresql_is_missing_before_running_any_test(ci_run):
    result = ci_run()

    assert result.returncode == 1
    assert (
        result.stderr
        == ".ci/run needs PostgreSQL (pg_isready is not installed): apt-get install postgresql\n"
    )
    assert result.stdout == ""


@pytest.mark.skipif(not shutil.which("pg_isready"), reason="pg_isready is not installed")
def test_ci_says_redis_is_missing_before_running_any_test(ci_run, bin_dir):
    link(bin_dir, "pg_isready")

    result = ci_run()

    assert result.returncode == 1
    assert result.stderr == ".ci/run needs Redis (redis-cli is not installed): apt-get install redis-server\n"
