"""The world of the deadline rush benchmark (`bench_rush.py`): the database, the seeded round
and providers, the app under gunicorn, and a proxy that stamps X-Request-Start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SECTION_ANSWERS: dict[str, dict[str, Any]] = {
    "fair_work": {
        "fw_lowest_hourly_pay": "13.50",
        "fw_paid_travel_time": "yes",
        "fw_mileage_rate": "0.45",
        "fw_zero_hours_share": "5",
        "fw_guaranteed_hours_offer": "yes",
        "fw_sick_pay": "occupational",
        "fw_no_short_visits": "yes",
        "fw_training_in_work_time": "yes",
        "fw_continuity_of_worker": "85",
        "fw_staff_voice": ["staff_forum", "paid_team_meetings"],
        "fw_ethical_care_charter": "stage_2",
        "fw_narrative": "We pay the Real Living Wage and meet our workers every month.",
    },
    "local_ownership": {
        "lo_ownership_form": "cooperative",
        "lo_registered_office": "WN1 1AA",
        "lo_local_staff_share": "80",
        "lo_local_supply_spend": "45",
        "lo_profit_extraction": "0",
        "lo_narrative": "Our members own the business and live in the borough.",
    },
    "social_value": {
        "sv_local_jobs": "4.5",
        "sv_apprenticeships": "2",
        "sv_volunteering_hours": "120",
        "sv_carbon_plan": "plan",
        "sv_codesign": "People who draw on care sit on our design group.",
        "sv_narrative": "We buy from local suppliers and train local people.",
    },
    "quality": {
        "q_cqc_registered": "yes",
        "q_cqc_provider_id": "1-123456789",
        "q_cqc_rating": "good",
        "q_person_centred": "Care plans are written with each person.",
        "q_safeguarding": "Every worker is trained and concerns go to a named lead.",
    },
    "price": {"pr_hourly_rate": "33.50"},
}
SECTION_DOCUMENTS = {
    "local_ownership": {"lo_profit_extraction-evidence": "accounts.pdf"},
    "quality": {"q_safeguarding-evidence": "safeguarding.pdf"},
}
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|version)"[^>]*value="([^"]*)"')
RECEIPT_TEXT = "Received at"
DEADLINE_TEXT = "The deadline for this round was"
REFUSED_TEXT = "Your bid was not submitted. Your draft has been kept."
FAR_FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


# --- the database ----------------------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, workdir: Path, admin_url: str) -> Iterator[str]:
    """A fresh database URL: a SQLite file in `workdir`, or a PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'rush.sqlite3'}"
        return
    import sqlalchemy as sa

    name = f"bench_rush_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def production_env(database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "COMMONWEAL_"))}
    env.update(
        COMMONWEAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/14"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_BACKEND="log",
    )
    return env


@dataclass
class Seeded:
    round_id: int
    bids: list[tuple[int, int, str]]  # (bid id, user id, session cookie)


def seed(env: dict[str, str], providers: int, uploads: Path) -> Seeded:
    """Migrate, then a round and `providers` organisations, each with a complete draft bid."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import (
        Bid,
        BidStatus,
        CommissioningRound,
        EvidenceFile,
        Organisation,
        Role,
        RoundStatus,
        User,
    )
    from webapp.services.bids import is_complete
    from webapp.services.frameworks import latest_builtin

    # The production settings, with this run's uploads folder and forms posted without a token.
    app = create_app({"UPLOAD_FOLDER": str(uploads), "WTF_CSRF_ENABLED": False})
    # Nobody signs in with it: one cheap hash for every account keeps seeding quick.
    password_hash = generate_password_hash(secrets.token_urlsafe(), method="pbkdf2:sha256:1000")
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "sqlite":
            # Write-ahead logging, kept in the file: a commit is one append to the log, not a
            # rewrite of the journal (about 2 ms here rather than 20 ms), and pages are read
            # while another worker writes.
            db.session.execute(db.text("PRAGMA journal_mode=WAL"))
            db.session.commit()
        round_ = CommissioningRound(
            reference="BENCH-2026-001",
            title="Homecare rush round",
            service="homecare",
            framework_version_id=latest_builtin().id,
            parameters={},
            opens_at=datetime.now(UTC) - timedelta(days=7),
            closes_at=FAR_FUTURE,
            invite_only=False,
            status=RoundStatus.PUBLISHED.value,
        )
        db.session.add(round_)
        users = []
        for number in range(providers):
            organisation = Organisation(name=f"Rush Provider {number + 1} Ltd")
            user = User(
                email=f"provider{number + 1}@rush.example",
                name=f"Provider {number + 1}",
                role=Role.PROVIDER.value,
                organisation=organisation,
                password_hash=password_hash,
                email_confirmed_at=datetime.now(UTC),
            )
            db.session.add_all([organisation, user])
            users.append(user)
        db.session.commit()
        round_id = round_.id
        user_ids = [(user.id, user.get_id()) for user in users]

    # The first bid through the provider pages, as a browser fills it in.
    client = app.test_client()
    first_id, first_session = user_ids[0]
    with client.session_transaction() as session:
        session["_user_id"] = first_session
        session["_fresh"] = True
    started = client.post(f"/provider/rounds/{round_id}/bid")
    assert started.status_code == 302, started.status_code
    first_bid = int(started.headers["Location"].rstrip("/").split("/")[-1])
    for section, answers in SECTION_ANSWERS.items():
        page = client.get(f"/provider/bids/{first_bid}/sections/{section}")
        data: dict[str, Any] = {**read_hidden(page.get_data(as_text=True))}
        data.update(answers, action="continue")
        for name, filename in SECTION_DOCUMENTS.get(section, {}).items():
            data[name] = (BytesIO(PDF), filename)
        response = client.post(
            f"/provider/bids/{first_bid}/sections/{section}",
            data=data,
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, (section, response.get_data(as_text=True)[-2000:])

    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    with app.app_context():
        template = db.session.get(Bid, first_bid)
        assert template is not None
        assert is_complete(template)
        documents = db.session.scalars(
            db.select(EvidenceFile).where(EvidenceFile.bid_id == first_bid)
        ).all()
        bids = [(first_bid, first_id)]
        for user_id, _ in user_ids[1:]:
            user = db.session.get(User, user_id)
            assert user is not None
            assert user.organisation_id is not None
            bid = Bid(
                round_id=round_id,
                organisation_id=user.organisation_id,
                status=BidStatus.DRAFT.value,
                answers=dict(template.answers),
            )
            db.session.add(bid)
            db.session.flush()
            for document in documents:
                db.session.add(
                    EvidenceFile(
                        sha256=document.sha256,
                        filename=document.filename,
                        content_type=document.content_type,
                        size=document.size,
                        organisation_id=user.organisation_id,
                        bid_id=bid.id,
                        criterion_id=document.criterion_id,
                        uploaded_by_id=user_id,
                    )
                )
            bids.append((bid.id, user_id))
        db.session.commit()
        last = db.session.get(Bid, bids[-1][0])
        assert last is not None
        assert is_complete(last)
        sessions = dict(user_ids)
        cookies = [
            serializer.dumps({"_user_id": sessions[user_id], "_fresh": True}) for _, user_id in bids
        ]
        db.session.remove()
        db.engine.dispose()
    return Seeded(round_id, [(b, u, c) for (b, u), c in zip(bids, cookies, strict=True)])


def set_deadline(database_url: str, round_id: int, closes_at: datetime) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE commissioning_round SET closes_at = :t WHERE id = :id"),
            {
                "t": closes_at if "postgresql" in database_url else closes_at.replace(tzinfo=None),
                "id": round_id,
            },
        )
    engine.dispose()


def stored_submissions(database_url: str) -> dict[int, dict[str, Any]]:
    """Per bid: status, reference, received time, and how many `bid.submitted` events."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        events = dict(
            connection.execute(
                sa.text(
                    "SELECT subject, count(*) FROM audit_event WHERE action = 'bid.submitted' "
                    "GROUP BY subject"
                )
            ).all()
        )
        rows = connection.execute(
            sa.text("SELECT id, status, reference, submitted_received_at FROM bid")
        ).all()
    engine.dispose()
    return {
        row.id: {
            "status": row.status,
            "reference": row.reference,
            "received_at": row.submitted_received_at,
            "events": events.get(f"bid:{row.id}", 0),
        }
        for row in rows
    }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workdir: Path) -> Iterator[str]:
    """The app as `make run` serves it: gunicorn, 2 workers, on loopback."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--timeout",
        "120",
        "--backlog",
        "2048",
        "--no-control-socket",
        "--access-logfile",
        str(workdir / "access.log"),
        "--error-logfile",
        str(workdir / "error.log"),
        "webapp:create_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: see {workdir / 'error.log'}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class StampingProxy:
    """A reverse proxy on loopback, as nginx with `proxy_set_header X-Request-Start
    "t=${msec}"`: it accepts at once, stamps each request with its arrival and passes it on.

    With it the deadline is judged by arrival at the proxy, however long the request then
    waits for a free gunicorn worker (the app trusts the stamp: TRUST_REQUEST_START_HEADER=1).
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=4096)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        # Connections still open when the run ends are dropped: nothing to report about them.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            stamp = f"X-Request-Start: t={time.time():.3f}\r\n".encode()
            line, _, rest = head.partition(b"\r\n")
            kept = [h for h in rest.split(b"\r\n") if not h.lower().startswith(b"x-request-start:")]
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port
            )
            upstream_writer.write(line + b"\r\n" + stamp + b"\r\n".join(kept))
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            with contextlib.suppress(OSError):
                if sink.can_write_eof():
                    sink.write_eof()


def read_hidden(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))
