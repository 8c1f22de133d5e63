from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Integration API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the token scheme with drf-spectacular so the schema documents it.
        from api import authentication  # noqa: F401
