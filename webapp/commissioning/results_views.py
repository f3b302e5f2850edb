"""(filled in by the results_views work)"""
