"""A report's PDF fetched as a person gets it: from its download page, once a job has made it."""

from __future__ import annotations

import re
import time

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

POLL_TIMEOUT_SECONDS = 120
_ERROR = re.compile(r'<div[^>]*id="job-error"[^>]*>(?P<error>.*?)</div>', re.S)


def fetched_pdf(browser: FlaskClient, pdf_url: str) -> TestResponse:
    """GET `pdf_url`; while the PDF is not made yet it sends the browser to its download page,
    which is opened (that queues the job) until the PDF is there. Fails on a failed job."""
    deadline = time.monotonic() + POLL_TIMEOUT_SECONDS
    response = browser.get(pdf_url)
    while response.status_code == 302:
        page = browser.get(response.headers["Location"])
        assert page.status_code == 200, page.status_code
        html = page.get_data(as_text=True)
        failed = _ERROR.search(html)
        assert failed is None, f"the report job failed: {failed['error'] if failed else ''}"
        if "PDF is ready" not in html:
            assert time.monotonic() < deadline, "the PDF was not made in time"
            time.sleep(0.1)
        response = browser.get(pdf_url)
    return response
