"""(filled in by the evaluator_views work)"""
