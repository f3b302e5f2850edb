"""How long the `commonweal` command and the web app take to start, as whole processes.

    python bench/bench_startup.py              # every command 7 times, gunicorn 7 times
    python bench/bench_startup.py --repeat 3   # quicker
    python bench/bench_startup.py --no-server  # the commands alone
    python bench/bench_startup.py --root ../other-checkout   # time another copy, same Python

Each figure is the median of `--repeat` runs of a fresh process, timed with time.perf_counter
from just before it is started to its exit (a command) or to the first 200 from /healthz (the
web app under gunicorn). The baselines are measured in the same run: `python -c pass` for the
commands, and for gunicorn a bare Flask app with one route, served with the same settings.

Every command runs once untimed first, so Python's bytecode cache (`__pycache__`) is written
and read as it is for an installed copy; PYTHONDONTWRITEBYTECODE is removed from the
environment of the processes timed. Run it from the repository root with the project's Python
environment. It always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUND = "examples/homecare-2026/round.yaml"
COMMAND_LIMIT = 0.5  # seconds, whole process
COMMAND_RATIO = 6.0  # times `python -c pass`
ROBUSTNESS_EXTRA = 0.5  # seconds added by --robustness
SERVER_LIMIT = 1.5  # seconds from starting gunicorn to the first 200 from /healthz

BARE_APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return "ok"
"""


@dataclass
class Figure:
    name: str
    median: float
    runs: list[float]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra or {})
    return env


def commonweal() -> list[str]:
    """The installed `commonweal` script, or the same entry point through this Python."""
    script = Path(sys.executable).with_name("commonweal")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from webapp.console import main; main()"]


def run_once(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    finished = subprocess.run(
        argv, cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - started
    if finished.returncode != 0:
        message = finished.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise RuntimeError(f"{' '.join(argv)} exited {finished.returncode}: {message}")
    return elapsed


def measure(name: str, once: Callable[[], float], repeat: int, warm_up: bool = True) -> Figure:
    if warm_up:
        once()
    runs = [once() for _ in range(repeat)]
    return Figure(name, statistics.median(runs), runs)


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def production_env(workdir: Path, port: int) -> dict[str, str]:
    """The production settings bench/bench_rush.py serves the app with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "COMMONWEAL_"))}
    env.update(
        COMMONWEAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"sqlite:///{workdir / 'startup.sqlite'}",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/14"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_BACKEND="log",
    )
    return env


def serve_once(app: str, cwd: Path, workdir: Path, with_app_env: bool) -> float:
    """Seconds from starting gunicorn (2 workers, loopback, as `make run`) to a 200 on /healthz."""
    port = free_port()
    env = child_env(production_env(workdir, port) if with_app_env else None)
    if not with_app_env:
        env["PYTHONPATH"] = os.pathsep.join([str(cwd), env["PYTHONPATH"]])
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"),
        *("--backlog", "2048", "--no-control-socket"),
        *("--access-logfile", str(workdir / "access.log")),
        *("--error-logfile", str(workdir / "error.log")),
        app,
    ]
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=cwd, env=env)
    try:
        while not healthy(port):
            if server.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"gunicorn did not start {app}: see {workdir / 'error.log'}")
            time.sleep(0.005)
        return time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the run --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    global ROOT  # every process is started in, and imports from, the checkout timed
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--no-server", action="store_true", help="skip the gunicorn figures")
    parser.add_argument("--root", type=Path, help="the checkout to time (default: this one)")
    args = parser.parse_args(argv)
    if args.root is not None:
        ROOT = args.root.resolve()
    repeat = max(1, args.repeat)
    cli = commonweal()
    commands = {
        "frameworks list": ["frameworks", "list"],
        "frameworks show ethical-care": ["frameworks", "show", "ethical-care"],
        "frameworks validate": ["frameworks", "validate", "criteria/frameworks/ethical-care.yaml"],
        "score": ["score", ROUND],
        "score --format json": ["score", ROUND, "--format", "json"],
        "score --explain": ["score", ROUND, "--explain"],
        "score --format csv": ["score", ROUND, "--format", "csv"],
    }
    load = os.getloadavg()
    print(f"Start-up of commonweal, {repeat} runs each (median); load average {load[0]:.2f}")
    try:
        baseline = measure(
            "python -c pass", lambda: run_once([sys.executable, "-c", "pass"]), repeat
        )
        figures = [
            measure(name, lambda a=arguments: run_once([*cli, *a]), repeat)
            for name, arguments in commands.items()
        ]
        robust = measure(
            "score --robustness", lambda: run_once([*cli, "score", ROUND, "--robustness"]), repeat
        )
    except RuntimeError as error:
        print(f"Could not run a command: {error}")
        return 0
    print(f"\n{'command':<30} {'median s':>9} {'x pass':>7}  target")
    print(f"{baseline.name:<30} {baseline.median:>9.3f} {1:>7.1f}  baseline")
    for figure in figures:
        ratio = figure.median / baseline.median
        ok = figure.median <= COMMAND_LIMIT and ratio <= COMMAND_RATIO
        print(
            f"{figure.name:<30} {figure.median:>9.3f} {ratio:>7.1f}  "
            f"<= {COMMAND_LIMIT} s and <= {COMMAND_RATIO:.0f}x: {verdict(ok)}"
        )
    score = next(f for f in figures if f.name == "score")
    extra = robust.median - score.median
    ok = extra <= ROBUSTNESS_EXTRA
    print(
        f"{robust.name:<30} {robust.median:>9.3f} {robust.median / baseline.median:>7.1f}  "
        f"adds {extra:.3f} s to score, <= {ROBUSTNESS_EXTRA} s: {verdict(ok)}"
    )
    if not args.no_server:
        serve(repeat)
    after = os.getloadavg()
    print(f"\nLoad average at the end: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    return 0


def serve(repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="commonweal-startup-") as folder:
        workdir = Path(folder)
        (workdir / "bare.py").write_text(BARE_APP, encoding="utf-8")
        try:
            bare = measure(
                "gunicorn bare Flask app",
                lambda: serve_once("bare:app", workdir, workdir, with_app_env=False),
                repeat,
            )
            app = measure(
                "gunicorn webapp:create_app()",
                lambda: serve_once("webapp:create_app()", ROOT, workdir, with_app_env=True),
                repeat,
            )
        except RuntimeError as error:
            print(f"\nCould not start gunicorn: {error}")
            return
    print(f"\n{'gunicorn start -> 200 /healthz':<30} {'median s':>9} {'x bare':>7}  target")
    print(f"{bare.name:<30} {bare.median:>9.3f} {1:>7.1f}  baseline")
    ok = app.median <= SERVER_LIMIT
    print(
        f"{app.name:<30} {app.median:>9.3f} {app.median / bare.median:>7.1f}  "
        f"<= {SERVER_LIMIT} s: {verdict(ok)}"
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
