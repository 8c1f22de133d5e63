"""Statements that PostgreSQL plans once per connection instead of on every request.

Django binds parameters on the client (psycopg's ClientCursor), so PostgreSQL parses and plans every
statement it receives. For the statement of a post of readings, the most frequent write there is,
planning cost about as much as running it: half of PostgreSQL's CPU per post (bench/ingest.py). A
prepared cursor binds on the server, and the connection's ``prepare_threshold`` of 0 (settings.py)
prepares each statement text the first time it runs on a connection; psycopg remembers what it
prepared for as long as the connection lives (a gunicorn thread's, or a pooled one). Django's own
cursors still bind on the client, which never prepares.

Behind a connection pooler in transaction mode, prepared statements need its support for them
(PgBouncer 1.21 and later, ``max_prepared_statements``); deploy/README.md says so.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


@contextmanager
def prepared_cursor():
    """A cursor whose statements are prepared, wrapped as Django wraps its own (errors, query logging).

    The connection has one such cursor: run one statement at a time and fetch its rows before the next.
    Other backends get their usual cursor: SQLite's driver already keeps compiled statements.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute of the proxy looks the connection up again
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            yield cursor
        return
    db.ensure_connection()
    db.validate_thread_sharing()
    wrap = _DebugCursor if db.queries_logged else CursorWrapper
    # Not closed on the way out: the connection keeps it for its next prepared statement.
    yield wrap(_server_binding_cursor(db), db)


def _server_binding_cursor(db):
    """The connection's one server-binding cursor, made on its first prepared statement: building one
    and its adapters for each cost about 40 µs of a post of readings' 0.45 ms of CPU in process."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg.types.numeric import Int8Dumper

    cursor = getattr(db, "_prepared_cursor", None)
    if cursor is None or cursor.connection is not db.connection or cursor.closed:
        cursor = ServerBindingCursor(db.connection)
        # Every integer as bigint, as the ids are: psycopg would send the smallest type that holds each
        # value, and prepare the same statement again for every mix of types.
        cursor.adapters.register_dumper(int, Int8Dumper)
        db._prepared_cursor = cursor
    return cursor


class _DebugCursor(CursorDebugWrapper):
    """Logs each statement with its values: Django reads them back only from a client-binding cursor."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)
