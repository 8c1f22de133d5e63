"""Every error is JSON; a service's ValidationError becomes a 400 keyed by the field it names."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler

#: Where an error that names no field goes, as in DRF's own serializers.
NON_FIELD = "non_field_errors"


def as_field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {NON_FIELD if key == "__all__" else key: msgs for key, msgs in exc.message_dict.items()}
    return {NON_FIELD: exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(as_field_errors(exc))
    return drf_exception_handler(exc, context)
