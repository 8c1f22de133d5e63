"""The 2030.5 documents a simulated client sends, elements in the order of sep.xsd's sequences."""

from __future__ import annotations

import hashlib

NS = 'xmlns="urn:ieee:std:2030.5:ns"'

#: UomType (2030.5 Table 10) and a description per quantity the simulated DERs meter.
QUANTITIES = {
    "W": (38, "Real Power(W)"),
    "var": (63, "Reactive Power(var)"),
    "V": (29, "Voltage"),
    "Hz": (33, "Frequency"),
}


def mrid(*parts: str) -> str:
    """A stable 128-bit mRID (hex) for what ``parts`` name."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:32].upper()


def status_body(*, at: int, connect: int, inverter: int, alarms: int, charge: int | None = None) -> str:
    """``charge``: stateOfChargeStatus in hundredths of a percent, for a DER with storage."""
    charge_status = (
        ""
        if charge is None
        else f"<stateOfChargeStatus><dateTime>{at}</dateTime><value>{charge}</value></stateOfChargeStatus>"
    )
    return (
        f"<DERStatus {NS}><alarmStatus>{alarms:08X}</alarmStatus>"
        f"<genConnectStatus><dateTime>{at}</dateTime><value>{connect:02X}</value></genConnectStatus>"
        f"<inverterStatus><dateTime>{at}</dateTime><value>{inverter}</value></inverterStatus>"
        f"<operationalModeStatus><dateTime>{at}</dateTime><value>2</value></operationalModeStatus>"
        f"<readingTime>{at}</readingTime>{charge_status}</DERStatus>"
    )


def capability_body(*, rated_w: int) -> str:
    return (
        f"<DERCapability {NS}><modesSupported>00500088</modesSupported>"
        f"<rtgMaxVA><multiplier>0</multiplier><value>{int(rated_w * 1.1)}</value></rtgMaxVA>"
        f"<rtgMaxW><multiplier>0</multiplier><value>{rated_w}</value></rtgMaxW>"
        "<type>4</type></DERCapability>"
    )


def settings_body(*, rated_w: int, at: int) -> str:
    return (
        f"<DERSettings {NS}><modesEnabled>00000088</modesEnabled><setGradW>100</setGradW>"
        f"<setMaxW><multiplier>0</multiplier><value>{rated_w}</value></setMaxW>"
        f"<updatedTime>{at}</updatedTime></DERSettings>"
    )


def usage_point_body(*, lfdi: str, client: str, values: dict[str, float], at: int, interval: int) -> str:
    """A MirrorUsagePoint for DER ``lfdi`` carrying one Reading of each quantity (posted again each time)."""
    readings = "".join(
        f"<MirrorMeterReading><mRID>{mrid(client, lfdi, quantity)}</mRID>"
        f"<description>{description}</description>"
        f"<Reading><qualityFlags>01</qualityFlags><timePeriod><duration>{interval}</duration><start>{at}</start>"
        f"</timePeriod><value>{round(values[quantity] * 100)}</value></Reading>"
        "<ReadingType><accumulationBehaviour>12</accumulationBehaviour><dataQualifier>2</dataQualifier>"
        f"<intervalLength>{interval}</intervalLength><phase>0</phase><powerOfTenMultiplier>-2</powerOfTenMultiplier>"
        f"<uom>{uom}</uom></ReadingType></MirrorMeterReading>"
        for quantity, (uom, description) in QUANTITIES.items()
    )
    return (
        f"<MirrorUsagePoint {NS}><mRID>{mrid(client, lfdi)}</mRID><description>Simulated DER</description>"
        f"<roleFlags>49</roleFlags><serviceCategoryKind>0</serviceCategoryKind><status>1</status>"
        f"<deviceLFDI>{lfdi}</deviceLFDI>{readings}</MirrorUsagePoint>"
    )


def log_event_body(*, code: int, at: int, event_id: int) -> str:
    return (
        f"<LogEvent {NS}><createdDateTime>{at}</createdDateTime><details>simulated</details>"
        f"<functionSet>11</functionSet><logEventCode>{code}</logEventCode>"
        f"<logEventID>{event_id}</logEventID><logEventPEN>0</logEventPEN><profileID>0</profileID></LogEvent>"
    )


def response_body(*, subject: str, lfdi: str, status: int, at: int) -> str:
    return (
        f"<DERControlResponse {NS}><createdDateTime>{at}</createdDateTime>"
        f"<endDeviceLFDI>{lfdi}</endDeviceLFDI>"
        f"<status>{status}</status><subject>{subject}</subject></DERControlResponse>"
    )


def subscription_body(*, resource: str, uri: str) -> str:
    return (
        f"<Subscription {NS}><subscribedResource>{resource}</subscribedResource><encoding>0</encoding>"
        f"<level>+S1</level><limit>10</limit><notificationURI>{uri}</notificationURI></Subscription>"
    )
