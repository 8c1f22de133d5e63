from django.apps import AppConfig


class DermsConfig(AppConfig):
    name = "derms"
    verbose_name = "DERMS"
