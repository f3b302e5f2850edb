"""(filled in by the provider outcome work)"""
