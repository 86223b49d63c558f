"""Signals of the payments app (ADR 0005: the only way it tells the orchestrator that
something changed).

``payment_state_changed`` is sent inside the transaction when a payment is confirmed or
fails, and when a guarantee is reserved, released or settled for a declaration (then
``payment`` is ``None``). Keyword arguments: ``payment``, ``declaration``. Receivers
read ``payments.selectors.financial_state(declaration=...)``.
"""

from django.dispatch import Signal

payment_state_changed = Signal()
