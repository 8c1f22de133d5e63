"""The authorization list as the registrations pages read it: filtered by status and aggregator."""

from django.db.models import Count, F, QuerySet

from derms.models import Authorization, EndDevice, Role


def authorization_list(*, status: str = "", aggregator: EndDevice | None = None) -> QuerySet[Authorization]:
    """Entries most recently seen first, then by LFDI, with what their rows show."""
    entries = Authorization.objects.select_related("aggregator", "topology_group", "decided_by")
    if status:
        entries = entries.filter(status=status)
    if aggregator is not None:
        entries = entries.filter(aggregator=aggregator)
    return entries.order_by(F("last_seen").desc(nulls_last=True), "lfdi")


def aggregators() -> QuerySet[EndDevice]:
    """Every aggregator with how many DERs it manages."""
    return (
        EndDevice.objects.filter(role=Role.AGGREGATOR)
        .annotate(managed=Count("managed_ders", distinct=True))
        .order_by("sfdi")
    )


def managed_ders(aggregator: EndDevice) -> QuerySet[EndDevice]:
    return aggregator.managed_ders.select_related("topology_group").order_by("sfdi")
