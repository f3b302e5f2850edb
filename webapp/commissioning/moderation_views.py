"""(filled in by the moderation_views work)"""
