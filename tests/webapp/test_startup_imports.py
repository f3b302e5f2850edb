"""The web app starts without the libraries only some pages and jobs need.

WeasyPrint loads with the first PDF, numpy and scipy with the first robustness analysis: a
gunicorn worker that has built the app has imported none of them. Checked in a fresh process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFERRED = ("weasyprint", "numpy", "scipy", "krippendorff", "zxcvbn")

CODE = """
import json, sys
from webapp import create_app
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
sys.stderr.write("\\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_create_app_imports_no_pdf_or_numerical_library() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONWEAL_")}
    env["PYTHONPATH"] = str(ROOT)
    finished = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    loaded = set(json.loads(finished.stderr.rpartition("\nMODULES ")[2]))
    assert "flask" in loaded
    assert loaded.isdisjoint(DEFERRED)
