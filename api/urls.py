"""/api/v1/: one path per resource; the schema at schema/, its browsable page at docs/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import authorizations, client_data, devices, events, groups, programs, rates

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[]), name="docs"),
    # Topology and non-topology groups
    path("groups/", groups.GroupList.as_view(), name="groups"),
    path("groups/<int:pk>/", groups.GroupDetail.as_view(), name="group"),
    path("groups/<int:pk>/children/", groups.GroupChildren.as_view(), name="group-children"),
    path("groups/<int:pk>/ancestors/", groups.GroupAncestors.as_view(), name="group-ancestors"),
    path("groups/<int:pk>/move/", groups.GroupMove.as_view(), name="group-move"),
    path("groups/<int:pk>/end-devices/", groups.GroupEndDevices.as_view(), name="group-end-devices"),
    # EndDevices and aggregators
    path("end-devices/", devices.EndDeviceList.as_view(), name="end-devices"),
    path("end-devices/<str:lfdi>/", devices.EndDeviceDetail.as_view(), name="end-device"),
    path("end-devices/<str:lfdi>/groups/", devices.EndDeviceGroups.as_view(), name="end-device-groups"),
    path("end-devices/<str:lfdi>/timeline/", devices.EndDeviceTimeline.as_view(), name="end-device-timeline"),
    path("aggregators/", devices.AggregatorList.as_view(), name="aggregators"),
    path("aggregators/<str:lfdi>/", devices.AggregatorDetail.as_view(), name="aggregator"),
    # The authorization list
    path("authorizations/", authorizations.AuthorizationList.as_view(), name="authorizations"),
    path("authorizations/<str:lfdi>/", authorizations.AuthorizationDetail.as_view(), name="authorization"),
    path(
        "authorizations/<str:lfdi>/approve/", authorizations.Approve.as_view(), name="authorization-approve"
    ),
    path("authorizations/<str:lfdi>/revoke/", authorizations.Revoke.as_view(), name="authorization-revoke"),
    path("authorizations/<str:lfdi>/reject/", authorizations.Reject.as_view(), name="authorization-reject"),
    # Programs, their defaults, curves and events
    path("programs/", programs.ProgramList.as_view(), name="programs"),
    path("programs/<str:mrid>/", programs.ProgramDetail.as_view(), name="program"),
    path("programs/<str:mrid>/default-control/", programs.DefaultControl.as_view(), name="default-control"),
    path("programs/<str:mrid>/poll-rate/", rates.ProgramPollRate.as_view(), name="program-poll-rate"),
    path("end-devices/<str:lfdi>/poll-rate/", rates.EndDevicePollRate.as_view(), name="end-device-poll-rate"),
    path("mirror-usage-points/<int:pk>/post-rate/", rates.MirrorPostRate.as_view(), name="mirror-post-rate"),
    path("programs/<str:mrid>/curves/", programs.CurveList.as_view(), name="curves"),
    path("curves/<str:mrid>/", programs.CurveDetail.as_view(), name="curve"),
    path("programs/<str:program_mrid>/controls/", events.ProgramControls.as_view(), name="program-controls"),
    path(
        "programs/<str:program_mrid>/controls/preview/",
        events.ProgramControlPreview.as_view(),
        name="program-control-preview",
    ),
    path("controls/<str:control_mrid>/", events.ControlDetail.as_view(), name="control"),
    path("controls/<str:control_mrid>/cancel/", events.ControlCancel.as_view(), name="control-cancel"),
    # What clients sent, read-only
    path("readings/", client_data.ReadingList.as_view(), name="readings"),
    path("der-status/", client_data.DERStatusList.as_view(), name="der-status"),
    path("alarms/", client_data.AlarmList.as_view(), name="alarms"),
    path("log-events/", client_data.LogEventList.as_view(), name="log-events"),
    path("responses/", client_data.ResponseList.as_view(), name="responses"),
]
