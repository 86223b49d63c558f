"""The one signal this app sends (ADR 0005): the clearance orchestrator listens to it and
recomputes the declaration's status. Sent inside the service's transaction after every
change of a review or of a joint inspection, with keyword arguments ``review`` (the
review that changed, or the acting agency's review for a change of an inspection) and
``declaration``, and ``by`` (the acting user, ``None`` for the platform itself)."""

from django.dispatch import Signal

review_changed = Signal()
