"""What the audit log keeps of a round or a bid before and after a change, and what it says.

Only the digest of a snapshot is stored, so a snapshot may hold anything that identifies the
state exactly: a bid's answers appear as their own digest, which is enough to show later that
the answers scored are the answers submitted.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from webapp.audit.chain import digest
from webapp.extensions import db
from webapp.models import Bid, CommissioningRound, Organisation


def round_snapshot(round_: CommissioningRound) -> dict[str, Any]:
    """Everything a commissioner sets on a round, as stored."""
    return {
        "reference": round_.reference,
        "title": round_.title,
        "service": round_.service,
        "description": round_.description,
        "framework_version_id": round_.framework_version_id,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "invite_only": round_.invite_only,
        "status": round_.status,
        "published_at": round_.published_at,
        **settings_snapshot(round_),
    }


def settings_snapshot(round_: CommissioningRound) -> dict[str, Any]:
    """The round's parameter values and pillar weights (copies: safe to keep across a change)."""
    return {
        "parameters": dict(round_.parameters or {}),
        "pillar_weights": dict(round_.pillar_weights) if round_.pillar_weights else None,
    }


def invitations_snapshot(organisation_ids: set[int]) -> dict[str, Any]:
    return {"invited_organisation_ids": sorted(organisation_ids)}


def bid_snapshot(bid: Bid) -> dict[str, Any]:
    """A bid's status and identity, with its answers as their digest."""
    return {
        "bid_id": bid.id,
        "organisation_id": bid.organisation_id,
        "status": bid.status,
        "reference": bid.reference,
        "declaration_name": bid.declaration_name,
        "submitted_at": bid.submitted_at,
        "withdrawn_at": bid.withdrawn_at,
        "answers_digest": digest(bid.answers or {}),
    }


def changed_names(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys whose values differ between two flat dicts, sorted."""
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def settings_summary(
    round_: CommissioningRound, before: dict[str, Any], after: dict[str, Any]
) -> str:
    """`Settings of round CW-2027-001 changed: parameter real_living_wage, fair_work weight`."""
    parameters = changed_names(before["parameters"], after["parameters"])
    weights = changed_names(before["pillar_weights"] or {}, after["pillar_weights"] or {})
    changed = [f"parameter {name}" for name in parameters] + [f"{p} weight" for p in weights]
    return f"Settings of round {round_.reference} changed: {', '.join(changed)}"


def invitations_summary(round_: CommissioningRound, before: set[int], after: set[int]) -> str:
    """`2 invited to round CW-2027-001; added: Kestrel Care; removed: Lantern Trust`."""
    ids = before ^ after
    query = sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    names = {row.id: row.name for row in db.session.execute(query)}
    parts = [f"{len(after)} invited to round {round_.reference}"]
    for label, chosen in (("added", after - before), ("removed", before - after)):
        if chosen:
            listed = sorted(names.get(i, f"organisation {i}") for i in chosen)
            parts.append(f"{label}: {', '.join(listed)}")
    return "; ".join(parts)
