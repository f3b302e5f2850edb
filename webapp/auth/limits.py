"""Limits on sign-in and the other account forms, and the client address they count by.

Two counts guard each form that takes an email address:

- per account (the normalised email address typed), tight: 10 sign-in attempts a minute, so no
  one guesses an account's password faster than that, however many addresses they spread the
  guesses over;
- per client address, looser: 50 sign-in attempts a minute, enough for a council office or a
  provider's staff behind one address, while one address still cannot try password after
  password across many accounts.

Every attempt counts, the right password as well, and is counted before the password is
checked. Counting only failures after the fact would let simultaneous guesses all pass the test
before any was counted; letting the right password through a reached limit would turn the
limit into an oracle that says which guess was right. A person whose account is being attacked
is therefore kept out for the rest of the minute too: that is the price of the per-account
count, and a person who has forgotten the password can still ask for a reset link, which has
limits of its own.

The counts are kept in `RATELIMIT_STORAGE_URI`: Redis in production, so every worker process
adds to the same count (production refuses `memory://`, where each worker keeps its own).

Behind a reverse proxy the client address is the proxy's own unless the app is told how many
proxies stand in front of it: `PROXY_FIX_X_FOR` (0, the default, trusts no `X-Forwarded-For`).
Set it to the number of proxies that append to that header, and no more, or a client could
choose its own address.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Trust `PROXY_FIX_X_FOR` proxies for the client's address and scheme (never the host:
    email links come from `PUBLIC_BASE_URL`)."""
    hops = int(app.config.get("PROXY_FIX_X_FOR", 0) or 0)
    if hops < 0:
        raise RuntimeError("PROXY_FIX_X_FOR must be 0 (no proxy) or the number of proxies")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def client_address() -> str:
    """The client's address, as ProxyFix has set it when proxies are trusted."""
    return get_remote_address()


def account_key() -> str:
    """The account a form names: its email address, normalised as accounts are looked up."""
    email = request.form.get("email", "")
    return "account:" + email.strip().lower()


def _setting(name: str) -> str:
    return str(current_app.config[name])


def sign_in_per_account() -> str:
    return _setting("SIGN_IN_RATE_LIMIT")


def sign_in_per_address() -> str:
    return _setting("SIGN_IN_ADDRESS_RATE_LIMIT")


def email_form_per_account() -> str:
    return _setting("EMAIL_FORM_RATE_LIMIT")


def register_per_address() -> str:
    return _setting("REGISTER_RATE_LIMIT")
