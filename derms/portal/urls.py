"""The staff portal's pages; views stay thin and read through derms.selectors."""

from django.urls import path

from derms.portal.views import audit, devices, groups, landing, programs, registrations

app_name = "portal"
urlpatterns = [
    path("", landing.landing, name="landing"),
    path("audit/", audit.audit_trail, name="audit"),
    path("devices/", devices.device_search, name="device_search"),
    path("devices/<str:lfdi>/", devices.device_page, name="device"),
    path("groups/", groups.group_tree, name="groups"),
    path("groups/new/", groups.group_new, name="group_new"),
    path("groups/<int:pk>/", groups.group_page, name="group"),
    path("groups/<int:pk>/children/new/", groups.group_new, name="group_child_new"),
    path("groups/<int:pk>/rename/", groups.group_rename, name="group_rename"),
    path("groups/<int:pk>/move/", groups.group_move, name="group_move"),
    path("groups/<int:pk>/members/", groups.members_add, name="members_add"),
    path("groups/<int:pk>/members/<str:lfdi>/remove/", groups.member_remove, name="member_remove"),
    path("registrations/", registrations.registration_list, name="registrations"),
    path("registrations/<str:lfdi>/", registrations.registration_page, name="registration"),
    path(
        "registrations/<str:lfdi>/approve/", registrations.registration_approve, name="registration_approve"
    ),
    path("registrations/<str:lfdi>/reject/", registrations.registration_reject, name="registration_reject"),
    path("registrations/<str:lfdi>/revoke/", registrations.registration_revoke, name="registration_revoke"),
    path("aggregators/<str:lfdi>/", registrations.aggregator_page, name="aggregator"),
    path("programs/", programs.program_list, name="programs"),
    path("programs/<int:pk>/", programs.program_page, name="program"),
    path("programs/<int:pk>/defaults/", programs.defaults_edit, name="defaults_edit"),
    path("programs/<int:pk>/curves/new/", programs.curve_edit, name="curve_new"),
    path("programs/<int:pk>/curves/<int:curve_pk>/", programs.curve_edit, name="curve_edit"),
    path("programs/<int:pk>/events/new/", programs.event_new, name="event_new"),
    path("programs/<int:pk>/events/<int:event_pk>/cancel/", programs.event_cancel, name="event_cancel"),
    path(
        "programs/<int:pk>/events/<int:event_pk>/responses/", programs.event_responses, name="event_responses"
    ),
]
