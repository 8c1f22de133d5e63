"""Routes of the 2030.5 API, at the server root; the paths come from the one href generator."""

from django.urls import path

from csip_api import hrefs
from csip_api.views import devices, programs, reported, subscriptions

app_name = "csip_api"
#: A path the 2030.5 listener does not serve is answered like a missing resource: a 2030.5 Error.
handler404 = "csip_api.http.not_found"

urlpatterns = [
    path(hrefs.DCAP, devices.DeviceCapabilityView.as_view(), name="dcap"),
    path(hrefs.TIME, devices.TimeView.as_view(), name="time"),
    path(hrefs.END_DEVICE_LIST, devices.EndDeviceListView.as_view(), name="end-device-list"),
    path(hrefs.END_DEVICE, devices.EndDeviceView.as_view(), name="end-device"),
    path(hrefs.REGISTRATION, devices.RegistrationView.as_view(), name="registration"),
    path(hrefs.FSA_LIST, devices.FunctionSetAssignmentsListView.as_view(), name="fsa-list"),
    path(hrefs.FSA, devices.FunctionSetAssignmentsView.as_view(), name="fsa"),
    path(hrefs.FSA_PROGRAM_LIST, devices.AssignedProgramListView.as_view(), name="fsa-program-list"),
    path(hrefs.DER_LIST, devices.DERListView.as_view(), name="der-list"),
    path(hrefs.DER, devices.DERView.as_view(), name="der"),
    path(
        hrefs.DER_CAPABILITY, reported.DERReportView.as_view(resource="DERCapability"), name="der-capability"
    ),
    path(hrefs.DER_SETTINGS, reported.DERReportView.as_view(resource="DERSettings"), name="der-settings"),
    path(hrefs.DER_STATUS, reported.DERReportView.as_view(resource="DERStatus"), name="der-status"),
    path(
        hrefs.DER_AVAILABILITY,
        reported.DERReportView.as_view(resource="DERAvailability"),
        name="der-availability",
    ),
    path(hrefs.LOG_EVENT_LIST, reported.LogEventListView.as_view(), name="log-event-list"),
    path(hrefs.LOG_EVENT, reported.LogEventView.as_view(), name="log-event"),
    path(hrefs.SUBSCRIPTION_LIST, subscriptions.SubscriptionListView.as_view(), name="subscription-list"),
    path(hrefs.SUBSCRIPTION, subscriptions.SubscriptionView.as_view(), name="subscription"),
    path(hrefs.PROGRAM, programs.ProgramView.as_view(), name="program"),
    path(hrefs.DEFAULT_CONTROL, programs.DefaultControlView.as_view(), name="default-control"),
    path(hrefs.CONTROL_LIST, programs.ControlListView.as_view(), name="control-list"),
    path(hrefs.CONTROL, programs.ControlView.as_view(), name="control"),
    path(hrefs.ACTIVE_CONTROL_LIST, programs.ActiveControlListView.as_view(), name="active-control-list"),
    path(hrefs.CURVE_LIST, programs.CurveListView.as_view(), name="curve-list"),
    path(hrefs.CURVE, programs.CurveView.as_view(), name="curve"),
    path(hrefs.RESPONSE_SET_LIST, reported.ResponseSetListView.as_view(), name="response-set-list"),
    path(hrefs.RESPONSE_SET, reported.ResponseSetView.as_view(), name="response-set"),
    path(hrefs.RESPONSE_LIST, reported.ResponseListView.as_view(), name="response-list"),
    path(hrefs.RESPONSE, reported.ResponseView.as_view(), name="response"),
    path(hrefs.USAGE_POINT_LIST, reported.UsagePointListView.as_view(), name="usage-point-list"),
    path(
        hrefs.MIRROR_USAGE_POINT_LIST,
        reported.MirrorUsagePointListView.as_view(),
        name="mirror-usage-point-list",
    ),
    path(hrefs.MIRROR_USAGE_POINT, reported.MirrorUsagePointView.as_view(), name="mirror-usage-point"),
    path(hrefs.MIRROR_METER_READING, reported.MirrorMeterReadingView.as_view(), name="mirror-meter-reading"),
]
