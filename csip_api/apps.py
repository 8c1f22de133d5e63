from django.apps import AppConfig


class CsipApiConfig(AppConfig):
    name = "csip_api"
    verbose_name = "IEEE 2030.5 API"
