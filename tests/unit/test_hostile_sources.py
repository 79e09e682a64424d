"""Source files shaped to cost too much, and exports wide enough to break a naive reader."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from northstar.data.importer import file_readers
from northstar.data.importer.run import main
from tests.conftest import REPO_ROOT
from tests.unit.test_load_cases import ACCOUNTS, Case, write_source

MEMORY_LIMIT = 2 * 1024 ** 3  # address space the loader gets: the old Excel reader needed 10 GB
EXTRA_COLUMNS = 1_500
REVENUE_MAPPING = ('[accounts]\nfile = "accounts.csv"\n'
                   '[account_mrr_monthly]\nfile = "revenue.xlsx"\n')


def limited_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def load_in_little_memory(source: Path, mapping: Path, db: Path
                          ) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "northstar.load", str(source), "--mapping", str(mapping), "--db",
         str(db), "--memory-limit", "500MB"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, preexec_fn=limited_memory)
    return done, time.monotonic() - started


def revenue_workbook(path: Path, stray_rows: range, stray_column: int = 16_384) -> Path:
    """Three revenue rows under a header, and a value far right in each of `stray_rows`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Revenue"
    sheet.append(["account_id", "month", "mrr_usd"])
    for number in (1, 2, 3):
        sheet.append([f"A{number}", "2026-01-01", 100 * number])
    for row in stray_rows:
        sheet.cell(row=row, column=stray_column, value=1)
    book.save(path)
    return path


def source_with_workbook(tmp_path: Path, stray_rows: range) -> tuple[Path, Path]:
    source = write_source(tmp_path / "source", Case("excel", {"account_mrr_monthly.csv": None}))
    revenue_workbook(source / "revenue.xlsx", stray_rows)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(REVENUE_MAPPING)
    return source, mapping


def loaded_revenue(db: Path) -> list[tuple[str, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select account_id, mrr_usd::integer from account_mrr_monthly "
                           "order by 1").fetchall()


def test_one_cell_at_the_last_cell_of_a_sheet_costs_nothing(tmp_path):
    source, mapping = source_with_workbook(tmp_path, range(1_048_576, 1_048_577))
    assert (source / "revenue.xlsx").stat().st_size < 10_000
    done, seconds = load_in_little_memory(source, mapping, tmp_path / "db.duckdb")
    assert done.returncode == 0, done.stderr[-2000:]
    assert loaded_revenue(tmp_path / "db.duckdb") == [("A1", 100), ("A2", 200), ("A3", 300)]
    assert seconds < 60, seconds


def test_two_hundred_thousand_rows_with_one_cell_in_the_last_column(tmp_path):
    source, mapping = source_with_workbook(tmp_path, range(5, 200_005))
    assert (source / "revenue.xlsx").stat().st_size < 2_000_000
    done, seconds = load_in_little_memory(source, mapping, tmp_path / "db.duckdb")
    assert done.returncode == 0, done.stderr[-2000:]
    assert loaded_revenue(tmp_path / "db.duckdb") == [("A1", 100), ("A2", 200), ("A3", 300)]
    assert seconds < 60, seconds


def test_a_workbook_too_large_to_read_is_refused_naming_file_and_sheet(tmp_path, capsys,
                                                                        monkeypatch):
    source, mapping = source_with_workbook(tmp_path, range(5, 2_005))
    monkeypatch.setattr(file_readers, "MAX_EXCEL_XML_BYTES", 20_000)
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--mapping", str(mapping), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "revenue.xlsx, sheet Revenue:" in err and "more than the 20,000 bytes" in err, err
    assert "Traceback" not in err and not db.exists()


def test_excel_rows_keep_their_sheet_row_numbers_and_blank_rows_are_skipped(tmp_path):
    import openpyxl

    source = write_source(tmp_path / "source", Case("excel", {"account_mrr_monthly.csv": None}))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["account_id", "month", "mrr_usd"])
    sheet.append(["A1", "2026-01-01", 100])
    sheet.append([])  # a blank row: skipped, the numbering goes on
    sheet.append(["A2", "2026-01-01", "lots\nof money"])  # refused on sheet row 4
    sheet.append(["A3", "2026-01-01", 300.0])
    book.save(source / "revenue.xlsx")
    (tmp_path / "mapping.toml").write_text(REVENUE_MAPPING)
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--mapping", str(tmp_path / "mapping.toml"), "--db", str(db),
                 "--max-reject-pct", "50"]) == 0
    assert loaded_revenue(db) == [("A1", 100), ("A3", 300)]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select line, column_name, rule from load_rejects").fetchall() == [
            (4, "mrr_usd", "invalid_type")]


def wide_accounts(quoted_note: bool = False) -> str:
    """ACCOUNTS with 1,500 custom-field columns before and after the ones Northstar reads."""
    header, *rows = ACCOUNTS.splitlines()
    before = ",".join(f"custom_{index}" for index in range(EXTRA_COLUMNS // 2))
    after = ",".join(f"field_{index}" for index in range(EXTRA_COLUMNS // 2))
    lines = [f"{before},{header},{after}"]
    for number, row in enumerate(rows, start=1):
        note = '"a note\nover two lines"' if quoted_note and number == 1 else f"n{number}"
        values = ",".join(f"v{number}_{index}" for index in range(1, EXTRA_COLUMNS // 2))
        lines.append(f"{note},{values},{row},{values},x")
    return "\n".join(lines) + "\n"


WIDE_MAPPING = ('[accounts]\nfile = "accounts.csv"\n[accounts.columns]\n'
                'account_id = "account_id"\naccount_name = "upper(account_name)"\n'
                'segment = "segment"\nregion = "region"\nstart_date = "start_date"\n'
                '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n')


def test_an_export_with_fifteen_hundred_columns_loads_the_mapped_ones(tmp_path, capsys):
    source = write_source(tmp_path / "source", Case("wide", {"accounts.csv": wide_accounts()}))
    (tmp_path / "mapping.toml").write_text(WIDE_MAPPING)
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--mapping", str(tmp_path / "mapping.toml"), "--db", str(db)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select account_id, account_name, segment, region from accounts "
                           "order by 1").fetchall() == [
            ("A1", "ACME", "SMB", "EMEA"), ("A2", "BETA", "Enterprise", "APAC"),
            ("A3", "GAMMA", "Mid-Market", "EMEA")]


def test_a_wide_export_counts_lines_across_every_column(tmp_path, capsys):
    """A quoted value over two lines in a column the mapping does not use still moves the line
    numbers of the rows after it."""
    accounts = wide_accounts(quoted_note=True).replace("2025-03-01", "someday")
    source = write_source(tmp_path / "source", Case("wide", {"accounts.csv": accounts}))
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--db", str(db), "--max-reject-pct", "50"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from accounts").fetchone()[0] == 2
        assert con.execute("select line, column_name, rule from load_rejects where "
                           "table_name = 'accounts'").fetchall() == [
            (5, "start_date", "invalid_type")]


def test_a_wide_workbook_loads_the_mapped_columns(tmp_path):
    import openpyxl

    source = write_source(tmp_path / "source", Case("wide", {"account_mrr_monthly.csv": None}))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"custom_{index}" for index in range(EXTRA_COLUMNS)]
                 + ["account_id", "month", "mrr_usd"])
    for number in (1, 2, 3):
        sheet.append([f"v{index}" for index in range(EXTRA_COLUMNS)]
                     + [f"A{number}", "2026-01-01", 100 * number])
    book.save(source / "revenue.xlsx")
    (tmp_path / "mapping.toml").write_text(REVENUE_MAPPING)
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--mapping", str(tmp_path / "mapping.toml"), "--db", str(db)]) == 0
    assert loaded_revenue(db) == [("A1", 100), ("A2", 200), ("A3", 300)]


@pytest.mark.parametrize(("expression", "expected"), [
    ("account_id", {"account_id"}),
    ('upper("Account Name") || segment', {"Account Name", "segment"}),
    ("count(*)", set()),
    ("struct_pack(*)", None),  # every column
    ("columns('custom_.*')", None),
    ("not valid sql (", None),
])
def test_the_columns_a_mapping_expression_reads(expression, expected):
    from northstar.data.importer.mapping import columns_read

    file_columns = ("account_id", "Account Name", "segment", "custom_1", "custom_2")
    found = columns_read([expression], file_columns)
    assert (set(found) if found is not None else None) == expected
