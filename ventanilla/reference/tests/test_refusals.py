"""A malformed input is refused whole: file, line and reason in the error, and the
database (reference tables and audit trail) exactly as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ventanilla.reference.loaders.report import LoadReport
from ventanilla.reference.models import UnitOfMeasure
from ventanilla.reference.tests.conftest import snapshot

pytestmark = pytest.mark.django_db

HS_HEADER = "section,hscode,description,parent,level\n"
HS_OK = HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0804,Dates; avocados,08,4\nII,080440,Avocados,0804,6\n"
UN_OK = ',"PE","CLL","Callao","Callao",,"1-------","AI","9401",,,\n'


def refused(*args: str) -> str:
    """Run a command that must fail; return its message after checking nothing changed."""
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=StringIO())
    assert snapshot() == before
    message = str(caught.value)
    assert message.startswith("Refused, nothing was written:")
    return message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0804,Dates,08\n",
            "hs.csv line 3: expected 5 columns, got 4",
        ),
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0804,Dates,08,x\n",
            "hs.csv line 3: level must be 2, 4 or 6, got 'x'",
        ),
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nII,08A4,Dates,08,4\n",
            "hs.csv line 3: code '08A4' must have 4 digits for level 4",
        ),
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nII,080440,Avocados,0804,6\n",
            "hs.csv line 3: parent 0804 of 080440 is not in the file",
        ),
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0804,Dates,07,4\n",
            "hs.csv line 3: parent of 0804 must be 08, got '07'",
        ),
        (
            HS_OK + "II,0804,Dates again,08,4\n",
            "hs.csv line 5: duplicate code 0804 (first on line 3)",
        ),
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0804,,08,4\n",
            "hs.csv line 3: the description is empty",
        ),
        (
            HS_HEADER + "II,08,Fruit,TOTAL,2\nZZ,0804,Dates,08,4\n",
            "hs.csv line 3: section 'ZZ' is not a roman numeral",
        ),
        ("code,description\n08,Fruit\n", "hs.csv line 1: the header must name the columns"),
        # A quoted description over two lines: the next record starts on line 4.
        (
            HS_HEADER + 'II,08,"Fruit,\nand nuts",TOTAL,2\nII,0804,Dates,08,y\n',
            "hs.csv line 4: level must be 2, 4 or 6, got 'y'",
        ),
    ],
)
def test_malformed_hs_file_is_refused(
    demo: LoadReport, write_file: Callable[..., Path], content: str, expected: str
) -> None:
    path = write_file("hs.csv", content)
    assert expected in refused("load_hs", str(path), "--edition", "2022")


def test_hs_file_not_in_utf8_is_refused(demo: LoadReport, write_file: Callable[..., Path]) -> None:
    path = write_file(
        "hs.csv", (HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0901,Caf\xe9,09,4\n").encode("latin-1")
    )
    message = refused("load_hs", str(path))
    assert "hs.csv line 3: not valid UTF-8 (byte 0xe9)" in message


def test_every_problem_is_reported_at_once(write_file: Callable[..., Path]) -> None:
    path = write_file("hs.csv", HS_HEADER + "II,08,Fruit,TOTAL,2\nII,0804,A,08,x\nII,0805,B,08\n")
    message = refused("load_hs", str(path))
    assert "hs.csv line 3: level must be 2, 4 or 6" in message
    assert "hs.csv line 4: expected 5 columns, got 4" in message


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ',"PE","PAI","Paita","Paita",,"1-------","AI","9401",,\n',
            "PE.csv line 2: expected 12 columns, got 11",
        ),
        (
            ',"PE","PAI","Paita","Paita",,"1--4---X","AI","9401",,,\n',
            "PE.csv line 2: function '1--4---X': position 8 must be 'B' or '-', got 'X'",
        ),
        (
            ',"PE","PAI","Paita","Paita",,"1--4","AI","9401",,,\n',
            "PE.csv line 2: function '1--4' must have 8 positions",
        ),
        (
            ',"Pe","PAI","Paita","Paita",,"1-------","AI","9401",,,\n',
            "PE.csv line 2: country 'Pe' is not an ISO 3166 alpha-2 code",
        ),
        (
            ',"PE","PA","Paita","Paita",,"1-------","AI","9401",,,\n',
            "PE.csv line 2: location 'PA' must be 3 letters or digits",
        ),
        (
            ',"PE",,"Paita","Paita",,"1-------","AI","9401",,,\n',
            "PE.csv line 2: the Location column is empty",
        ),
    ],
)
def test_malformed_unlocode_row_is_refused(
    demo: LoadReport, write_file: Callable[..., Path], row: str, expected: str
) -> None:
    path = write_file("PE.csv", UN_OK + row)
    assert expected in refused("load_unlocode", str(path))


def test_a_bad_second_file_refuses_the_first_too(
    demo: LoadReport, write_file: Callable[..., Path]
) -> None:
    good = write_file("in/CL.csv", ',"CL","XYZ","Nueva","Nueva",,"1-------","AI","9401",,,\n')
    write_file("in/PE.csv", UN_OK.encode() + b',"PE","QQQ","Caf\xe9","Cafe",,"1-------","AI",,,,\n')
    message = refused("load_unlocode", str(good.parent))
    assert "PE.csv line 2: not valid UTF-8" in message


def test_missing_input_is_refused(db: None, tmp_path: Path) -> None:
    assert "no such file or folder" in refused("load_unlocode", str(tmp_path / "nope.csv"))
    assert "no .csv files in this folder" in refused("load_unlocode", str(tmp_path))
    assert "cannot be read" in refused("load_hs", str(tmp_path / "nope.csv"))


def test_bad_code_list_row_is_refused(demo: LoadReport, write_file: Callable[..., Path]) -> None:
    path = write_file(
        "document_types.csv",
        "code,agency_function,name_en,name_es\nN380,customs,Invoice,Factura\n"
        "N999,police,Something,Algo\n",
    )
    message = refused("load_reference_table", "document_types", str(path))
    assert "document_types.csv line 3: agency_function must be one of customs" in message


def test_tariff_line_under_an_unknown_subheading_is_refused(
    demo: LoadReport, write_file: Callable[..., Path]
) -> None:
    path = write_file(
        "tariff_lines.csv",
        "code,hs_code,description_en,description_es,supplementary_unit\n"
        "0804400000,080440,Avocados,Aguacates,KGM\n"
        "9999999999,999999,Nothing,Nada,KGM\n",
    )
    message = refused("load_reference_table", "tariff_lines", str(path))
    assert "tariff_lines.csv line 3: HS subheading 999999 is not in HS 2022" in message


def test_change_dated_on_the_current_version_start_is_refused(
    demo: LoadReport, write_file: Callable[..., Path]
) -> None:
    """Two versions cannot start on the same day, and a change cannot be backdated
    before the version it replaces: refused rather than overwritten."""
    kgm = UnitOfMeasure.objects.get(code="KGM")
    path = write_file("units.csv", "code,symbol,name_en,name_es\nKGM,kg,kilogramme,kilogramo\n")
    start = kgm.valid_from.isoformat()
    message = refused("load_reference_table", "units", str(path), "--valid-from", start)
    assert f"UN/ECE Rec 20 KGM: a version already runs from {start}" in message

    later = (kgm.valid_from + dt.timedelta(days=1)).isoformat()
    call_command(
        "load_reference_table", "units", str(path), "--valid-from", later, stdout=StringIO()
    )
    assert UnitOfMeasure.objects.filter(code="KGM").count() == 2
