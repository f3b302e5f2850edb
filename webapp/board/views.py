"""(filled in by the board work)"""
