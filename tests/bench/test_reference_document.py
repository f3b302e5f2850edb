"""The reference document the reports benchmark sets beside the board pack.

Its worth as a baseline rests on two facts tested here: it has exactly the pages asked for, and
those pages are full (one more row each and every page spills onto another).
"""

from __future__ import annotations

import pytest

from bench import reference_document
from bench.reference_document import reference_html
from reports.render import render


@pytest.mark.parametrize("pages", [1, 3])
def test_the_reference_has_exactly_the_pages_asked_for_with_no_warning(pages: int) -> None:
    rendering = render(reference_html(pages), title="Reference document")

    assert rendering.pages == pages
    assert rendering.warnings == ()
    assert rendering.refused == ()


def test_each_page_is_nearly_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference_document, "ROWS_PER_PAGE", reference_document.ROWS_PER_PAGE + 2)

    assert render(reference_html(2), title="Reference document").pages > 2
