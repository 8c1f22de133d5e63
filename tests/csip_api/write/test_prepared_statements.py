"""A post of readings and the lease renewal run statements PostgreSQL prepared once per connection, and
log them as usual."""

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from derms.changefeed import lease
from derms.models import Reading
from derms.prepared_statements import prepared_cursor
from tests.csip_api.documents import meter_reading_body, mup_body, reading

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def _post_readings(aggregator, *starts: int) -> None:
    location = aggregator.post("/mup", mup_body(aggregator.ders[0].lfdi))["Location"]
    for start in starts:
        body = meter_reading_body(*(reading(start + 300 * i, i) for i in range(12)))
        assert aggregator.post(location, body).status_code == 200


@on_postgresql
def test_the_statements_of_a_post_of_readings_are_prepared_once_per_connection(aggregator):
    _post_readings(aggregator, 1_700_000_000)
    prepared = _prepared()
    # One statement finds the mirror and writes the readings.
    assert any(
        "derms_mirrorusagepoint" in statement and 'INSERT INTO "derms_reading"' in statement
        for statement in prepared
    )

    # Other readings, other values: the same statements, not new ones.
    _post_readings(aggregator, 1_800_000_000, 4_000_000_000)

    assert sorted(_prepared()) == sorted(prepared)
    assert Reading.objects.count() == 36


@on_postgresql
def test_integers_of_every_size_share_one_prepared_statement(db):
    # psycopg would send 1 as int2, 70,000 as int4 and 2**40 as int8: three statements for one text.
    with prepared_cursor() as cursor:
        for number in (1, 70_000, 2**40):
            cursor.execute("SELECT %s + 0 AS derms_size_probe", [number])
            assert cursor.fetchone() == (number,)

    assert [statement for statement in _prepared() if "derms_size_probe" in statement] == [
        "SELECT $1 + 0 AS derms_size_probe"
    ]


@on_postgresql
def test_the_lease_renewal_is_prepared_once_per_connection(db):
    # Every process renews its copy of the feed's versions up to once per lease, inside some request.
    for horizon in (0, 2**40):
        lease._read_since(horizon)

    assert len([statement for statement in _prepared() if "pg_snapshot_xmin" in statement]) == 1


def test_a_prepared_statement_is_logged_and_fails_as_django_s_own(db):
    with CaptureQueriesContext(connection) as captured, prepared_cursor() as cursor:
        cursor.execute("SELECT %s + 1", [41])
        assert cursor.fetchone() == (42,)

    assert [query["sql"] for query in captured] == ["SELECT 41 + 1"]
    with pytest.raises(DatabaseError), prepared_cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")


@on_postgresql
def test_a_connection_keeps_one_prepared_cursor_and_a_new_connection_gets_its_own(transactional_db):
    with prepared_cursor() as first:
        first.execute("SELECT 1")
    with prepared_cursor() as again:
        again.execute("SELECT %s", [2])
        assert again.fetchone() == (2,)
    assert again.cursor is first.cursor

    # A failed statement leaves the cursor usable.
    with pytest.raises(DatabaseError), prepared_cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    with prepared_cursor() as cursor:
        cursor.execute("SELECT 3")
        assert cursor.fetchone() == (3,)
    assert cursor.cursor is first.cursor

    # A cursor closed under it is made again.
    first.cursor.close()
    with prepared_cursor() as remade:
        remade.execute("SELECT 4")
        assert remade.fetchone() == (4,)
    assert remade.cursor is not first.cursor

    # A connection closed and made again (a dropped one reconnects so): the cursor is the new one's.
    connection.close()
    with prepared_cursor() as reconnected:
        reconnected.execute("SELECT 5")
        assert reconnected.fetchone() == (5,)
    assert reconnected.cursor.connection is connection.connection
