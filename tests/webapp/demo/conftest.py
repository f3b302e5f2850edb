from __future__ import annotations

import pytest
from flask import Flask

from tests.webapp.demo.seeding import STANDING_AT
from webapp.demo import seed_demo


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """An app whose database holds the demo, seeded as of `STANDING_AT`."""
    app.config["CLOCK"] = lambda: STANDING_AT
    with app.app_context():
        seed_demo()
    return app
