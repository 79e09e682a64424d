"""What a database file is, before Northstar opens or replaces it (no Streamlit import).

The one home of two rules:

- a load or demo build replaces only a missing or empty file, or a Northstar database: a
  DuckDB file whose tables include dataset_metadata (`check_replaceable`, `replace_database`);
  anything else (a SQLite database, an Excel workbook, another DuckDB database, bytes that are
  no database at all) is refused and left as it was;
- the app opens a local DuckDB file only after `problem_opening` finds nothing wrong with it,
  so a wrong or damaged file is explained in words instead of failing every page.

Files are told apart by their first bytes, so nothing is ever opened by the wrong reader (DuckDB
would open a SQLite file by downloading its sqlite extension). A DuckDB file is then read with
extension autoloading and autoinstalling off, attached read-only to a private in-memory
database, which works while the app or another process has the file open.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import duckdb

from northstar.data.db import published
from northstar.data.messages import first_line

# DuckDB connection settings for reading a local file: never fetch or load an extension
EXTENSIONS_OFF = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
METADATA_TABLE = "dataset_metadata"  # every Northstar database holds it; no other file does
# DuckDB's file layout: a main header (magic bytes "DUCK" at offset 8), then two database
# headers of which the one with the higher iteration is current; data blocks follow them
_HEADER_SIZE = 4096
_BLOCKS_START = 3 * _HEADER_SIZE
_MAGIC = {
    b"SQLite format 3\x00": "a SQLite database",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an older Excel or Office file",
    b"PAR1": "a Parquet file",
    b"%PDF": "a PDF file",
}
REBUILD_HINT = "rebuild with make demo or load again"


class NotNorthstarDatabase(RuntimeError):
    """A file Northstar would replace is not a Northstar database; it was not changed."""


def is_duckdb_file(path: Path) -> bool:
    """Whether the file starts like a DuckDB database."""
    with Path(path).open("rb") as handle:
        return handle.read(12)[8:12] == b"DUCK"


def other_kind(path: Path) -> str | None:
    """What a file that is not a DuckDB database is, in words ('a SQLite database', 'an Excel
    workbook', ...), or None when it is nothing recognisable."""
    with Path(path).open("rb") as handle:
        head = handle.read(16)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "a zip archive (perhaps a damaged Excel workbook)"
        return ("an Excel workbook" if any(name.startswith("xl/") for name in names)
                else "a zip archive")
    return None


def what_it_is(path: Path) -> str:
    """'<path> is a SQLite database, not a Northstar database' for a file that is not a
    DuckDB database."""
    kind = other_kind(path)
    return (f"{path} is {kind}, not a Northstar database" if kind
            else f"{path} is not a DuckDB file, so not a Northstar database")


def _declared(path: Path) -> tuple[int, int] | None:
    """(size, block size) that DuckDB's current header gives the file (its data blocks
    included), or None when the header does not read as one this check understands; a file
    shorter than DuckDB's headers gives (their size, 1)."""
    with Path(path).open("rb") as handle:
        head = handle.read(_BLOCKS_START)
    if len(head) < _BLOCKS_START:
        return _BLOCKS_START, 1  # shorter than DuckDB's headers: cut off
    best: tuple[int, int, int] | None = None
    for offset in (_HEADER_SIZE, 2 * _HEADER_SIZE):
        # checksum, iteration, meta block, free list, block count, block allocation size
        _, iteration, _, _, blocks, block_size = struct.unpack_from("<6Q", head, offset)
        sane = (block_size >= 4096 and block_size & (block_size - 1) == 0
                and block_size <= 1 << 30 and blocks < 1 << 40)
        if sane and (best is None or iteration > best[0]):
            best = (iteration, _BLOCKS_START + blocks * block_size, block_size)
    return None if best is None else (best[1], best[2])


def declared_size(path: Path) -> int | None:
    """The size DuckDB's own header says the file has (its data blocks included), or None
    when the header does not read as one this check understands."""
    declared = _declared(path)
    return None if declared is None else declared[0]


def is_cut_off(path: Path) -> bool:
    """Whether the file was cut off (a copy or download that stopped part-way): shorter than
    its DuckDB header says and ending part-way through a block. DuckDB itself leaves a file
    shorter than its block count by whole free blocks at the end, so a file that ends on a
    block boundary is not taken for a cut one."""
    declared = _declared(path)
    if declared is None:
        return False
    size, block_size = declared
    actual = Path(path).stat().st_size
    if actual >= size:
        return False
    return block_size == 1 or actual < _BLOCKS_START or (actual - _BLOCKS_START) % block_size != 0


def has_northstar_tables(path: Path) -> bool:
    """Whether a DuckDB file holds Northstar's dataset_metadata table (read-only, extensions
    off). duckdb.Error when DuckDB cannot read the file's catalog."""
    with duckdb.connect(config=EXTENSIONS_OFF) as con:
        con.execute("attach $path as probed (type duckdb, read_only)", {"path": str(path)})
        try:
            return con.execute(
                "select count(*) from duckdb_tables() where database_name = 'probed' "
                "and table_name = $table", {"table": METADATA_TABLE}).fetchone()[0] > 0
        finally:
            con.execute("detach probed")


def _not_northstar(path: Path) -> tuple[str, str]:
    """Why the file is not a Northstar database ('' when it is one, or missing, or empty), and
    what to do about it."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return "", ""
    if not path.is_file():
        return f"{path} is not a file, so not a Northstar database", ""
    if not is_duckdb_file(path):
        return what_it_is(path), ""
    try:
        if has_northstar_tables(path):
            return "", ""
    except duckdb.Error as error:
        return (f"{path} is a DuckDB file that cannot be read ({first_line(error)}), so it "
                "cannot be told to be a Northstar database",
                " If it is a damaged Northstar database, delete it and run this again.")
    return (f"{path} is a DuckDB database but not a Northstar database (it has no "
            f"{METADATA_TABLE} table)", "")


def check_replaceable(path: Path) -> None:
    """Raise NotNorthstarDatabase unless `path` is missing, empty or a Northstar database."""
    reason, hint = _not_northstar(Path(path))
    if reason:
        raise NotNorthstarDatabase(
            f"{reason}: it was not changed. Name a new file or an existing Northstar "
            f"database.{hint}")


def replace_database(built: Path, target: Path) -> None:
    """Move a finished database over `target` (a Northstar database, or nothing yet), removing
    the replaced database's leftover write-ahead log, which belongs to the old file, and
    publish it as the version every server reads next (northstar.data.db.published)."""
    check_replaceable(target)
    os.replace(built, target)
    Path(str(target) + ".wal").unlink(missing_ok=True)
    published.publish(Path(target))


def problem_opening(path: Path) -> str | None:
    """What is wrong with a local file the app is told to read, in words; None when it is a
    Northstar database that opens."""
    path = Path(path)
    if path.is_file() and path.stat().st_size == 0:
        return f"{path} is empty, not a Northstar database: {REBUILD_HINT}."
    if not is_duckdb_file(path):
        return f"{what_it_is(path)}. Point NORTHSTAR_DB at a Northstar database."
    if is_cut_off(path):
        return damaged(path)
    try:
        if has_northstar_tables(path):
            return None
    except duckdb.IOException:
        return damaged(path)
    except duckdb.Error as error:
        return f"{path} cannot be opened as a DuckDB database: {first_line(error)}"
    return (f"{path} is a DuckDB database but not a Northstar database (it has no "
            f"{METADATA_TABLE} table). Point NORTHSTAR_DB at a Northstar database, or "
            f"{REBUILD_HINT}.")


def damaged(path: Path) -> str:
    """The message for a Northstar file that cannot be read in full."""
    return (f"{path} is damaged or incomplete (truncated?) and cannot be opened: "
            f"{REBUILD_HINT}.")
