"""The shared form-posting helper reads the CSRF token from a real page."""

from __future__ import annotations

from io import BytesIO

from flask import Flask, request
from flask_wtf.csrf import generate_csrf

from tests.webapp.forms_helper import csrf_token_in, post_form


def test_csrf_token_in_reads_the_hidden_input() -> None:
    html = '<form><input type="hidden" name="csrf_token" value="abc.def"><input name="x"></form>'
    assert csrf_token_in(html) == "abc.def"


def test_csrf_token_in_is_none_without_a_form() -> None:
    assert csrf_token_in("<p>No form here</p>") is None


def test_post_form_sends_the_token_fields_and_files(app: Flask):
    @app.route("/echo-upload", methods=["GET", "POST"])
    def echo_upload() -> str:
        if request.method == "GET":
            return f'<form><input type="hidden" name="csrf_token" value="{generate_csrf()}"></form>'
        upload = request.files["evidence"]
        return f"{request.form['note']}|{upload.filename}|{upload.read().decode()}"

    client = app.test_client()
    response = post_form(
        client,
        "/echo-upload",
        {"note": "hello"},
        files={"evidence": (BytesIO(b"%PDF-1.7 content"), "policy.pdf")},
    )

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello|policy.pdf|%PDF-1.7 content"


def test_a_post_without_the_token_is_refused_by_csrf_protection(app: Flask):
    @app.post("/guarded")
    def guarded() -> str:
        return "accepted"

    assert app.test_client().post("/guarded", data={"x": "1"}).status_code == 400
