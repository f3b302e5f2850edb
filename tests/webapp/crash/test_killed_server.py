"""A server killed mid-save loses nothing it confirmed and leaves nothing half-written.

The real app runs under gunicorn in another process on a migrated database of each kind. A
provider saves a draft of one section again and again over HTTP, each save carrying a version
number in several answers and in an uploaded document; meanwhile the server is killed with
SIGKILL at a random moment, several times, and started again. After each kill the draft is the
version last confirmed or the one in flight (never a mix), another provider's submitted bid is
exactly as submitted, the audit chain verifies, every stored file is whole and named by its
hash, every evidence row has its file, and the sweep leaves no file that no row names.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DEFAULT_PASSWORD
from tests.webapp.crash.http_client import Browser
from tests.webapp.provider.bidding import BidWorld, section_url
from webapp.audit.log import verify_log
from webapp.extensions import db
from webapp.models import Bid, EvidenceFile, User
from webapp.services.evidence import TEMPORARY_PREFIX, upload_folder
from webapp.services.evidence_sweep import sweep_uploads

ROOT = Path(__file__).resolve().parents[3]
KILLS = 4
SECTION = "fair_work"
DOCUMENT = "fw_lowest_hourly_pay-evidence"
# Big enough that a kill often lands while the upload is being copied.
PADDING = b"%" + b"0" * (192 * 1024) + b"\n"


def draft(version: int) -> dict[str, str]:
    """The answers of save number `version`: four of them say which save they came from."""
    return {
        "fw_lowest_hourly_pay": f"{13 + version / 100:.2f}",
        "fw_zero_hours_share": str(version % 100),
        "fw_continuity_of_worker": str(100 - version % 100),
        "fw_narrative": f"Draft version {version} of our fair work answers.",
    }


def document(version: int) -> bytes:
    return b"%PDF-1.4\n" + f"% draft version {version}\n".encode() + PADDING + b"%%EOF\n"


def version_of(answers: dict[str, Any]) -> int:
    """Which save the stored answers came from; fails when they come from more than one."""
    narrative = str(answers.get("fw_narrative", ""))
    version = int(narrative.split()[2])
    stored = {name: str(answers.get(name)) for name in draft(version)}
    expected = draft(version)
    # Numbers come back as the stored decimal: compare them as numbers.
    assert {k: float(v) if k != "fw_narrative" else v for k, v in stored.items()} == {
        k: float(v) if k != "fw_narrative" else v for k, v in expected.items()
    }, f"the draft mixes saves: {stored}"
    return version


# --- the server in another process ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """gunicorn serving the app with `settings`, started and killed at will."""

    settings: dict[str, Any]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        environment = {
            **os.environ,
            "COMMONWEAL_ENV": "development",
            "DATABASE_URL": self.settings["SQLALCHEMY_DATABASE_URI"],
            "PYTHONPATH": str(ROOT),
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "1",
                    # The app is loaded once, before the worker forks: a killed worker is
                    # replaced in milliseconds, so the test can kill it often.
                    "--preload",
                    "--no-control-socket",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    f"webapp:create_app({self.settings!r})",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_for_a_worker(exclude=None)

    def worker(self) -> int | None:
        """The process id of gunicorn's worker, if it has one now."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        return int(pids[0]) if pids else None

    def _wait_for_a_worker(self, exclude: int | None) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            worker = self.worker()
            try:
                if (
                    worker not in (None, exclude)
                    and Browser(self.port, timeout=1).get("/healthz").status == 200
                ):
                    return
            except OSError:
                pass
            time.sleep(0.02)
        pytest.fail(f"the server did not start: {self.log.read_text(errors='replace')}")

    def kill_worker(self) -> None:
        """SIGKILL the process serving requests; the master starts another."""
        worker = self.worker()
        assert worker is not None
        os.kill(worker, signal.SIGKILL)
        self._wait_for_a_worker(exclude=worker)

    def kill(self) -> None:
        """SIGKILL master and worker at once: no clean-up of any kind runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def server(app: Flask, tmp_path: Path) -> Iterator[Server]:
    config = app.config
    settings = {
        "SQLALCHEMY_DATABASE_URI": config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": config["SQLALCHEMY_ENGINE_OPTIONS"],
        "UPLOAD_FOLDER": config["UPLOAD_FOLDER"],
        "SECRET_KEY": config["SECRET_KEY"],
    }
    running = Server(settings, tmp_path / "gunicorn.log")
    try:
        yield running
    finally:
        running.kill()


# --- the provider saving drafts -------------------------------------------------------------


@dataclass
class Saver:
    """Saves draft after draft until the server stops answering."""

    browser: Browser
    bid_id: int
    version: int
    confirmed: int
    stopped: threading.Event = field(default_factory=threading.Event)
    saved: threading.Event = field(default_factory=threading.Event)
    failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._save_until_stopped()
        except BaseException as error:  # shown by the test, which runs in another thread
            self.failure = error

    def _save_until_stopped(self) -> None:
        url = section_url(self.bid_id, SECTION)
        try:
            page = self.browser.get(url)
        except OSError:
            return  # killed before the first save
        assert page.status == 200, page.status
        token, bid_version = page.hidden("csrf_token") or "", int(page.hidden("version") or 0)
        # Each save adds one to the bid's version, so the page need not be read again: most of
        # the server's time goes on saves, and that is where the kills land.
        while not self.stopped.is_set():
            attempt = self.version + 1
            fields = {
                "csrf_token": token,
                "version": str(bid_version),
                "action": "draft",
                **draft(attempt),
            }
            self.version = attempt
            try:
                reply = self.browser.post(
                    url, fields, {DOCUMENT: (f"payroll-{attempt}.pdf", document(attempt))}
                )
            except OSError:
                return  # the server was killed
            assert reply.status == 302, (reply.status, reply.body[:2000])
            self.confirmed = attempt
            self.saved.set()
            bid_version += 1


def signed_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    page = browser.get("/sign-in")
    reply = browser.post(
        "/sign-in",
        {
            "csrf_token": page.hidden("csrf_token") or "",
            "email": email,
            "password": DEFAULT_PASSWORD,
        },
    )
    assert reply.status == 302, reply.body[:2000]
    return browser


# --- what must hold after a kill ------------------------------------------------------------


def snapshot_of(app: Flask, bid_id: int) -> dict[str, Any]:
    with app.app_context():
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        return {
            "status": bid.status,
            "answers": bid.answers,
            "draft_answers": bid.draft_answers,
            "submitted_at": bid.submitted_at,
            "submitted_attachments": bid.submitted_attachments,
        }


def check_files(app: Flask) -> None:
    """Every row has its whole file; every file under a final name is whole."""
    with app.app_context():
        folder = upload_folder()
        for row in db.session.scalars(sa.select(EvidenceFile)):
            path = folder / row.sha256
            assert path.is_file(), f"evidence {row.id} has no file"
            data = path.read_bytes()
            assert (hashlib.sha256(data).hexdigest(), len(data)) == (row.sha256, row.size)
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith(TEMPORARY_PREFIX):
                assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name


def latest_document(app: Flask, bid_id: int) -> bytes:
    with app.app_context():
        row = db.session.scalars(
            sa.select(EvidenceFile)
            .where(
                EvidenceFile.bid_id == bid_id, EvidenceFile.criterion_id == "fw_lowest_hourly_pay"
            )
            .order_by(EvidenceFile.id.desc())
        ).first()
        assert row is not None
        return (upload_folder() / row.sha256).read_bytes()


def test_a_killed_server_keeps_every_draft_whole_and_every_submitted_bid_intact(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    server: Server,
) -> None:
    world = BidWorld(app, client, make_user, sign_in)
    now = datetime.now(UTC)
    world.at(now)
    round_id = world.round(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    world.provider()
    submitted_id = world.start(round_id)
    world.complete(submitted_id)
    assert world.submit(submitted_id).status_code == 302
    submitted = snapshot_of(app, submitted_id)
    assert submitted["status"] == "submitted"
    saver_user = world.provider()
    drafting_id = world.start(round_id)
    app.config.pop("CLOCK")
    with app.app_context():
        events_before = verify_log().checked
        db.session.remove()

    seed = random.randrange(1 << 30)
    chance = random.Random(seed)
    started = time.monotonic()
    server.start()
    saver = Saver(signed_in(server.port, saver_user.email), drafting_id, version=0, confirmed=0)
    for kill in range(1, KILLS + 1):
        saver.stopped.clear()
        saver.saved.clear()
        driving = threading.Thread(target=saver.run)
        driving.start()
        # A fresh worker is slow to its first page: kill once saves are flowing, at random.
        assert saver.saved.wait(timeout=20), f"no save was confirmed: {saver.failure}"
        time.sleep(chance.uniform(0.0, 0.5))
        whole_server = kill == KILLS
        if whole_server:
            server.kill()
        else:
            server.kill_worker()
        saver.stopped.set()
        driving.join(timeout=15)
        assert not driving.is_alive()
        assert saver.failure is None, saver.failure

        where = f"kill {kill} (seed {seed}): confirmed {saver.confirmed}, sent {saver.version}"
        stored = snapshot_of(app, drafting_id)
        version = version_of(stored["answers"]) if stored["answers"] else 0
        assert version in {saver.confirmed, saver.version}, where
        if version:
            assert f"% draft version {version}\n".encode() in latest_document(app, drafting_id)
        assert snapshot_of(app, submitted_id) == submitted, where
        with app.app_context():
            report = verify_log()
            assert report.ok, (where, report.broken)
            assert report.checked >= events_before
        check_files(app)
        # The server is down, so nothing is being written: the sweep may take everything.
        with app.app_context():
            assert sweep_uploads(timedelta(0)).missing == []
            referenced = set(db.session.scalars(sa.select(EvidenceFile.sha256)))
            files = {p.name for p in upload_folder().iterdir() if p.is_file()}
            db.session.remove()
        assert files == referenced, where
        saver.version = max(saver.version, version)
        saver.confirmed = version
        print(f"{where}: stored {version}, {time.monotonic() - started:.1f} s")

    assert saver.confirmed > 0, "no save was confirmed before the kills: nothing was tested"
    server.start()
    page = saver.browser.get(section_url(drafting_id, SECTION))
    assert f"Draft version {saver.confirmed} of our fair work answers." in page.body
