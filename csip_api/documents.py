"""The documents 2030.5 clients send, element by element in schema order (CSIP 5.2.5, 6.1.4, 6.2.4-6.2.5).

Read with :func:`csip_api.schema_values.read_values`; the DER resources are rendered back with
:func:`csip_api.schema_values.render_values` from what was stored.
"""

from csip_api.schema_values import (
    ACTIVE_POWER,
    AMPERE_HOUR,
    APPARENT_POWER,
    CURRENT_RMS,
    IDENTIFIED_OBJECT,
    INT8,
    INT16,
    INT32,
    INT48,
    LFDI,
    MRID,
    PER_CENT,
    POWER_FACTOR,
    REACTIVE_POWER,
    REACTIVE_SUSCEPTANCE,
    STRING32,
    UINT8,
    UINT16,
    UINT32,
    UINT48,
    VOLTAGE_RMS,
    WATT_HOUR,
    Boolean,
    Complex,
    Field,
    HexBinary,
    Integer,
    Text,
    Time,
    status_type,
)

DER_CAPABILITY = (
    Field("modesSupported", HexBinary(4), required=True),
    Field("rtgAbnormalCategory", UINT8),
    Field("rtgMaxA", CURRENT_RMS),
    Field("rtgMaxAh", AMPERE_HOUR),
    Field("rtgMaxChargeRateVA", APPARENT_POWER),
    Field("rtgMaxChargeRateW", ACTIVE_POWER),
    Field("rtgMaxDischargeRateVA", APPARENT_POWER),
    Field("rtgMaxDischargeRateW", ACTIVE_POWER),
    Field("rtgMaxV", VOLTAGE_RMS),
    Field("rtgMaxVA", APPARENT_POWER),
    Field("rtgMaxVar", REACTIVE_POWER),
    Field("rtgMaxVarNeg", REACTIVE_POWER),
    Field("rtgMaxW", ACTIVE_POWER, required=True),
    Field("rtgMaxWh", WATT_HOUR),
    Field("rtgMinPFOverExcited", POWER_FACTOR),
    Field("rtgMinPFUnderExcited", POWER_FACTOR),
    Field("rtgMinV", VOLTAGE_RMS),
    Field("rtgNormalCategory", UINT8),
    Field("rtgOverExcitedPF", POWER_FACTOR),
    Field("rtgOverExcitedW", ACTIVE_POWER),
    Field("rtgReactiveSusceptance", REACTIVE_SUSCEPTANCE),
    Field("rtgUnderExcitedPF", POWER_FACTOR),
    Field("rtgUnderExcitedW", ACTIVE_POWER),
    Field("rtgVNom", VOLTAGE_RMS),
    Field("type", UINT8, required=True),
)

DER_SETTINGS = (
    Field("modesEnabled", HexBinary(4)),
    Field("setESDelay", UINT32),
    Field("setESHighFreq", UINT16),
    Field("setESHighVolt", INT16),
    Field("setESLowFreq", UINT16),
    Field("setESLowVolt", INT16),
    Field("setESRampTms", UINT32),
    Field("setESRandomDelay", UINT32),
    Field("setGradW", UINT16, required=True),
    Field("setMaxA", CURRENT_RMS),
    Field("setMaxAh", AMPERE_HOUR),
    Field("setMaxChargeRateVA", APPARENT_POWER),
    Field("setMaxChargeRateW", ACTIVE_POWER),
    Field("setMaxDischargeRateVA", APPARENT_POWER),
    Field("setMaxDischargeRateW", ACTIVE_POWER),
    Field("setMaxV", VOLTAGE_RMS),
    Field("setMaxVA", APPARENT_POWER),
    Field("setMaxVar", REACTIVE_POWER),
    Field("setMaxVarNeg", REACTIVE_POWER),
    Field("setMaxW", ACTIVE_POWER, required=True),
    Field("setMaxWh", WATT_HOUR),
    Field("setMinPFOverExcited", POWER_FACTOR),
    Field("setMinPFUnderExcited", POWER_FACTOR),
    Field("setMinV", VOLTAGE_RMS),
    Field("setSoftGradW", UINT16),
    Field("setVNom", VOLTAGE_RMS),
    Field("setVRef", VOLTAGE_RMS),
    Field("setVRefOfs", VOLTAGE_RMS),
    Field("updatedTime", Time(), required=True),
)

DER_STATUS = (
    Field("alarmStatus", HexBinary(4)),
    Field("genConnectStatus", status_type(HexBinary(1))),
    Field("inverterStatus", status_type(UINT8)),
    Field("localControlModeStatus", status_type(UINT8)),
    Field("manufacturerStatus", status_type(Text(6))),
    Field("operationalModeStatus", status_type(UINT8)),
    Field("readingTime", Time(), required=True),
    Field("stateOfChargeStatus", status_type(PER_CENT)),
    Field("storageModeStatus", status_type(UINT8)),
    Field("storConnectStatus", status_type(HexBinary(1))),
)

DER_AVAILABILITY = (
    Field("availabilityDuration", UINT32),
    Field("maxChargeDuration", UINT32),
    Field("readingTime", Time(), required=True),
    Field("reserveChargePercent", PER_CENT),
    Field("reservePercent", PER_CENT),
    Field("statVarAvail", REACTIVE_POWER),
    Field("statWAvail", ACTIVE_POWER),
)

#: The DER resources a client PUTs, by their schema name.
DER_RESOURCES = {
    "DERCapability": DER_CAPABILITY,
    "DERSettings": DER_SETTINGS,
    "DERStatus": DER_STATUS,
    "DERAvailability": DER_AVAILABILITY,
}

END_DEVICE = (
    Field("deviceCategory", HexBinary(4)),
    Field("lFDI", LFDI()),
    Field("sFDI", Integer(0, 999999999999), required=True),
    Field("changedTime", Time(), required=True),
    Field("enabled", Boolean()),
    Field("postRate", UINT32),
)

_DATE_TIME_INTERVAL = Complex(
    (Field("duration", UINT32, required=True), Field("start", Time(), required=True))
)

READING = Complex(
    (
        Field("consumptionBlock", UINT8),
        Field("qualityFlags", HexBinary(2)),
        Field("timePeriod", _DATE_TIME_INTERVAL),
        Field("touTier", UINT8),
        Field("value", INT48),
        Field("localID", HexBinary(2)),
    )
)

_MIRROR_READING_SET = Complex(
    (
        *IDENTIFIED_OBJECT,
        Field("timePeriod", _DATE_TIME_INTERVAL, required=True),
        Field("Reading", READING, many=True),
    )
)

_UNIT_VALUE = Complex(
    (
        Field("multiplier", INT8, required=True),
        Field("unit", UINT8, required=True),
        Field("value", INT32, required=True),
    )
)

READING_TYPE = Complex(
    (
        Field("accumulationBehaviour", UINT8),
        Field("calorificValue", _UNIT_VALUE),
        Field("commodity", UINT8),
        Field("conversionFactor", _UNIT_VALUE),
        Field("dataQualifier", UINT8),
        Field("flowDirection", UINT8),
        Field("intervalLength", UINT32),
        Field("kind", UINT8),
        Field("maxNumberOfIntervals", UINT8),
        Field("numberOfConsumptionBlocks", UINT8),
        Field("numberOfTouTiers", UINT8),
        Field("phase", UINT8),
        Field("powerOfTenMultiplier", INT8),
        Field("subIntervalLength", UINT32),
        Field("supplyLimit", UINT48),
        Field("tieredConsumptionBlocks", Boolean()),
        Field("uom", UINT8),
    )
)

MIRROR_METER_READING = (
    *IDENTIFIED_OBJECT,
    Field("lastUpdateTime", Time()),
    Field("MirrorReadingSet", _MIRROR_READING_SET, many=True),
    Field("nextUpdateTime", Time()),
    Field("Reading", READING),
    Field("ReadingType", READING_TYPE),
)

MIRROR_USAGE_POINT = (
    *IDENTIFIED_OBJECT,
    Field("roleFlags", HexBinary(2), required=True),
    Field("serviceCategoryKind", UINT8, required=True),
    Field("status", UINT8, required=True),
    Field("deviceLFDI", LFDI(), required=True),
    Field("MirrorMeterReading", Complex(MIRROR_METER_READING), many=True),
    Field("postRate", UINT32),
)

LOG_EVENT = (
    Field("createdDateTime", Time(), required=True),
    Field("details", STRING32),
    Field("extendedData", UINT32),
    Field("functionSet", UINT8, required=True),
    Field("logEventCode", UINT8, required=True),
    Field("logEventID", UINT16, required=True),
    Field("logEventPEN", UINT32, required=True),
    Field("profileID", UINT8, required=True),
)

RESPONSE = (
    Field("createdDateTime", Time()),
    Field("endDeviceLFDI", LFDI(), required=True),
    Field("status", UINT8),
    Field("subject", MRID(), required=True),
)

#: A Subscription as a client posts it (its Condition, which this server does not offer, is refused).
SUBSCRIPTION = (
    Field("subscribedResource", Text(255), required=True),
    Field("encoding", UINT8, required=True),
    Field("level", Text(16), required=True),
    Field("limit", UINT32, required=True),
    Field("notificationURI", Text(255), required=True),
)
