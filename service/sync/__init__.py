"""Orchestration of channel, processor and inventory-system syncs: cursors,
runs, retries. It calls the connectors (which speak each provider's API and
normalize what it says) and stores their channel-neutral results through
the ledger; neither of those imports this package."""
