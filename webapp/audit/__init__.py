"""The audit trail: an append-only, hash-chained log of every state change.

`chain` holds the pure rules (canonical form, digests, links, verification); `log` writes and
reads events through the database session, inside the transaction of the change it records.
"""
