"""UN/LOCODE: the full 2023-2 release, and the rules on small hand-written files."""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from ventanilla.audit.models import AuditEvent
from ventanilla.reference.loaders.unlocode import unlocode_load
from ventanilla.reference.models import Location

pytestmark = pytest.mark.django_db

# Function position (1-based) -> character when the function applies.
KEPT = {
    "seaport": (1, "1"),
    "rail": (2, "2"),
    "road": (3, "3"),
    "airport": (4, "4"),
    "multimodal": (6, "6"),
    "border_crossing": (8, "B"),
}


def independent_count(folder: Path) -> tuple[int, Counter[str], Counter[str]]:
    """Kept locations, kept per function and skipped per reason, by a plain csv scan."""
    kept: dict[str, list[str]] = {}
    skipped: Counter[str] = Counter()
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                change, country, location, name, function = row[0], row[1], row[2], row[3], row[6]
                if not location:
                    skipped["country_header" if name.startswith(".") else "reference_entry"] += 1
                elif change in ("X", "x"):
                    skipped["marked_for_deletion"] += 1
                elif not any(function[pos - 1] == ch for pos, ch in KEPT.values()):
                    skipped["no_trade_function"] += 1
                elif country + location in kept:
                    skipped["alternative_name"] += 1
                else:
                    kept[country + location] = row
    by_function = Counter(
        {f: sum(row[6][pos - 1] == ch for row in kept.values()) for f, (pos, ch) in KEPT.items()}
    )
    return len(kept), by_function, skipped


def test_full_release_counts_and_second_run(unlocode_dir: Path) -> None:
    kept, by_function, skipped = independent_count(unlocode_dir)

    started = time.monotonic()
    first = unlocode_load(paths=[unlocode_dir])
    first_seconds = time.monotonic() - started

    counts = first.kinds["locations"]
    assert counts.as_dict() == {
        "created": kept,
        "changed": 0,
        "closed": 0,
        "unchanged": 0,
        "skipped": sum(skipped.values()),
    }
    assert first.details["kept_by_function"] == dict(by_function)
    assert first.details["skipped_by_reason"] == dict(skipped)
    assert first.details["countries"] == len(list(unlocode_dir.glob("*.csv")))
    assert Location.objects.count() == kept
    assert Location.objects.filter(is_seaport=True).count() == by_function["seaport"]
    assert (
        Location.objects.filter(is_border_crossing=True).count() == by_function["border_crossing"]
    )
    callao = Location.objects.get(unlocode="PECLL")
    assert (callao.name, callao.is_seaport, callao.is_airport) == ("Callao", True, False)
    # Belgium lists BEBRU twice (two language orders): the first name is kept.
    assert Location.objects.get(unlocode="BEBRU").name == "Brussel (Bruxelles)"
    assert first_seconds < 60

    second = unlocode_load(paths=[unlocode_dir])

    assert second.kinds["locations"].as_dict() == {
        "created": 0,
        "changed": 0,
        "closed": 0,
        "unchanged": kept,
        "skipped": sum(skipped.values()),
    }
    assert AuditEvent.objects.filter(verb="reference.unlocode_loaded").count() == 2


PE_ROWS = [
    ',"PE",,".PERU",,,,,,,,',
    ',"PE","CLL","Callao","Callao",,"1-------","AI","9401",,,',
    ',"PE","PAI","Paita","Paita",,"1-------","AI","9401",,,',
    ',"PE","LIM","Lima","Lima",,"1--45---","AI","9601",,,',
]
CL_ROWS = [
    ',"CL",,".CHILE",,,,,,,,',
    ',"CL","VAP","Valparaiso","Valparaiso","VS","1234----","AI","0501",,"3302S 07138W",',
    ',"CL","CCD","Paso Concordia-Chacalluta/Arica","Paso Concordia-Chacalluta/Arica","AP",'
    '"--3----B","AC","1207",,"1818S 07019W","Chacalluta"',
]


def test_closing_is_scoped_to_the_countries_in_the_files(
    write_file: Callable[..., Path],
) -> None:
    pe = write_file("v1/PE.csv", "\n".join(PE_ROWS) + "\n")
    cl = write_file("v1/CL.csv", "\n".join(CL_ROWS) + "\n")
    unlocode_load(paths=[pe, cl])
    assert Location.objects.count() == 5

    # Next release of PE only: Paita dropped, Lima loses its airport function.
    pe2 = write_file(
        "v2/PE.csv",
        "\n".join(
            [
                PE_ROWS[0],
                PE_ROWS[1],
                PE_ROWS[3].replace("1--45---", "1---5---"),
            ]
        )
        + "\n",
    )
    report = unlocode_load(paths=[pe2], valid_from=dt.date(2030, 1, 1))

    assert report.kinds["locations"].as_dict() == {
        "created": 0,
        "changed": 1,
        "closed": 1,
        "unchanged": 1,
        "skipped": 1,
    }
    current = Location.objects.as_of(dt.date(2030, 1, 1))
    assert sorted(current.values_list("unlocode", flat=True)) == [
        "CLCCD",
        "CLVAP",
        "PECLL",
        "PELIM",
    ]
    assert Location.objects.get(unlocode="PEPAI").valid_to == dt.date(2030, 1, 1)
    lima_old, lima_new = Location.objects.filter(unlocode="PELIM").order_by("valid_from")
    assert (lima_old.is_airport, lima_old.valid_to) == (True, dt.date(2030, 1, 1))
    assert (lima_new.is_airport, lima_new.valid_from) == (False, dt.date(2030, 1, 1))
    # Chile was not in the files: untouched.
    assert Location.objects.filter(country="CL", valid_to__isnull=True).count() == 2


def test_rows_that_are_not_trade_locations_are_skipped_and_counted(
    write_file: Callable[..., Path],
) -> None:
    path = write_file(
        "XX.csv",
        "\n".join(
            [
                ',"BE",,".BELGIUM",,,,,,,,',
                '"=","BE",,"Antwerp = Antwerpen","Antwerp = Antwerpen",,,,,,,',
                ',"BE",,"Basse-Terre = GP BBR","Basse-Terre = GP BBR",,"1---5---","AF","9506",,,',
                ",BE,BRU,Brussel (Bruxelles),Brussel (Bruxelles),BRU,1234----,AI,1101,,,",
                ",BE,BRU,Bruxelles (Brussel),Bruxelles (Brussel),BRU,1234----,AI,1101,,,",
                '"X","BE","OLD","Old place","Old place",,"--3-----","XX","2307",,,"Use BE BRU"',
                ',"BE","PST","Post only","Post only",,"----5---","RL","2307",,,',
                ',"BE","ANR","Antwerpen","Antwerpen","VAN","12345---","AI","0501",,"5113N 00425E",',
            ]
        )
        + "\n",
    )

    report = unlocode_load(paths=[path])

    assert report.details["skipped_by_reason"] == {
        "alternative_name": 1,
        "country_header": 1,
        "marked_for_deletion": 1,
        "no_trade_function": 1,
        "reference_entry": 2,
    }
    assert report.kinds["locations"].created == 2
    antwerp = Location.objects.get(unlocode="BEANR")
    assert (antwerp.is_seaport, antwerp.is_rail, antwerp.is_road, antwerp.is_airport) == (
        True,
        True,
        True,
        True,
    )
    assert (antwerp.is_multimodal, antwerp.is_border_crossing) == (False, False)
    assert antwerp.coordinates == "5113N 00425E"
