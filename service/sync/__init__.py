"""Orchestration of syncs with outside services: cursors, runs, batches.

Provider knowledge (clients, file formats, the mapping to neutral kinds)
lives in ``service.connectors``; the ledger stores and posts what it gets
in channel-neutral terms and imports no connector. This layer is where
the two meet.
"""
