"""What commissioners, evaluators and the board see: frameworks and commissioning rounds.

Commissioners and administrators create and change rounds and upload frameworks; evaluators
and board members see the same pages read-only. Bids stay sealed until each round's deadline.
"""

from webapp.commissioning import (  # noqa: F401  (each module registers its routes)
    audit_views,
    evaluator_views,
    framework_views,
    moderation_views,
    price_check_views,
    results_views,
    round_views,
)
from webapp.commissioning.blueprint import bp

__all__ = ["bp"]
