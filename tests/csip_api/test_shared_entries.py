"""The shared tier keeps documents as plain bytes: nothing read back from Redis is ever unpickled."""

import datetime as dt
import pickle

import pytest

from csip_api.cache.documents import BytesSerializer, Entry
from derms.changefeed import DATABASE, Kind, Resource


def test_an_entry_survives_its_trip_through_bytes():
    entry = Entry(
        body=b'<Time xmlns="urn:ieee:std:2030.5:ns">\n</Time>',
        versions=((DATABASE, 7), (Resource(Kind.DER_CONTROL_LIST, 3), 12)),
        valid_until=dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC),
        program_id=3,
    )
    assert Entry.from_bytes(BytesSerializer().loads(BytesSerializer().dumps(entry.to_bytes()))) == entry


def test_a_pickle_in_redis_is_refused_not_run():
    with pytest.raises(ValueError):
        Entry.from_bytes(pickle.dumps(Entry(body=b"", versions=(), valid_until=None)))
