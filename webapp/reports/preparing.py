"""The page a PDF download link opens: "Your PDF is being prepared", then the download starts.

A report's PDF is rendered when it is asked for and can take several seconds (a board pack
about 6 seconds in the demo); a plain link to it leaves the person looking at a blank tab or
an unchanged page with no sign that anything is happening. The download links go to this small
page instead. It says what is being made and about how long it takes, and starts the download
with a `<meta http-equiv="refresh">` to the PDF's own URL, so no JavaScript is needed; a link
to the PDF is there in case the download does not start. The PDF URLs are unchanged, for the
command line, tests and anyone who links to them directly.

Each preparing page checks the same access as its PDF, so it reveals nothing the PDF would not.
"""

from __future__ import annotations

from flask import render_template

from reports.documents import BOARD_PACK, SELF_ASSESSMENT, SUMMARY

__all__ = ["PREPARING_TIMES", "preparing_page"]

PREPARING_TIMES: dict[str, str] = {
    BOARD_PACK: "up to 10 seconds",
    SUMMARY: "a few seconds",
    SELF_ASSESSMENT: "up to 10 seconds",
}
"""About how long each report's PDF takes to make, in words."""


def preparing_page(
    document: str, *, kind: str, subject: str, pdf_url: str, back: dict[str, str]
) -> str:
    """The "being prepared" page for one report's PDF.

    `kind` names the report ("Board pack"), `subject` says whose or which it is ("for
    CW-2027-0001: Homecare, Lot 1"), `back` is the back link.
    """
    return render_template(
        "reports/preparing.html",
        kind=kind,
        subject=subject,
        pdf_url=pdf_url,
        back=back,
        takes=PREPARING_TIMES[document],
    )
