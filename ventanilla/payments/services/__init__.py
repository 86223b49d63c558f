"""Writes of the payments app (one transaction each, with its audit event)."""

from ventanilla.payments.services.guarantee import (
    guarantee_account_open,
    guarantee_account_set_status,
    guarantee_reconcile,
    guarantee_release,
    guarantee_reserve,
    guarantee_settle,
    guarantee_top_up,
)
from ventanilla.payments.services.payment import (
    payment_callback_handle,
    payment_expire,
    payment_start,
    payments_expire_stale,
)

__all__ = [
    "guarantee_account_open",
    "guarantee_account_set_status",
    "guarantee_reconcile",
    "guarantee_release",
    "guarantee_reserve",
    "guarantee_settle",
    "guarantee_top_up",
    "payment_callback_handle",
    "payment_expire",
    "payment_start",
    "payments_expire_stale",
]
