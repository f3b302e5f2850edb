"""Accounts: sign in and out, registration, password reset, roles."""
