"""Payment providers by code, from ``settings.VENTANILLA_PAYMENT_PROVIDERS``."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.utils.module_loading import import_string

from ventanilla.payments.providers.base import PaymentProvider

DEFAULT_PROVIDERS = {"sandbox": "ventanilla.payments.providers.sandbox.SandboxProvider"}


def provider_get(code: str) -> PaymentProvider | None:
    paths = getattr(settings, "VENTANILLA_PAYMENT_PROVIDERS", DEFAULT_PROVIDERS)
    path = paths.get(code)
    return None if path is None else cast(PaymentProvider, import_string(path)())


def default_provider_code() -> str:
    return str(getattr(settings, "VENTANILLA_PAYMENT_PROVIDER", "sandbox"))
