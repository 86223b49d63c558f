from __future__ import annotations

from collections.abc import Iterator

import pytest

from ventanilla.notifications.tests.fake_partner import FakePartner


@pytest.fixture(autouse=True)
def _webhook_settings(settings):  # type: ignore[no-untyped-def]
    # The fake partner listens on 127.0.0.1, which production refuses.
    settings.VENTANILLA_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.VENTANILLA_WEBHOOK_TIMEOUT_S = 5.0
    settings.VENTANILLA_WEBHOOK_MAX_ATTEMPTS = 6


@pytest.fixture
def partner() -> Iterator[FakePartner]:
    fake = FakePartner().start()
    try:
        yield fake
    finally:
        fake.stop()
