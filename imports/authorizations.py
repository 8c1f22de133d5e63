"""Device authorizations from CSV: the interconnection system's list of approved DERs (CSIP 5.2.1.4).

Columns: ``lfdi, role, aggregator, topology_node, groups, mode``. Each row becomes an approved entry
on the authorization list; an out-of-band one gets its EndDevice at once, placed as the row says, as
approving it in the portal would (derms.services.authorizations). ``topology_node`` and ``groups``
(separated by ``;``) are node ids of an imported topology file; ``aggregator`` is the LFDI of an
existing aggregator EndDevice; ``mode`` is ``out_of_band`` or ``in_band`` (empty: the server's
CSIP_REGISTRATION_MODE). A row equal to the entry already stored changes nothing; one that differs is
refused (change the entry in the portal or the API).

All rows are checked before anything is written; applying is a few bulk inserts in one transaction,
with an audit entry per object and the change feed's records for what clients already read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from derms import changefeed
from derms.changefeed import Kind as FeedKind
from derms.changefeed import Resource
from derms.lfdi import normalize_lfdi, sfdi_from_lfdi
from derms.models import AuditEntry, Authorization, EndDevice, Role
from groups.models import MAX_GROUPS_PER_DER, Level
from imports.models import TopologyNode
from imports.rows import PROGRESS_EVERY, Progress, Report, read_rows

COLUMNS = ("lfdi", "role", "aggregator", "topology_node", "groups", "mode")
MODES = tuple(Authorization.RegistrationMode.values)
OUT_OF_BAND = Authorization.RegistrationMode.OUT_OF_BAND
#: Rows per INSERT and per lookup: well under SQLite's bound-parameter limit.
BATCH = 2000


@dataclass(frozen=True)
class Entry:
    line: int
    lfdi: str
    role: str
    #: The aggregator's LFDI: an enabled aggregator EndDevice, or an out-of-band aggregator in this file.
    aggregator: str | None
    topology_group_id: int | None
    group_ids: tuple[int, ...]
    mode: str


@dataclass(frozen=True)
class _Node:
    group_id: int
    depth: int
    is_topology: bool


def validate(text: str, *, report: Report, progress: Progress) -> list[Entry]:
    """The rows that add an entry (rows equal to a stored entry are dropped); bad rows go to ``report``."""
    nodes = {
        node_id: _Node(group_id, depth, level != Level.NON_TOPOLOGY)
        for node_id, group_id, depth, level in TopologyNode.objects.values_list(
            "node_id", "group_id", "group__depth", "group__level"
        )
    }
    entries: list[Entry] = []
    first_line: dict[str, int] = {}
    for count, (line, row) in enumerate(read_rows(text, columns=COLUMNS, report=report), start=1):
        entry = _entry(line, row, nodes=nodes, report=report)
        if entry is not None:
            if entry.lfdi in first_line:
                report.add(line, "lfdi", f"Listed already on line {first_line[entry.lfdi]}.")
            else:
                first_line[entry.lfdi] = line
                entries.append(entry)
        if count % PROGRESS_EVERY == 0:
            progress(count)
    return _drop_unchanged(_with_known_aggregators(entries, report=report), report=report)


def _with_known_aggregators(entries: list[Entry], *, report: Report) -> list[Entry]:
    """Drop (and report) managed DERs whose aggregator neither exists nor is registered by this file."""
    known = set(EndDevice.objects.filter(role=Role.AGGREGATOR, enabled=True).values_list("lfdi", flat=True))
    known |= {e.lfdi for e in entries if e.role == Role.AGGREGATOR and e.mode == OUT_OF_BAND}
    kept = []
    for entry in entries:
        if entry.aggregator is None or entry.aggregator in known:
            kept.append(entry)
        else:
            report.add(
                entry.line,
                "aggregator",
                "No enabled aggregator EndDevice, nor out-of-band aggregator row here, has this LFDI.",
            )
    return kept


def _entry(line: int, row: dict, *, nodes: dict, report: Report) -> Entry | None:
    bad = report.count
    try:
        lfdi = normalize_lfdi(row["lfdi"])
    except ValidationError as exc:
        report.add(line, "lfdi", exc.messages[0])
        lfdi = ""
    role = row["role"].lower()
    if role not in Role.values:
        report.add(line, "role", f"Expected one of {', '.join(Role.values)}.")
    aggregator = row["aggregator"].lower() or None
    if aggregator and role != Role.MANAGED:
        report.add(line, "aggregator", "Only a managed DER names an aggregator.")
    if not aggregator and role == Role.MANAGED:
        report.add(line, "aggregator", "A DER managed by an aggregator must name that aggregator.")
    topology = _node(line, "topology_node", row["topology_node"], nodes, report, topology=True)
    groups = [
        _node(line, "groups", node_id.strip(), nodes, report, topology=False)
        for node_id in row["groups"].split(";")
        if node_id.strip()
    ]
    if role == Role.AGGREGATOR and (row["topology_node"] or groups):
        report.add(line, "topology_node", "An aggregator is not a DER and belongs to no group.")
    total = (topology.depth if topology else 0) + len(groups)
    if total > MAX_GROUPS_PER_DER:
        report.add(
            line, "groups", f"A DER may belong to at most {MAX_GROUPS_PER_DER} groups; this makes {total}."
        )
    mode = row["mode"].lower() or settings.CSIP_REGISTRATION_MODE
    if mode not in MODES:
        report.add(line, "mode", f"Expected one of {', '.join(MODES)}.")
    if report.count > bad:
        return None
    return Entry(
        line=line,
        lfdi=lfdi,
        role=role,
        aggregator=aggregator,
        topology_group_id=topology.group_id if topology else None,
        group_ids=tuple(sorted({g.group_id for g in groups if g})),
        mode=mode,
    )


def _node(line, field, node_id, nodes, report, *, topology: bool) -> _Node | None:
    if not node_id:
        return None
    node = nodes.get(node_id)
    if node is None:
        report.add(line, field, f"No imported topology node has the id {node_id!r}.")
    elif node.is_topology != topology:
        kind = "a topology node" if topology else "a non-topology group"
        report.add(line, field, f"{node_id!r} is not {kind}.")
        return None
    return node


def _drop_unchanged(entries: list[Entry], *, report: Report) -> list[Entry]:
    """Leave out rows the list already holds as they are; report rows that would change a stored entry."""
    new = []
    for start in range(0, len(entries), BATCH):
        batch = entries[start : start + BATCH]
        stored = {
            a.lfdi: a
            for a in Authorization.objects.filter(lfdi__in=[e.lfdi for e in batch])
            .select_related("aggregator")
            .prefetch_related("non_topology_groups")
        }
        for entry in batch:
            existing = stored.get(entry.lfdi)
            if existing is None:
                new.append(entry)
            elif _as_stored(existing) != (
                entry.role,
                entry.aggregator,
                entry.topology_group_id,
                entry.group_ids,
                entry.mode,
            ):
                report.add(
                    entry.line,
                    "lfdi",
                    "Already on the authorization list with other values; change it in the portal or API.",
                )
    return new


def _as_stored(entry: Authorization) -> tuple:
    return (
        entry.role,
        entry.aggregator.lfdi if entry.aggregator else None,
        entry.topology_group_id,
        tuple(sorted(g.pk for g in entry.non_topology_groups.all())),
        entry.registration_mode,
    )


def apply(entries: list[Entry], *, actor, progress: Progress) -> dict[str, int]:
    """Write the entries, approved, and the EndDevices of the out-of-band ones (aggregators first, so
    their DERs can name them); the caller holds the transaction. Return how many of each were created."""
    now = timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    out_of_band = [e for e in entries if e.mode == OUT_OF_BAND]
    # An EndDevice may outlive its entry (deleted from the list): approval only re-enables it, so leave it.
    existing = _ids(EndDevice, [e.lfdi for e in out_of_band])
    registered = [e for e in out_of_band if e.lfdi not in existing]
    new_aggregators = [e for e in registered if e.role == Role.AGGREGATOR]
    _create_end_devices(new_aggregators, aggregator_ids={}, now=now)
    aggregator_ids = _ids(EndDevice, list({e.aggregator for e in entries if e.aggregator}))
    progress(len(entries) // 4)

    Authorization.objects.bulk_create(
        (
            Authorization(
                lfdi=e.lfdi,
                status=Authorization.Status.APPROVED,
                role=e.role,
                aggregator_id=aggregator_ids.get(e.aggregator),
                topology_group_id=e.topology_group_id,
                registration_mode=e.mode,
                decided_by=user,
                decided_at=now,
            )
            for e in entries
        ),
        batch_size=BATCH,
    )
    authorization_ids = _ids(Authorization, [e.lfdi for e in entries])
    _set_groups(Authorization.non_topology_groups.through, "authorization_id", authorization_ids, entries)
    progress(len(entries) // 2)

    ders = [e for e in registered if e.role != Role.AGGREGATOR]
    _create_end_devices(ders, aggregator_ids=aggregator_ids, now=now)
    end_device_ids = _ids(EndDevice, [e.lfdi for e in registered])
    _set_groups(EndDevice.non_topology_groups.through, "enddevice_id", end_device_ids, ders)
    progress(3 * len(entries) // 4)

    _audit(Authorization, authorization_ids, entries, user=user, action="import")
    _audit(EndDevice, end_device_ids, registered, user=user, action="create")
    # What a client may already be reading: the EndDeviceList of each aggregator that gains DERs. A new
    # EndDevice's own resources have no reader or subscriber yet, and are at version 0; its LFDI was
    # refused until now, and refused clients are never remembered.
    gaining = {aggregator_ids[e.aggregator] for e in ders if e.aggregator}
    changefeed.record(
        "end_device_registered", [Resource(FeedKind.END_DEVICE_LIST, pk) for pk in sorted(gaining)]
    )
    return {"authorizations": len(entries), "end_devices": len(registered)}


def _create_end_devices(entries: list[Entry], *, aggregator_ids: dict[str, int], now) -> None:
    """The EndDevices approval would create (derms.services.authorizations.provision_end_device)."""
    EndDevice.objects.bulk_create(
        (
            EndDevice(
                lfdi=e.lfdi,
                sfdi=sfdi_from_lfdi(e.lfdi),
                role=e.role,
                aggregator_id=aggregator_ids.get(e.aggregator),
                topology_group_id=e.topology_group_id,
                changed_time=now,
                registered_at=now,
            )
            for e in entries
        ),
        batch_size=BATCH,
    )


def _ids(model, lfdis: list[str]) -> dict[str, int]:
    """LFDI -> pk of the rows of ``model`` with these LFDIs (bulk_create returns no pks on every database)."""
    found: dict[str, int] = {}
    for start in range(0, len(lfdis), BATCH):
        batch = lfdis[start : start + BATCH]
        found.update(model.objects.filter(lfdi__in=batch).values_list("lfdi", "pk"))
    return found


def _set_groups(through, owner_field: str, ids: dict[str, int], entries: list[Entry]) -> None:
    through.objects.bulk_create(
        (
            through(**{owner_field: ids[e.lfdi], "group_id": group_id})
            for e in entries
            for group_id in e.group_ids
        ),
        batch_size=BATCH,
    )


def _audit(model, ids: dict[str, int], entries: list[Entry], *, user, action: str) -> None:
    """One AuditEntry per object, as audit.record_change writes it, with the row's values as "after"."""
    label, name = model._meta.label, model._meta.verbose_name.capitalize()
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor=user,
                actor_name=user.get_username() if user else "import",
                action=action,
                object_type=label,
                object_id=str(ids[e.lfdi]),
                object_repr=f"{name} {e.lfdi}",
                before=None,
                after={
                    "lfdi": e.lfdi,
                    "role": e.role,
                    "aggregator": e.aggregator,
                    "topology_group": e.topology_group_id,
                    "non_topology_groups": list(e.group_ids),
                    "registration_mode": e.mode,
                },
            )
            for e in entries
        ),
        batch_size=BATCH,
    )
