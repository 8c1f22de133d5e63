"""FunctionSetAssignments as CSIP 5.2.3.1 prescribes, derived from a DER's groups.

FSA 1 holds a DERProgramList with every program of the DER's topology groups (its node and all
ancestors); each non-topology group that has a program gets an FSA of its own. Groups without a program
add nothing. FSA ids are stable: 0 for the topology FSA, the group's id for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from csip_api.hrefs import TOPOLOGY_FSA
from csip_api.scope import Scope
from csip_api.selectors.mrids import derived_mrid
from derms.models import DERProgram, EndDevice, LogEvent
from derms.selectors.membership import non_topology_programs, topology_programs
from notifications.models import Subscription
from notifications.services import may_subscribe


@dataclass(frozen=True)
class FunctionSetAssignment:
    end_device_id: int
    lfdi: str
    fsa_id: int
    description: str
    program_count: int

    @property
    def mrid(self) -> str:
        return derived_mrid("fsa", self.lfdi, self.fsa_id)


def assignments(end_device: EndDevice) -> list[FunctionSetAssignment]:
    """Every FSA of a DER, topology first, then by group id (two queries)."""
    topology = FunctionSetAssignment(
        end_device_id=end_device.pk,
        lfdi=end_device.lfdi,
        fsa_id=TOPOLOGY_FSA,
        description="Topology",
        program_count=topology_programs(end_device).count(),
    )
    others = [
        FunctionSetAssignment(
            end_device_id=end_device.pk,
            lfdi=end_device.lfdi,
            fsa_id=group_id,
            description=name[:32],
            program_count=1,
        )
        for group_id, name in non_topology_programs(end_device).values_list("group_id", "group__name")
    ]
    return [topology, *others]


def assignment_counts(end_devices: list[EndDevice]) -> dict[int, int]:
    """How many FSAs each DER has, for a page of EndDevices in one query."""
    through = EndDevice.non_topology_groups.through
    counts = {ed.pk: 1 for ed in end_devices if ed.is_der}
    rows = through.objects.filter(
        enddevice_id__in=list(counts), group__der_program__isnull=False
    ).values_list("enddevice_id", flat=True)
    for end_device_id in rows:
        counts[end_device_id] += 1
    return counts


def subscription_counts(scope: Scope, end_devices: list[EndDevice]) -> dict[int, int]:
    """The size of the SubscriptionList among ``end_devices``: only the client's own EndDevice has one, and
    only if it may subscribe (one query, none when it is not listed)."""
    own = scope.end_device
    if own is None or own.pk not in {d.pk for d in end_devices} or not may_subscribe(scope.client):
        return {}
    return {own.pk: Subscription.objects.filter(subscriber=own).count()}


def log_event_counts(end_devices: list[EndDevice]) -> dict[int, int]:
    """How many LogEvents each EndDevice of a page has, in one query."""
    rows = (
        LogEvent.objects.filter(end_device__in=[ed.pk for ed in end_devices])
        .values("end_device")
        .annotate(n=Count("pk"))
        .values_list("end_device", "n")
    )
    return dict(rows)


def programs_of_assignment(end_device: EndDevice, fsa_id: int) -> QuerySet[DERProgram]:
    """The DERProgramList behind one FSA; 404 when the DER has no such FSA."""
    if fsa_id == TOPOLOGY_FSA:
        return topology_programs(end_device)
    programs = non_topology_programs(end_device).filter(group_id=fsa_id)
    if not programs.exists():
        raise Http404
    return programs


def get_assignment(end_device: EndDevice, fsa_id: int) -> FunctionSetAssignment:
    for assignment in assignments(end_device):
        if assignment.fsa_id == fsa_id:
            return assignment
    raise Http404
