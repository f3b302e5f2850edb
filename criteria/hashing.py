"""A framework's canonical content hash: the identity of the exact version used in a round.

Two files with the same content give the same hash whatever their key order, whitespace,
comments, or whether a default is written out (`required: true`) or left implicit; numbers are
compared by value (13.45 and 13.450 are the same rate).

Keys added to the model after frameworks were first stored are left out of the hash while
they are unset, so a framework that does not use them keeps the hash it was stored under.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from criteria.model import Framework

__all__ = ["canonical_json", "content_hash"]


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int):
        normal = Decimal(value).normalize()
        return format(normal, "f")
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


CRITERION_KEYS_ADDED_LATER = ("error_name", "unit", "title")
"""Criterion keys hashed only when set: a framework written before they existed keeps its hash.
A parameter's `label` is treated the same way."""


def _without_unset_later_keys(content: dict[str, Any]) -> dict[str, Any]:
    for section in content["sections"]:
        for criterion in section["criteria"]:
            for key in CRITERION_KEYS_ADDED_LATER:
                if criterion.get(key) is None:
                    criterion.pop(key, None)
    parameters = content.get("parameters")
    for parameter in parameters.values() if isinstance(parameters, dict) else ():
        if isinstance(parameter, dict) and parameter.get("label") is None:
            parameter.pop("label", None)
    return content


def canonical_json(framework: Framework) -> str:
    """The framework's content as compact JSON with sorted keys and normalised numbers."""
    dumped = framework.model_dump(mode="python", by_alias=True)
    content = _canonical(_without_unset_later_keys(dumped))
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(framework: Framework) -> str:
    """`sha256:<hex>` of the canonical JSON."""
    digest = hashlib.sha256(canonical_json(framework).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"
