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
import os
import random
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rush_world import (
    DEADLINE_TEXT,
    RECEIPT_TEXT,
    REFUSED_TEXT,
    SECTION_ANSWERS,
    Seeded,
    StampingProxy,
    database,
    free_port,
    gunicorn,
    production_env,
    read_hidden,
    seed,
    set_deadline,
    stored_submissions,
)

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
