"""The hash chain, without storage: how an event is hashed and how a chain is checked.

Each event's hash is SHA-256 over its canonical JSON (sorted keys, no spaces, UTC times to the
microsecond) including the previous event's hash. Changing any field of a stored event, or
removing, inserting or reordering events, breaks the first link after the change, and
`verify` names that link.

The hashes alone prove nothing to someone who can write to the database: they can change an
event and recompute every hash after it. So each event is also sealed: `seal_of` is an HMAC of
its hash with a key held outside the database, which such a writer cannot compute. Because each
hash covers the one before, a valid seal on an event vouches for every event up to it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = [
    "GENESIS",
    "Anchor",
    "Break",
    "ChainedEvent",
    "canonical_json",
    "digest",
    "event_hash",
    "head_seal_of",
    "seal_of",
    "verify",
    "verify_anchor",
]

GENESIS = "sha256:" + "0" * 64
"""The `prev_hash` of the first event."""

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor",
    "action",
    "round_id",
    "subject",
    "summary",
    "before_digest",
    "after_digest",
    "prev_hash",
)
"""Every stored field but the hash itself (and the row id, which the database assigns)."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return value


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, datetimes as UTC ISO 8601."""
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str | None:
    """`sha256:<hex>` of the value's canonical JSON; None for None (nothing before or after)."""
    if value is None:
        return None
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """An event as the chain sees it: the hashed fields and the stored hash."""

    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor: str
    action: str
    round_id: int | None
    subject: str
    summary: str
    before_digest: str | None
    after_digest: str | None
    prev_hash: str
    hash: str = ""
    seal: str | None = None

    @classmethod
    def of(cls, row: Any) -> ChainedEvent:
        """From anything with the same attributes (a stored `AuditEvent` row)."""
        fields = {name: getattr(row, name) for name in (*HASHED_FIELDS, "hash")}
        return cls(**fields, seal=getattr(row, "seal", None))


def event_hash(event: ChainedEvent) -> str:
    """The hash an event must carry, from its fields and the previous event's hash.

    The same text as `canonical_json` of the fields, built directly: every field but the time is
    already plain, and the whole log is hashed again each time it is verified.
    """
    fields: dict[str, Any] = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = _plain(event.occurred_at)
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


SEAL_PREFIX = "hmac-sha256:"


def seal_of(key: bytes, hash_: str) -> str:
    """The seal of an event with hash `hash_`: HMAC-SHA256 under the audit key."""
    return SEAL_PREFIX + hmac.new(key, hash_.encode("ascii"), hashlib.sha256).hexdigest()


def head_seal_of(key: bytes, seq: int, hash_: str, sealed_from: int | None) -> str:
    """The seal of the log's head: the last event's number and hash, and where signing began."""
    text = f"head:{seq}:{hash_}:{sealed_from if sealed_from is not None else '-'}"
    return SEAL_PREFIX + hmac.new(key, text.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link: which event, and what is wrong with it."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


def verify(
    events: Iterable[ChainedEvent], *, key: bytes | None = None, sealed_from: int | None = None
) -> tuple[int, Break | None]:
    """Check a chain in `seq` order: (events checked, the first broken link or None).

    A break names the position where the chain first goes wrong, counted from 1 like `seq`:
    for a removed event that is the number of the event that is missing. Removing events from
    the end leaves a shorter chain that still verifies; the signed head (`webapp.audit.log`) or
    `verify_anchor` against a head noted earlier catches that.

    With `key`, every event from `sealed_from` on (or from the first sealed one) must carry the
    seal that key gives its hash; events before are accepted unsealed (written before signing).
    """
    previous_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in events:
        checked += 1
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                problem = (
                    f"it is missing: the log goes from event {expected_seq - 1} "
                    f"to event {event.seq}"
                )
            else:
                problem = f"the event here is numbered {event.seq}: events are out of order"
            return checked, Break(expected_seq, problem)
        if event.prev_hash != previous_hash:
            problem = (
                "its link to the event before does not match that event's hash: an earlier "
                "event was changed, removed or inserted"
            )
            return checked, Break(expected_seq, problem)
        if event_hash(event) != event.hash:
            problem = (
                "its content does not match its hash: the event was changed after it was written"
            )
            return checked, Break(expected_seq, problem)
        if key is not None:
            problem = _seal_problem(event, key, sealed_from)
            if problem:
                return checked, Break(expected_seq, problem)
            if event.seal is not None and sealed_from is None:
                sealed_from = event.seq
        previous_hash = event.hash
        expected_seq += 1
    return checked, None


def _seal_problem(event: ChainedEvent, key: bytes, sealed_from: int | None) -> str | None:
    if event.seal is None:
        if sealed_from is not None and event.seq >= sealed_from:
            return (
                f"it is not signed, though every event from {sealed_from} on is: it was written "
                "or rewritten without the audit key"
            )
        return None
    if not hmac.compare_digest(event.seal, seal_of(key, event.hash)):
        return (
            "its signature does not match: it was changed, or written, by someone without the "
            "audit key (or AUDIT_HMAC_KEY is not the key the log was signed with)"
        )
    return None


@dataclass(frozen=True, slots=True)
class Anchor:
    """A head noted earlier (`<seq>:<hash>`), to show later that nothing after it was cut off."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """From `12:sha256:<64 hex>`; ValueError with the expected form otherwise."""
        number, _, value = text.strip().partition(":")
        if not number.isdigit() or int(number) < 1 or not _HASH.fullmatch(value):
            raise ValueError(
                f"{text!r} is not an audit log head: expected <event number>:sha256:<64 hex "
                "digits>, as `commonweal audit verify` prints it"
            )
        return cls(int(number), value)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


_HASH = re.compile(r"sha256:[0-9a-f]{64}")


def verify_anchor(events: Iterable[ChainedEvent], anchor: Anchor) -> Break | None:
    """Check that the event numbered `anchor.seq` is still there with the hash noted for it."""
    for event in events:
        if event.seq == anchor.seq:
            if event.hash != anchor.hash:
                return Break(anchor.seq, "its hash is not the one noted for it earlier")
            return None
    return Break(anchor.seq, "it is missing: the log was cut short after it was noted")
