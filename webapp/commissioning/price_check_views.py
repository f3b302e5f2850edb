"""(filled in by the price_check_views work)"""
