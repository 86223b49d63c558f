"""Tests that need ../shared/data must never go green silently when it is missing."""

from __future__ import annotations

import pytest

from ventanilla.reference.tests.conftest import SHARED_DATA, shared_file


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_shared_file_fails(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="shared data file missing"):
        shared_file("no-such-folder", "file.csv")


def test_shared_data_location() -> None:
    assert SHARED_DATA.parts[-2:] == ("shared", "data")
