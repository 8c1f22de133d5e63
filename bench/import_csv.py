"""Rows per second of a bulk import of device authorizations (imports/): 100,000 rows by default.

Run as ``python bench/import_csv.py [--rows N]``. It uses ``DATABASE_URL`` (default: a fresh SQLite
database in a temporary directory), migrates it, imports a generated topology (1,000 service points),
then times validating and applying a generated authorization file (an aggregator and its DERs, all out
of band, so each row also creates its EndDevice) and a second import of the same file (a no-op). It
prints the figures with the machine they came from. Against PostgreSQL, point it at a database of your
own: it is flushed first.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DERMS_VAR_DIR", tempfile.mkdtemp(prefix="derms-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from imports import runner  # noqa: E402
from imports.models import Kind  # noqa: E402
from imports.rows import count_rows  # noqa: E402
from tests.imports.generated import authorizations_csv, topology_csv  # noqa: E402


def timed(kind: str, text: str, *, dry_run: bool = False) -> tuple[float, dict]:
    started = time.perf_counter()
    summary = runner.run(
        kind=kind, text=text, actor=None, total=count_rows(text), progress=lambda *_: None, dry_run=dry_run
    )
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    timed(Kind.TOPOLOGY, topology_csv())
    text = authorizations_csv(args.rows)

    validate, _ = timed(Kind.AUTHORIZATIONS, text, dry_run=True)
    whole, summary = timed(Kind.AUTHORIZATIONS, text)
    again, repeat = timed(Kind.AUTHORIZATIONS, text)

    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cpus, {platform.python_version()}"
    )
    print(f"database: {connection.vendor}")
    print(f"rows: {args.rows}, written: {summary}")
    print(f"validate only: {validate:7.2f} s  {args.rows / validate:9.0f} rows/s")
    print(
        f"import:        {whole:7.2f} s  {args.rows / whole:9.0f} rows/s (validate + apply, one transaction)"
    )
    print(f"re-import:     {again:7.2f} s  {args.rows / again:9.0f} rows/s, written: {repeat}")


if __name__ == "__main__":
    main()
