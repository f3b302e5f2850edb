"""Who may reach each of the app's routes: the expected-access table the matrix test checks.

Every endpoint in `app.url_map` has one entry. `Allowed(roles)` lists who gets a page (2xx) or
is sent on (3xx, anywhere but the sign-in page) in the world of `world.AccessWorld`; everyone
else signed in is refused (403 or 404) and an anonymous visitor is sent to sign in. `PUBLIC`
routes answer everyone, signed in or not, and are never refused for who one is.

A new route fails `test_every_route_is_in_the_access_table` until it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.webapp.authorisation.world import Who


@dataclass(frozen=True)
class Allowed:
    roles: frozenset[Who]
    """Who gets through on GET (and on POST, unless `post` says otherwise)."""
    post: frozenset[Who] | None = None
    """Who may POST, when it differs from who may GET."""
    renders_pdf: bool = False
    """The route renders a PDF (seconds each): of the roles allowed only `pdf_as` is requested,
    on SQLite; refused roles are always checked. The reports tests render each PDF too."""
    pdf_as: Who | None = None
    open_round: bool = False
    """The route's ids are the open round's (its bid is changeable, the deadline not passed)."""

    @property
    def public(self) -> bool:
        return Who.ANONYMOUS in self.roles

    @property
    def post_roles(self) -> frozenset[Who]:
        return self.roles if self.post is None else self.post


def allowed(*roles: Who, **options: object) -> Allowed:
    return Allowed(frozenset(roles), **options)  # type: ignore[arg-type]


PUBLIC = Allowed(frozenset(Who))

W = Who
OWNER = (W.PROVIDER,)
"""Only a user of the organisation whose bid (or check, or document) the ids point at."""
PROVIDERS = (W.PROVIDER, W.OTHER_PROVIDER)
"""Any provider: the page is about their own organisation and takes no id."""
MANAGERS = (W.COMMISSIONER, W.ADMIN)
RESULTS = (*MANAGERS, W.BOARD)
"""Who sees a round's results once it is with the board or awarded."""
EVALUATORS = (W.EVALUATOR, W.UNASSIGNED_EVALUATOR, W.CONFLICTED_EVALUATOR)
STAFF = (*MANAGERS, W.BOARD, *EVALUATORS)
ON_THE_ROUND = (W.EVALUATOR, W.CONFLICTED_EVALUATOR)
"""Evaluators assigned to the round, conflicted or not."""

ACCESS: dict[str, Allowed] = {
    # public pages, assets and the account journeys (a bad token is a 400, for everyone)
    "public.home": PUBLIC,
    "public.accessibility": PUBLIC,
    "public.healthz": PUBLIC,
    "public.readyz": PUBLIC,
    "static": PUBLIC,
    "styles.static": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "auth.confirm_sign_out": PUBLIC,
    "auth.register": PUBLIC,
    "auth.confirm_email": PUBLIC,
    "auth.resend_confirmation": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.accept_invite": PUBLIC,
    # administration
    "admin.users": allowed(W.ADMIN),
    "admin.personal_data_page": allowed(W.ADMIN),
    "admin.personal_data_export": allowed(W.ADMIN),
    "admin.personal_data_erase": allowed(W.ADMIN),
    "admin.invite": allowed(W.ADMIN),
    "admin.deactivate": allowed(W.ADMIN),
    "admin.reactivate": allowed(W.ADMIN),
    "admin.resend_invite": allowed(W.ADMIN),
    # a provider's own organisation, bids and self-assessment
    "provider.dashboard": allowed(*PROVIDERS),
    "provider.profile": allowed(*PROVIDERS),
    "provider.edit_profile": allowed(*PROVIDERS),
    "provider.start_bid": allowed(*PROVIDERS, open_round=True),
    "provider.bid": allowed(*OWNER),
    "provider.bid_section": allowed(*OWNER, open_round=True),
    "provider.remove_pending": allowed(*OWNER, open_round=True),
    "provider.change_bid": allowed(*OWNER, open_round=True),
    "provider.check_answers": allowed(*OWNER),
    "provider.submit": allowed(*OWNER, open_round=True),
    "provider.receipt": allowed(*OWNER),
    "provider.withdraw": allowed(*OWNER, open_round=True),
    "provider.outcome": allowed(*OWNER),
    "provider.price_check": allowed(*OWNER),
    "provider.self_assessment": allowed(*PROVIDERS),
    "provider.self_assessment_section": allowed(*PROVIDERS),
    "provider.self_assessment_results": allowed(*PROVIDERS),
    "provider_reports.assessment_summary": allowed(*OWNER),
    "provider_reports.assessment_summary_download": allowed(*OWNER),
    "provider_reports.assessment_summary_pdf": allowed(*OWNER, renders_pdf=True, pdf_as=W.PROVIDER),
    "provider_reports.self_assessment_report": allowed(*PROVIDERS),
    "provider_reports.self_assessment_report_download": allowed(*PROVIDERS),
    "provider_reports.self_assessment_report_pdf": allowed(
        *PROVIDERS, renders_pdf=True, pdf_as=W.OTHER_PROVIDER
    ),
    # documents: the owner; after the deadline managers and evaluators free to mark the bid
    "evidence.download": allowed(W.PROVIDER, W.EVALUATOR, *MANAGERS),
    # evaluation: assigned evaluators, and for a bid only those without a conflict with it
    "evaluation.rounds": allowed(*EVALUATORS),
    "evaluation.round": allowed(*ON_THE_ROUND),
    "evaluation.conflicts": allowed(*ON_THE_ROUND),
    "evaluation.bid": allowed(W.EVALUATOR),
    "evaluation.criterion": allowed(W.EVALUATOR),
    "evaluation.check": allowed(W.EVALUATOR),
    "evaluation.panel": allowed(W.EVALUATOR),
    # commissioning: staff look, managers change
    "commissioning.rounds": allowed(*STAFF),
    "commissioning.round": allowed(*STAFF),
    "commissioning.frameworks": allowed(*STAFF),
    "commissioning.framework": allowed(*STAFF),
    "commissioning.upload_framework": allowed(*MANAGERS),
    "commissioning.new_round": allowed(*MANAGERS),
    "commissioning.round_settings": allowed(*MANAGERS),
    "commissioning.invitations": allowed(*MANAGERS),
    "commissioning.publish": allowed(*MANAGERS),
    "commissioning.evaluators": allowed(*MANAGERS),
    "commissioning.evaluation_settings": allowed(*MANAGERS),
    "commissioning.moderation": allowed(*MANAGERS),
    "commissioning.moderate": allowed(*MANAGERS),
    "commissioning.price_checks": allowed(*MANAGERS),
    "commissioning.price_check": allowed(*MANAGERS),
    "commissioning.audit_events": allowed(*RESULTS),
    "commissioning.results": allowed(*RESULTS),
    "commissioning.result_bid": allowed(*RESULTS),
    "commissioning.submit_to_board": allowed(*MANAGERS),
    # reports of a round
    "reports.board_pack": allowed(*RESULTS),
    "reports.board_pack_download": allowed(*RESULTS),
    "reports.board_pack_pdf": allowed(*RESULTS, renders_pdf=True),  # ten seconds: not here
    "reports.assessment_summary": allowed(*RESULTS),
    "reports.assessment_summary_download": allowed(*RESULTS),
    "reports.assessment_summary_pdf": allowed(*RESULTS, renders_pdf=True, pdf_as=W.ADMIN),
    "reports.issue_summaries": allowed(*MANAGERS),
    "reports.summaries_job": allowed(*MANAGERS),
    "reports.issued_summary_pdf": allowed(*MANAGERS),
    # the board
    "board.rounds": allowed(W.BOARD),
    "board.round": allowed(W.BOARD),
}
