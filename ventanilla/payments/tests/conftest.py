from __future__ import annotations

from typing import Any

import pytest

from ventanilla.duties.tests.conftest import customs_officer, customs_sees_all  # noqa: F401
from ventanilla.payments.signals import payment_state_changed


@pytest.fixture
def signals() -> Any:
    """Every ``payment_state_changed`` sent during the test, as (payment, declaration)."""
    received: list[tuple[Any, Any]] = []

    def receiver(sender: Any, payment: Any, declaration: Any, **kwargs: Any) -> None:
        received.append((payment, declaration))

    payment_state_changed.connect(receiver, dispatch_uid="payments-test")
    yield received
    payment_state_changed.disconnect(dispatch_uid="payments-test")


@pytest.fixture
def silent_sandbox(settings: Any) -> None:
    settings.VENTANILLA_PAYMENT_SANDBOX_OUTCOME = "silent"
