"""What an accepted kind of document must not hide, and what a displayed file name must not carry.

`webapp.services.evidence` decides what a file *is* (PDF, DOCX, XLSX, PNG, JPEG) from its
bytes; this module then looks inside the two kinds that can carry more than they show:

- **Word and Excel documents** are zip packages. Their central directory says how many entries
  they hold and how big each one unpacks. A package with more than `EVIDENCE_MAX_ARCHIVE_ENTRIES`
  entries (default 1,000), or that would unpack to more than `EVIDENCE_MAX_UNPACKED_BYTES`
  (default 100MB), or one entry over 1MB compressed more than 200 to 1 (a zip bomb: real
  documents compress text about 10 to 1 and pictures hardly at all) is refused. Nothing is
  unpacked to decide.
- **PDFs** can run code when opened. A PDF naming a `/JavaScript` or `/JS` action, a `/Launch`
  action, additional actions (`/AA`, run on events such as a page opening) or an `/OpenAction`
  that is not a plain destination (`/OpenAction [3 0 R /Fit]` only says which page to show) is
  refused. Names are read as PDF reads them (`/J#61vaScript` is `/JavaScript`), and object
  streams, where a PDF may pack its dictionaries compressed, are unpacked (bounded) and read too;
  an object stream that cannot be read is refused rather than trusted.

Display names lose Unicode control and format characters (bidi overrides such as U+202E, which
make `evil‮fdp.exe` look like `evilexe.pdf`, zero-width characters, NUL), so the name a person
sees is the name stored.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import current_app

__all__ = [
    "DEFAULT_MAX_ARCHIVE_ENTRIES",
    "DEFAULT_MAX_UNPACKED_BYTES",
    "document_problem",
    "printable_name",
]

DEFAULT_MAX_ARCHIVE_ENTRIES = 1_000
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_BOMB_RATIO = 200
_BOMB_MIN_BYTES = 1024 * 1024
_OBJECT_STREAM_BUDGET = 64 * 1024 * 1024
"""The most an upload's object streams may unpack to before the PDF is refused unread."""

TOO_MANY_PARTS_MESSAGE = (
    "The selected file has too many parts inside it: save it again from Word or Excel, or "
    "upload it as a PDF"
)
UNPACKS_TOO_BIG_MESSAGE = (
    "The selected file would be too big once opened: save it again from Word or Excel, or "
    "upload it as a PDF"
)
PDF_ACTIONS_MESSAGE = (
    "The selected PDF contains actions or scripts that run when it is opened: save it again "
    "as a plain PDF (for example with Print to PDF) and upload that"
)
PDF_UNREADABLE_MESSAGE = (
    "The selected PDF could not be checked: save it again as a plain PDF (for example with "
    "Print to PDF) and upload that"
)

# Cc control, Cf format (bidi overrides and isolates, zero-width characters, soft hyphen...),
# Zl/Zp line and paragraph separators, Co private use, Cs lone surrogates, Cn unassigned.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def printable_name(name: str) -> str:
    """`name` without the characters a reader cannot see or that reorder what they see."""
    return "".join(ch for ch in name if unicodedata.category(ch) not in _HIDDEN_CATEGORIES)


# --- Word and Excel packages ------------------------------------------------------------------


def _package_problem(path: Path) -> str | None:
    max_entries = int(
        current_app.config.get("EVIDENCE_MAX_ARCHIVE_ENTRIES", DEFAULT_MAX_ARCHIVE_ENTRIES)
    )
    max_unpacked = int(
        current_app.config.get("EVIDENCE_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return UNPACKS_TOO_BIG_MESSAGE  # the type check read it a moment ago: treat as hostile
    if len(entries) > max_entries:
        return TOO_MANY_PARTS_MESSAGE
    if sum(entry.file_size for entry in entries) > max_unpacked:
        return UNPACKS_TOO_BIG_MESSAGE
    for entry in entries:
        packed = max(entry.compress_size, 1)
        if entry.file_size > _BOMB_MIN_BYTES and entry.file_size / packed > _BOMB_RATIO:
            return UNPACKS_TOO_BIG_MESSAGE
    return None


# --- PDFs -------------------------------------------------------------------------------------

_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_LONG_NAMES = frozenset({b"JavaScript", b"Launch"})
"""Names refused wherever they appear, even in compressed data (too long to occur by chance)."""
_SHORT_NAMES = frozenset({b"JS", b"AA"})
"""Names refused outside stream data, where three random bytes could spell them."""
_STREAM = re.compile(rb"stream\r?\n")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\d)(?!\s+\d+\s+R)")
_DICTIONARY_LOOKBACK = 4096


def _names(data: bytes) -> Iterator[tuple[bytes, int]]:
    """Each PDF name in `data`, decoded (`#xx` escapes), with the offset just after it."""
    for match in _NAME.finditer(data):
        yield _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1)), match.end()


def _runs_something(data: bytes, refused: frozenset[bytes]) -> bool:
    for name, end in _names(data):
        if name in refused:
            return True
        if name == b"OpenAction" and not data[end : end + 64].lstrip().startswith(b"["):
            # An open action given as a destination array only picks the first page shown;
            # an action dictionary (inline or referenced) may do anything.
            return True
    return False


def _stream_dictionary(data: bytes, stream_at: int) -> bytes:
    """The bytes from the object's `n g obj` up to its `stream` keyword."""
    window = data[max(0, stream_at - _DICTIONARY_LOOKBACK) : stream_at]
    starts = [m.start() for m in _OBJ.finditer(window)]
    return window[starts[-1] :] if starts else window


def _split_streams(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The file without the data of its streams, and each stream's (dictionary, data).

    A stream's data is left out only when its dictionary gives its length and `endstream`
    follows exactly there; any other stream stays in the outline, read as if it were not one.
    """
    outline: list[bytes] = []
    streams: list[tuple[bytes, bytes]] = []
    position = 0
    for match in _STREAM.finditer(data):
        if match.start() < position or data[max(0, match.start() - 3) : match.start()] == b"end":
            continue
        dictionary = _stream_dictionary(data, match.start())
        lengths = _LENGTH.findall(dictionary)
        start = match.end()
        if lengths:
            end = start + int(lengths[-1])
            if data[end : end + 12].lstrip().startswith(b"endstream"):
                streams.append((dictionary, data[start:end]))
                outline.append(data[position:start])
                position = end
                continue
        close = data.find(b"endstream", start)
        streams.append((dictionary, data[start : close if close >= 0 else len(data)]))
    outline.append(data[position:])
    return b"".join(outline), streams


def _is_object_stream(dictionary: bytes) -> bool:
    """An object stream packs dictionaries; readers find them by its `/N` and `/First`."""
    return any(name in {b"ObjStm", b"First"} for name, _ in _names(dictionary))


def _unpack(dictionary: bytes, raw: bytes, budget: int) -> bytes | None:
    """The stream's bytes unpacked within `budget`, or None when that cannot be done."""
    filters = [name for name, _ in _names(dictionary) if name.endswith(b"Decode")]
    if not filters:
        return raw if len(raw) <= budget else None
    if filters != [b"FlateDecode"]:
        return None  # another or a chained filter: not read here, so not trusted
    try:
        unpacked = zlib.decompressobj().decompress(raw, budget + 1)
    except zlib.error:
        return None
    return unpacked if len(unpacked) <= budget else None


def _pdf_problem(path: Path) -> str | None:
    data = path.read_bytes()
    outline, streams = _split_streams(data)
    if _runs_something(data, _LONG_NAMES) or _runs_something(outline, _LONG_NAMES | _SHORT_NAMES):
        return PDF_ACTIONS_MESSAGE
    budget = _OBJECT_STREAM_BUDGET
    for dictionary, raw in streams:
        if not _is_object_stream(dictionary):
            continue
        unpacked = _unpack(dictionary, raw, budget)
        if unpacked is None:
            return PDF_UNREADABLE_MESSAGE
        budget -= len(unpacked)
        if _runs_something(unpacked, _LONG_NAMES | _SHORT_NAMES):
            return PDF_ACTIONS_MESSAGE
    return None


_CHECKS: dict[str, Callable[[Path], str | None]] = {
    "docx": _package_problem,
    "xlsx": _package_problem,
    "pdf": _pdf_problem,
}
"""The inside check for each accepted kind, by its extension; pictures need none."""


def document_problem(path: Path, extension: str) -> str | None:
    """Why the file at `path` (already known to be of the kind `extension`) cannot be kept,
    in words for the person who chose it; None when nothing is wrong."""
    check = _CHECKS.get(extension)
    return check(path) if check is not None else None
