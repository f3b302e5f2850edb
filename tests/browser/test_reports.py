"""A commissioner reads the demo round's board pack as a web page, then downloads it as a PDF.

The web page (the pack's HTML twin) is audited by axe-core like every page a journey reaches;
the PDF comes from the page's own download link, by way of the page that says it is being
prepared, and is opened with pypdf.
"""

from __future__ import annotations

import io
import re

from playwright.sync_api import Browser
from pypdf import PdfReader

from tests.browser.conftest import LiveServer
from tests.browser.test_award import COMMISSIONER, signed_in
from webapp.demo import AWARD_ROUND_REFERENCE, AWARD_ROUND_TITLE


def test_a_commissioner_reads_the_board_pack_and_downloads_its_pdf(
    chromium: Browser, live_server: LiveServer
) -> None:
    with signed_in(chromium, live_server, COMMISSIONER) as commissioner:
        # The award journey may have taken this round to the board already: any stage will do.
        commissioner.expect_heading("Commissioning rounds")
        row = commissioner.page.locator("tr", has_text=AWARD_ROUND_REFERENCE)
        commissioner.navigate_by(row.get_by_role("link"))
        commissioner.click("Results")
        commissioner.expect_heading("Results")
        commissioner.click("Read the board pack")  # audited by axe-core on arrival
        commissioner.expect_heading(re.escape(AWARD_ROUND_TITLE))
        main = commissioner.main_text()
        assert "Board pack" in main
        assert "Executive summary" in main
        assert re.search(r"sha256:[0-9a-f]{64}", main), "the inputs digest is shown"

        # The download link opens a page saying the PDF is being made (audited on
        # arrival), which then starts the download by itself.
        with commissioner.page.expect_download(timeout=60_000) as waiting:
            commissioner.click("Download the board pack as a PDF")
            commissioner.expect_heading("Your board pack PDF is being made")
            assert "This usually takes up to 10 seconds." in commissioner.main_text()
        download = waiting.value
        # The page's script put the new state in place of the old, without a reload.
        commissioner.expect_heading("Your board pack PDF is ready")
        assert commissioner.page.get_by_role("status").inner_text().strip() == (
            "Your board pack PDF is ready"
        )
        commissioner.audit()
        assert download.suggested_filename == f"{AWARD_ROUND_REFERENCE}-board-pack.pdf"
        path = download.path()
        assert path is not None
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        text = " ".join(sheet.extract_text() or "" for sheet in reader.pages)
        assert AWARD_ROUND_TITLE in text
        assert len(reader.pages) >= 8
