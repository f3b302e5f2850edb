"""A consistent copy of a live SQLite database, made with SQLite's online backup API.

Copying the file while the app writes to it can catch a transaction half-written (and misses
what is still in the write-ahead log); the backup API copies pages under SQLite's own locks, so
the copy is a database as it stood at one moment, while the app keeps serving.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["backup_sqlite"]


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the SQLite database at `source` to `target` (which must not exist); return pages."""
    if not source.is_file():
        raise FileNotFoundError(f"there is no SQLite database at {source}")
    if target.exists():
        raise FileExistsError(f"{target} already exists: back up to a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = 0

    def progress(_status: int, remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=1024, progress=progress)
        (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
    live.close()
    copy.close()
    if verdict != "ok":
        target.unlink()
        raise sqlite3.DatabaseError(f"the copy failed SQLite's integrity check: {verdict}")
    return pages
