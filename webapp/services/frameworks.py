"""Frozen framework versions: store a framework's exact YAML once, load it back by hash."""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa

from criteria.catalogue import builtin_paths
from criteria.hashing import content_hash
from criteria.loader import load_framework_text
from criteria.model import Framework
from webapp.extensions import db
from webapp.models import FrameworkVersion, User


@lru_cache(maxsize=64)
def _parse(source_text: str, source_name: str) -> Framework:
    # Frameworks are frozen, so one parsed copy per text can be shared by every request.
    return load_framework_text(source_text, source_name)


def framework_of(version: FrameworkVersion) -> Framework:
    """The framework a stored version holds (parsed once per process)."""
    return _parse(version.source_text, version.source_name)


def store_framework(
    source_text: str, source_name: str, *, uploaded_by: User | None = None, builtin: bool = False
) -> FrameworkVersion:
    """Validate and store a framework's text; the same content is stored once.

    Raises `criteria.loader.FrameworkError` (file, line and field) when the text is invalid.
    The caller commits.
    """
    framework = _parse(source_text, source_name)
    digest = content_hash(framework)
    existing = db.session.scalars(
        sa.select(FrameworkVersion).where(FrameworkVersion.content_hash == digest)
    ).first()
    if existing is not None:
        return existing
    version = FrameworkVersion(
        framework_id=framework.id,
        version=framework.version,
        title=framework.title,
        content_hash=digest,
        source_name=source_name,
        source_text=source_text,
        builtin=builtin,
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def ensure_builtin_frameworks() -> list[FrameworkVersion]:
    """Store every built-in framework version that is not stored yet. The caller commits."""
    return [
        store_framework(path.read_text(encoding="utf-8"), path.name, builtin=True)
        for path in builtin_paths()
    ]


def latest_builtin(framework_id: str = "ethical-care") -> FrameworkVersion:
    """The newest stored built-in version of a framework, storing the built-ins if needed."""
    ensure_builtin_frameworks()
    versions = db.session.scalars(
        sa.select(FrameworkVersion)
        .where(FrameworkVersion.framework_id == framework_id, FrameworkVersion.builtin)
        .order_by(FrameworkVersion.id.desc())
    ).all()
    if not versions:
        raise LookupError(f"no built-in framework {framework_id!r}")
    return versions[0]
