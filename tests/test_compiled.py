"""What test apps share is what each would compile for itself."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.compiled import TEMPLATE_BYTECODE, builder_key, compile_afresh


def _code(builder: object) -> tuple[bytes, tuple[object, ...], tuple[str, ...], int]:
    code = builder.__code__  # type: ignore[attr-defined]
    return code.co_code, code.co_consts, code.co_varnames, code.co_argcount


def test_every_rule_of_the_app_builds_with_the_code_werkzeug_compiles_for_it(app: Flask) -> None:
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50
    for rule in rules:
        for append_unknown, bound in ((False, rule._build), (True, rule._build_unknown)):
            assert bound.__self__ is rule
            assert _code(bound.__func__) == _code(compile_afresh(rule, append_unknown)), rule


def test_rules_that_build_differently_never_share_a_builder() -> None:
    app = Flask(__name__)
    app.add_url_rule("/rounds/<int:round_id>", "by_number", lambda round_id: "")
    app.add_url_rule("/rounds/<round_id>", "by_text", lambda round_id: "")
    app.add_url_rule("/rounds/", "first", lambda round_id: "", defaults={"round_id": 1})
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    keys = {builder_key(rules[name], True) for name in ("by_number", "by_text", "first")}
    assert len(keys) == 3
    with app.test_request_context():
        from flask import url_for

        assert url_for("by_number", round_id=7) == "/rounds/7"
        assert url_for("by_text", round_id="a b") == "/rounds/a%20b"
        assert url_for("by_number", round_id=7, page=2) == "/rounds/7?page=2"


def test_a_template_changed_on_disk_is_compiled_again(tmp_path: Path) -> None:
    from jinja2 import Environment, FileSystemLoader

    page = tmp_path / "page.html"
    page.write_text("one {{ n }}", encoding="utf-8")
    first = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=TEMPLATE_BYTECODE)
    assert first.get_template("page.html").render(n=1) == "one 1"
    page.write_text("two {{ n }}", encoding="utf-8")
    second = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=TEMPLATE_BYTECODE)
    assert second.get_template("page.html").render(n=2) == "two 2"


def test_each_test_app_renders_through_the_shared_template_code(app: Flask) -> None:
    assert app.jinja_env.bytecode_cache is TEMPLATE_BYTECODE
