"""What commissioners, evaluators and the board see: frameworks and commissioning rounds.

Commissioners and administrators create and change rounds and upload frameworks; evaluators
and board members see the same pages read-only. Bids stay sealed until each round's deadline.
"""

from webapp.commissioning import framework_views, round_views  # noqa: F401  (registers routes)
from webapp.commissioning.blueprint import bp

__all__ = ["bp"]
