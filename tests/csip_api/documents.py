"""The documents 2030.5 clients send (bodies of their PUTs and POSTs), shared by the write-side tests, the
end-to-end tests over HTTPS and the benchmarks."""

MEDIA_TYPE = "application/sep+xml"
NS = 'xmlns="urn:ieee:std:2030.5:ns"'


def end_device_body(lfdi: str | None, *, sfdi: int) -> str:
    lfdi_element = f"<lFDI>{lfdi}</lFDI>" if lfdi else ""
    return (
        f"<EndDevice {NS}><deviceCategory>020000</deviceCategory>{lfdi_element}"
        f"<sFDI>{sfdi}</sFDI><changedTime>1700000000</changedTime></EndDevice>"
    )


CAPABILITY = (
    f"<DERCapability {NS}><modesSupported>00500088</modesSupported>"
    "<rtgMaxChargeRateW><multiplier>3</multiplier><value>3</value></rtgMaxChargeRateW>"
    "<rtgMaxVA><multiplier>3</multiplier><value>6</value></rtgMaxVA>"
    "<rtgMaxW><multiplier>3</multiplier><value>5</value></rtgMaxW>"
    "<rtgMaxWh><multiplier>3</multiplier><value>13</value></rtgMaxWh>"
    "<rtgMinPFOverExcited><displacement>85</displacement><multiplier>-2</multiplier></rtgMinPFOverExcited>"
    "<type>83</type></DERCapability>"
)


def settings_body(max_w: int, updated: int = 1700000000) -> str:
    return (
        f"<DERSettings {NS}><modesEnabled>00000088</modesEnabled><setGradW>100</setGradW>"
        f"<setMaxW><multiplier>0</multiplier><value>{max_w}</value></setMaxW>"
        f"<updatedTime>{updated}</updatedTime></DERSettings>"
    )


def status_body(reading_time: int, *, soc: int = 5000, alarms: str | None = None) -> str:
    alarm = f"<alarmStatus>{alarms}</alarmStatus>" if alarms else ""
    return (
        f"<DERStatus {NS}>{alarm}"
        f"<genConnectStatus><dateTime>{reading_time}</dateTime><value>07</value></genConnectStatus>"
        f"<inverterStatus><dateTime>{reading_time}</dateTime><value>4</value></inverterStatus>"
        f"<operationalModeStatus><dateTime>{reading_time}</dateTime><value>2</value></operationalModeStatus>"
        f"<readingTime>{reading_time}</readingTime>"
        f"<stateOfChargeStatus><dateTime>{reading_time}</dateTime><value>{soc}</value></stateOfChargeStatus>"
        "</DERStatus>"
    )


AVAILABILITY = (
    f"<DERAvailability {NS}><readingTime>1700000000</readingTime>"
    "<statWAvail><multiplier>2</multiplier><value>42</value></statWAvail></DERAvailability>"
)


MUP_MRID = "5509D69F8B3535950000000000009182"
MMR_MRID = "5509D69F8B3535950001000000009182"


def mup_body(lfdi: str, *, mrid: str = MUP_MRID, reading_type: bool = True) -> str:
    meter_reading = (
        f"<MirrorMeterReading><mRID>{MMR_MRID}</mRID><description>Real Power(W) Set</description>"
        "<ReadingType><accumulationBehaviour>4</accumulationBehaviour><dataQualifier>2</dataQualifier>"
        "<intervalLength>300</intervalLength><phase>0</phase><powerOfTenMultiplier>0</powerOfTenMultiplier>"
        "<uom>38</uom></ReadingType></MirrorMeterReading>"
        if reading_type
        else ""
    )
    return (
        f"<MirrorUsagePoint {NS}><mRID>{mrid}</mRID><description>DER [Inverter A]</description>"
        f"<roleFlags>49</roleFlags><serviceCategoryKind>0</serviceCategoryKind><status>1</status>"
        f"<deviceLFDI>{lfdi}</deviceLFDI>{meter_reading}</MirrorUsagePoint>"
    )


def reading(start: int, value: int, *, timed: bool = True) -> str:
    period = f"<timePeriod><duration>300</duration><start>{start}</start></timePeriod>" if timed else ""
    return f"<Reading><qualityFlags>01</qualityFlags>{period}<value>{value}</value></Reading>"


def reading_set(*readings: str, start: int = 1700000000) -> str:
    return (
        f"<MirrorReadingSet><mRID>5509D69F8B3535950001000000009183</mRID>"
        f"<timePeriod><duration>86400</duration><start>{start}</start></timePeriod>{''.join(readings)}"
        "</MirrorReadingSet>"
    )


def meter_reading_body(*readings: str, mrid: str = MMR_MRID) -> str:
    return f"<MirrorMeterReading {NS}><mRID>{mrid}</mRID>{reading_set(*readings)}</MirrorMeterReading>"


def meter_reading_list_body(*meter_readings: str) -> str:
    inner = "".join(m.replace(f" {NS}", "") for m in meter_readings)
    count = len(meter_readings)
    return f'<MirrorMeterReadingList {NS} all="{count}" results="{count}">{inner}</MirrorMeterReadingList>'


def log_event_body(code: int, *, at: int, event_id: int = 1, function_set: int = 11) -> str:
    return (
        f"<LogEvent {NS}><createdDateTime>{at}</createdDateTime><details>fault</details>"
        f"<functionSet>{function_set}</functionSet><logEventCode>{code}</logEventCode>"
        f"<logEventID>{event_id}</logEventID><logEventPEN>0</logEventPEN><profileID>0</profileID></LogEvent>"
    )


def response_body(event, lfdi: str, status: int, *, at: int | None = None, root: str = "DERControlResponse"):
    created = f"<createdDateTime>{at}</createdDateTime>" if at is not None else ""
    return (
        f"<{root} {NS}>{created}<endDeviceLFDI>{lfdi}</endDeviceLFDI>"
        f"<status>{status}</status><subject>{event.mrid}</subject></{root}>"
    )


#: What derms answers a request it refuses for its format, or for a resource that is not there (2030.5 Error).
REFUSED = b'<Error xmlns="urn:ieee:std:2030.5:ns"><reasonCode>0</reasonCode></Error>'
