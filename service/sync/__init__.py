"""Syncs: the steps that ask a channel for its data and hand it to the ledger.

Provider knowledge (clients, file formats, the mapping to neutral kinds)
lives in ``service.connectors``; the ledger stores and posts what it gets
in channel-neutral terms and imports no connector. This layer is where
the two meet.
"""
