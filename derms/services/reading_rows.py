"""Readings written as rows: one ``INSERT ... ON CONFLICT`` per post, without a model instance per reading.

Readings are the one thing clients send by the thousand a second (CSIP 5.2.5.1), so they skip the ORM:
building and compiling a ``Reading`` per value cost more than the database spends storing it. A reading
posted again (same MirrorMeterReading, same start) replaces the stored one. The rows travel as one JSON
array, turned back into rows by the database (``jsonb_array_elements`` on PostgreSQL, ``json_each`` on
SQLite): one statement of fixed text whatever the count, under any parameter limit, and one parameter
to pass rather than a value per column and reading.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from django.core.exceptions import ValidationError
from django.db import connection

from derms.models import Reading
from derms.prepared_statements import prepared_cursor

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
#: The fields of each row of :func:`reading_rows`; a post's DER and arrival time are the same for all.
_PER_READING = _FIELDS[:1] + _FIELDS[2:-1]


def reading_rows(meter_reading: int | str, mrid: str, readings: list[dict]) -> dict[tuple, tuple]:
    """The rows of ``readings`` of one MirrorMeterReading, keyed by (meter reading, start).

    ``meter_reading`` is its id, or its mRID where the statement itself finds the id
    (:func:`upsert_readings_sql`). Every Reading needs its timePeriod (CSIP 4.6.1: every measurement is
    time-stamped); a start given twice in one post is stored once, as its last occurrence says.
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
        rows[meter_reading, start] = (
            meter_reading,
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
    """Insert or replace ``rows`` (from :func:`reading_rows`, by meter reading id) of DER ``end_device_id``,
    in one statement: in autocommit a transaction of its own, so every reading is committed, or none,
    when this returns."""
    if not rows:
        return
    with prepared_cursor() as cursor:
        cursor.execute(_by_id_sql(connection.vendor), [end_device_id, *upsert_readings_params(rows)])


def upsert_readings_params(rows: list[tuple]) -> list:
    """The parameters of :func:`upsert_readings_sql` after its own, for ``rows``."""
    return [connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC)), json.dumps(rows)]


#: How each backend turns the JSON array into rows, reads element ``n`` of one, and makes a start
#: (epoch seconds) a datetime as its DateTimeField stores it.
_JSON_ROWS = {
    "postgresql": ("jsonb_array_elements(%s::jsonb) AS r", "(r ->> {n})::{type}", "to_timestamp({})"),
    "sqlite": ("json_each(%s) AS r", "json_extract(r.value, '$[{n}]')", "datetime({}, 'unixepoch')"),
}


@functools.cache
def _by_id_sql(vendor: str) -> str:
    return upsert_readings_sql(vendor, meter_reading=None, end_device="%s")


def upsert_readings_sql(vendor: str, *, meter_reading: str | None, end_device: str, source: str = "") -> str:
    """``INSERT ... SELECT`` of the rows of one JSON array parameter, replacing readings posted before.

    ``meter_reading`` and ``end_device`` are the SQL of those columns: None for the meter reading id of
    each row; ``source`` joins further tables, with a WHERE clause, to the rows (``r``). Parameters:
    those of ``end_device``, the arrival time, the rows, then those of ``source``.
    """
    rows, element, moment = _JSON_ROWS[vendor]
    quote = connection.ops.quote_name
    fields = [Reading._meta.get_field(name) for name in _FIELDS]
    read = {
        name: element.format(n=n, type=Reading._meta.get_field(name).cast_db_type(connection))
        for n, name in enumerate(_PER_READING)
    }
    read["start"] = moment.format(element.format(n=_PER_READING.index("start"), type="bigint"))
    read |= {"end_device": end_device, "received_at": "%s"}
    if meter_reading is not None:
        read["meter_reading"] = meter_reading
    replaced = ", ".join(f"{quote(f.column)} = excluded.{quote(f.column)}" for f in fields[3:])
    # WHERE true: SQLite needs a WHERE to read ON CONFLICT as the upsert, not as a join's ON.
    return (
        f"INSERT INTO {quote(Reading._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(read[name] for name in _FIELDS)} FROM {rows} {source or 'WHERE true'} "
        f"ON CONFLICT ({quote(fields[0].column)}, {quote(fields[2].column)}) DO UPDATE SET {replaced}"
    )
