"""(filled in by the audit_views work)"""
