"""Orchestration of syncs with outside services: cursors, runs, batches."""
