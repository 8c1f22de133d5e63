"""The benchmarks' own databases: each bench builds its data in a database it may drop."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def ensure_database(url: str, *, rebuild: bool) -> None:
    """Create the PostgreSQL database named in ``url`` (dropping it first on ``--rebuild``)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        if rebuild and parts.scheme == "sqlite":
            Path(parts.path).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if rebuild:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
