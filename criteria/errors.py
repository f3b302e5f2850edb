"""Errors in what a round feeds the engine, written for the person who prepared the round."""

from __future__ import annotations

__all__ = ["RoundInputError"]


class RoundInputError(ValueError):
    """The round's bids, marks or settings cannot be scored as given; the message says why."""
