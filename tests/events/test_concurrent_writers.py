"""Writers of one program's events take turns, so each new event sees the one committed just before it.

SQLite lets one writer at a time anyway; on PostgreSQL only the program row lock makes two creates see
each other, so these tests run there (DATABASE_URL=postgres://...).
"""

import threading

import pytest
from django.db import connection, transaction

from derms.events.services import cancel_control, create_control
from derms.events.tasks import record_transitions
from derms.models import DERControl, EventStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers itself; needs PostgreSQL"
    ),
]

LIMIT = {"opModMaxLimW": 5000}
WAIT_SECONDS = 1.0


def in_thread(work) -> tuple[threading.Thread, list]:
    """Run ``work`` on its own database connection, as a second web worker would."""
    results = []

    def run():
        try:
            results.append(work())
        except Exception as exc:  # handed back to the test, which re-raises it
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def test_a_create_waits_for_another_create_in_the_same_program_and_then_supersedes_it(program, soon):
    with transaction.atomic():
        first = create_control(program=program, start=soon, duration=3600, values=LIMIT)
        thread, results = in_thread(
            lambda: create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})
        )
        thread.join(WAIT_SECONDS)
        assert thread.is_alive(), "the second create did not wait for the program lock"
    thread.join()

    [second] = results
    assert isinstance(second, DERControl), second
    first.refresh_from_db()
    assert (first.status, first.status_time) == (EventStatus.SUPERSEDED, second.start)


def test_a_cancel_waits_for_a_create_in_the_same_program(program, soon):
    older = create_control(program=program, start=soon, duration=3600, values=LIMIT)
    with transaction.atomic():
        newer = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})
        thread, results = in_thread(lambda: cancel_control(control=newer))
        thread.join(WAIT_SECONDS)
        assert thread.is_alive(), "the cancel did not wait for the program lock"
    thread.join()

    assert isinstance(results[0], DERControl), results[0]
    older.refresh_from_db()
    assert older.status == EventStatus.SCHEDULED


def test_two_runs_of_the_transition_task_at_once_record_nothing_twice(db):
    record_transitions()
    with transaction.atomic():
        record_transitions()
        thread, results = in_thread(record_transitions)
        thread.join(WAIT_SECONDS)
        assert thread.is_alive(), "the second run did not wait for the watermark"
    thread.join()
    assert results == [0]
