"""Files an attacker might upload as evidence, built small and in memory.

Each one passes the type check (its first bytes are a real PDF, or a zip holding a Word or Excel
package) but hides something inside: a script, an action run on opening, a zip bomb.
"""

from __future__ import annotations

import io
import zipfile
import zlib

PLAIN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120


def pdf_with_catalog(extra: bytes, *objects: bytes) -> bytes:
    """A one-catalog PDF whose catalog carries `extra` and with further numbered `objects`."""
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R" + extra + b">>endobj\n"
    body += b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    for number, obj in enumerate(objects, start=3):
        body += str(number).encode() + b" 0 obj" + obj + b"endobj\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_with_object_stream(packed: bytes, *, flate: bool = True, filters: bytes = b"") -> bytes:
    """A PDF whose object 3 is an object stream holding `packed` (compressed with Flate)."""
    data = zlib.compress(packed) if flate else packed
    dictionary = (
        b"<</Type/ObjStm/N 1/First 4"
        + (filters or (b"/Filter/FlateDecode" if flate else b""))
        + b"/Length "
        + str(len(data)).encode()
        + b">>"
    )
    return pdf_with_catalog(b"", dictionary + b"stream\n" + data + b"\nendstream\n")


PDFS_THAT_RUN_THINGS: dict[str, bytes] = {
    "javascript-open-action": pdf_with_catalog(
        b"/OpenAction 3 0 R", b"<</S/JavaScript/JS(app.alert(1))>>"
    ),
    "inline-open-action": pdf_with_catalog(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
    "names-javascript": pdf_with_catalog(b"/Names<</JavaScript 3 0 R>>", b"<</Names[]>>"),
    "open-action-uri": pdf_with_catalog(b"/OpenAction<</S/URI/URI(http://tracker.example/)>>"),
    "launch": pdf_with_catalog(b"/OpenAction 3 0 R", b"<</S/Launch/F(cmd.exe)>>"),
    "additional-actions": pdf_with_catalog(b"/AA<</O 3 0 R>>", b"<</S/URI/URI(http://x)>>"),
    "escaped-name": pdf_with_catalog(b"/OpenAction[2 0 R/Fit]", b"<</S/J#61vaScript/J#53(x)>>"),
    "in-object-stream": pdf_with_object_stream(b"3 0 <</S/JavaScript/JS(app.alert(1))>>"),
    "in-uncompressed-object-stream": pdf_with_object_stream(
        b"3 0 <</S/Launch/F(cmd.exe)>>", flate=False
    ),
}
"""PDFs that would run a script or a program, or act on an event, when opened."""

PDF_OPENING_AT_A_PAGE = pdf_with_catalog(b"/OpenAction[2 0 R/Fit]")
"""An open action that is only a destination (which page, how zoomed): harmless."""

PDF_WITH_UNREADABLE_OBJECT_STREAM = pdf_with_object_stream(
    b"3 0 <</S/JavaScript/JS(x)>>", filters=b"/Filter[/ASCIIHexDecode/FlateDecode]"
)


def office_package(top: str, parts: dict[str, bytes], *, level: int = 9) -> bytes:
    """A Word (`top="word"`) or Excel (`"xl"`) package with extra `parts`, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        main = "word/document.xml" if top == "word" else "xl/workbook.xml"
        z.writestr(main, '<?xml version="1.0"?><document/>')
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


def docx_bomb(megabytes: int = 8) -> bytes:
    """A DOCX of a few kilobytes whose one part unpacks to `megabytes` of zeros."""
    return office_package("word", {"word/media/image1.bin": b"\x00" * (megabytes * 1024 * 1024)})


def xlsx_of_many_parts(count: int) -> bytes:
    """An XLSX with `count` tiny worksheets."""
    return office_package("xl", {f"xl/worksheets/sheet{i}.xml": b"<w/>" for i in range(count)})
