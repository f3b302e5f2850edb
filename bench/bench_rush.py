"""The deadline rush: N providers save and submit in the last seconds before a round closes.

    python bench/bench_rush.py                          # SQLite, 300 providers
    python bench/bench_rush.py --database postgres      # its own database, dropped after
    python bench/bench_rush.py --providers 100 --window 5

It seeds a round and N provider organisations, each with a complete draft bid (through the
app's own pages for the first, copied for the others), then starts the app under gunicorn with
the production settings (COMMONWEAL_ENV=production, 2 workers, loopback). Each provider's
browser is signed in before the rush (its session cookie made with the app's key, as a sign-in
would leave it, so no password is hashed in the measured window) and has its pages open.

The rush: each provider, at a moment spread evenly over the `--window` seconds before the
deadline T and the `--after` seconds after it, saves a draft answer, reopens the check page and
submits; `--double-click` of them post the submit twice at once. Afterwards the database is
read back. It prints submissions accepted before T (each stored exactly once), refused after T
(each shown the deadline page a provider sees), duplicates, lost (sent before T without a
receipt), 5xx, latency percentiles, and the throughput of the save path as a ratio to the bare
`/healthz` endpoint, both measured in this run with the same concurrency.

Run it from the repository root with the project's Python environment (httpx is a dev
dependency). It always exits 0 when the run completes, so it reports rather than gates.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
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


# --- the providers ---------------------------------------------------------------------------


@dataclass
class Provider:
    number: int
    bid_id: int
    client: Browser
    csrf: str = ""
    version: str = ""
    outcome: str = "not sent"
    sent_at: float = 0.0
    clicks: int = 1
    receipts: int = 0


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    def note(self, kind: str, started: float, response: httpx.Response) -> None:
        self.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1


def read_hidden(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))


async def timed(
    tally: Tally, kind: str, client: Browser, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    tally.note(kind, started, response)
    return response


async def open_pages(provider: Provider) -> None:
    """Before the rush: the price section open in the provider's browser."""
    response = await provider.client.get(f"/provider/bids/{provider.bid_id}/sections/price")
    if response.status_code != 200:
        raise RuntimeError(f"provider {provider.number} could not open its bid: {response}")
    hidden = read_hidden(response.text)
    provider.csrf, provider.version = hidden["csrf_token"], hidden["version"]


async def rush_one(provider: Provider, at: float, tally: Tally) -> None:
    """Save a draft, reopen the check page and submit (twice at once for a double click)."""
    await asyncio.sleep(max(0.0, at - 0.25 - time.time()))
    bid = f"/provider/bids/{provider.bid_id}"
    rate = f"{33 + provider.number % 50 / 100:.2f}"
    form = {"csrf_token": provider.csrf, "version": provider.version}
    await timed(
        tally,
        "save",
        provider.client,
        "POST",
        f"{bid}/sections/price",
        data={**form, "pr_hourly_rate": rate, "action": "draft"},
    )
    check = await timed(tally, "check", provider.client, "GET", f"{bid}/check")
    # After the deadline the check page has no form: the one opened before it is posted.
    hidden = read_hidden(check.text) or {"csrf_token": provider.csrf, "version": provider.version}
    declaration = {**hidden, "confirm": "y", "full_name": f"Director {provider.number}"}
    await asyncio.sleep(max(0.0, at - time.time()))
    provider.sent_at = time.time()
    posts = [
        timed(tally, "submit", provider.client, "POST", f"{bid}/submit", data=declaration)
        for _ in range(provider.clicks)
    ]
    answers = await asyncio.gather(*posts)
    outcomes = []
    for answer in answers:
        if answer.status_code != 302:
            if os.environ.get("BENCH_DEBUG"):
                print(answer.status_code, answer.text[:300])
            outcomes.append(f"status {answer.status_code}")
            continue
        page = await timed(tally, "result page", provider.client, "GET", answer.headers["Location"])
        text = " ".join(page.text.split())
        if answer.headers["Location"].endswith("/receipt") and RECEIPT_TEXT in text:
            outcomes.append("receipt")
            provider.receipts += 1
        elif DEADLINE_TEXT in text and REFUSED_TEXT in text:
            outcomes.append("refused")
        else:
            outcomes.append("other")
    provider.outcome = "receipt" if "receipt" in outcomes else outcomes[0]


async def capacity(
    base: str, browsers: list[tuple[str, int]], seconds: float, path: str | None
) -> float:
    """Requests per second with `concurrency` clients looping for `seconds`: `path` (GET), or a
    provider's save path (open the section, save a draft) when `path` is None."""
    clients = [(new_client(base, cookie), bid_id) for cookie, bid_id in browsers]
    stop = time.monotonic() + seconds
    done = 0

    async def loop(client: Browser, bid_id: int) -> None:
        nonlocal done
        while time.monotonic() < stop:
            if path is not None:
                response = await client.get(path)
                assert response.status_code == 200, response.status_code
                done += 1
                continue
            section = f"/provider/bids/{bid_id}/sections/social_value"
            page = await client.get(section)
            hidden = read_hidden(page.text)
            saved = await client.post(
                section, data={**hidden, **SECTION_ANSWERS["social_value"], "action": "draft"}
            )
            assert saved.status_code == 302, saved.status_code
            done += 2

    started = time.monotonic()
    await asyncio.gather(*(loop(client, bid_id) for client, bid_id in clients))
    elapsed = time.monotonic() - started
    await asyncio.gather(*(client.aclose() for client, _ in clients))
    return done / elapsed


SESSION_COOKIE = re.compile(r"(?:^|,\s*)session=([^;]*)")


class Browser(httpx.AsyncClient):
    """One provider's browser. Production session cookies are `Secure`, which a client must
    not send over plain HTTP; on loopback, without TLS, this keeps the cookie by hand."""

    def __init__(self, base: str, cookie: str, transport: httpx.AsyncHTTPTransport) -> None:
        super().__init__(base_url=base, timeout=httpx.Timeout(60.0), transport=transport)
        self.session_cookie = cookie

    async def aclose(self) -> None:
        """The transport is shared by every browser: `close_transport` closes it once."""

    async def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        headers = {**kwargs.pop("headers", {}), "Cookie": f"session={self.session_cookie}"}
        response = await super().request(method, url, headers=headers, **kwargs)
        for value in response.headers.get_list("set-cookie"):
            found = SESSION_COOKIE.search(value)
            if found and found.group(1):
                self.session_cookie = found.group(1)
        self.cookies.clear()
        return response

    async def get(self, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        return await self.request("GET", url, **kwargs)

    async def post(self, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        return await self.request("POST", url, **kwargs)


_TRANSPORT: list[httpx.AsyncHTTPTransport] = []


def new_client(base: str, cookie: str) -> Browser:
    if not _TRANSPORT:
        # gunicorn's sync workers close every connection, so nothing is kept alive.
        limits = httpx.Limits(max_connections=2000, max_keepalive_connections=0)
        _TRANSPORT.append(httpx.AsyncHTTPTransport(limits=limits))
    return Browser(base, cookie, _TRANSPORT[0])


async def close_transport() -> None:
    while _TRANSPORT:
        await _TRANSPORT.pop().aclose()


# --- the run ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


async def drive(args: argparse.Namespace, base: str, seeded: Seeded, url: str) -> dict[str, Any]:
    proxy = None
    if args.proxy:
        proxy = StampingProxy(int(base.rsplit(":", 1)[1]))
        await proxy.start()
        base = f"http://127.0.0.1:{proxy.port}"
    try:
        return await _drive(args, base, seeded, url)
    finally:
        if proxy is not None:
            await proxy.close()


async def _drive(args: argparse.Namespace, base: str, seeded: Seeded, url: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    cookies = [cookie for _, _, cookie in seeded.bids]
    bids_by_cookie = {cookie: bid for bid, _, cookie in seeded.bids}

    # Throughput: the bare endpoint and the save path, same concurrency, same server.
    capacity_clients = min(args.providers, args.concurrency)
    pairs = [(cookie, bid) for bid, _, cookie in seeded.bids]
    bare = await capacity(base, pairs[:capacity_clients], args.capacity_seconds, "/healthz")
    # The save path uses the last providers' bids (their drafts stay complete).
    save_rate = await capacity(base, pairs[::-1][:capacity_clients], args.capacity_seconds, None)

    providers = [
        Provider(number, bids_by_cookie[cookie], new_client(base, cookie))
        for number, cookie in enumerate(cookies, start=1)
    ]
    for provider in rng.sample(providers, round(len(providers) * args.double_click)):
        provider.clicks = 2
    await asyncio.gather(*(open_pages(p) for p in providers))

    lead = 3.0  # seconds from now to the first provider's submit
    deadline = time.time() + lead + args.window
    set_deadline(url, seeded.round_id, datetime.fromtimestamp(deadline, UTC))
    span = args.window + args.after
    moments = [
        deadline - args.window + span * (i + rng.random()) / len(providers)
        for i in range(len(providers))
    ]
    rng.shuffle(moments)
    tally = Tally()
    started = time.perf_counter()
    await asyncio.gather(
        *(rush_one(p, at, tally) for p, at in zip(providers, moments, strict=True))
    )
    rush_seconds = time.perf_counter() - started
    await close_transport()

    stored = stored_submissions(url)
    before = [p for p in providers if p.sent_at < deadline]
    after = [p for p in providers if p.sent_at >= deadline]
    accepted = [p for p in before if p.outcome == "receipt"]
    once = [
        p
        for p in accepted
        if stored[p.bid_id]["events"] == 1 and str(stored[p.bid_id]["reference"]).endswith("-1")
    ]
    refused = [
        p
        for p in after
        if p.outcome == "refused"
        and stored[p.bid_id]["status"] == "draft"
        and stored[p.bid_id]["events"] == 0
    ]
    late_accepted = [p for p in after if stored[p.bid_id]["events"] > 0]
    duplicates = sum(max(0, row["events"] - 1) for row in stored.values())
    lost = [p for p in before if p.outcome != "receipt"]
    every = [value for values in tally.latencies.values() for value in values]
    return {
        "deadline": deadline,
        "before": len(before),
        "accepted": len(accepted),
        "stored_once": len(once),
        "after": len(after),
        "refused": len(refused),
        "late_accepted": len(late_accepted),
        "duplicates": duplicates,
        "double_clicks": sum(p.clicks == 2 for p in providers),
        "double_click_receipts": sum(p.receipts for p in providers if p.clicks == 2),
        "lost": len(lost),
        "lost_detail": [(p.number, p.outcome, round(deadline - p.sent_at, 4)) for p in lost],
        "errors_5xx": sum(n for status, n in tally.statuses.items() if status >= 500),
        "statuses": dict(sorted(tally.statuses.items())),
        "requests": len(every),
        "rush_seconds": rush_seconds,
        "latency": {
            kind: (percentile(v, 0.5), percentile(v, 0.95), percentile(v, 0.99), len(v))
            for kind, v in sorted({**tally.latencies, "all": every}.items())
        },
        "bare_rps": bare,
        "save_rps": save_rate,
    }


def report(args: argparse.Namespace, figures: dict[str, Any]) -> None:
    ms = 1000
    front = ", behind a stamping proxy" if args.proxy else ""
    print(
        f"\nDeadline rush on {args.database}: {args.providers} providers, "
        f"gunicorn 2 workers{front},"
    )
    print(
        f"submits spread over {args.window:g} s before T and {args.after:g} s after; "
        f"{figures['double_clicks']} double clicks; machine load: {os.getloadavg()[0]:.2f}"
    )
    print(f"  submissions sent before T           {figures['before']}")
    print(f"  accepted (receipt shown)            {figures['accepted']}")
    print(f"  ... stored exactly once (DB)        {figures['stored_once']}")
    print(f"  sent after T                        {figures['after']}")
    print(f"  refused with the deadline page      {figures['refused']}")
    print(f"  accepted although sent after T      {figures['late_accepted']}")
    print(f"  duplicates stored (must be 0)       {figures['duplicates']}")
    print(
        f"  double-click receipts               {figures['double_click_receipts']} "
        f"(of {2 * figures['double_clicks']} posts)"
    )
    print(f"  lost (sent before T, no receipt)    {figures['lost']} {figures['lost_detail'][:5]}")
    print(
        f"  5xx responses                       {figures['errors_5xx']}  "
        f"statuses {figures['statuses']}"
    )
    print(
        f"  requests in the rush                {figures['requests']} "
        f"in {figures['rush_seconds']:.1f} s"
    )
    print("  latency (ms)             p50      p95      p99    count")
    for kind, (p50, p95, p99, count) in figures["latency"].items():
        print(f"    {kind:<18} {p50 * ms:8.1f} {p95 * ms:8.1f} {p99 * ms:8.1f} {count:8d}")
    ratio = figures["save_rps"] / figures["bare_rps"]
    print(
        f"  throughput, {min(args.providers, args.concurrency)} concurrent clients: "
        f"save path {figures['save_rps']:.0f} req/s, bare /healthz "
        f"{figures['bare_rps']:.0f} req/s, ratio {ratio:.2f}"
    )
    p95 = figures["latency"]["all"][1]
    met = (
        figures["lost"] == 0
        and figures["duplicates"] == 0
        and figures["errors_5xx"] == 0
        and p95 < 0.3
        and figures["stored_once"] == figures["accepted"]
    )
    print(
        f"  target (nothing lost or duplicated, 0 errors, p95 < 300 ms): "
        f"{'met' if met else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--window", type=float, default=10.0, help="seconds of submits before T")
    parser.add_argument("--after", type=float, default=2.0, help="seconds of submits after T")
    parser.add_argument("--double-click", type=float, default=0.1, help="share posting twice")
    parser.add_argument("--concurrency", type=int, default=300, help="clients for throughput")
    parser.add_argument("--capacity-seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="an existing database to connect to while creating and dropping the bench's own",
    )
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="put a proxy that stamps X-Request-Start in front (as nginx would) and trust it",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    if args.providers < 2:
        parser.error("--providers must be at least 2")

    workdir = Path(tempfile.mkdtemp(prefix="commonweal-rush-"))
    port = free_port()
    try:
        with database(args.database, workdir, args.postgres_url) as url:
            env = production_env(url, port)
            if args.proxy:
                env["TRUST_REQUEST_START_HEADER"] = "1"
            began = time.perf_counter()
            seeded = seed(env, args.providers, workdir / "uploads")
            print(
                f"Seeded {args.providers} providers with complete drafts in "
                f"{time.perf_counter() - began:.1f} s"
            )
            with gunicorn(env, port, workdir) as base:
                figures = asyncio.run(drive(args, base, seeded, url))
            report(args, figures)
    finally:
        if args.keep:
            print(f"Work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
