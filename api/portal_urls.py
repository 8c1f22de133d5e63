from django.urls import path

from api import portal

app_name = "api-tokens"
urlpatterns = [
    path("", portal.token_list, name="list"),
    path("<int:pk>/revoke/", portal.token_revoke, name="revoke"),
]
