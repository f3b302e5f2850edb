"""(filled in by the provider price_checks work)"""
