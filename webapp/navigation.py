"""The service navigation each role sees, built only from endpoints that exist."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from webapp.models import Role

# (endpoint, text) per role, in display order. Links to endpoints not registered are left out.
NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.PROVIDER: [
        ("provider.dashboard", "Your bids"),
        ("provider.self_assessment", "Self-assessment"),
        ("provider.profile", "Organisation profile"),
    ],
    Role.COMMISSIONER: [
        ("commissioning.rounds", "Rounds"),
        ("commissioning.frameworks", "Frameworks"),
    ],
    Role.EVALUATOR: [("evaluation.rounds", "Your marking"), ("commissioning.rounds", "Rounds")],
    Role.BOARD: [("board.rounds", "Your decisions"), ("commissioning.rounds", "Rounds")],
    Role.ADMIN: [
        ("admin.users", "Users"),
        ("commissioning.rounds", "Rounds"),
        ("commissioning.frameworks", "Frameworks"),
    ],
}


def navigation_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, text in NAVIGATION.get(current_user.role_enum, []):
        if endpoint not in current_app.view_functions:
            continue
        href = url_for(endpoint)
        current = request.path == href or request.path.startswith(href.rstrip("/") + "/")
        items.append({"href": href, "text": text, "active": current})
    return items


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_navigation() -> dict[str, Any]:
        return {
            "navigation_items": navigation_items,
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
            "council_name": app.config.get("COUNCIL_NAME", ""),
        }
