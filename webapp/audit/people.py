"""People in the audit log: referenced by id in what is hashed, named only when shown.

A name or an email address inside a hashed event could never be erased without breaking the
chain, so events name nobody. `actor_ref` is what an event keeps of who acted (`user:12
(commissioner)`), and `person` is the token a summary uses for anyone else it mentions
(`⟦user:7⟧`). Pages and exports resolve both to the person's current name and email, or to
"Erased person 12" once their personal data has been erased.

Events written before this rule keep the actor's name and email in their hashed text; erasing
such a person lists those events (`PersonalDataErasure.redacted_event_seqs`) and pages withhold
their text from then on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import User

__all__ = [
    "ERASED_EMAIL_DOMAIN",
    "REDACTED_TEXT",
    "People",
    "actor_ref",
    "is_erased",
    "person",
]

ERASED_EMAIL_DOMAIN = "erased.invalid"
REDACTED_TEXT = "Withheld: it named a person whose personal data has been erased"
SYSTEM = "system"

_TOKEN = re.compile(r"⟦user:(\d+)⟧")
_ACTOR_REF = re.compile(r"user:(\d+) \((\w+)\)")


def actor_ref(user: User | None) -> str:
    """What an event keeps of who acted: their id and role, never their name."""
    return SYSTEM if user is None else f"user:{user.id} ({user.role})"


def person(user: User) -> str:
    """The token a summary uses for a person; shown as their name."""
    return f"⟦user:{user.id}⟧"


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_EMAIL_DOMAIN)


def _name(user: User) -> str:
    return f"Erased person {user.id}" if is_erased(user) else user.name


@dataclass(frozen=True)
class People:
    """The people a set of events mentions, loaded once, and the events to withhold."""

    users: Mapping[int, User]
    redacted: frozenset[int]

    @classmethod
    def for_events(cls, events: Iterable[object]) -> People:
        from webapp.audit.tables import PersonalDataErasure

        ids: set[int] = set()
        seqs: set[int] = set()
        for event in events:
            actor_id = getattr(event, "actor_id", None)
            if actor_id is not None:
                ids.add(actor_id)
            ids.update(int(found) for found in _TOKEN.findall(getattr(event, "summary", "")))
            seqs.add(getattr(event, "seq", 0))
        users = (
            {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
            if ids
            else {}
        )
        redacted: set[int] = set()
        for erased in db.session.scalars(sa.select(PersonalDataErasure.redacted_event_seqs)):
            redacted.update(int(seq) for seq in erased or [] if int(seq) in seqs)
        return cls(users, frozenset(redacted))

    def who(self, event: object) -> str:
        """Who acted, as a person reads it: `Priya Shah <priya@...> (commissioner)`."""
        stored: str = getattr(event, "actor", SYSTEM)
        actor_id = getattr(event, "actor_id", None)
        user = self.users.get(actor_id) if actor_id is not None else None
        referenced = _ACTOR_REF.fullmatch(stored)
        if user is None:
            return stored
        role = referenced.group(2) if referenced else user.role
        if is_erased(user):
            return f"{_name(user)} ({role})"
        if referenced:
            return f"{user.name} <{user.email}> ({role})"
        return REDACTED_TEXT if getattr(event, "seq", None) in self.redacted else stored

    def summary(self, event: object) -> str:
        """The summary with each person token replaced by that person's name."""
        if getattr(event, "seq", None) in self.redacted:
            return REDACTED_TEXT
        text: str = getattr(event, "summary", "")

        def name(match: re.Match[str]) -> str:
            user = self.users.get(int(match.group(1)))
            return _name(user) if user is not None else f"user {match.group(1)}"

        return _TOKEN.sub(name, text)
