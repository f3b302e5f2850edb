"""Price checks in the award world: addresses, and checks written straight to a given state."""

from __future__ import annotations

from tests.webapp.award_world import FLAGGED, AwardWorld
from webapp.extensions import db
from webapp.models import PriceCheck, PriceCheckStatus

CODE = "abnormally_low"
OTHER_CODE = "wage_floor_not_funded"
QUESTION = "How will you pay the Real Living Wage at £24.50 an hour?"
RESPONSE = "Our cost breakdown: wages £16.20, travel £3.10, on-costs £3.90, overheads £1.30."


def list_url(award: AwardWorld) -> str:
    return f"/commissioning/rounds/{award.round_id}/price-checks"


def check_url(award: AwardWorld, code: str = CODE, key: str = FLAGGED) -> str:
    return f"/commissioning/rounds/{award.round_id}/price-checks/{award.bid_ids[key]}/{code}"


def provider_url(award: AwardWorld, check_id: int, key: str = FLAGGED) -> str:
    return f"/provider/bids/{award.bid_ids[key]}/price-checks/{check_id}"


def write_check(award: AwardWorld, code: str = CODE, *, status: str = "asked") -> int:
    """A check on Meridian Crest's flag, asked (and answered when `status` says so)."""
    with award.app.app_context():
        check = PriceCheck(
            round_id=award.round_id,
            bid_id=award.bid_ids[FLAGGED],
            flag_code=code,
            status=status,
            question=QUESTION if status != PriceCheckStatus.OPEN.value else None,
            asked_by_id=award.commissioner.id,
            asked_at=award.now,
        )
        if status == PriceCheckStatus.ANSWERED.value:
            check.response = RESPONSE
            check.responded_by_id = award.providers[FLAGGED].id
            check.responded_at = award.now
        db.session.add(check)
        db.session.commit()
        return check.id


def stored(award: AwardWorld, code: str = CODE) -> PriceCheck | None:
    rows = award.rows(PriceCheck, bid_id=award.bid_ids[FLAGGED], flag_code=code)
    return rows[0] if rows else None


def found(award: AwardWorld, code: str = CODE) -> PriceCheck:
    """The stored check, which the test expects to exist."""
    check = stored(award, code)
    assert check is not None, f"no price check stored for {code}"
    return check
