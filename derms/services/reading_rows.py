"""Readings written as rows: one ``INSERT ... ON CONFLICT`` per post, without a model instance per reading.

Readings are the one thing clients send by the thousand a second (CSIP 5.2.5.1), so they skip the ORM:
building and compiling a ``Reading`` per value cost more than PostgreSQL spends storing it. A reading
posted again (same MirrorMeterReading, same start) replaces the stored one. PostgreSQL gets the readings as
arrays (``UNNEST``): one statement of fixed text whatever the count; other backends (SQLite, the embedded
default) a ``VALUES`` list, in as many statements as their parameter limit needs.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from derms.models import Reading

#: The columns written, in the order of each row.
_FIELDS = (
    "meter_reading",
    "end_device",
    "start",
    "duration",
    "value",
    "quality_flags",
    "local_id",
    "tou_tier",
    "consumption_block",
    "received_at",
)
#: What a reading posted again replaces (its meter reading, DER and start are what make it the same).
_REPLACED = _FIELDS[3:]
#: The fields varying from reading to reading in a post; its DER and arrival time are the same for all.
_PER_READING = _FIELDS[:1] + _FIELDS[2:-1]


def reading_rows(meter_reading_id: int, mrid: str, readings: list[dict]) -> dict[tuple, tuple]:
    """The rows of ``readings`` of one MirrorMeterReading, keyed by (meter reading, start).

    Every Reading needs its timePeriod (CSIP 4.6.1: every measurement is time-stamped); a start given
    twice in one post is stored once, as its last occurrence says.
    """
    rows = {}
    for values in readings:
        period = values.get("timePeriod")
        if period is None:
            raise ValidationError(
                f"A Reading of {mrid} has no timePeriod: every reading needs its time.",
                code="reading_without_time",
            )
        start = period["start"]
        rows[meter_reading_id, start] = (
            meter_reading_id,
            start,
            period["duration"],
            values.get("value"),
            values.get("qualityFlags"),
            values.get("localID"),
            values.get("touTier"),
            values.get("consumptionBlock"),
        )
    return rows


def upsert_readings(*, end_device_id: int, rows: list[tuple]) -> None:
    """Insert or replace ``rows`` (from :func:`reading_rows`) of DER ``end_device_id``.

    One statement on PostgreSQL, so in autocommit it is a transaction of its own: every reading is
    committed, or none, when this returns. Elsewhere several statements, then in one transaction.
    """
    if not rows:
        return
    received_at = dt.datetime.now(dt.UTC)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = [list(column) for column in zip(*rows, strict=True)]
            columns[1] = [_from_epoch(start) for start in columns[1]]
            cursor.execute(_unnest_sql(), [end_device_id, received_at, *columns])
            return
        adapt = connection.ops.adapt_datetimefield_value
        received = adapt(received_at)
        size = connection.ops.bulk_batch_size([Reading._meta.get_field(f) for f in _FIELDS], rows)
        with transaction.atomic(savepoint=False):
            for first in range(0, len(rows), size):
                batch = rows[first : first + size]
                params = [
                    value
                    for row in batch
                    for value in (row[0], end_device_id, adapt(_from_epoch(row[1])), *row[2:], received)
                ]
                cursor.execute(_values_sql(len(batch)), params)


def _from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _quoted(names) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(Reading._meta.get_field(name).column) for name in names)


def _upsert_clause() -> str:
    quote = connection.ops.quote_name
    replaced = ", ".join(
        f"{quote(column)} = excluded.{quote(column)}"
        for column in (Reading._meta.get_field(name).column for name in _REPLACED)
    )
    return f"ON CONFLICT ({_quoted(('meter_reading', 'start'))}) DO UPDATE SET {replaced}"


@functools.cache
def _unnest_sql() -> str:
    table = connection.ops.quote_name(Reading._meta.db_table)
    arrays = ", ".join(
        f"%s::{Reading._meta.get_field(name).cast_db_type(connection)}[]" for name in _PER_READING
    )
    names = ", ".join(f"r{n}" for n in range(len(_PER_READING)))
    return (
        f"INSERT INTO {table} ({_quoted(_FIELDS)}) "
        f"SELECT r0, %s, r1, r2, r3, r4, r5, r6, r7, %s FROM UNNEST({arrays}) AS r({names}) "
        f"{_upsert_clause()}"
    )


@functools.cache
def _values_sql(count: int) -> str:
    table = connection.ops.quote_name(Reading._meta.db_table)
    row = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
    return f"INSERT INTO {table} ({_quoted(_FIELDS)}) VALUES {', '.join([row] * count)} {_upsert_clause()}"
