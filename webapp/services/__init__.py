"""Use cases: each owns its transaction and authorisation checks and calls the domain."""
