from __future__ import annotations

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from ventanilla.core.text import fold


def test_healthz_answers_without_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_reports_database_down():
    with mock.patch.object(connection, "cursor", side_effect=OSError("down")):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OSError"


def test_request_id_is_echoed_or_made():
    given = Client().get("/healthz", HTTP_X_REQUEST_ID="broker-req-12345")
    assert given["X-Request-ID"] == "broker-req-12345"
    made = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(made["X-Request-ID"]) == 32


def test_fold_is_accent_and_case_insensitive():
    assert fold("  Café,   PIÑA  Ñandú ") == "cafe, pina nandu"
    assert fold(None) == ""


def test_production_profile_passes_deploy_checks(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.production",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-for-the-check-9f8e7d",
        "ALLOWED_HOSTS": "ventanilla.example.gob",
        "STATIC_ROOT": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "ventanilla.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
