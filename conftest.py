"""Project-wide pytest settings: tasks run immediately, passwords hash fast, snapshots fresh."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


@pytest.fixture(autouse=True)
def _test_settings(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    # Every baked read is checked against its queryset compiled the usual way.
    settings.BAKED_QUERIES_VERIFY = True


@pytest.fixture(autouse=True)
def _fresh_snapshots():  # type: ignore[no-untyped-def]
    """Configuration snapshots are per process; a test's rolled-back rows must not leak
    into the next test through them."""
    from ventanilla.core.snapshots import clear_all

    clear_all()
    yield
    clear_all()
