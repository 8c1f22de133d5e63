"""The CSIP guide's examples (section 7 figures) come out with the same elements, attributes and nesting.

Hrefs differ in their paths (the guide's server lives under /sep2/...); the shapes and the data-driven
values (counts, primacy, description) must match.
"""

from lxml import etree

from csip_api import hrefs
from csip_api.render.devices import end_device
from csip_api.selectors.functions import assignment_counts
from csip_api.xml import NS
from derms.models import Authorization, EndDevice, Role

FIGURE_6_TOPOLOGY_PROGRAM = """
<DERProgram href="/sep2/A1/derp/1" xmlns="urn:ieee:std:2030.5:ns">
  <mRID>B0100000</mRID>
  <description>SYS-A1</description>
  <ActiveDERControlListLink href="/sep2/A1/derp/1/actderc" all="0"/>
  <DefaultDERControlLink href="/sep2/A1/derp/1/dderc"/>
  <DERControlListLink href="/sep2/A1/derp/1/derc" all="0"/>
  <DERCurveListLink href="/sep2/A1/derp/1/dc" all="0"/>
  <primacy>89</primacy>
</DERProgram>"""

FIGURE_6_LIST_ATTRIBUTES = {"href", "subscribable", "pollRate", "all", "results"}

# Figure 17 shows the same EndDevice as Figure 8 with its DERListLink, which Figure 8 leaves out.
FIGURE_8_END_DEVICE = """
<EndDevice href="/sep2/edev/1" xmlns="urn:ieee:std:2030.5:ns">
  <DERListLink all="0" href="/sep2/edev/1/der"/>
  <lFDI>12a4a4b406ad102e7421019135ffa2805235a21c</lFDI>
  <LogEventListLink all="0" href="/sep2/edev/1/log"/>
  <sFDI>050044792964</sFDI>
  <changedTime>1514836800</changedTime>
  <enabled>1</enabled>
  <FunctionSetAssignmentsListLink all="2" href="/sep2/edev/1/fsa"/>
  <RegistrationLink href="/sep2/edev/1/rg"/>
</EndDevice>"""

FIGURE_15_DEVICE_CAPABILITY = """
<DeviceCapability href="/sep2/dcap" xmlns="urn:ieee:std:2030.5:ns">
  <ResponseSetListLink href="/sep2/rsps" all="0"/>
  <TimeLink href="/sep2/tm"/>
  <UsagePointListLink href="/sep2/upt" all="0"/>
  <EndDeviceListLink href="/sep2/edev" all="3"/>
  <MirrorUsagePointListLink href="/sep2/mup" all="0"/>
</DeviceCapability>"""


def shape(node: etree._Element, *, extra_attributes: frozenset = frozenset()) -> tuple:
    """Tag, attribute names and children's shapes: the structure without the values."""
    return (
        etree.QName(node).localname,
        frozenset(node.keys()) - extra_attributes,
        tuple(shape(child) for child in node),
    )


def _parse(text: str | bytes) -> etree._Element:
    return etree.fromstring(text.encode() if isinstance(text, str) else text)


def _text(node: etree._Element, tag: str) -> str:
    return node.findtext(f"{{{NS}}}{tag}")


def test_topology_program_list_has_the_shape_of_figure_6(direct_der, programs):
    url = hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=direct_der.end_device.pk, fsa=hrefs.TOPOLOGY_FSA)

    served = _parse(direct_der.get(url + "?l=10").content)

    assert set(served.keys()) == FIGURE_6_LIST_ATTRIBUTES
    assert (served.get("all"), served.get("results"), served.get("subscribable")) == ("3", "3", "1")
    figure = _parse(FIGURE_6_TOPOLOGY_PROGRAM)
    # DERProgram is subscribable here: aggregators subscribe to each program (CSIP 5.3.4).
    entries = [shape(p, extra_attributes=frozenset({"subscribable"})) for p in served]
    assert entries == [shape(figure)] * 3
    system = served[-1]
    assert (_text(system, "description"), _text(system, "primacy")) == ("SYS-A1", "89")
    # Ordered by primacy ascending (CSIP-NOTES), where the figure lists the topology top-down.
    assert [_text(p, "primacy") for p in served] == ["83", "85", "89"]


def test_non_topology_program_list_has_the_shape_of_figure_6(direct_der, programs, grid):
    url = hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=direct_der.end_device.pk, fsa=grid["z"].pk)

    served = _parse(direct_der.get(url).content)

    assert (served.get("all"), served.get("results")) == ("1", "1")
    program = served[0]
    assert shape(program, extra_attributes=frozenset({"subscribable"})) == shape(
        _parse(FIGURE_6_TOPOLOGY_PROGRAM)
    )
    assert (_text(program, "description"), _text(program, "primacy")) == ("Group-Z", "81")


def test_the_figure_8_inverter_renders_with_its_shape_and_identifiers(grid, programs):
    lfdi = "12a4a4b406ad102e7421019135ffa2805235a21c"
    Authorization.objects.create(lfdi=lfdi, role=Role.DIRECT, status=Authorization.Status.APPROVED)
    inverter = EndDevice.objects.create(lfdi=lfdi, role=Role.DIRECT, topology_group=grid["sp_1"], pin=111115)
    inverter.non_topology_groups.add(grid["z"])
    served = end_device(inverter, fsa_count=assignment_counts([inverter])[inverter.pk], log_event_count=0)

    figure = _parse(FIGURE_8_END_DEVICE)
    # The figure leaves subscribable out; derms lets aggregators subscribe to their DERs' EndDevices.
    assert shape(served, extra_attributes=frozenset({"subscribable"})) == shape(figure)
    assert _text(served, "sFDI") == "50044792964"  # the figure zero-pads; SFDIType is an integer
    assert _text(served, "lFDI") == _text(figure, "lFDI")
    fsa_link = served.find(f"{{{NS}}}FunctionSetAssignmentsListLink")
    assert fsa_link.get("all") == "2"


def test_served_end_device_matches_figure_8_through_http(direct_der, settings):
    # The figure's server offers its direct DERs no SubscriptionList.
    settings.CSIP_DIRECT_DER_SUBSCRIPTIONS = False
    url = hrefs.href(hrefs.END_DEVICE, edev=direct_der.end_device.pk)
    EndDevice.objects.filter(pk=direct_der.end_device.pk).update(device_category=None)

    served = _parse(direct_der.get(url).content)

    assert shape(served, extra_attributes=frozenset({"subscribable"})) == shape(_parse(FIGURE_8_END_DEVICE))


def test_aggregator_device_capability_has_the_shape_of_figure_15(aggregator):
    served = _parse(aggregator.get("/dcap").content)

    figure = _parse(FIGURE_15_DEVICE_CAPABILITY)
    assert shape(served, extra_attributes=frozenset({"pollRate"})) == shape(figure)
    links = {etree.QName(n).localname: n.get("all") for n in served}
    assert links["EndDeviceListLink"] == "3"
    assert links["MirrorUsagePointListLink"] == "0"
