"""Commonweal's own stylesheet, served beside GOV.UK Frontend's.

GOV.UK Frontend's files in `webapp/static` are installed from npm by `make assets`, which
empties that folder first; the few rules of the service's own (narrow screens, long unbroken
strings, scrolling tables) are committed here instead and served from `/styles/`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("styles", __name__, static_folder="css", static_url_path="/styles")
