from django.urls import path

from derms.events.api import views

app_name = "events-api"

urlpatterns = [
    path(
        "programs/<str:program_mrid>/controls/", views.ProgramControlsView.as_view(), name="program-controls"
    ),
    path("controls/<str:control_mrid>/cancel/", views.ControlCancelView.as_view(), name="control-cancel"),
    path(
        "end-devices/<str:lfdi>/timeline/", views.EndDeviceTimelineView.as_view(), name="end-device-timeline"
    ),
]
