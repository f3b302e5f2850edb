"""The pure commands start without the heavy libraries: checked in a fresh Python process.

numpy, scipy and krippendorff load only when an agreement alpha or a robustness analysis is
computed, WeasyPrint only when a PDF is rendered, Flask and SQLAlchemy only for the commands
that read the app's database. A top-level `import scipy` (or any of them) in a module these
commands reach fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUND = "examples/homecare-2026/round.yaml"
HEAVY = ("scipy", "krippendorff", "weasyprint", "numpy", "flask", "sqlalchemy", "matplotlib")

# Runs `code`, then prints the top-level names of every module imported, as JSON, on stderr.
REPORT = """
import json, sys
{code}
sys.stderr.write("\\nMODULES " + json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def imported(code: str) -> set[str]:
    """Top-level packages imported by a fresh interpreter running `code`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run(
        [sys.executable, "-c", REPORT.format(code=code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    _, _, modules = finished.stderr.rpartition("\nMODULES ")
    return set(json.loads(modules))


def command(*arguments: str) -> str:
    """`commonweal ARGUMENTS` through the entry point, without exiting the interpreter."""
    return (
        "from webapp.console import main\n"
        f"main({list(arguments)!r}, prog_name='commonweal', standalone_mode=False)"
    )


def test_the_check_itself_sees_a_heavy_import() -> None:
    assert {"numpy", "krippendorff"} <= imported("import krippendorff")


@pytest.mark.parametrize(
    "modules",
    [
        "criteria",
        "criteria.cli",
        "criteria.engine, criteria.loader, criteria.round_file, criteria.catalogue",
        "criteria.agreement, criteria.self_assessment, criteria.improvement",
        "webapp, webapp.console",
    ],
)
def test_importing_the_pure_modules_loads_nothing_heavy(modules: str) -> None:
    assert imported(f"import {modules}").isdisjoint(HEAVY)


@pytest.mark.parametrize(
    "arguments",
    [
        ("frameworks", "list"),
        ("frameworks", "show", "ethical-care"),
        ("frameworks", "validate", "criteria/frameworks/ethical-care.yaml"),
        ("score", ROUND),
        ("score", ROUND, "--format", "csv"),
    ],
    ids=" ".join,
)
def test_a_pure_command_loads_nothing_heavy(arguments: tuple[str, ...]) -> None:
    assert imported(command(*arguments)).isdisjoint(HEAVY)


@pytest.mark.parametrize("arguments", [("--format", "json"), ("--explain",)], ids=" ".join)
def test_evaluator_agreement_loads_numpy_but_not_scipy_or_the_web(
    arguments: tuple[str, ...],
) -> None:
    loaded = imported(command("score", ROUND, *arguments))
    assert "krippendorff" in loaded
    assert loaded.isdisjoint({"scipy", "weasyprint", "flask", "sqlalchemy"})


def test_robustness_loads_scipy_but_not_the_web_or_weasyprint() -> None:
    loaded = imported(command("score", ROUND, "--robustness", "--samples", "200"))
    assert {"numpy", "scipy"} <= loaded
    assert loaded.isdisjoint({"weasyprint", "flask", "sqlalchemy"})


def test_a_database_command_is_still_found() -> None:
    assert "sqlalchemy" in imported(command("audit", "grants", "commonweal_app"))
