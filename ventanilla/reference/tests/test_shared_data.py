"""Tests that need ../shared/data must not go green silently in CI when it is missing."""

from __future__ import annotations

import pytest

from ventanilla.reference.tests.conftest import SHARED_DATA, shared_file


def test_missing_shared_file_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="shared data file missing"):
        shared_file("no-such-folder", "file.csv")


def test_missing_shared_file_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        shared_file("no-such-folder", "file.csv")


def test_shared_data_location() -> None:
    assert SHARED_DATA.parts[-2:] == ("shared", "data")
