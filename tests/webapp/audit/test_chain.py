"""The hash chain on its own: any change, removal, swap or insertion is caught at the first event
it touches, and an untouched chain verifies."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from webapp.audit.chain import (
    GENESIS,
    HASHED_FIELDS,
    Anchor,
    ChainedEvent,
    canonical_json,
    digest,
    event_hash,
    verify,
    verify_anchor,
)

PROPERTY = settings(max_examples=150, deadline=None, database=None)

hashes = st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: f"sha256:{h}")
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001  (hypothesis adds the zone)
    max_value=datetime(2040, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "seq": st.integers(min_value=-5, max_value=10_000),
    "occurred_at": moments,
    "actor_id": st.none() | st.integers(min_value=1, max_value=10_000),
    "actor": words,
    "action": st.sampled_from(["round.created", "bid.submitted", "marks.submitted", "x"]),
    "round_id": st.none() | st.integers(min_value=1, max_value=10_000),
    "subject": words,
    "summary": words,
    "before_digest": st.none() | hashes,
    "after_digest": st.none() | hashes,
    "prev_hash": hashes,
    "hash": hashes,
}


@st.composite
def event_contents(draw: st.DrawFn) -> dict[str, Any]:
    """Everything an event holds except its place in a chain."""
    return {
        name: draw(FIELD_VALUES[name])
        for name in HASHED_FIELDS
        if name not in ("seq", "prev_hash", "hash")
    }


def chain_of(contents: list[dict[str, Any]]) -> list[ChainedEvent]:
    """Events linked as `record` links them: numbered from 1, each naming the one before."""
    events: list[ChainedEvent] = []
    previous = GENESIS
    for seq, fields in enumerate(contents, start=1):
        event = ChainedEvent(seq=seq, prev_hash=previous, **fields)
        event = dataclasses.replace(event, hash=event_hash(event))
        events.append(event)
        previous = event.hash
    return events


chains = st.lists(event_contents(), min_size=1, max_size=8).map(chain_of)
random_events = st.builds(ChainedEvent, **FIELD_VALUES)


def broken_seq(events: list[ChainedEvent]) -> int | None:
    _, broken = verify(events)
    return None if broken is None else broken.seq


@PROPERTY
@given(chains)
def test_an_untouched_chain_verifies_and_every_event_is_counted(events: list[ChainedEvent]) -> None:
    assert verify(events) == (len(events), None)


@PROPERTY
@given(chains, st.data())
def test_changing_any_field_of_any_event_is_caught_at_that_event(
    events: list[ChainedEvent], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(events) - 1), label="index")
    name = data.draw(st.sampled_from([*HASHED_FIELDS, "hash"]), label="field")
    value = data.draw(FIELD_VALUES[name], label="value")
    original = getattr(events[index], name)
    assume(canonical_json(value) != canonical_json(original))
    tampered = list(events)
    tampered[index] = dataclasses.replace(events[index], **{name: value})
    assert broken_seq(tampered) == index + 1


@PROPERTY
@given(chains, st.data())
def test_removing_an_event_names_the_missing_event(
    events: list[ChainedEvent], data: st.DataObject
) -> None:
    assume(len(events) >= 2)
    index = data.draw(st.integers(0, len(events) - 2), label="index")
    _, broken = verify(events[:index] + events[index + 1 :])
    assert broken is not None
    assert broken.seq == index + 1
    assert "missing" in broken.problem


@PROPERTY
@given(chains, st.data())
def test_swapping_two_events_is_caught_at_the_first_of_them(
    events: list[ChainedEvent], data: st.DataObject
) -> None:
    assume(len(events) >= 2)
    first = data.draw(st.integers(0, len(events) - 2), label="first")
    second = data.draw(st.integers(first + 1, len(events) - 1), label="second")
    swapped = list(events)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    assert broken_seq(swapped) == first + 1


@PROPERTY
@given(chains, random_events, st.data())
def test_inserting_an_event_anywhere_is_caught_where_it_was_inserted(
    events: list[ChainedEvent], stranger: ChainedEvent, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(events)), label="index")
    assert broken_seq([*events[:index], stranger, *events[index:]]) == index + 1


@PROPERTY
@given(chains, event_contents(), st.data())
def test_a_well_forged_insertion_is_caught_at_the_event_it_displaces(
    events: list[ChainedEvent], contents: dict[str, Any], data: st.DataObject
) -> None:
    """A forger can number and hash one event correctly (there is no secret), but not the
    events after it without rewriting them all."""
    index = data.draw(st.integers(0, len(events) - 1), label="index")
    previous = events[index - 1].hash if index else GENESIS
    forged = ChainedEvent(seq=index + 1, prev_hash=previous, **contents)
    forged = dataclasses.replace(forged, hash=event_hash(forged))
    assert broken_seq([*events[:index], forged, *events[index:]]) == index + 2


@PROPERTY
@given(chains, st.data())
def test_cutting_the_end_off_is_caught_by_a_head_noted_earlier(
    events: list[ChainedEvent], data: st.DataObject
) -> None:
    head = Anchor(events[-1].seq, events[-1].hash)
    kept = data.draw(st.integers(0, len(events) - 1), label="kept")
    shortened = events[:kept]
    assert verify(shortened) == (kept, None)  # the chain alone cannot tell
    broken = verify_anchor(shortened, head)
    assert broken is not None
    assert broken.seq == head.seq
    assert verify_anchor(events, head) is None


def test_a_changed_event_at_a_noted_head_is_named() -> None:
    events = chain_of([dict(_CONTENT), dict(_CONTENT, summary="second")])
    noted = Anchor(2, "sha256:" + "a" * 64)
    broken = verify_anchor(events, noted)
    assert broken is not None
    assert (broken.seq, broken.problem) == (2, "its hash is not the one noted for it earlier")


_CONTENT: dict[str, Any] = {
    "occurred_at": datetime(2027, 4, 1, 11, 0, tzinfo=UTC),
    "actor_id": 3,
    "actor": "Priya Shah <commissioner1@example.org> (commissioner)",
    "action": "round.published",
    "round_id": 1,
    "subject": "round:1",
    "summary": "Round CW-2027-001 published",
    "before_digest": None,
    "after_digest": digest({"status": "published"}),
}


def test_the_same_moment_in_another_zone_or_without_one_hashes_the_same() -> None:
    """SQLite hands back naive UTC times and PostgreSQL aware ones: both must verify."""
    moment = datetime(2027, 4, 1, 11, 0, 0, 123456, tzinfo=UTC)
    (event,) = chain_of([dict(_CONTENT, occurred_at=moment)])
    naive = dataclasses.replace(event, occurred_at=moment.replace(tzinfo=None))
    shifted = moment.astimezone(ZoneInfo("Europe/London"))
    assert event_hash(naive) == event.hash
    assert event_hash(dataclasses.replace(event, occurred_at=shifted)) == event.hash
    later = dataclasses.replace(event, occurred_at=moment + timedelta(microseconds=1))
    assert event_hash(later) != event.hash


def test_digests_ignore_key_order_but_not_values() -> None:
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})
    assert digest(None) is None


@pytest.mark.parametrize(
    "text",
    ["", "12", "0:sha256:" + "a" * 64, "x:sha256:" + "a" * 64, "3:sha256:" + "A" * 64, "3:abc"],
)
def test_a_malformed_head_is_refused_with_the_form_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected <event number>:sha256:<64 hex digits>"):
        Anchor.parse(text)


def test_a_head_reads_back_as_printed() -> None:
    head = Anchor(12, "sha256:" + "0f" * 32)
    assert Anchor.parse(str(head)) == head


@PROPERTY
@given(random_events)
def test_an_events_hash_is_the_digest_of_its_canonical_fields(event: ChainedEvent) -> None:
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    assert event_hash(event) == digest(fields)
