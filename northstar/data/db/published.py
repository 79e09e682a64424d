"""Published database versions: what every server reads, switched to atomically, cleaned once
no server reads them (no Streamlit import).

A load or demo build moves its finished file over `<db>` (database_file.replace_database) and
then publishes it: a hard link `<db>.versions/<UTC time>-<file id>.duckdb` to the same file
(no copy, no extra disk), made in one step, so a version is either there complete or not at
all. The newest version is the current one; a server opens it by its own name, so a server on
another machine (the folder on a shared volume) never has a file replaced under it while it
reads, and a server keeps the previous version open until the new one has opened.

Each server process notes the version it reads in `<db>.versions/readers/<host>-<pid>.json`
(refreshed while it reads). `clean` removes the versions that are neither among the newest
KEEP_VERSIONS (the current one and the one before it, which a server that cannot open the new
one goes on reading) nor named by a reader's fresh note. A note is stale once it is older than
READER_FRESH_SECONDS, or at once when its process on this machine has ended.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import time
from pathlib import Path

KEEP_VERSIONS = 2  # the current version and the one before it are never removed
READER_FRESH_SECONDS = 15 * 60  # a reader's note older than this no longer keeps its version
NOTE_EVERY_SECONDS = 60  # a reading server refreshes its note at most this often
_VERSION_NAME = re.compile(r"^\d{8}T\d{12}Z-\d+\.duckdb$")


def versions_folder(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".versions")


def readers_folder(db_path: Path) -> Path:
    return versions_folder(db_path) / "readers"


def versions(db_path: Path) -> list[Path]:
    """The published versions of `db_path`, oldest first."""
    folder = versions_folder(db_path)
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if _VERSION_NAME.match(entry.name))
    except FileNotFoundError:
        return []
    return [folder / name for name in names]


def publish(db_path: Path) -> Path:
    """Publish the database now at `db_path` as the newest version; returns the version's path.
    Older versions nobody reads are removed (`clean`)."""
    db_path = Path(db_path)
    folder = versions_folder(db_path)
    folder.mkdir(exist_ok=True)
    stat = db_path.stat()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version = folder / f"{stamp}-{stat.st_ino}.duckdb"
    try:
        os.link(db_path, version)
    except OSError:  # a file system without hard links: a copy, moved in whole
        partial = folder / f".{version.name}.partial"
        shutil.copyfile(db_path, partial)
        os.replace(partial, version)
    clean(db_path)
    return version


def current(db_path: Path) -> Path | None:
    """The version servers read: the newest published one, as long as it is the file at
    `db_path` (or `db_path` is gone). None when nothing is published, or when `db_path` was
    replaced some other way since (then `db_path` itself is read)."""
    found = versions(db_path)
    if not found:
        return None
    newest = found[-1]
    try:
        main = Path(db_path).stat()
    except FileNotFoundError:
        return newest
    try:
        published = newest.stat()
    except FileNotFoundError:  # removed this instant by a newer publish: read the main file
        return None
    if (published.st_dev, published.st_ino) == (main.st_dev, main.st_ino):
        return newest
    # a copy made where hard links are not possible carries the main file's id in its name
    return newest if newest.stem.rsplit("-", 1)[1] == str(main.st_ino) else None


def _note_path(db_path: Path) -> Path:
    return readers_folder(db_path) / f"{socket.gethostname()}-{os.getpid()}.json"


def note_reading(db_path: Path, version: Path) -> None:
    """Note that this process reads `version` (so `clean` keeps it)."""
    note = _note_path(db_path)
    try:
        note.parent.mkdir(parents=True, exist_ok=True)
        partial = note.with_name(f".{note.name}.partial")
        partial.write_text(json.dumps({
            "version": version.name, "host": socket.gethostname(), "pid": os.getpid(),
            "noted": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}))
        os.replace(partial, note)
    except OSError:  # a read-only folder: the version is then kept by KEEP_VERSIONS only
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def readers(db_path: Path, now: float | None = None) -> dict[str, str]:
    """The fresh readers' notes: reader (host-pid) -> the version name it reads. Stale notes
    are removed."""
    now = time.time() if now is None else now
    found: dict[str, str] = {}
    host = socket.gethostname()
    for note in readers_folder(db_path).glob("*.json"):
        try:
            facts = json.loads(note.read_text())
            age = now - note.stat().st_mtime
        except (OSError, ValueError):
            continue
        ended = facts.get("host") == host and not _alive(int(facts.get("pid", 0)))
        if ended or age > READER_FRESH_SECONDS:
            note.unlink(missing_ok=True)
            continue
        found[note.stem] = str(facts.get("version", ""))
    return found


def clean(db_path: Path) -> list[Path]:
    """Remove the versions no server reads, keeping the newest KEEP_VERSIONS; the removed."""
    found = versions(db_path)
    read = set(readers(db_path).values())
    removed = []
    for version in found[:-KEEP_VERSIONS]:
        if version.name not in read:
            version.unlink(missing_ok=True)
            removed.append(version)
    return removed
