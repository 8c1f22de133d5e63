"""The metering mirror: DERs' measurements posted by them or their aggregator (CSIP 5.2.5.1, 6.2.5.1).

Posts arrive as values keyed by the schema's element names. Readings are written with bulk upserts,
so an aggregator posting for thousands of DERs costs a handful of statements, and a reading posted
again replaces the stored one instead of being counted twice.
"""

import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from derms import changefeed
from derms.changefeed import affected
from derms.models import EndDevice, MirrorMeterReading, MirrorUsagePoint, Role
from derms.models.der import from_epoch
from derms.models.readings import READING_TYPE_COLUMNS
from derms.prepared_statements import prepared_cursor
from derms.services import audit
from derms.services.reading_rows import (
    reading_rows,
    upsert_readings,
    upsert_readings_params,
    upsert_readings_sql,
)
from live import publish

#: What a post of readings alone carries: anything else updates its MirrorMeterReading.
_READINGS_ONLY = {"mRID", "MirrorReadingSet", "Reading"}
_METER_READING_UPDATE_FIELDS = [
    "description",
    "version",
    "last_update_time",
    "next_update_time",
    "reading_type",
    *READING_TYPE_COLUMNS.values(),
]


def post_mirror_usage_point(
    *, client: EndDevice, end_device: EndDevice, values: dict
) -> tuple[MirrorUsagePoint, bool]:
    """Create or update ``client``'s MirrorUsagePoint for ``end_device``; return it and whether it is new.

    The same mRID from the same client is the same usage point; the MirrorMeterReadings it carries are
    stored as if posted to it. When two requests create the same usage point at once, the one whose
    INSERT loses on the unique (client, mRID) constraint runs again, as an update of the other's.
    """
    try:
        return _post_mirror_usage_point(client=client, end_device=end_device, values=values)
    except IntegrityError:
        return _post_mirror_usage_point(client=client, end_device=end_device, values=values)


@transaction.atomic
def _post_mirror_usage_point(
    *, client: EndDevice, end_device: EndDevice, values: dict
) -> tuple[MirrorUsagePoint, bool]:
    fields = {
        "description": values.get("description", ""),
        "version": values.get("version"),
        "role_flags": values["roleFlags"],
        "service_category_kind": values["serviceCategoryKind"],
        "status": values["status"],
        "post_rate": values.get("postRate"),
    }
    usage_point = (
        MirrorUsagePoint.objects.select_for_update().filter(client=client, mrid=values["mRID"]).first()
    )
    created = usage_point is None
    if created:
        # No savepoint around the INSERT (two more round trips on every creation): a conflict aborts the
        # whole transaction, and post_mirror_usage_point runs it again.
        usage_point = MirrorUsagePoint.objects.create(
            client=client, end_device=end_device, mrid=values["mRID"], **fields
        )
        changefeed.record("mirror_usage_point_created", [affected.mirror_usage_point_list(usage_point)])
    else:
        if usage_point.end_device_id != end_device.pk:
            raise ValidationError("This mRID already names the mirror of another DER.", code="mrid_in_use")
        for name, value in fields.items():
            setattr(usage_point, name, value)
        usage_point.save(update_fields=list(fields))
    store_meter_readings(
        usage_point=usage_point, meter_readings=values.get("MirrorMeterReading", []), fresh=created
    )
    return usage_point, created


def post_mirror_meter_readings(
    *, client: EndDevice | None, usage_point_id: int, meter_readings: list[dict]
) -> tuple[list[int], bool]:
    """Store MirrorMeterReadings and their Readings posted to ``client``'s MirrorUsagePoint, all or nothing.

    Returns the ids of the MirrorMeterReadings, in the order posted, and whether one of them is new (a
    post may also only add readings to known ones). The usual post, readings of MirrorMeterReadings
    stored before, is one statement on PostgreSQL: finding the mirror and writing the readings, committed
    when this returns; two on SQLite.
    """
    by_mrid = _by_mrid(meter_readings)
    readings_only = all(values.keys() <= _READINGS_ONLY for values in meter_readings)
    rows = _rows_by_mrid(by_mrid) if readings_only else None
    try:
        if connection.vendor == "postgresql":
            return _post_readings(client, usage_point_id, by_mrid, rows)
        # Elsewhere finding the mirror and writing its readings are two statements: one (immediate)
        # transaction, so that deleting the mirror cannot come between them.
        with transaction.atomic():
            return _post_readings(client, usage_point_id, by_mrid, rows)
    except IntegrityError as deleted:
        # The client deleted the mirror between finding it and the commit: its readings went with it.
        raise MirrorUsagePoint.DoesNotExist from deleted


def _post_readings(
    client: EndDevice | None, usage_point_id: int, by_mrid: dict, rows: list[tuple] | None
) -> tuple[list[int], bool]:
    mirror = _mirror_for_posting(client, usage_point_id, list(by_mrid), rows=rows)
    known = mirror.meter_reading_ids
    if rows is not None and by_mrid.keys() <= known.keys():
        if not mirror.wrote_readings:
            by_id = [(known[mrid], *rest) for mrid, *rest in rows]
            upsert_readings(end_device_id=mirror.end_device_id, rows=by_id)
        mirror.readings_changed()
        return [known[mrid] for mrid in by_mrid], False
    with transaction.atomic():
        return _store(usage_point_id=usage_point_id, mirror=mirror, by_mrid=by_mrid)


def store_meter_readings(
    *, usage_point: MirrorUsagePoint, meter_readings: list[dict], fresh: bool = False
) -> tuple[list[int], bool]:
    """Upsert the MirrorMeterReadings, then their Readings, in bulk; the caller holds the transaction.

    ``fresh``: the usage point was created in this transaction, so it has no MirrorMeterReadings to look
    up yet. Returns the MirrorMeterReadings' ids and whether one of them is new.
    """
    if not meter_readings:
        return [], False
    return _store(
        usage_point_id=usage_point.pk,
        mirror=_Mirror(
            end_device_id=usage_point.end_device_id,
            group_id=usage_point.end_device.topology_group_id,
            meter_reading_ids={},
        ),
        by_mrid=_by_mrid(meter_readings),
        fresh=fresh,
    )


def _by_mrid(meter_readings: list[dict]) -> dict[str, tuple[dict, list[dict]]]:
    """Each posted MirrorMeterReading (the first entry of an mRID) with all the Readings posted for it."""
    by_mrid: dict[str, tuple[dict, list[dict]]] = {}
    for values in meter_readings:
        _, readings = by_mrid.setdefault(values["mRID"], (values, []))
        readings.extend(_readings_of(values))
    return by_mrid


def _rows_by_mrid(by_mrid: dict[str, tuple[dict, list[dict]]]) -> list[tuple]:
    rows: dict[tuple, tuple] = {}
    for mrid, (_, readings) in by_mrid.items():
        rows.update(reading_rows(mrid, mrid, readings))
    return list(rows.values())


@dataclass(frozen=True)
class _Mirror:
    #: Only the ids the readings and the live publisher need.
    end_device_id: int
    group_id: int | None
    meter_reading_ids: dict[str, int]
    #: The rows asked for were written by the statement that found the mirror.
    wrote_readings: bool = False

    def readings_changed(self) -> None:
        """Tell the live views, once the readings are committed."""
        kind = publish.Kind.READINGS
        publish.changed_by_id(end_device_id=self.end_device_id, group_id=self.group_id, kind=kind)


def _mirror_for_posting(
    client: EndDevice | None, usage_point_id: int, mrids: list[str], *, rows: list[tuple] | None = None
) -> _Mirror:
    """The MirrorUsagePoint ``usage_point_id`` if ``client`` may post to it, with the ids of its ``mrids``.

    Within the reach of the 2030.5 client's scope: a client's own mirrors, and for an aggregator only
    those of DERs it still manages and that are enabled; anything else does not exist. One raw query,
    because the ORM takes longer to build it than the database to answer it, on every post.

    On PostgreSQL the same statement writes ``rows`` (readings by mRID) when every one of ``mrids`` is
    known: a round trip and a transaction less on the most frequent post there is.
    """
    if client is None or not 0 < usage_point_id < 2**63:
        raise MirrorUsagePoint.DoesNotExist
    usage_point, end_device = MirrorUsagePoint._meta.db_table, EndDevice._meta.db_table
    meter_reading = MirrorMeterReading._meta.db_table
    sql = f"SELECT d.id AS der, d.topology_group_id AS grp, m.mrid AS mrid, m.id AS mr FROM {usage_point} u "
    sql += f"JOIN {end_device} d ON d.id = u.end_device_id "
    params: list = []
    if mrids:
        places = ", ".join(["%s"] * len(mrids))
        sql += f"LEFT JOIN {meter_reading} m ON m.usage_point_id = u.id AND m.mrid IN ({places}) "
        params += mrids
    else:
        sql += f"LEFT JOIN {meter_reading} m ON 1 = 0 "
    sql += "WHERE u.id = %s AND u.client_id = %s"
    params += [usage_point_id, client.pk]
    if client.role == Role.AGGREGATOR:
        # A revoked DER is disabled, a moved one managed by another: out of the aggregator's reach.
        sql += " AND d.aggregator_id = %s AND d.enabled = %s"
        params += [client.pk, True]
    writes = rows is not None and connection.vendor == "postgresql"
    if writes:
        sql, params = _with_readings_written(sql, params, rows, len(mrids))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        raise MirrorUsagePoint.DoesNotExist
    known = {mrid: pk for _, _, mrid, pk, *_ in found if pk is not None}
    wrote = writes and found[0][4] == len(rows)
    if writes and not wrote and len(known) == len(mrids):
        # Every meter reading was there in the statement's snapshot, and one was deleted (with the
        # mirror) before the statement could lock it.
        raise MirrorUsagePoint.DoesNotExist
    return _Mirror(
        end_device_id=found[0][0], group_id=found[0][1], meter_reading_ids=known, wrote_readings=wrote
    )


def _with_readings_written(sql: str, params: list, rows: list[tuple], mrids: int) -> tuple[str, list]:
    """``sql`` (the mirror) as a CTE, and a data-modifying one upserting ``rows`` if it found every mRID.

    One statement, so the readings are written exactly when the mirror was found within reach, in one
    snapshot; the count of rows written tells the caller which happened. The meter readings are locked
    first (``KEY SHARE``, in id order as their delete locks them), once each: a delete committed after
    the snapshot leaves one unlocked, and nothing is written.
    """
    sql = f"WITH mirror AS ({sql}), {_lock_and_write_found_readings_sql()} "
    sql += "SELECT der, grp, mrid, mr, (SELECT count(*) FROM written) FROM mirror"
    return sql, [*params, *upsert_readings_params(rows), mrids]


@functools.cache
def _lock_and_write_found_readings_sql() -> str:
    meter_reading = MirrorMeterReading._meta.db_table
    lock = f"SELECT id FROM {meter_reading} WHERE id IN (SELECT mr FROM mirror) ORDER BY id FOR KEY SHARE"
    source = "JOIN mirror ON mirror.mrid = (r ->> 0) WHERE (SELECT count(*) FROM locked) = %s"
    write = upsert_readings_sql(
        "postgresql", meter_reading="mirror.mr", end_device="mirror.der", source=source
    )
    return f"locked AS ({lock}), written AS ({write} RETURNING 1)"


def _store(
    *, usage_point_id: int, mirror: _Mirror, by_mrid: dict, fresh: bool = False
) -> tuple[list[int], bool]:
    """Upsert the MirrorMeterReadings of ``by_mrid``, then their Readings; the caller holds the transaction.

    A MirrorMeterReading seen for the first time needs its ReadingType; later posts may send only
    their mRID and readings, and what they leave out keeps its stored value.
    """
    existing = {}
    if not fresh:
        known = MirrorMeterReading.objects.filter(usage_point_id=usage_point_id, mrid__in=list(by_mrid))
        existing = {m.mrid: m for m in known}
    stored = MirrorMeterReading.objects.bulk_create(
        [_meter_reading(usage_point_id, values, existing.get(mrid)) for mrid, (values, _) in by_mrid.items()],
        update_conflicts=True,
        unique_fields=["usage_point", "mrid"],
        update_fields=_METER_READING_UPDATE_FIELDS,
    )
    if any(m.pk is None for m in stored):
        # Backends that cannot return ids from an upsert: read them back.
        ids = dict(
            MirrorMeterReading.objects.filter(
                usage_point_id=usage_point_id, mrid__in=list(by_mrid)
            ).values_list("mrid", "pk")
        )
        for meter_reading in stored:
            meter_reading.pk = ids[meter_reading.mrid]
    rows: dict[tuple, tuple] = {}
    for meter_reading, (_, readings) in zip(stored, by_mrid.values(), strict=True):
        rows.update(reading_rows(meter_reading.pk, meter_reading.mrid, readings))
    upsert_readings(end_device_id=mirror.end_device_id, rows=list(rows.values()))
    mirror.readings_changed()
    return [m.pk for m in stored], len(existing) < len(by_mrid)


def _readings_of(values: dict) -> list[dict]:
    """The Readings of a MirrorMeterReading: those of its MirrorReadingSets and its own Reading."""
    readings = [
        reading
        for reading_set in values.get("MirrorReadingSet", [])
        for reading in reading_set.get("Reading", [])
    ]
    if values.get("Reading") is not None:
        readings.append(values["Reading"])
    return readings


def _meter_reading(
    usage_point_id: int, values: dict, existing: MirrorMeterReading | None
) -> MirrorMeterReading:
    reading_type = values.get("ReadingType")
    if reading_type is None:
        if existing is None:
            raise ValidationError(
                f"MirrorMeterReading {values['mRID']} is new and needs its ReadingType.", code="required"
            )
        reading_type = existing.reading_type
    meter_reading = MirrorMeterReading(
        usage_point_id=usage_point_id,
        mrid=values["mRID"],
        description=values.get("description", existing.description if existing else ""),
        version=values.get("version", existing.version if existing else None),
        last_update_time=_time(values, "lastUpdateTime", existing.last_update_time if existing else None),
        next_update_time=_time(values, "nextUpdateTime", existing.next_update_time if existing else None),
        reading_type=reading_type,
    )
    meter_reading.copy_columns()
    return meter_reading


def _time(values: dict, element: str, stored):
    """A TimeType element as a datetime, or ``stored`` when the post leaves it out."""
    return stored if values.get(element) is None else from_epoch(values[element])


@transaction.atomic
def delete_mirror_usage_point(*, client: EndDevice, usage_point: MirrorUsagePoint) -> None:
    """Delete a MirrorUsagePoint its client no longer mirrors; its MirrorMeterReadings and Readings go with
    it (2030.5 lets a client DELETE what it created). Only the client that posted it may."""
    if usage_point.client_id != client.pk:
        raise PermissionDenied("Only the client that posted a MirrorUsagePoint may delete it.")
    audit.record(
        actor=None,
        actor_name=f"2030.5 client {client.lfdi}",
        action="delete",
        obj=usage_point,
        before=audit.snapshot(usage_point),
    )
    changefeed.record("mirror_usage_point_deleted", affected.mirror_usage_point(usage_point))
    usage_point.delete()
