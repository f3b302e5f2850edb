"""Commonweal's domain: ethical-framework model, loader, scoring engine and advice.

Pure Python: no web framework, no database. The web app and the reports build on it.
"""
