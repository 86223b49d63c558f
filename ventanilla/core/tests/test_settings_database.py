"""The database settings read from the environment (config/settings.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.conf import settings

SETTINGS = Path(settings.BASE_DIR) / "config" / "settings.py"
URL = "postgres://app@db.example:5432/ventanilla"


def _database(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("DATABASE_SERVER_SIDE_BINDING", "DATABASE_PREPARE_THRESHOLD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return dict(runpy.run_path(str(SETTINGS))["DATABASES"]["default"])


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements(monkeypatch):
    db = _database(monkeypatch, DATABASE_URL=URL)
    # ``True`` itself: Django ignores the string "true" a URL parameter would give.
    assert db["OPTIONS"]["server_side_binding"] is True
    assert db["OPTIONS"]["prepare_threshold"] == 5
    assert (db["ENGINE"], db["NAME"], db["CONN_HEALTH_CHECKS"]) == (
        "django.db.backends.postgresql",
        "ventanilla",
        True,
    )


def test_binding_on_the_server_can_be_turned_off_and_the_threshold_changed(monkeypatch):
    db = _database(monkeypatch, DATABASE_URL=URL, DATABASE_SERVER_SIDE_BINDING="false")
    assert "server_side_binding" not in db.get("OPTIONS", {})
    db = _database(monkeypatch, DATABASE_URL=URL, DATABASE_PREPARE_THRESHOLD="1")
    assert db["OPTIONS"]["prepare_threshold"] == 1


def test_sqlite_has_no_postgresql_options(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = _database(monkeypatch)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "server_side_binding" not in db.get("OPTIONS", {})
